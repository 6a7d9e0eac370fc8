"""Importing past meetings from an ``.ics`` file, on both databases: a meeting with Acme's
contact becomes a meeting interaction on Acme (dated in the importer's time zone, the contact
linked, the account's last touch moved); a future one is skipped ("not held yet"); a contact
out of reach or of two accounts leaves a meeting unmatched; the same file again adds nothing
(idempotent by UID); a file that is not a calendar is one error on ``file`` and writes
nothing; a viewer may not import."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from accord.accounts.models import (
    Account,
    AccountContact,
    Contact,
    Interaction,
    InteractionContact,
)
from accord.calendar.feed import service
from accord.calendar.models import ImportedMeeting
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, Forbidden, ValidationFailed
from accord.core.models import AuditEntry, User

TODAY = date(2026, 3, 16)


def vevent(uid: str | None, start: str, summary: str, *emails: str, organiser: str = "",
           extra: str = "") -> str:
    lines = ["BEGIN:VEVENT"]
    if uid:
        lines.append(f"UID:{uid}")
    lines += [f"DTSTART{start}", f"SUMMARY:{summary}"]
    lines += [f"ATTENDEE;CN=Someone:mailto:{e}" for e in emails]
    if organiser:
        lines.append(f"ORGANIZER:mailto:{organiser}")
    if extra:
        lines.append(extra)
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n" + "\r\n".join(events)
            + "\r\nEND:VCALENDAR\r\n").encode()


@pytest.fixture
def people(sessions, cast):
    """Carla at Acme (the owner's), Gina at Globex (the outsider's), Pat at Acme and at
    Initech (also the owner's)."""
    with sessions.begin() as s:
        now = utcnow()
        initech = Account(name="Initech", name_key="initech", kind="company", status="active",
                          manager_id=cast.owner.id, created_at=now, updated_at=now)
        s.add(initech)
        contacts = {}
        for name, email in (("Carla Acme", "Carla@Acme.test"), ("Gina Globex", "gina@globex.test"),
                            ("Pat Both", "pat@both.test")):
            contacts[name] = Contact(name=name, email=email, created_at=now, updated_at=now)
            s.add(contacts[name])
        s.flush()
        s.add_all([
            AccountContact(account_id=cast.acme_id, contact_id=contacts["Carla Acme"].id),
            AccountContact(account_id=cast.globex_id, contact_id=contacts["Gina Globex"].id),
            AccountContact(account_id=cast.acme_id, contact_id=contacts["Pat Both"].id),
            AccountContact(account_id=initech.id, contact_id=contacts["Pat Both"].id),
        ])
        s.get(User, cast.owner.id).time_zone = "Europe/Berlin"
        return {"carla": contacts["Carla Acme"].id, "initech": initech.id}


FILE = calendar(
    # 23:30 UTC on 10 March is 00:30 on 11 March in Berlin
    vevent("m1@example.test", ":20260310T233000Z", "Quarterly review", "carla@acme.test",
           "someone@elsewhere.test"),
    vevent("m2@example.test", ";VALUE=DATE:20260320", "Next month's visit", "carla@acme.test"),
    vevent("m3@example.test", ":20260301T100000Z", "Globex call", "gina@globex.test"),
    vevent("m4@example.test", ":20260302T100000Z", "Both accounts", organiser="pat@both.test"),
    vevent(None, ":20260303T100000Z", "No uid", "carla@acme.test"),
    vevent("m5@example.test", ":20260304T100000Z", "Cancelled", "carla@acme.test",
           extra="STATUS:CANCELLED"),
    vevent("m6@example.test", ":20260105T100000Z", "Weekly", "carla@acme.test",
           extra="RRULE:FREQ=WEEKLY;COUNT=5"),
)


def _counts(db) -> tuple[int, int, int]:
    db.rollback()
    return (int(db.scalar(select(func.count()).select_from(Interaction)) or 0),
            int(db.scalar(select(func.count()).select_from(ImportedMeeting)) or 0),
            int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0))


def test_a_meeting_with_one_accounts_contacts_becomes_an_interaction(sessions, cast, people,
                                                                      db) -> None:
    with sessions.begin() as s:
        out = service.import_meetings(s, s.get(User, cast.owner.id), FILE, today=TODAY)
    assert out.events == 7
    assert [(m.uid, m.account_id, m.occurred_on, m.contacts) for m in out.matched] == [
        ("m1@example.test", cast.acme_id, date(2026, 3, 11), ["Carla Acme"])]
    assert {p.uid: p.reason for p in out.skipped} == {
        "m2@example.test": "not held yet",
        "": "it has no UID",
        "m5@example.test": "it was cancelled (STATUS:CANCELLED)",
        "m6@example.test": "a recurring series (RRULE): its occurrences are not read; "
                           "export them one by one",
    }
    unmatched = {p.uid: p.reason for p in out.unmatched}
    assert unmatched["m3@example.test"] == ("no attendee is a contact of an account you may "
                                            "change")
    assert unmatched["m4@example.test"] == ("the attendees are contacts of 2 accounts: "
                                            "Acme Industries, Initech")
    db.rollback()
    interaction = db.scalars(select(Interaction)).one()
    assert (interaction.account_id, interaction.kind, interaction.occurred_on,
            interaction.summary) == (cast.acme_id, "meeting", date(2026, 3, 11),
                                     "Quarterly review")
    assert db.scalars(select(InteractionContact.contact_id)).all() == [people["carla"]]
    assert db.get(Account, cast.acme_id).last_touch_on == date(2026, 3, 11)
    recorded = db.scalars(select(ImportedMeeting)).one()
    assert (recorded.uid, recorded.interaction_id, recorded.imported_by_id) == (
        "m1@example.test", interaction.id, cast.owner.id)
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "imported_meetings")) == 1


