"""Scheduled events on both databases (issue 13): creating one (a start the clocks skip, an
RRULE that does not parse, attendees out of reach: refused, nothing written), the
occurrences of a window (only visible accounts, cancelled ones dropped), an occurrence's
outcome (an interaction with the event's contacts), and business reviews generated from the
cadence — a scheduled review or a recurring review series satisfies it, no duplicates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accord.accounts.models import AccountContact, Contact, Interaction, InteractionContact
from accord.calendar.events import reviews, service
from accord.calendar.events.schemas import EventIn, EventPatch, OutcomeIn, event_in
from accord.calendar.models import CalendarEvent, EventAttendee, EventOccurrence
from accord.core.database import utcnow
from accord.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User

TODAY = date(2027, 4, 20)


def _user(db, who, zone: str | None = None) -> User:
    user = db.get(User, who.id)
    if zone:
        user.time_zone = zone
        db.flush()
    return user


def _count(db, model=CalendarEvent) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _contact(db, account_id: int, name: str = "Carla Client") -> int:
    c = Contact(name=name, email=f"{name.split()[0].lower()}@acme.test", created_at=utcnow())
    db.add(c)
    db.flush()
    db.add(AccountContact(account_id=account_id, contact_id=c.id))
    db.flush()
    return c.id


def _in(account_id: int, **kw) -> EventIn:
    return EventIn.model_validate({"account_id": account_id, "title": "Weekly call",
                                   "starts_at": "2027-03-15T09:00", **kw})


# ---------------------------------------------------------------- creating


def test_a_weekly_paris_event_is_stored_in_utc_and_keeps_its_local_time(db, cast) -> None:
    owner = _user(db, cast.owner, "Europe/Paris")
    carla = _contact(db, cast.acme_id)
    out = service.create_event(db, owner, _in(
        cast.acme_id, kind="call", rrule="RRULE:FREQ=WEEKLY;BYDAY=MO", contact_ids=[carla],
        user_ids=[cast.teammate.id], agenda="Open points"))
    assert out.time_zone == "Europe/Paris" and out.rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert out.starts_at == datetime(2027, 3, 15, 8, tzinfo=UTC)
    assert out.local_start == datetime(2027, 3, 15, 9) and out.last_on is None
    assert out.uid.startswith("event-") and out.uid.endswith("@accord")
    assert {(a.kind, a.id) for a in out.attendees} == {("contact", carla),
                                                        ("user", cast.teammate.id)}
    found = service.occurrences(db, owner, date(2027, 3, 20), date(2027, 4, 3))
    assert [(o.starts_at.hour, o.local_start.hour) for o in found] == [(8, 9), (7, 9)]
    assert db.scalar(select(AuditEntry.action).where(AuditEntry.entity == "calendar_event")) \
        == "create"


def test_a_start_the_clocks_skip_is_refused_and_nothing_is_written(db, cast) -> None:
    owner = _user(db, cast.owner)
    with pytest.raises(ValidationFailed) as caught:
        service.create_event(db, owner, _in(cast.acme_id, starts_at="2027-03-28T02:30",
                                            time_zone="Europe/Paris"))
    assert [p.field for p in caught.value.problems] == ["starts_at"]
    assert "does not exist in Europe/Paris" in caught.value.problems[0].message
    assert _count(db) == 0 and _count(db, AuditEntry) == 0


def test_bad_input_is_refused_all_at_once_with_nothing_written(db, cast) -> None:
    owner = _user(db, cast.owner)
    globex_contact = _contact(db, cast.globex_id, "Gina Globex")
    with pytest.raises(ValidationFailed) as caught:
        service.create_event(db, owner, _in(
            cast.acme_id, kind="party", rrule="FREQ=WEEKLY;INTERVAL=0",
            user_ids=[cast.outsider.id], contact_ids=[globex_contact]))
    fields = {p.field for p in caught.value.problems}
    assert fields == {"kind", "rrule", "user_ids", "contact_ids"}
    for bad, field in ((dict(rrule="not a rule"), "rrule"), (dict(time_zone="Mars/Base"),
                                                            "time_zone"),
                       (dict(ends_at="2027-03-15T08:00"), "ends_at"),
                       (dict(ends_at="2027-05-15T08:00"), "ends_at"),
                       (dict(starts_at="1999-03-15T08:00"), "starts_at")):
        with pytest.raises(ValidationFailed) as caught:
            service.create_event(db, owner, _in(cast.acme_id, **bad))
        assert field in {p.field for p in caught.value.problems}, bad
    assert _count(db) == 0 and _count(db, EventAttendee) == 0


def test_visibility_and_roles(db, cast) -> None:
    with pytest.raises(NotFound):
        service.create_event(db, _user(db, cast.outsider), _in(cast.acme_id))
    with pytest.raises(Forbidden):
        service.create_event(db, _user(db, cast.viewer), _in(cast.acme_id))
    made = service.create_event(db, _user(db, cast.owner), _in(cast.acme_id))
    with pytest.raises(NotFound):
        service.get_event(db, _user(db, cast.outsider), made.id)
    assert service.occurrences(db, _user(db, cast.outsider), date(2027, 3, 1),
                               date(2027, 3, 31)) == []
    with pytest.raises(NotFound):
        service.occurrences(db, _user(db, cast.outsider), date(2027, 3, 1), date(2027, 3, 31),
                            account_id=cast.acme_id)
    assert len(service.occurrences(db, _user(db, cast.head), date(2027, 3, 1),
                                   date(2027, 3, 31))) == 1
    with pytest.raises(ValidationFailed):
        service.occurrences(db, _user(db, cast.head), date(2027, 1, 1), date(2028, 3, 1))


def test_update_cancel_and_the_candidate_query(db, cast) -> None:
    owner = _user(db, cast.owner)
    made = service.create_event(db, owner, _in(cast.acme_id, rrule="FREQ=DAILY;COUNT=3"))
    assert made.last_on == date(2027, 3, 17)
    changed = service.update_event(db, owner, made.id, EventPatch.model_validate(
        {"rrule": "FREQ=WEEKLY;COUNT=2", "agenda": "Prices"}))
    assert changed.last_on == date(2027, 3, 22) and changed.version == made.version + 1
    assert [o.local_start.date() for o in service.occurrences(
        db, owner, date(2027, 3, 1), date(2027, 4, 30))] == [date(2027, 3, 15),
                                                             date(2027, 3, 22)]
    # after its last day the series is no candidate at all
    assert service.occurrences(db, owner, date(2027, 3, 24), date(2027, 4, 30)) == []
    with pytest.raises(ValidationFailed) as caught:
        service.update_event(db, owner, made.id, EventPatch.model_validate({"rrule": "FREQ=X"}))
    assert caught.value.problems[0].field == "rrule"
    one_off = service.update_event(db, owner, made.id, EventPatch.model_validate({"rrule": None}))
    assert one_off.rrule is None and one_off.last_on == date(2027, 3, 15)
    service.cancel_event(db, owner, made.id)
    assert service.occurrences(db, owner, date(2027, 3, 1), date(2027, 4, 30)) == []
    with pytest.raises(Conflict):
        service.update_event(db, owner, made.id, EventPatch.model_validate({"title": "x"}))


# ---------------------------------------------------------------- occurrences, outcomes


def test_cancel_one_occurrence_and_record_another_s_outcome(db, cast) -> None:
    owner = _user(db, cast.owner)
    carla = _contact(db, cast.acme_id)
    made = service.create_event(db, owner, _in(cast.acme_id, kind="business_review",
                                               rrule="FREQ=WEEKLY", contact_ids=[carla]))
    second = datetime(2027, 3, 22, 9, tzinfo=UTC)
    service.cancel_occurrence(db, owner, made.id, second)
    assert [o.starts_at.day for o in service.occurrences(
        db, owner, date(2027, 3, 15), date(2027, 3, 29))] == [15, 29]
    with pytest.raises(NotFound):  # not an occurrence of the series
        service.cancel_occurrence(db, owner, made.id, datetime(2027, 3, 23, 9, tzinfo=UTC))
    first = datetime(2027, 3, 15, 9, tzinfo=UTC)
    held = service.record_outcome(db, owner, made.id, first,
                                  OutcomeIn(summary="Reviewed the year"), today=TODAY)
    assert held.status == "held" and held.interaction_id is not None
    interaction = db.get(Interaction, held.interaction_id)
    assert interaction.kind == "business_review" and interaction.occurred_on == date(2027, 3, 15)
    assert db.scalar(select(InteractionContact.contact_id).where(
        InteractionContact.interaction_id == interaction.id)) == carla
    with pytest.raises(Conflict):
        service.record_outcome(db, owner, made.id, first, OutcomeIn(summary="again"),
                               today=TODAY)
    with pytest.raises(Conflict):
        service.record_outcome(db, owner, made.id, second, OutcomeIn(summary="x"), today=TODAY)
    with pytest.raises(Conflict):
        service.cancel_occurrence(db, owner, made.id, first)
    detail = service.event_detail(db, owner, made.id, date(2027, 3, 29))
    assert [o.status for o in detail.occurrences[:3]] == ["held", "cancelled", "scheduled"]
    # the future cannot have an outcome yet (the interaction service refuses it)
    with pytest.raises(ValidationFailed) as caught:
        service.record_outcome(db, owner, made.id, datetime(2027, 5, 3, 9, tzinfo=UTC),
                               OutcomeIn(summary="x"), today=TODAY)
    assert caught.value.problems[0].field == "occurred_on"
    assert _count(db, EventOccurrence) == 2


def test_the_form_reader_turns_text_into_an_event(db, cast) -> None:
    data = event_in({"account_id": cast.acme_id, "title": "Call", "starts_at":
                     "2027-03-15T09:00", "user_ids": ["3", "4"], "contact_ids": "5, 6",
                     "rrule": ""})
    assert data.user_ids == [3, 4] and data.contact_ids == [5, 6] and data.rrule is None
    with pytest.raises(ValidationFailed) as caught:
        event_in({"account_id": cast.acme_id, "title": "", "starts_at": "soon"})
    assert {p.field for p in caught.value.problems} == {"title", "starts_at"}


# ---------------------------------------------------------------- reviews from the cadence


def _review_interaction(db, account_id: int, on: date) -> None:
    db.add(Interaction(account_id=account_id, kind="business_review", occurred_on=on,
                       summary="Review", created_at=utcnow()))
    db.flush()


def _generated(db) -> list[CalendarEvent]:
    return list(db.scalars(select(CalendarEvent).where(CalendarEvent.generated.is_(True))
                           .order_by(CalendarEvent.account_id)))


def test_schedule_reviews_generates_once_and_never_duplicates(db, cast) -> None:
    owner = _user(db, cast.owner, "Europe/Paris")
    _review_interaction(db, cast.acme_id, date(2027, 2, 1))
    intervals = [(cast.acme_id, 90), (cast.globex_id, 90)]
    assert reviews.schedule_reviews(db, TODAY, intervals) == 2
    acme, globex = _generated(db)
    # Acme: last review 1 February + 90 days = Sunday 2 May: the next working day;
    # Globex never had one: in a week
    assert (acme.starts_at.date(), acme.organiser_id) == (date(2027, 5, 3), owner.id)
    assert rules_local_hour(acme) == 10 and acme.kind == "business_review"
    assert globex.starts_at.date() == TODAY + timedelta(days=7)
    assert reviews.schedule_reviews(db, TODAY, intervals) == 0
    assert reviews.schedule_reviews(db, TODAY + timedelta(days=3), intervals) == 0
    # a held review moves the next one on; a cancelled generated one no longer counts
    service.cancel_event(db, owner, acme.id)
    assert reviews.schedule_reviews(db, TODAY, intervals) == 1
    assert len(_generated(db)) == 3


def rules_local_hour(row: CalendarEvent) -> int:
    from zoneinfo import ZoneInfo

    return row.starts_at.astimezone(ZoneInfo(row.time_zone)).hour


def test_a_scheduled_review_or_a_recurring_series_satisfies_the_cadence(db, cast) -> None:
    owner = _user(db, cast.owner)
    outsider = _user(db, cast.outsider)
    _review_interaction(db, cast.acme_id, date(2027, 2, 1))
    # Acme: a quarterly review series started last year: an occurrence falls in the window
    service.create_event(db, owner, _in(cast.acme_id, kind="business_review",
                                        starts_at="2026-05-10T10:00",
                                        rrule="FREQ=MONTHLY;INTERVAL=3"))
    # Globex: a one-off review in two weeks
    service.create_event(db, outsider, _in(cast.globex_id, kind="business_review",
                                           starts_at="2027-05-04T10:00"))
    assert reviews.schedule_reviews(db, TODAY, [(cast.acme_id, 90), (cast.globex_id, 60)]) \
        == 0
    # a meeting is no review, and a review whose occurrence is cancelled does not count
    series = db.scalar(select(CalendarEvent).where(CalendarEvent.account_id == cast.acme_id))
    service.cancel_occurrence(db, owner, series.id, datetime(2027, 5, 10, 10, tzinfo=UTC))
    assert reviews.plan(date(2027, 2, 1), 90, TODAY) == (
        date(2027, 3, 21), date(2027, 6, 1), date(2027, 5, 2))
    # the next occurrence (10 August) is after the window's end (1 June): one is generated
    assert reviews.schedule_reviews(db, TODAY, [(cast.acme_id, 90)]) == 1
    assert reviews.schedule_reviews(db, TODAY, [(cast.acme_id, 90)]) == 0


def test_reviews_read_the_cadence(db, cast) -> None:
    """Acme's own cadence asks for a review every 60 days (an override); Globex, not a key
    account, has none."""
    from accord.calendar.models import CadenceOverride

    db.add(CadenceOverride(account_id=cast.acme_id, touch_days=14, review_days=60,
                           reason="Quarterly is too rare for them"))
    db.flush()
    _review_interaction(db, cast.acme_id, date(2027, 4, 1))
    assert reviews.review_intervals(db, TODAY) == [(cast.acme_id, 60)]
    assert service.schedule_reviews(db, TODAY) == 1
    [made] = _generated(db)
    assert (made.account_id, made.starts_at.date()) == (cast.acme_id, date(2027, 5, 31))
    assert service.schedule_reviews(db, TODAY) == 0
