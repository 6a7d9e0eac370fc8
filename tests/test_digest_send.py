"""The daily digest, sent to a real SMTP server on loopback and read back: one mail per user
per day at most (recorded before sending), none for an empty day, a refused mail recorded as
failed and sent on the next run; the dry run records nothing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from accord.calendar.digest import service
from accord.calendar.models import DigestSent
from accord.calendar.myday.service import my_day
from accord.core.database import reading
from accord.core.errors import Conflict, ValidationFailed
from accord.core.models import User
from accord.core.settings import Settings
from digest_helpers import (
    OVERDUE_TITLE,
    TODAY,
    add_overdue,
    free_port,
    mail_settings,
    parts,
    smtp_server,
)


def items_of(sessions, user_id: int) -> int:
    """The user's My day count (helper D's), which the digest carries."""
    with reading(sessions) as s:
        return my_day(s, s.get_one(User, user_id), TODAY).count()


def recorded(db) -> dict[int, str]:
    db.rollback()
    return dict(db.execute(select(DigestSent.user_id, DigestSent.outcome)
                           .where(DigestSent.day == TODAY)).all())


def test_the_digest_lists_the_overdue_item_once_per_user_per_day(database_url, sessions, cast,
                                                                   db) -> None:
    add_overdue(sessions, cast.acme_id, cast.owner.id)
    with smtp_server() as (inbox, port):
        settings = mail_settings(database_url, port)
        report = service.send_digests(sessions, settings, TODAY)
        (mail,) = inbox.to("owner@accord.test")
        count = items_of(sessions, cast.owner.id)
        assert count >= 1
        assert mail["Subject"] == (f"Your day in Accord, Mon 07 Dec 2026: {count} item"
                                   f"{'s' if count > 1 else ''}, 1 overdue")
        assert mail["From"] == "accord@example.com"
        assert mail.get_content_type() == "multipart/alternative"
        text, html = parts(mail)
        assert "Overdue (1)" in text and OVERDUE_TITLE in text and "Acme Industries" in text
        assert "2026-12-04" in text
        assert "https://accord.example.com/" in text
        assert OVERDUE_TITLE in html and "Acme Industries" in html and "1 overdue" in html
        # the head sees the team's items: the same item, in their own digest
        assert OVERDUE_TITLE in parts(inbox.to("head@accord.test")[0])[0]
        lines = {line.email: line for line in report.lines}
        assert lines["owner@accord.test"].outcome == "sent"
        assert lines["teammate@accord.test"].outcome == "skipped"  # nothing due: no mail
        assert inbox.to("teammate@accord.test") == []
        # admins, viewers and billing get none (their My day is everyone's)
        assert {"admin@accord.test", "viewer@accord.test", "billing@accord.test"}.isdisjoint(
            lines)
        assert report.sent == len(inbox.messages) >= 2
        assert all(len(inbox.to(line.email)) <= 1 for line in report.lines)
        rows = recorded(db)
        assert rows[cast.owner.id] == "sent" and rows[cast.teammate.id] == "skipped"

        # a second run that day sends nothing more
        again = service.send_digests(sessions, settings, TODAY)
        assert again.sent == 0 and again.already == len(report.lines)
        assert len(inbox.messages) == report.sent


def test_a_dry_run_sends_and_records_nothing(sessions, cast, db) -> None:
    add_overdue(sessions, cast.acme_id, cast.owner.id)
    report = service.send_digests(sessions, Settings(mode="test"), TODAY, dry_run=True,
                                  to="Owner@Accord.test")
    assert [(line.email, line.outcome, line.items) for line in report.lines] == [
        ("owner@accord.test", "would_send", items_of(sessions, cast.owner.id))]
    assert "1 overdue" in report.lines[0].subject
    assert recorded(db) == {}


def test_to_names_an_active_user_who_gets_a_digest(sessions, cast) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.send_digests(sessions, Settings(mode="test"), TODAY, dry_run=True,
                             to="admin@accord.test")
    assert caught.value.errors[0]["field"] == "to"


def test_without_a_mail_server_nothing_is_sent(sessions, cast) -> None:
    with pytest.raises(Conflict, match="ACCORD_SMTP_HOST"):
        service.send_digests(sessions, Settings(mode="test"), TODAY)


def test_a_refused_mail_is_recorded_failed_and_sent_on_the_next_run(database_url, sessions,
                                                                    cast, db) -> None:
    add_overdue(sessions, cast.acme_id, cast.owner.id)
    with smtp_server() as (inbox, port):
        inbox.refuse.add("owner@accord.test")
        settings = mail_settings(database_url, port)
        report = service.send_digests(sessions, settings, TODAY)
        (line,) = [x for x in report.lines if x.email == "owner@accord.test"]
        assert line.outcome == "failed" and "550" in (line.error or "")
        assert report.failed == 1
        assert recorded(db)[cast.owner.id] == "failed"
        assert inbox.to("head@accord.test")  # the others still got theirs
        inbox.refuse.clear()
        retry = service.send_digests(sessions, settings, TODAY)
        assert [x.outcome for x in retry.lines if x.email == "owner@accord.test"] == ["sent"]
        assert retry.sent == 1
        assert len(inbox.to("owner@accord.test")) == 1
        assert len(inbox.to("head@accord.test")) == 1
        assert recorded(db)[cast.owner.id] == "sent"


def test_two_runs_at_once_send_each_digest_once(database_url, sessions, cast) -> None:
    add_overdue(sessions, cast.acme_id, cast.owner.id)
    with smtp_server() as (inbox, port):
        settings = mail_settings(database_url, port)
        barrier = threading.Barrier(3)
        errors: list[BaseException] = []

        def send() -> None:
            try:
                barrier.wait()
                service.send_digests(sessions, settings, TODAY)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=send) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        recipients = [m["To"].addresses[0].addr_spec for m in inbox.messages]
        assert len(recipients) == len(set(recipients)) >= 2


def test_an_unreachable_server_fails_every_mail_at_once_and_records_them(
        database_url, sessions, cast, db) -> None:
    add_overdue(sessions, cast.acme_id, cast.owner.id)
    settings = mail_settings(database_url, free_port())  # nobody listens there
    report = service.send_digests(sessions, settings, TODAY)
    assert report.sent == 0 and report.failed >= 2
    assert all("ConnectionRefusedError" in (x.error or "") for x in report.lines
               if x.outcome == "failed")
    assert recorded(db)[cast.owner.id] == "failed"
