"""The jobs' doors: ``accord jobs run|list`` (exit codes for cron), ``GET /api/v1/jobs`` and
``/admin/jobs`` (admins), the built-in jobs, the in-process scheduler of ``accord serve``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.calendar.jobs import builtin, registry
from accord.calendar.jobs.scheduler import Scheduler
from accord.calendar.models import Job
from accord.core.settings import Settings
from accord.health.models import HealthHistory
from conftest import api_client, shared_app
from jobs_helpers import PROBE, hold_job_clock, probe_runs, register_probe
from page_helpers import sign_in

runner = CliRunner()
NOW = "2026-12-07T07:00:00+00:00"


@pytest.fixture(autouse=True)
def _no_probe() -> Iterator[None]:
    yield
    registry.unregister(PROBE)


def accord(database_url: str, *args: str):
    return runner.invoke(cli, ["--database-url", database_url, *args])


def test_jobs_run_runs_what_is_due_and_exits_0(database_url, db) -> None:
    register_probe()
    out = accord(database_url, "jobs", "run", "--job", PROBE, "--now", NOW)
    assert out.exit_code == 0, out.output
    assert "job_probe (due 2026-12-07 06:00 UTC, attempt 1): done" in out.output
    again = accord(database_url, "jobs", "run", "--job", PROBE, "--now", NOW)
    assert (again.exit_code, again.output.strip()) == (0, "nothing due")
    assert probe_runs(db) == 1


def test_jobs_run_exits_1_when_a_job_failed_and_list_shows_why(database_url,
                                                              monkeypatch) -> None:
    hold_job_clock(monkeypatch, datetime.fromisoformat(NOW).replace(hour=6))
    register_probe(fail=lambda: True)
    out = accord(database_url, "jobs", "run", "--job", PROBE, "--now", NOW)
    assert out.exit_code == 1
    assert "due RuntimeError: the probe failed on purpose" in out.output
    listed = accord(database_url, "jobs", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    jobs = {j["name"]: j for j in json.loads(listed.output)}
    assert set(builtin.BUILTIN) <= set(jobs)
    assert jobs["digest"]["schedule"] == "daily at 06:00 UTC"
    probe = jobs[PROBE]
    assert (probe["status"], probe["attempts"]) == ("due", 1)
    assert probe["last_error"] == "RuntimeError: the probe failed on purpose"
    assert probe["next_at"].startswith("2026-12-07T07:01")
    table = accord(database_url, "jobs", "list")
    assert table.exit_code == 0 and PROBE in table.output


def test_bad_options_exit_2(database_url) -> None:
    assert accord(database_url, "jobs", "run", "--job", "nope").exit_code == 2
    assert accord(database_url, "jobs", "run", "--now", "yesterday").exit_code == 2


def test_the_built_in_jobs_run_once_a_day(database_url, cast, db) -> None:
    """Health history is recomputed by the daily job (no outside cron); the others run too;
    the digest sends nothing without a mail server."""
    out = accord(database_url, "jobs", "run", "--now", NOW)
    assert out.exit_code == 0, out.output
    for name in builtin.BUILTIN:
        assert f"{name} (due 2026-12-07 06:00 UTC, attempt 1): done" in out.output
    assert "ACCORD_SMTP_HOST is not set" in out.output
    db.rollback()
    days = set(db.scalars(select(HealthHistory.computed_on)))
    assert days == {datetime(2026, 12, 7).date()}
    statuses = set(db.scalars(select(Job.status).where(Job.name.in_(builtin.BUILTIN))))
    assert statuses == {"done"}
    assert accord(database_url, "jobs", "run", "--now", NOW).output.strip() == "nothing due"


def test_the_api_and_the_page_are_for_admins(settings, sessions, cast, db) -> None:
    register_probe()
    app = shared_app(settings)
    admin = api_client(app, cast.token(sessions, "admin"))
    answer = admin.get("/api/v1/jobs")
    assert answer.status_code == 200, answer.text
    names = [j["name"] for j in answer.json()]
    assert PROBE in names and "health_recompute" in names
    manager = api_client(app, cast.token(sessions, "owner"))
    assert manager.get("/api/v1/jobs").status_code == 403
    with TestClient(app) as browser:
        sign_in(browser, "admin@accord.test")
        page = browser.get("/admin/jobs")
    assert page.status_code == 200 and "<code>health_recompute</code>" in page.text


def test_the_scheduler_runs_due_jobs_and_stops_cleanly(sessions, db) -> None:
    register_probe()
    scheduler = Scheduler(sessions, Settings(mode="test"), interval=0.05, only=PROBE)
    scheduler.start()
    deadline = time.monotonic() + 30
    while scheduler.ticks < 3:
        assert time.monotonic() < deadline, "the scheduler did not tick"
        time.sleep(0.02)
    scheduler.stop()
    assert not scheduler.running
    assert probe_runs(db) == 1  # ticks in the same slot: one run


def test_serve_starts_the_scheduler_with_the_setting(settings) -> None:
    off = shared_app(settings)
    with TestClient(off):
        assert off.state.scheduler is None
    on = shared_app(settings.model_copy(update={"scheduler": True}))
    with TestClient(on):
        scheduler = on.state.scheduler
        assert scheduler is not None and scheduler.running
    assert not scheduler.running and on.state.scheduler is None
    assert datetime.now(UTC)  # the app stopped with it
