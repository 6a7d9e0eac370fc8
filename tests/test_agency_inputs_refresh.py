"""Client inputs keep derived data right, on SQLite and PostgreSQL: a delivered brief's
first-delivery figures are rebuilt when its blocks change afterwards (received on an earlier
day, cancelled, moved between briefs) and equal a fresh computation; the chase job runs once
at a time (two runs at the same moment chase each request once); the Work tab panel says
when it shows only the first open requests."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from sqlalchemy import func, select

from accord.agency import access, blocks
from accord.agency import rules as agency_rules
from accord.agency.inputs import chasing, service
from accord.agency.inputs.reading import OPEN_SHOWN
from accord.agency.inputs.schemas import InputIn, InputPatch
from accord.agency.models import Brief, BriefTransition, Department, InputChase, InputRequest
from accord.calendar.models import FollowUp
from accord.core.database import transaction, utcnow
from accord.core.models import AuditEntry, User
from accord.web.templating import templates

SENT = date(2027, 3, 1)  # a Monday
DELIVERED = date(2027, 3, 12)  # the Friday of the next week
LATER = date(2027, 3, 15)


def _user(db, who) -> User:
    return db.get(User, who.id)


def _delivered_brief(db, cast, title: str = "Spring campaign") -> int:
    """A brief sent on SENT, due 2027-03-10, delivered on DELIVERED (its "deliver" step)."""
    now = utcnow()
    dept = db.scalar(select(Department).where(Department.name == "Creative"))
    if dept is None:
        dept = Department(name="Creative", time_zone="UTC", turnaround_days=5, sections=[],
                          is_active=True, created_at=now, updated_at=now)
        db.add(dept)
        db.flush()
    brief = Brief(account_id=cast.acme_id, department_id=dept.id, title=title, sections={},
                  attachments=[], priority="normal", status="delivered",
                  original_due_on=date(2027, 3, 9), due_on=date(2027, 3, 10), rounds=0,
                  checks={}, sent_on=SENT, created_at=now, updated_at=now)
    db.add(brief)
    db.flush()
    db.add(BriefTransition(brief_id=brief.id, from_status="in_progress", to_status="delivered",
                           action="deliver", at=now, on=DELIVERED))
    db.flush()
    return brief.id


def _request(db, cast, brief_id: int | None, on: date = SENT) -> int:
    return service.request_input(db, _user(db, cast.owner), InputIn.model_validate({
        "account_id": cast.acme_id, "title": "Brand book", "due_on": "2027-03-26",
        "brief_id": brief_id}), on).id


def _figures(db, brief_id: int) -> tuple[Any, ...]:
    b = db.get(Brief, brief_id)
    db.refresh(b)
    return (b.first_delivered_on, b.blocked_days, b.due_with_blocks_on,
            b.original_with_blocks_on, b.turnaround_days)


def _fresh(db, brief_id: int) -> tuple[Any, ...]:
    """The figures computed afresh from the brief's current blocks."""
    b = db.get(Brief, brief_id)
    first = agency_rules.first_delivery(
        access.calendar_of(db, db.get(Department, b.department_id)), sent_on=b.sent_on,
        delivered_on=DELIVERED, due_on=b.due_on, original_due_on=b.original_due_on,
        blocks=blocks.blocks_of(db, brief_id))
    return (first.delivered_on, first.blocked_days, first.due_with_blocks_on,
            first.original_with_blocks_on, first.turnaround_days)


def _refreshes(db, brief_id: int) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(
        AuditEntry.entity == "brief", AuditEntry.action == "refresh",
        AuditEntry.entity_id == str(brief_id)).order_by(AuditEntry.id)))


def test_refresh_records_the_figures_once_and_not_before_delivery(db, cast) -> None:
    brief = _delivered_brief(db, cast)
    assert blocks.refresh_first_delivery(db, brief) is True  # what delivery does
    assert _figures(db, brief) == _fresh(db, brief)
    assert _figures(db, brief)[:2] == (DELIVERED, 0)
    assert blocks.refresh_first_delivery(db, brief) is False  # nothing changed
    assert len(_refreshes(db, brief)) == 1
    undelivered = db.get(Brief, brief)
    other = Brief(account_id=cast.acme_id, department_id=undelivered.department_id,
                  title="Not yet", sections={}, attachments=[], priority="normal",
                  status="in_progress", original_due_on=SENT, due_on=SENT, rounds=0,
                  checks={}, sent_on=SENT, created_at=utcnow(), updated_at=utcnow())
    db.add(other)
    db.flush()
    assert blocks.refresh_first_delivery(db, other.id) is False
    assert db.get(Brief, other.id).blocked_days is None
    assert blocks.refresh_first_delivery(db, 2_000_000) is False


