"""The meetings import's front doors on both databases: the API (multipart) answers the
report, a file that is not a calendar is a 422 problem on ``file`` with nothing written, a
viewer gets 403; the page shows the report and the error; ``accord calendar import-ics``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from conftest import api_client
from page_helpers import sign_in
from test_meetings_import_service import FILE, TODAY, _counts, people  # noqa: F401 - a fixture

runner = CliRunner()
NOT_A_CALENDAR = ("contacts.csv", b"name,email\nCarla,carla@acme.test\n", "text/csv")


def _on_the_day(app) -> None:
    from accord.web.deps import today

    app.dependency_overrides[today] = lambda: TODAY


def test_the_api_imports_and_reports(app, sessions, cast, people, db) -> None:  # noqa: F811
    _on_the_day(app)
    api = api_client(app, cast.token(sessions, "owner"))
    before = _counts(db)
    bad = api.post("/api/v1/calendar/meetings/import", files={"file": NOT_A_CALENDAR})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in bad.json()["errors"]] == ["file"]
    assert "not an iCalendar file" in bad.json()["errors"][0]["message"]
    assert _counts(db)[:2] == before[:2]
    done = api.post("/api/v1/calendar/meetings/import",
                    files={"file": ("mine.ics", FILE, "text/calendar")})
    assert done.status_code == 200, done.text
    report = done.json()
    assert [m["uid"] for m in report["matched"]] == ["m1@example.test"]
    assert report["matched"][0]["account_id"] == cast.acme_id
    assert {u["uid"] for u in report["unmatched"]} == {"m3@example.test", "m4@example.test"}
    again = api.post("/api/v1/calendar/meetings/import",
                     files={"file": ("mine.ics", FILE, "text/calendar")}).json()
    assert again["already_imported"] == ["m1@example.test"] and again["matched"] == []
    viewer = api_client(app, cast.token(sessions, "viewer"))
    refused = viewer.post("/api/v1/calendar/meetings/import",
                          files={"file": ("mine.ics", FILE, "text/calendar")})
    assert refused.status_code == 403


def test_the_page_shows_the_report_and_the_error(app, sessions, cast, people, db) -> None:  # noqa: F811
    _on_the_day(app)
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    assert 'id="import-form"' in client.get("/calendar/import").text
    before = _counts(db)
    bad = client.post("/calendar/import", data={"csrf_token": csrf},
                      files={"file": NOT_A_CALENDAR})
    assert bad.status_code == 422 and 'id="m-file-error"' in bad.text
    assert "not an iCalendar file" in bad.text and _counts(db)[:2] == before[:2]
    done = client.post("/calendar/import", data={"csrf_token": csrf},
                       files={"file": ("mine.ics", FILE, "text/calendar")})
    assert done.status_code == 200, done.text
    assert "1 imported, 0 already imported, 2 not matched, 4 skipped" in done.text
    assert "not held yet" in done.text and f'href="/accounts/{cast.acme_id}"' in done.text


def test_the_cli_imports_as_a_user(sessions, cast, people, database_url, db, tmp_path) -> None:  # noqa: F811
    path = tmp_path / "mine.ics"
    path.write_bytes(FILE)

    def cli(*args: str):
        return runner.invoke(cli_app, hoist_global_options(
            [*args, "--database-url", database_url]))

    nobody = cli("calendar", "import-ics", str(path))
    assert nobody.exit_code != 0 and "--as EMAIL" in nobody.output
    done = cli("--as", "owner@accord.test", "calendar", "import-ics", str(path),
               "--today", "2026-03-16")
    assert done.exit_code == 0, done.output
    assert "imported  2026-03-11  Acme Industries  m1@example.test" in done.output
    assert "7 events: 1 imported, 0 already imported, 2 unmatched, 4 skipped" in done.output
    bad = tmp_path / "bad.ics"
    bad.write_bytes(NOT_A_CALENDAR[1])
    refused = cli("--as", "owner@accord.test", "calendar", "import-ics", str(bad))
    assert refused.exit_code == 2 and "not an iCalendar file" in refused.output
