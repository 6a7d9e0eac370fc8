"""The digest's doors: ``POST /api/v1/digest/send`` (admins), ``accord digest send``, and the
daily ``digest`` job (retried when a mail was refused)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.calendar.jobs import service as jobs
from accord.core.settings import get_settings
from conftest import api_client, shared_app
from digest_helpers import OVERDUE_TITLE, TODAY, add_overdue, mail_settings, parts, smtp_server
from jobs_helpers import hold_job_clock

runner = CliRunner()


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_api_sends_for_admins_only(database_url, sessions, cast) -> None:
    add_overdue(sessions, cast.acme_id, cast.owner.id)
    with smtp_server() as (inbox, port):
        app = shared_app(mail_settings(database_url, port))
        admin = api_client(app, cast.token(sessions, "admin"))
        owner = api_client(app, cast.token(sessions, "owner"))
        assert owner.post("/api/v1/digest/send", json={"dry_run": True}).status_code == 403
        dry = admin.post("/api/v1/digest/send", json={"dry_run": True, "to": "owner@accord.test"})
        assert dry.status_code == 200, dry.text
        assert [x["outcome"] for x in dry.json()["lines"]] == ["would_send"]
        assert inbox.messages == []
        bad = admin.post("/api/v1/digest/send", json={"to": "nobody@accord.test"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"
        assert admin.post("/api/v1/digest/send", json={"dry_run": "yes"}).status_code == 422
        sent = admin.post("/api/v1/digest/send", json={"to": "owner@accord.test"})
        assert sent.status_code == 200, sent.text
        assert sent.json()["sent"] == 1
        (mail,) = inbox.to("owner@accord.test")
        assert OVERDUE_TITLE in parts(mail)[0]


def test_the_api_without_a_mail_server_is_a_409(settings, sessions, cast) -> None:
    admin = api_client(shared_app(settings), cast.token(sessions, "admin"))
    answer = admin.post("/api/v1/digest/send", json={})
    assert answer.status_code == 409 and "ACCORD_SMTP_HOST" in answer.json()["detail"]


def test_the_command_sends_once_and_the_dry_run_records_nothing(
        database_url, sessions, cast, monkeypatch, fresh_settings) -> None:
    add_overdue(sessions, cast.acme_id, cast.owner.id)
    with smtp_server() as (inbox, port):
        for name, value in (("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", str(port)),
                            ("SMTP_STARTTLS", "false"), ("MAIL_FROM", "accord@example.com")):
            monkeypatch.setenv(f"ACCORD_{name}", value)
        args = ["--database-url", database_url, "digest", "send", "--date", TODAY.isoformat()]
        dry = runner.invoke(cli, [*args, "--dry-run", "--to", "owner@accord.test"])
        assert dry.exit_code == 0, dry.output
        assert "owner@accord.test: would send — Your day in Accord" in dry.output
        assert inbox.messages == []
        out = runner.invoke(cli, [*args, "--json"])
        assert out.exit_code == 0, out.output
        report = json.loads(out.output)
        assert report["sent"] == len(inbox.messages) >= 2
        again = runner.invoke(cli, args)
        assert again.exit_code == 0 and "0 sent" in again.output
        assert len(inbox.to("owner@accord.test")) == 1
        assert runner.invoke(cli, [*args, "--to", "nobody@x.test"]).exit_code == 2
        inbox.refuse.add("owner@accord.test")  # the next day, the owner's mail is refused
        next_day = [*args[:-1], (TODAY + timedelta(days=1)).isoformat(), "--to",
                    "owner@accord.test"]
        refused = runner.invoke(cli, next_day)
        assert refused.exit_code == 1 and "owner@accord.test: failed" in refused.output


def test_the_daily_job_sends_and_is_retried_when_a_mail_was_refused(database_url, sessions,
                                                                     cast, monkeypatch) -> None:
    add_overdue(sessions, cast.acme_id, cast.owner.id)
    now = datetime.combine(TODAY, datetime.min.time(), UTC).replace(hour=7)
    hold_job_clock(monkeypatch, now.replace(hour=6))
    with smtp_server() as (inbox, port):
        inbox.refuse.add("owner@accord.test")
        settings = mail_settings(database_url, port)
        (first,) = jobs.run_due(sessions, now, only="digest", settings=settings)
        assert first.status == "due" and "owner@accord.test" in (first.error or "")
        assert inbox.to("owner@accord.test") == [] and inbox.to("head@accord.test")
        inbox.refuse.clear()
        (retry,) = jobs.run_due(sessions, now + timedelta(minutes=1), only="digest",
                                settings=settings)
        assert (retry.status, retry.attempts) == ("done", 2)
        assert retry.result is not None and retry.result["sent"] == 1
        assert len(inbox.to("owner@accord.test")) == 1
        assert len(inbox.to("head@accord.test")) == 1
