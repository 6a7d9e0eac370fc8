"""The on-time rates equal a recomputation from the transition log (issue 14, "Done when"),
on SQLite and PostgreSQL.

Hypothesis draws department calendars (their own working weekdays, holidays, a time zone)
and brief histories, and drives them through the briefs service as the doors do: create
(with a due date some working days ahead), send, accept (perhaps proposing a later date,
with a reason), agree or decline that date (or leave it pending), start, client inputs that
block the brief for a while (some still open), deliver on the department's own date, rounds
of changes and deliveries again, approve; some briefs are never delivered.

The recomputation reads only the log — the first ``deliver`` transition's day, the ``send``
day, the original due date of the ``create`` transition, the last ``agree_date``'s due date,
the ``request_changes`` count — plus the input requests and the department calendar, and
counts on time with plain date arithmetic (a walk over the days, ``core.workdays``), never
the columns the first delivery stored. ``scorecard.service.on_time`` (SQL) must give the same
figures per department, per account and overall, for the whole span and for a month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from accord.agency.briefs import service as briefs
from accord.agency.briefs.schemas import BriefIn
from accord.agency.models import (
    Brief,
    BriefTransition,
    Department,
    DepartmentHoliday,
    DepartmentMember,
    InputRequest,
)
from accord.agency.scorecard import queries, service
from accord.core.database import utcnow
from accord.core.models import User
from accord.core.work_calendar import work_calendar
from accord.core.workdays import WorkCalendar, add_working_days, count_working_days, is_working_day

BASE = date(2027, 1, 4)  # a Monday
ZONES = ("UTC", "Pacific/Auckland", "America/Los_Angeles")
EXAMPLES = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

departments_drawn = st.lists(st.fixed_dictionaries({
    "weekdays": st.none() | st.sets(st.integers(0, 6), min_size=1),
    "holidays": st.sets(st.integers(0, 90), max_size=8),
    "zone": st.sampled_from(ZONES),
}), min_size=1, max_size=2)

briefs_drawn = st.lists(st.fixed_dictionaries({
    "department": st.integers(0, 1),
    "acme": st.booleans(),
    "created": st.integers(0, 20),
    "due_in": st.integers(1, 10),  # working days after creation
    "send_after": st.integers(0, 3),
    "accept_after": st.integers(0, 3),
    "propose": st.none() | st.integers(1, 15),  # working days after accepting
    "answer": st.sampled_from(("agree", "decline", "pending")),
    "start_after": st.integers(0, 3),
    "deliver_after": st.none() | st.integers(0, 25),  # None: never delivered
    "blocks": st.lists(st.tuples(st.integers(-3, 20), st.none() | st.integers(0, 12)),
                       max_size=2),
    "rounds": st.integers(0, 2),
    "approve": st.booleans(),
}), min_size=1, max_size=6)


def _now(day: date, zone: str) -> datetime:
    """An instant on ``day`` in the department's time zone (its steps take ``now``)."""
    return datetime.combine(day, time(12), ZoneInfo(zone)).astimezone(UTC)


def _setup(db, cast, drawn_departments) -> tuple[list[Department], User]:
    now = utcnow()
    member = User(email="maker@accord.test", role="specialist", name="Mia Maker",
                  password_hash="x", capacity=0, is_active=True, created_at=now)
    db.add(member)
    made = []
    for i, d in enumerate(drawn_departments):
        dept = Department(name=f"Dept {i}", time_zone=d["zone"], turnaround_days=5,
                          weekdays=sorted(d["weekdays"]) if d["weekdays"] else None,
                          sections=[], is_active=True, created_at=now, updated_at=now)
        db.add(dept)
        db.flush()
        db.add_all([DepartmentHoliday(department_id=dept.id, day=BASE + timedelta(days=h),
                                      name="Off") for h in d["holidays"]])
        db.add(DepartmentMember(department_id=dept.id, user_id=member.id))
        made.append(dept)
    db.flush()
    return made, member


def _calendar(db, dept: Department) -> WorkCalendar:
    """The department's calendar from its rows (the company's, with its weekdays and days
    off)."""
    company = work_calendar(db)
    days = db.scalars(select(DepartmentHoliday.day)
                      .where(DepartmentHoliday.department_id == dept.id)).all()
    return WorkCalendar(weekdays=frozenset(dept.weekdays) if dept.weekdays else company.weekdays,
                        holidays=company.holidays | frozenset(days))


