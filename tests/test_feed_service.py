"""The per-user iCalendar feed on both databases, parsed with ``icalendar``: the owner's
recurring event with its RRULE, EXDATE and time zone, follow-ups as all-day events (the
snoozed one on its snooze date), the renewal notice deadline; another user's account's items
absent; the token is the identity (another user's token gives that user's feed); revoked,
random, misshapen tokens and a deactivated user's are one 404; the token rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from accord.accounts.models import Account
from accord.calendar.feed import rules, service
from accord.calendar.models import (
    CalendarEvent,
    EventAttendee,
    EventOccurrence,
    FeedToken,
    FollowUp,
)
from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User

TODAY = date(2026, 3, 16)


def event(s, account_id: int, uid: str, title: str, *, organiser: int | None, start: datetime,
          rrule: str | None = None, tz: str = "UTC", agenda: str = "",
          last_on: date | None = None, status: str = "scheduled") -> CalendarEvent:
    row = CalendarEvent(uid=uid, account_id=account_id, kind="business_review", title=title,
                        agenda=agenda, starts_at=start, ends_at=start + timedelta(hours=1),
                        time_zone=tz, rrule=rrule, last_on=last_on, status=status,
                        organiser_id=organiser, created_at=start, updated_at=start)
    s.add(row)
    s.flush()
    return row


def follow_up(s, account_id: int, owner: int, title: str, due: date, *, status: str = "open",
              snoozed_until: date | None = None) -> FollowUp:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    row = FollowUp(account_id=account_id, owner_id=owner, title=title, due_on=due,
                   status=status, snoozed_until=snoozed_until, created_at=now, updated_at=now)
    s.add(row)
    s.flush()
    return row


@pytest.fixture
def world(sessions, cast):
    """Acme (the owner's): a weekly review in Berlin time with one cancelled occurrence, a
    one-off call long past, a cancelled series; follow-ups open, snoozed and done; a
    contract end with 60 days' notice. Globex (the outsider's): an event and a follow-up."""
    with sessions.begin() as s:
        weekly = event(s, cast.acme_id, "review-acme@accord", "Weekly review",
                       organiser=cast.owner.id, start=datetime(2026, 3, 2, 8, tzinfo=UTC),
                       rrule="FREQ=WEEKLY;COUNT=10", tz="Europe/Berlin", agenda="Numbers",
                       last_on=date(2026, 5, 4))
        s.add(EventOccurrence(event_id=weekly.id, starts_at=datetime(2026, 3, 9, 8, tzinfo=UTC),
                              status="cancelled"))
        event(s, cast.acme_id, "old-call@accord", "Old call", organiser=cast.owner.id,
              start=datetime(2025, 6, 1, 9, tzinfo=UTC))
        event(s, cast.acme_id, "gone@accord", "Cancelled series", organiser=cast.owner.id,
              start=datetime(2026, 3, 3, 9, tzinfo=UTC), rrule="FREQ=DAILY",
              status="cancelled")
        # the teammate organises one on Acme and invites the owner: the owner's too
        invited = event(s, cast.acme_id, "invite@accord", "Plant visit",
                        organiser=cast.teammate.id, start=datetime(2026, 3, 20, 13, tzinfo=UTC))
        s.add(EventAttendee(event_id=invited.id, user_id=cast.owner.id))
        event(s, cast.globex_id, "globex@accord", "Globex secret review",
              organiser=cast.outsider.id, start=datetime(2026, 3, 18, 10, tzinfo=UTC))
        open_one = follow_up(s, cast.acme_id, cast.owner.id, "Send the offer", date(2026, 3, 10))
        snoozed = follow_up(s, cast.acme_id, cast.owner.id, "Call back", date(2026, 3, 1),
                            status="snoozed", snoozed_until=date(2026, 3, 20))
        done = follow_up(s, cast.acme_id, cast.owner.id, "Done already", date(2026, 3, 2),
                         status="done")
        secret_fu = follow_up(s, cast.globex_id, cast.outsider.id, "Globex secret task",
                              date(2026, 3, 12))
        acme = s.get(Account, cast.acme_id)
        acme.contract_end_on, acme.notice_days = date(2026, 9, 30), 60
        globex = s.get(Account, cast.globex_id)
        globex.contract_end_on, globex.notice_days = date(2026, 8, 31), 30
        ids = {"weekly": weekly.id, "open": open_one.id, "snoozed": snoozed.id,
               "done": done.id, "globex_fu": secret_fu.id}
    return ids


def _token(sessions, who) -> str:
    with sessions.begin() as s:
        _, secret = service.create_token(s, s.get(User, who.id))
    return secret


def _feed(db, secret: str) -> Any:
    db.rollback()
    return icalendar.Calendar.from_ical(service.feed(db, secret, TODAY))


def _by_uid(cal: Any) -> dict[str, Any]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_the_owners_feed_holds_their_events_follow_ups_and_renewal(sessions, cast, world,
                                                                     db) -> None:
    secret = _token(sessions, cast.owner)
    cal = _feed(db, secret)
    assert str(cal["VERSION"]) == "2.0" and "Accord" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == "Accord: Olivia Owner"
    events = _by_uid(cal)
    weekly = events["review-acme@accord"]
    assert weekly["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=10"
    start = weekly["DTSTART"].dt
    assert str(start.tzinfo) == "Europe/Berlin" and (start.hour, start.minute) == (9, 0)
    assert weekly["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(weekly["SUMMARY"]) == "Acme Industries: Weekly review"
    assert str(weekly["DESCRIPTION"]) == "Numbers"
    exdates = [d.dt for d in weekly["EXDATE"].dts]
    assert exdates == [datetime(2026, 3, 9, 8, tzinfo=UTC)]
    assert "Europe/Berlin" in [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    assert "invite@accord" in events  # an attendee
    assert "old-call@accord" not in events  # ended before the window
    assert "gone@accord" not in events  # a cancelled series
    open_fu = events[f"follow-up-{world['open']}@accord"]
    assert open_fu["DTSTART"].dt == date(2026, 3, 10)
    assert not isinstance(open_fu["DTSTART"].dt, datetime)
    assert open_fu["DTSTART"].params.get("VALUE") == "DATE"
    assert open_fu["DTEND"].dt == date(2026, 3, 11)
    assert str(open_fu["SUMMARY"]) == "Follow-up: Acme Industries: Send the offer"
    assert events[f"follow-up-{world['snoozed']}@accord"]["DTSTART"].dt == date(2026, 3, 20)
    assert f"follow-up-{world['done']}@accord" not in events
    renewal = events[f"renewal-{cast.acme_id}-2026-09-30@accord"]
    assert renewal["DTSTART"].dt == date(2026, 8, 1)  # 60 days before the contract end
    # nothing of Globex, the outsider's account
    text = service.feed(db, secret, TODAY).decode()
    assert "Globex" not in text and "globex@accord" not in text


def test_another_users_token_gives_that_users_feed_only(sessions, cast, world, db) -> None:
    events = _by_uid(_feed(db, _token(sessions, cast.outsider)))
    assert "globex@accord" in events and f"follow-up-{world['globex_fu']}@accord" in events
    assert f"renewal-{cast.globex_id}-2026-08-31@accord" in events
    assert not any(uid.startswith(("review-acme", "invite")) for uid in events)
    assert f"follow-up-{world['open']}@accord" not in events


def test_a_feed_carries_only_what_its_user_still_sees(sessions, cast, world, db) -> None:
    secret = _token(sessions, cast.teammate)
    assert "invite@accord" in _by_uid(_feed(db, secret))  # the organiser, on Acme's team
    with sessions.begin() as s:
        from accord.accounts.models import AccountMember

        s.execute(delete(AccountMember).where(AccountMember.user_id == cast.teammate.id))
    assert "invite@accord" not in _by_uid(_feed(db, secret))


def test_revoked_random_misshapen_and_deactivated_tokens_are_one_404(sessions, cast, world,
                                                                    db) -> None:
    secret = _token(sessions, cast.owner)
    other = _token(sessions, cast.teammate)
    with sessions.begin() as s:
        row = s.scalar(select(FeedToken).where(FeedToken.prefix == rules.prefix_of(secret),
                                               FeedToken.user_id == cast.owner.id))
        service.revoke_token(s, s.get(User, cast.owner.id), row.id)
        s.get(User, cast.teammate.id).is_active = False
    for token in (secret, "A" * 43, "short", "x" * 500, other, secret + "=", ""):
        db.rollback()
        with pytest.raises(NotFound) as caught:
            service.feed(db, token, TODAY)
        assert caught.value.detail == service.GONE


def test_reading_a_feed_writes_nothing(sessions, cast, world, db) -> None:
    secret = _token(sessions, cast.owner)
    db.rollback()
    audit = db.scalar(select(func.count()).select_from(AuditEntry))
    service.feed(db, secret, TODAY)
    assert not db.new and not db.dirty
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audit


def test_tokens_are_hashed_limited_audited_and_revoked_by_their_user_or_an_admin(
    sessions, cast
) -> None:
    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        row, secret = service.create_token(s, owner)
        assert rules.looks_like_secret(secret) and row.prefix == secret[:6]
        assert secret not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
        for _ in range(rules.MAX_LIVE_TOKENS - 1):
            service.create_token(s, owner)
        with pytest.raises(ValidationFailed) as caught:
            service.create_token(s, owner)
        assert caught.value.problems[0].field == "token"
        assert len(service.list_tokens(s, owner)) == rules.MAX_LIVE_TOKENS
        with pytest.raises(NotFound):  # someone else's token is not found
            service.revoke_token(s, s.get(User, cast.teammate.id), row.id)
        with pytest.raises(NotFound):
            service.revoke_token(s, s.get(User, cast.head.id), row.id)
        out = service.revoke_token(s, s.get(User, cast.admin.id), row.id)
        assert not out.active and out.revoked_at is not None
        again = service.revoke_token(s, owner, row.id)  # twice: unchanged
        assert again.revoked_at == out.revoked_at
        service.create_token(s, owner)  # one slot free again
        actions = s.execute(select(AuditEntry.action, func.count()).where(
            AuditEntry.entity == "feed_token").group_by(AuditEntry.action)).all()
        assert dict(actions) == {"create": rules.MAX_LIVE_TOKENS + 1, "revoke": 1}


def test_the_operator_and_a_deactivated_user_have_no_feed(sessions, cast) -> None:
    from accord.cli.common import operator

    with sessions.begin() as s:
        with pytest.raises(Forbidden):
            service.create_token(s, operator())
        viewer = s.get(User, cast.viewer.id)
        viewer.is_active = False
        with pytest.raises(Forbidden):
            service.create_token(s, viewer)


@given(status=st.sampled_from(["open", "snoozed"]),
       due=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
       snoozed=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2100, 1, 1))))
def test_effective_due_is_the_snooze_end_while_snoozed(status, due, snoozed) -> None:
    got = rules.effective_due(status, due, snoozed)
    assert got == (snoozed if status == "snoozed" and snoozed else due)


@given(end=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
       notice=st.one_of(st.none(), st.integers(0, 3660)))
def test_the_notice_deadline_is_the_end_less_the_notice(end, notice) -> None:
    assert (end - rules.notice_deadline(end, notice)).days == (notice or 0)


@given(st.text(max_size=60))
def test_only_a_secrets_shape_is_looked_up(token) -> None:
    import re

    assert rules.looks_like_secret(token) == bool(re.fullmatch(r"[A-Za-z0-9_-]{43}", token))