def test_a_received_date_backdated_after_delivery_changes_the_on_time_figures(
        db, cast) -> None:
    brief = _delivered_brief(db, cast)
    input_id = _request(db, cast, brief)  # open through the delivery
    blocks.refresh_first_delivery(db, brief)
    before = _figures(db, brief)
    assert before[1] == 9  # 2-5 and 8-12 March
    assert before[2] == agency_rules.add_working_days(
        access.calendar_of(db, db.get(Department, db.get(Brief, brief).department_id)),
        date(2027, 3, 10), 9)
    # after the delivery, the input is recorded received on the 3rd: blocked 2 days only
    service.received(db, _user(db, cast.owner), input_id, LATER, on=date(2027, 3, 3))
    after = _figures(db, brief)
    assert after == _fresh(db, brief)
    assert after[1] == 2 and after[2] < before[2] and after[3] < before[3]
    assert after[4] == before[4]  # the turnaround does not depend on the blocks
    entry = _refreshes(db, brief)[-1]
    assert entry.actor == "owner@accord.test" and entry.account_id == cast.acme_id
    assert entry.before is not None and entry.after is not None
    assert entry.before["blocked_days"] == 9 and entry.after["blocked_days"] == 2


def test_moving_a_request_between_briefs_refreshes_both(db, cast) -> None:
    first = _delivered_brief(db, cast)
    second = _delivered_brief(db, cast, "Summer campaign")
    input_id = _request(db, cast, first)
    service.received(db, _user(db, cast.owner), input_id, LATER, on=date(2027, 3, 5))
    assert _figures(db, first)[1] == 4 and _figures(db, second)[1] is None
    blocks.refresh_first_delivery(db, second)
    assert _figures(db, second)[1] == 0
    # a closed request cannot be edited: move an open one
    moving = _request(db, cast, first, on=date(2027, 3, 8))
    assert _figures(db, first)[1] == 8  # 2-5 March, and 9-12 March
    assert _figures(db, first) == _fresh(db, first)
    service.edit_input(db, _user(db, cast.owner), moving, InputPatch.model_validate(
        {"brief_id": second}), LATER)
    assert _figures(db, first) == _fresh(db, first) and _figures(db, first)[1] == 4
    assert _figures(db, second) == _fresh(db, second) and _figures(db, second)[1] == 4
    service.edit_input(db, _user(db, cast.owner), moving, InputPatch.model_validate(
        {"brief_id": None}), LATER)
    assert _figures(db, second)[1] == 0
    # cancelled after the delivery: the block ran through the delivery anyway — unchanged
    service.edit_input(db, _user(db, cast.owner), moving, InputPatch.model_validate(
        {"brief_id": second}), LATER)
    count = len(_refreshes(db, second))
    service.cancel_input(db, _user(db, cast.owner), moving, LATER, "not needed")
    assert _figures(db, second) == _fresh(db, second)
    assert len(_refreshes(db, second)) == count


# ---------------------------------------------------------------- one run at a time


def test_two_runs_at_once_chase_each_request_once(sessions, cast) -> None:
    with transaction(sessions) as s:
        owner = s.get(User, cast.owner.id)
        assert owner is not None
        for n in range(3):
            service.request_input(s, owner, InputIn.model_validate({
                "account_id": cast.acme_id, "title": f"Input {n}", "due_on": "2027-03-26",
                "chase_days": 1}), SENT)
    barrier = threading.Barrier(2)
    results: list[dict[str, Any]] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction(sessions) as s:
                results.append(chasing.run_chases(s, date(2027, 3, 2)))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(r["chased"] for r in results) == [0, 3]
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(InputChase)) == 3
        assert s.scalar(select(func.count()).select_from(FollowUp)) == 3
        assert set(s.scalars(select(InputRequest.chases))) == {1}
        # and a third run the same day finds nothing
        assert chasing.run_chases(s, date(2027, 3, 2))["chased"] == 0


def test_a_received_request_is_not_chased(db, cast) -> None:
    input_id = _request(db, cast, None)
    service.received(db, _user(db, cast.owner), input_id, date(2027, 3, 4))
    assert chasing.run_chases(db, date(2027, 3, 4))["chased"] == 0


# ---------------------------------------------------------------- the panel's cap


def test_the_panel_says_when_it_shows_only_the_first_open_requests(db, cast) -> None:
    now = utcnow()
    db.add_all([InputRequest(account_id=cast.acme_id, title=f"Input {n}", reason="",
                             due_on=date(2027, 4, 1), status="open", requested_on=SENT,
                             owner_id=cast.owner.id, chases=0, created_at=now,
                             updated_at=now, version=1)
                for n in range(OPEN_SHOWN + 1)])
    db.flush()
    panel = service.account_inputs(db, _user(db, cast.owner), cast.acme_id, SENT)
    assert (len(panel.open), panel.open_total) == (OPEN_SHOWN, OPEN_SHOWN + 1)
    html = templates.env.get_template("agency/inputs_panel.html").render(
        panel=panel, csrf_token="t")
    assert f"Showing {OPEN_SHOWN} of {OPEN_SHOWN + 1} open requests" in html
    assert f'href="/inputs?account_id={cast.acme_id}&amp;status=open"' in html
    db.delete(db.scalars(select(InputRequest).limit(1)).one())
    db.flush()
    panel = service.account_inputs(db, _user(db, cast.owner), cast.acme_id, SENT)
    assert (len(panel.open), panel.open_total) == (OPEN_SHOWN, OPEN_SHOWN)
    html = templates.env.get_template("agency/inputs_panel.html").render(
        panel=panel, csrf_token="t")
    assert 'id="inputs-capped"' not in html