def _drive(db, cast, dept: Department, cal: WorkCalendar, member: User, b: dict) -> None:
    """One brief's history through the briefs service."""
    account_id = cast.acme_id if b["acme"] else cast.globex_id
    manager = db.get(User, (cast.owner if b["acme"] else cast.outsider).id)
    created = BASE + timedelta(days=b["created"])
    due = add_working_days(cal, created, b["due_in"])
    out = briefs.create_brief(db, manager, BriefIn(
        account_id=account_id, department_id=dept.id, title="Campaign", due_on=due), created)
    brief_id = out.id
    sent = min(created + timedelta(days=b["send_after"]), due)
    briefs.send(db, manager, brief_id, sent)
    accepted = sent + timedelta(days=b["accept_after"])
    proposed = None
    if b["propose"] is not None:
        proposed = add_working_days(cal, accepted, b["propose"])
        if proposed == due:
            proposed = None
    briefs.accept(db, member, brief_id, _now(accepted, dept.time_zone),
                  proposed_due_on=proposed, reason="Busy month" if proposed else None)
    if proposed is not None and b["answer"] == "agree":
        briefs.agree_date(db, manager, brief_id, accepted)
    elif proposed is not None and b["answer"] == "decline":
        briefs.decline_date(db, manager, brief_id, accepted, "The launch is fixed")
    started = accepted + timedelta(days=b["start_after"])
    briefs.start(db, member, brief_id, _now(started, dept.time_zone))
    for start_in, lasts in b["blocks"]:
        requested = sent + timedelta(days=start_in)
        closed = None if lasts is None else requested + timedelta(days=lasts)
        db.add(InputRequest(account_id=account_id, title="Brand book", brief_id=brief_id,
                            reason="the brief waits for it", due_on=requested,
                            status="open" if closed is None else "received",
                            requested_on=requested, closed_on=closed,
                            created_at=utcnow(), updated_at=utcnow()))
    db.flush()
    if b["deliver_after"] is None:
        return
    delivered = started + timedelta(days=b["deliver_after"])
    briefs.deliver(db, member, brief_id, _now(delivered, dept.time_zone))
    for r in range(b["rounds"]):
        again = delivered + timedelta(days=2 * r + 1)
        briefs.request_changes(db, manager, brief_id, again, "Bigger logo")
        briefs.deliver(db, member, brief_id, _now(again + timedelta(days=1), dept.time_zone))
    if b["approve"]:
        briefs.approve(db, manager, brief_id, delivered + timedelta(days=10), checks={})


# ---------------------------------------------------------------- the recomputation


def _blocked(cal: WorkCalendar, sent: date, delivered: date,
             blocks: list[tuple[date, date | None]]) -> int:
    """Working days in (sent, delivered] covered by a block (after its request, up to and
    including its close; open: up to the delivery) — a walk over the days."""
    count, day = 0, sent + timedelta(days=1)
    while day <= delivered:
        if is_working_day(cal, day) and any(
                start < day <= (end if end is not None else delivered)
                for start, end in blocks):
            count += 1
        day += timedelta(days=1)
    return count


def _from_the_log(db, calendars: dict[int, WorkCalendar]) -> list[dict]:
    """Per delivered brief: department, account, first delivery, on time against the agreed
    and the original date, turnaround, rounds — from the transition log alone."""
    log: dict[int, list[BriefTransition]] = defaultdict(list)
    for t in db.scalars(select(BriefTransition).order_by(BriefTransition.at,
                                                         BriefTransition.id)):
        log[t.brief_id].append(t)
    where = {b.id: (b.department_id, b.account_id)
             for b in db.execute(select(Brief.id, Brief.department_id, Brief.account_id))}
    blocks: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for r in db.execute(select(InputRequest.brief_id, InputRequest.requested_on,
                               InputRequest.closed_on)):
        blocks[r.brief_id].append((r.requested_on, r.closed_on))
    found = []
    for brief_id, steps in log.items():
        deliveries = [t.on for t in steps if t.action == "deliver"]
        if not deliveries:
            continue
        department_id, account_id = where[brief_id]
        cal = calendars[department_id]
        original = next(t.due_on for t in steps if t.action == "create")
        agreed = [t.due_on for t in steps if t.action == "agree_date"]
        due = agreed[-1] if agreed else original
        assert due is not None and original is not None
        sent = next(t.on for t in steps if t.action == "send")
        delivered = deliveries[0]
        blocked = _blocked(cal, sent, delivered, blocks[brief_id])
        rounds = sum(t.action == "request_changes" for t in steps)
        found.append({
            "department": department_id, "account": account_id, "delivered": delivered,
            "on_time": delivered <= add_working_days(cal, due, blocked),
            "on_time_original": delivered <= add_working_days(cal, original, blocked),
            "turnaround": count_working_days(cal, sent, delivered), "rounds": rounds,
        })
    return found