def test_importing_the_same_file_again_adds_nothing(sessions, cast, people, db) -> None:
    with sessions.begin() as s:
        service.import_meetings(s, s.get(User, cast.owner.id), FILE, today=TODAY)
    before = _counts(db)
    with sessions.begin() as s:
        # another user who sees Acme imports the same meeting: the same UID, already in
        again = service.import_meetings(s, s.get(User, cast.head.id), FILE, today=TODAY)
    assert again.already_imported == ["m1@example.test"] and again.matched == []
    assert _counts(db) == before


def test_a_uid_twice_in_one_file_is_imported_once(sessions, cast, people, db) -> None:
    twice = calendar(vevent("dup@x", ":20260310T100000Z", "One", "carla@acme.test"),
                     vevent("dup@x", ":20260311T100000Z", "Two", "carla@acme.test"),
                     vevent("dup@x", ":20260312T100000Z", "Changed", "carla@acme.test",
                            extra="RECURRENCE-ID:20260312T100000Z"))
    with sessions.begin() as s:
        out = service.import_meetings(s, s.get(User, cast.owner.id), twice, today=TODAY)
    assert [m.uid for m in out.matched] == ["dup@x", "dup@x#2026-03-12T10:00:00+00:00"]
    assert out.already_imported == ["dup@x"]


def test_the_outsider_matches_only_what_they_may_change(sessions, cast, people, db) -> None:
    with sessions.begin() as s:
        out = service.import_meetings(s, s.get(User, cast.outsider.id), FILE, today=TODAY)
    assert [(m.uid, m.account_id) for m in out.matched] == [("m3@example.test", cast.globex_id)]
    assert {p.uid for p in out.unmatched} == {"m1@example.test", "m4@example.test"}


@pytest.mark.parametrize(("data", "message"), [
    (b"name,email\nCarla,carla@acme.test\n", "not an iCalendar file"),
    (b"", "the file is empty"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no events"),
    (b"\xff\xfe not text", "is not UTF-8"),
    (b"BEGIN:VCALENDAR\r\nX-A:\x07\r\nEND:VCALENDAR\r\n", "control character"),
])
def test_a_file_that_is_not_a_calendar_is_one_error_and_writes_nothing(
    sessions, cast, people, db, data, message
) -> None:
    before = _counts(db)
    with sessions.begin() as s, pytest.raises(ValidationFailed) as caught:
        service.import_meetings(s, s.get(User, cast.owner.id), data, today=TODAY)
    problems = caught.value.problems
    assert [p.field for p in problems] == ["file"] and message in problems[0].message
    assert _counts(db) == before


def test_a_failure_half_way_leaves_nothing_behind(sessions, cast, people, db,
                                                 monkeypatch) -> None:
    """All or nothing: when the accounts' service refuses the second meeting, the first
    one's interaction and record go too (the caller's transaction rolls back)."""
    real = service.log_interaction
    calls: list[int] = []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValidationFailed([FieldProblem("summary", "refused")])
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "log_interaction", second_fails)
    two = calendar(vevent("a@x", ":20260310T100000Z", "One", "carla@acme.test"),
                   vevent("b@x", ":20260311T100000Z", "Two", "carla@acme.test"))
    before = _counts(db)
    with pytest.raises(ValidationFailed), sessions.begin() as s:
        service.import_meetings(s, s.get(User, cast.owner.id), two, today=TODAY)
    assert len(calls) == 2 and _counts(db) == before


def test_a_viewer_and_the_operator_may_not_import(sessions, cast, people) -> None:
    from accord.cli.common import operator

    with sessions.begin() as s:
        with pytest.raises(Forbidden):
            service.import_meetings(s, s.get(User, cast.viewer.id), FILE, today=TODAY)
        with pytest.raises(Forbidden):
            service.import_meetings(s, operator(), FILE, today=TODAY)


def test_a_floating_time_is_read_as_written(sessions, cast, people) -> None:
    floating = calendar(vevent("f@x", ":20260310T233000", "Late", "carla@acme.test"))
    with sessions.begin() as s:
        out = service.import_meetings(s, s.get(User, cast.owner.id), floating, today=TODAY)
    assert out.matched[0].occurred_on == date(2026, 3, 10)
