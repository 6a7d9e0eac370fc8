"""O3: liveness and readiness, request ids, the JSON access log without secrets, and
``accord serve --workers 2`` answering from both worker processes."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from accord.core.database import make_engine
from accord.core.migrate import alembic_config, head_revision, upgrade
from accord.core.settings import Settings
from accord.web.access_log import REDACTED, redact_target, request_id_from
from conftest import TEST_SECRET, api_client
from page_helpers import sign_in

ACCESS = "accord.access"


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == ACCESS]


def app_on(url: str):
    from fastapi.testclient import TestClient

    from accord.app.asgi import create_app

    return TestClient(create_app(Settings(mode="test", database_url=url, secret_key=TEST_SECRET)))


# ---------------------------------------------------------------- liveness and readiness


def test_healthz_answers_without_a_database_and_readyz_says_why_not(tmp_path: Path) -> None:
    client = app_on(f"sqlite:///{tmp_path}/missing-folder/accord.db")
    live = client.get("/healthz")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = client.get("/readyz", headers={"X-Request-ID": "probe-1"})
    assert ready.status_code == 503
    assert ready.headers["content-type"].startswith("application/problem+json")
    body = ready.json()
    assert body["status"] == 503 and "does not answer" in body["detail"]
    assert body["request_id"] == "probe-1"


def test_readyz_is_ready_on_a_database_at_the_head_revision(client, engine) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready" and head_revision() in ready.json()["detail"]
    assert ready.headers["cache-control"] == "no-store"


def test_readyz_is_not_ready_on_a_database_behind_the_head_revision(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    head = head_revision()
    assert head is not None
    previous = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(head)
    behind = str(previous.down_revision)
    url = f"sqlite:///{tmp_path}/behind.db"
    engine = make_engine(url)
    upgrade(engine, behind)
    engine.dispose()
    ready = app_on(url).get("/readyz")
    assert ready.status_code == 503
    assert behind in ready.json()["detail"] and "accord db upgrade" in ready.json()["detail"]
    never = app_on(f"sqlite:///{tmp_path}/empty.db").get("/readyz")
    assert never.status_code == 503 and "revision none" in never.json()["detail"]


# ---------------------------------------------------------------- request ids


def test_every_answer_carries_a_request_id_kept_from_a_sane_header(client) -> None:
    made = client.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["x-request-id"] != made
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a:01"})
    assert kept.headers["x-request-id"] == "lb-7f3a:01"
    for insane in ("has spaces", "x" * 200, "<script>", 'quote"d', ""):
        answer = client.get("/healthz", headers={"X-Request-ID": insane})
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["x-request-id"]), insane
    assert client.get("/login").headers["x-request-id"]
    assert client.get("/no-such-page").headers["x-request-id"]


def test_a_problem_body_names_the_request_id(app, cast, sessions) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    missing = owner.get("/api/v1/accounts/999999", headers={"X-Request-ID": "trace-404"})
    assert missing.status_code == 404 and missing.json()["request_id"] == "trace-404"
    assert missing.headers["x-request-id"] == "trace-404"


def test_request_id_from_keeps_only_sane_ids() -> None:
    assert request_id_from("abc-123_x.y:z") == "abc-123_x.y:z"
    for bad in (None, "", "a b", "\x00", "é", "-leading-dash", "x" * 129):
        assert re.fullmatch(r"[0-9a-f]{32}", request_id_from(bad)), bad


# ---------------------------------------------------------------- the access log


def test_one_json_line_per_request_with_the_user_and_no_secret(app, cast, sessions, caplog) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    token = cast.token(sessions, "owner")
    owner = api_client(app, token)
    answer = owner.get(
        "/api/v1/accounts?q=acme&access_token=SECRET-VALUE&page=1",
        headers={"X-Request-ID": "trace-42"},
    )
    assert answer.status_code == 200
    lines = [line for line in access_lines(caplog) if line["request_id"] == "trace-42"]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {
        "time",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "user_id",
        "client",
        "pid",
    }
    assert line["method"] == "GET" and line["status"] == 200
    assert line["path"] == f"/api/v1/accounts?q=acme&access_token={REDACTED}&page=1"
    assert line["user_id"] == cast.owner.id and line["client"] == "testclient"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert line["pid"] == os.getpid()
    owner.get("/api/v1/nothing-here", headers={"X-Request-ID": "trace-miss"})
    miss = [line for line in access_lines(caplog) if line["request_id"] == "trace-miss"]
    assert miss[0]["status"] == 404 and miss[0]["user_id"] is None
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "SECRET-VALUE" not in text and token not in text


def test_a_signed_in_page_request_is_logged_with_its_user(client, cast, caplog) -> None:
    sign_in(client, "admin@accord.test")
    caplog.set_level(logging.INFO, logger=ACCESS)
    client.get("/admin/teams", headers={"X-Request-ID": "page-1"})
    line = next(x for x in access_lines(caplog) if x["request_id"] == "page-1")
    assert line["user_id"] == cast.admin.id and line["status"] == 200


def test_the_access_log_can_be_turned_off(engine, database_url, caplog) -> None:
    from fastapi.testclient import TestClient

    from accord.app.asgi import create_app

    settings = Settings(
        mode="test", database_url=database_url, secret_key=TEST_SECRET, access_log=False
    )
    caplog.set_level(logging.INFO, logger=ACCESS)
    answer = TestClient(create_app(settings)).get("/healthz")
    assert answer.headers["x-request-id"] and access_lines(caplog) == []


@pytest.mark.parametrize(
    "path, query, logged",
    [
        ("/accounts", "", "/accounts"),
        ("/accounts", "q=monkey&sort=-name", "/accounts?q=monkey&sort=-name"),
        ("/x", "token=abc", f"/x?token={REDACTED}"),
        ("/x", "KEY=abc&b=1", f"/x?KEY={REDACTED}&b=1"),
        ("/x", "a=1&access_token=abc", f"/x?a=1&access_token={REDACTED}"),
        ("/x", "tok%65n=abc", f"/x?tok%65n={REDACTED}"),
        (
            "/x",
            "api_key=1&csrf_token=2&password=3",
            f"/x?api_key={REDACTED}&csrf_token={REDACTED}&password={REDACTED}",
        ),
        ("/x", "token", "/x?token"),
        ("/feeds/calendar/k7Qx9PZ2.ics", "", f"/feeds/{REDACTED}"),
        ("/feeds/k7Qx9PZ2", "download=1", f"/feeds/{REDACTED}?download=1"),
        ("/share/k7Qx9PZ2", "", f"/share/{REDACTED}"),
        ("/Share/k7Qx9PZ2/plan", "", f"/Share/{REDACTED}"),
        ("/api/v1/feeds/u/3/abc", "", f"/api/v1/feeds/{REDACTED}"),
        ("/feeds/", "", "/feeds/"),
        ("/api/v1/x/acc_0123456789abcdefXYZ", "", f"/api/v1/x/{REDACTED}"),
    ],
)
def test_redact_target(path: str, query: str, logged: str) -> None:
    assert redact_target(path, query) == logged


def test_redact_target_bounds_the_length() -> None:
    assert len(redact_target("/" + "a" * 10_000)) <= 2049


# ---------------------------------------------------------------- several worker processes


def test_serve_refuses_several_workers_on_an_in_memory_database() -> None:
    from typer.testing import CliRunner

    from accord.app.commands import app as cli

    result = CliRunner().invoke(cli, ["--database-url", "sqlite://", "serve", "--workers", "2"])
    assert result.exit_code == 2 and "in-memory" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:  # noqa: S310 - local server
            return int(answer.status)
    except Exception:  # noqa: BLE001 - not up yet
        return 0


def test_serve_with_two_workers_answers_readyz_from_both(sqlite_template, tmp_path) -> None:
    database = tmp_path / "served.db"
    shutil.copy(sqlite_template, database)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("ACCORD_")}
    env["ACCORD_SECRET_KEY"] = TEST_SECRET
    log = tmp_path / "serve.log"
    command = [
        sys.executable,
        "-m",
        "accord.app.commands",
        "--database-url",
        f"sqlite:///{database}",
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/readyz"
    pids: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(pids) < 2:
            assert server.poll() is None, log.read_text()
            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(lambda _: _get(url), range(16)))
            if 200 in statuses:
                for raw in log.read_text().splitlines():
                    if raw.startswith("{"):
                        line = json.loads(raw)
                        if line["path"] == "/readyz" and line["status"] == 200:
                            pids.add(line["pid"])
            else:
                time.sleep(0.3)
        assert len(pids) == 2, log.read_text()
        assert server.pid not in pids  # the workers answer, not the supervisor
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        except ProcessLookupError:
            pass


def test_an_error_page_names_the_request_id(client, cast) -> None:
    sign_in(client, "owner@accord.test")
    page = client.get("/admin/teams", headers={"X-Request-ID": "page-403"})
    assert page.status_code == 403 and "<code>page-403</code>" in page.text
    missing = client.get("/no-such-page", headers={"X-Request-ID": "page-404"})
    assert missing.status_code == 404 and "<code>page-404</code>" in missing.text