def _figures(rows: list[dict], start: date, end: date) -> dict:
    inside = [r for r in rows if start <= r["delivered"] <= end]
    return {"delivered": len(inside), "on_time": sum(r["on_time"] for r in inside),
            "on_time_original": sum(r["on_time_original"] for r in inside),
            "median": queries.median(r["turnaround"] for r in inside),
            "rounds": sum(r["rounds"] for r in inside),
            "with_rounds": sum(r["rounds"] > 0 for r in inside)}


def _reported(row) -> dict:
    return {"delivered": row.delivered, "on_time": row.on_time,
            "on_time_original": row.on_time_original, "median": row.median_turnaround,
            "rounds": row.rounds, "with_rounds": row.with_rounds}


@EXAMPLES
@given(drawn_departments=departments_drawn, drawn_briefs=briefs_drawn,
       month=st.integers(0, 3))
def test_on_time_rates_equal_a_recomputation_from_the_transition_log(
        db, cast, drawn_departments, drawn_briefs, month) -> None:
    try:
        departments, member = _setup(db, cast, drawn_departments)
        calendars = {d.id: _calendar(db, d) for d in departments}
        for b in drawn_briefs:
            dept = departments[b["department"] % len(departments)]
            _drive(db, cast, dept, calendars[dept.id], member, b)
        db.flush()
        logged = _from_the_log(db, calendars)
        admin = db.get(User, cast.admin.id)
        month_start = date(2027, 1 + month, 1)
        periods = [(date(2026, 12, 1), date(2027, 12, 31)),
                   (month_start, (month_start + timedelta(days=32)).replace(day=1)
                    - timedelta(days=1))]
        for start, end in periods:
            report = service.on_time(db, admin, start=start, end=end, by="department")
            got = {r.id: _reported(r) for r in report.items}
            for d in departments:
                want = _figures([r for r in logged if r["department"] == d.id], start, end)
                assert got[d.id] == want, (d.id, start, end)
            assert _reported(report.overall) == _figures(logged, start, end)
            by_account = service.on_time(db, admin, start=start, end=end, by="account")
            got = {r.id: _reported(r) for r in by_account.items}
            for account_id in (cast.acme_id, cast.globex_id):
                want = _figures([r for r in logged if r["account"] == account_id], start, end)
                assert got.get(account_id, _figures([], start, end)) == want
            expected_rate = (None if not report.overall.delivered else
                             (Decimal(report.overall.on_time) / report.overall.delivered)
                             .quantize(Decimal("0.0001")))
            assert report.overall.rate == expected_rate
        # the department's member sees its briefs only, with the same figures
        mine = service.on_time(db, member, start=periods[0][0], end=periods[0][1])
        assert {r.id for r in mine.items} == {d.id for d in departments}
        assert _reported(mine.overall) == _figures(logged, *periods[0])
    finally:
        db.rollback()


def test_a_brief_blocked_by_the_client_is_on_time_once_the_blocked_days_extend_it(
        db, cast) -> None:
    """The named case: due Friday 2027-01-08, delivered Tuesday 2027-01-12; the brand book
    was asked for on Tuesday the 5th and came on Thursday the 7th (2 working days blocked:
    the 6th and the 7th), so the due date moves to Tuesday the 12th — on time; against a
    due date two days earlier it would be late."""
    try:
        departments, member = _setup(db, cast, [{"weekdays": None, "holidays": set(),
                                                 "zone": "UTC"}])
        dept = departments[0]
        owner = db.get(User, cast.owner.id)
        out = briefs.create_brief(db, owner, BriefIn(
            account_id=cast.acme_id, department_id=dept.id, title="Launch",
            due_on=date(2027, 1, 8)), date(2027, 1, 4))
        briefs.send(db, owner, out.id, date(2027, 1, 4))
        briefs.accept(db, member, out.id, _now(date(2027, 1, 4), "UTC"))
        briefs.start(db, member, out.id, _now(date(2027, 1, 4), "UTC"))
        db.add(InputRequest(account_id=cast.acme_id, title="Brand book", brief_id=out.id,
                            reason="", due_on=date(2027, 1, 6), status="received",
                            requested_on=date(2027, 1, 5), closed_on=date(2027, 1, 7),
                            created_at=utcnow(), updated_at=utcnow()))
        db.flush()
        briefs.deliver(db, member, out.id, _now(date(2027, 1, 12), "UTC"))
        report = service.on_time(db, db.get(User, cast.admin.id), start=date(2027, 1, 1),
                                 end=date(2027, 1, 31))
        row = next(r for r in report.items if r.id == dept.id)
        assert (row.delivered, row.on_time, row.rate) == (1, 1, Decimal("1.0000"))
        assert row.median_turnaround == Decimal("6.0")  # 5th … 12th: 6 working days
        stored = db.get(Brief, out.id)
        assert (stored.blocked_days, stored.due_with_blocks_on) == (2, date(2027, 1, 12))
    finally:
        db.rollback()
