"""The demo's agency work (issue 14): the agency clients — the key accounts of the Retail,
Technology and Consumer-facing teams, whose campaigns the agency's departments produce — with

- eight departments (Creative, Media, Production, Copy, SEO, Analytics, PPC, Usability), their
  brief templates, leads and members (specialist users ``creative1@accord.demo`` …), time
  zones (Media in Paris, Analytics in New York, Usability in Tokyo) and days off of their own;
- the three deliverable types and their checklists;
- briefs over the last nine months in every state: approved (most of the past ones, some
  late, some after one or two rounds of changes), delivered and waiting for approval, in
  progress (some past their due date), accepted (a few with a later due date proposed and
  not yet agreed), sent, drafts, a few cancelled; every step in the transition log and the
  first-delivery figures recorded as the service records them (``agency.rules``);
- client inputs: received ones that blocked a brief for a few days, and open ones being
  chased (chases as follow-ups for the manager; past the setting's count, escalated to the
  head).

Core inserts with explicit ids, in batches, so the bench can ask for 200,000 briefs and
50,000 input requests (``briefs`` / ``inputs``). Writes nothing when briefs exist already;
deterministic for a seed; no audit entries (the demo load is one).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from accord.agency import demo_cast, rules
from accord.agency.models import (
    Brief,
    BriefTransition,
    Department,
    InputChase,
    InputRequest,
)
from accord.agency.settings import DEFAULT_ESCALATE_AFTER
from accord.calendar.models import FollowUp
from accord.core.database import is_sqlite
from accord.core.work_calendar import work_calendar
from accord.core.workdays import WorkCalendar, add_working_days, is_working_day

CHUNK = 900
@dataclass
class _Ids:
    brief: int
    transition: int
    request: int
    chase: int
    follow_up: int


@dataclass
class _Rows:
    briefs: list[dict[str, Any]] = field(default_factory=list)
    transitions: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    chases: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)


def _next_id(session: Session, column: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start:start + CHUNK])
    rows.clear()


class _Writer:
    """Writes one brief's history (and its client input) as rows."""

    def __init__(self, rng: random.Random, today: date, ids: _Ids, rows: _Rows,
                 company: WorkCalendar, heads: dict[int, int]) -> None:
        self.rng, self.today, self.ids, self.rows = rng, today, ids, rows
        self.company, self.heads = company, heads
        self.step = 0  # the steps of the brief being written (their times increase)

    def _step(self, brief_id: int, frm: str | None, to: str, action: str, on: date,
              by: int | None, reason: str | None = None, due: date | None = None) -> None:
        self.rows.transitions.append({
            "id": self.ids.transition, "brief_id": brief_id, "from_status": frm,
            "to_status": to, "action": action,
            "at": _at(on, 9) + timedelta(minutes=17 * self.step + self.rng.randint(0, 15)),
            "on": on, "by_id": by, "reason": reason, "due_on": due})
        self.ids.transition += 1
        self.step += 1

    def brief(self, account: int, manager: int, contact: int | None,
              department: Department, cal: WorkCalendar, lead: int | None) -> None:
        rng, today = self.rng, self.today
        bid = self.ids.brief
        self.ids.brief += 1
        self.step = 0
        # a third of the briefs are from the last three weeks: the board has work in flight
        created = today - timedelta(days=rng.randint(0, 21) if rng.random() < 0.35
                                    else rng.randint(0, 270))
        while not is_working_day(cal, created):
            created -= timedelta(days=1)
        title = rng.choice(demo_cast.TITLES[department.name])
        original = rules.default_due(cal, created, department.turnaround_days
                                     + rng.randint(-1, 3))
        row: dict[str, Any] = {
            "id": bid, "account_id": account, "department_id": department.id, "title": title,
            "sections": {s["key"]: f"{s['label']} for {title.lower()}."
                         for s in department.sections[:4]},
            "attachments": [{"name": "Brand guidelines",
                             "url": "https://example.com/brand-guidelines.pdf"}]
            if rng.random() < 0.4 else [],
            "deliverable_type": demo_cast.DELIVERABLE_OF.get(department.name),
            "priority": rng.choices(("low", "normal", "high", "urgent"), (2, 6, 3, 1))[0],
            "status": "draft", "original_due_on": original, "due_on": original,
            "proposed_due_on": None, "proposed_reason": None,
            "estimated_hours": rng.choice((None, 8, 12, 16, 24, 40)), "actual_hours": None,
            "rounds": 0, "checks": {}, "approval_note": None, "cancel_reason": None,
            "sent_on": None, "first_delivered_on": None, "blocked_days": None,
            "due_with_blocks_on": None, "original_with_blocks_on": None,
            "turnaround_days": None, "approved_on": None, "created_by_id": manager,
            "created_at": _at(created, 9), "updated_at": _at(created, 9), "version": 1}
        self.rows.briefs.append(row)
        self._step(bid, None, "draft", "create", created, manager, due=original)
        if created >= today - timedelta(days=2) and rng.random() < 0.5:
            return  # a draft
        row.update(status="sent", sent_on=created)
        self._step(bid, "draft", "sent", "send", created, manager)
        if rng.random() < 0.04:
            self._cancel(row, "sent", add_working_days(cal, created, 1), manager)
            return
        accepted = self._accept(row, manager, cal, lead)
        if accepted is None:
            return
        blocks = self._input(row, account, manager, contact, created, cal)
        # the work starts the next working day, or a little later for some recent ones (the
        # board shows accepted briefs not started yet)
        lag = self.rng.randint(1, 3) if accepted >= self.today - timedelta(days=5) else 1
        started = add_working_days(cal, accepted, lag)
        if started > today:
            return
        row["status"] = "in_progress"
        self._step(bid, "accepted", "in_progress", "start", started, lead)
        delivered = self._deliver(row, started, cal, blocks, lead)
        if delivered is not None:
            self._rounds_and_approval(row, delivered, cal, manager, lead)

    def _accept(self, row: dict[str, Any], manager: int, cal: WorkCalendar,
                lead: int | None) -> date | None:
        """Accepted a working day after sending, sometimes with a later date proposed (and
        agreed a day later, or still waiting); None when the work stops there."""
        rng, bid = self.rng, row["id"]
        accepted = add_working_days(cal, row["sent_on"], 1)
        if accepted > self.today or (
                accepted >= self.today - timedelta(days=3) and rng.random() < 0.4):
            return None  # not accepted yet
        proposal = None
        # recent acceptances propose a date more often: a small demo has some waiting
        if rng.random() < (0.45 if accepted >= self.today - timedelta(days=10) else 0.2):
            proposal = add_working_days(cal, row["original_due_on"], rng.randint(2, 5))
            row.update(proposed_due_on=proposal, proposed_reason=rng.choice(demo_cast.REASONS))
        row["status"] = "accepted"
        self._step(bid, "sent", "accepted", "accept", accepted, lead,
                   reason=row["proposed_reason"], due=proposal)
        if proposal is None:
            return accepted
        agreed = add_working_days(cal, accepted, 1)
        if agreed > self.today or (agreed >= self.today - timedelta(days=10)
                                   and rng.random() < 0.5):
            return None  # a recent proposal waits for the manager
        row.update(due_on=proposal, proposed_due_on=None)
        self._step(bid, "accepted", "accepted", "agree_date", agreed, manager, due=proposal)
        return agreed

    def _deliver(self, row: dict[str, Any], started: date, cal: WorkCalendar,
                 blocks: list[tuple[date, date | None]], lead: int | None) -> date | None:
        """The first delivery around the agreed date (early, on it, or late) and its
        figures, as ``briefs.service.deliver`` records them."""
        shift = self.rng.choice((-3, -2, -1, -1, 0, 0, 0, 1, 2, 4))
        due = row["due_on"]
        delivered = add_working_days(cal, due, shift) if shift >= 0 else _back(cal, due, -shift)
        delivered = max(delivered, add_working_days(cal, started, 1))
        if delivered > self.today:
            return None
        first = rules.first_delivery(cal, sent_on=row["sent_on"], delivered_on=delivered,
                                     due_on=due, original_due_on=row["original_due_on"],
                                     blocks=blocks)
        estimate = row["estimated_hours"]
        row.update(status="delivered", first_delivered_on=delivered,
                   blocked_days=first.blocked_days, due_with_blocks_on=first.due_with_blocks_on,
                   original_with_blocks_on=first.original_with_blocks_on,
                   turnaround_days=first.turnaround_days,
                   actual_hours=None if estimate is None
                   else estimate + self.rng.randint(-4, 10))
        self._step(row["id"], "in_progress", "delivered", "deliver", delivered, lead)
        return delivered

    def _rounds_and_approval(self, row: dict[str, Any], last: date, cal: WorkCalendar,
                             manager: int, lead: int | None) -> None:
        rng, bid, today = self.rng, row["id"], self.today
        for _ in range(rng.choices((0, 1, 2), (6, 3, 1))[0]):
            asked = add_working_days(cal, last, 1)
            again = add_working_days(cal, asked, rng.randint(1, 3))
            if asked > today:
                return
            row["rounds"] += 1
            self._step(bid, "delivered", "in_progress", "request_changes", asked, manager,
                       reason="Client asked for another colour way")
            if again > today:
                row["status"] = "in_progress"
                return
            self._step(bid, "in_progress", "delivered", "deliver", again, lead)
            last = again
        approved = add_working_days(cal, last, rng.randint(1, 2))
        if approved > today or (approved >= today - timedelta(days=6) and rng.random() < 0.6):
            return  # delivered, waiting for the manager's checks
        row.update(status="approved", approved_on=approved, checks={"all": True})
        self._step(bid, "delivered", "approved", "approve", approved, manager)

    def _cancel(self, row: dict[str, Any], frm: str, on: date, manager: int) -> None:
        row.update(status="cancelled", cancel_reason="The client dropped the campaign")
        self._step(row["id"], frm, "cancelled", "cancel", on, manager,
                   reason="The client dropped the campaign")

    def _input(self, row: dict[str, Any], account: int, manager: int, contact: int | None,
               sent: date, cal: WorkCalendar) -> list[tuple[date, date | None]]:
        """A client input for a quarter of the briefs: received after a few working days,
        or still open (and chased) when that day is still to come."""
        if self.rng.random() >= 0.25:
            return []
        requested = sent
        received = add_working_days(self.company, requested, self.rng.randint(1, 8))
        closed = received if received <= self.today else None
        self.request(account, manager, contact, requested, closed, row["id"])
        return [(requested, closed)]

    def request(self, account: int, manager: int, contact: int | None, requested: date,
                closed: date | None, brief_id: int | None) -> None:
        rid = self.ids.request
        self.ids.request += 1
        chase_days = self.rng.choice((2, 3, 5))
        due = add_working_days(self.company, requested, chase_days + 1)
        title = self.rng.choice(demo_cast.INPUTS)
        row: dict[str, Any] = {
               "id": rid, "account_id": account, "title": title, "contact_id": contact,
               "brief_id": brief_id, "reason": "The work waits on it", "due_on": due,
               "chase_days": chase_days, "status": "open" if closed is None else "received",
               "requested_on": requested, "owner_id": manager, "chases": 0,
               "next_chase_on": None, "escalated_on": None, "escalated_to_id": None,
               "closed_on": closed, "close_note": None, "created_by_id": manager,
               "created_at": _at(requested, 9), "updated_at": _at(requested, 9), "version": 1}
        self.rows.requests.append(row)
        chase_on = add_working_days(self.company, requested, chase_days)
        end = closed or self.today
        while chase_on <= end:
            number = row["chases"] + 1
            if number > DEFAULT_ESCALATE_AFTER:
                if closed is None:
                    head = self.heads.get(manager, manager)
                    row.update(escalated_on=chase_on, escalated_to_id=head)
                    self._follow_up(account, head, chase_on, rid,
                                    f"Escalated: {title} — no answer after "
                                    f"{DEFAULT_ESCALATE_AFTER} chases")
                chase_on = None  # type: ignore[assignment]
                break
            open_chase = closed is None and add_working_days(
                self.company, chase_on, chase_days) > self.today
            follow_up = self._follow_up(account, manager, chase_on, rid,
                                        f"Chase: {title} (chase {number})",
                                        done=not open_chase)
            self.rows.chases.append({
                "id": self.ids.chase, "request_id": rid, "number": number, "due_on": chase_on,
                "follow_up_id": follow_up, "status": "due" if open_chase else "sent",
                "sent_on": None if open_chase else chase_on, "interaction_id": None})
            self.ids.chase += 1
            row["chases"] = number
            chase_on = add_working_days(self.company, chase_on, chase_days)
        if closed is None and row["escalated_on"] is None:
            row["next_chase_on"] = chase_on

    def _follow_up(self, account: int, owner: int, due: date, request: int, title: str,
                   *, done: bool = False) -> int:
        fid = self.ids.follow_up
        self.ids.follow_up += 1
        self.rows.follow_ups.append({
            "id": fid, "account_id": account, "title": title[:200], "notes": "",
            "due_on": due, "due_time": None, "time_zone": "UTC", "due_at": None,
            "owner_id": owner, "status": "done" if done else "open", "snoozed_until": None,
            "source_kind": "input_request", "source_id": request,
            "closed_by_interaction_id": None, "closed_on": due if done else None,
            "cancel_reason": None, "created_by_id": None, "created_at": _at(due, 6),
            "updated_at": _at(due, 6), "version": 1})
        return fid


def _back(cal: WorkCalendar, day: date, days: int) -> date:
    """``days`` working days before ``day``."""
    while days:
        day -= timedelta(days=1)
        if is_working_day(cal, day):
            days -= 1
    return day


def _flush(session: Session, rows: _Rows) -> None:
    _insert(session, Brief, rows.briefs)
    _insert(session, BriefTransition, rows.transitions)
    _insert(session, FollowUp, rows.follow_ups)
    _insert(session, InputRequest, rows.requests)
    _insert(session, InputChase, rows.chases)


def seed_demo(session: Session, *, seed: int, today: date, accounts: int,
              password_hash: str | None = None, briefs: int | None = None,
              inputs: int | None = None, top_up: bool = False) -> int:
    """Write the agency demo; returns how many briefs (0 when there are some already).
    ``password_hash``: the specialists' (the demo's password, hashed once by the loader).
    ``briefs`` / ``inputs``: how many to aim for (default: about eight briefs per agency
    client; inputs: those of a quarter of the briefs, plus a few on their own).
    ``top_up`` (the benchmark's scale on a demo already seeded): the departments there are,
    and only the briefs and input requests missing to reach ``briefs`` and ``inputs``."""
    held = session.scalar(select(func.count()).select_from(Brief)) or 0
    if held and not top_up:
        return 0
    rng = random.Random(seed * 7919 + 14 + held)
    departments = (demo_cast.existing_departments(session) if held
                   else demo_cast.departments(session, today, password_hash))
    clients = demo_cast.agency_accounts(session, accounts)
    if not clients or not departments:
        return 0
    wanted = (briefs if briefs is not None else 8 * len(clients)) - held
    if inputs is not None and held:
        inputs -= session.scalar(select(func.count()).select_from(InputRequest)) or 0
    ids = _Ids(brief=_next_id(session, Brief.id), transition=_next_id(session, BriefTransition.id),
               request=_next_id(session, InputRequest.id),
               chase=_next_id(session, InputChase.id), follow_up=_next_id(session, FollowUp.id))
    rows = _Rows()
    first_request = ids.request
    writer = _Writer(rng, today, ids, rows, work_calendar(session), demo_cast.heads(session))
    for n in range(wanted):
        account, manager, contact = clients[n % len(clients)]
        department, cal = departments[rng.randrange(len(departments))]
        writer.brief(account, manager, contact, department, cal, department.lead_id)
        if len(rows.transitions) > 20 * CHUNK:
            _flush(session, rows)
    extra = (inputs - (ids.request - first_request) if inputs is not None
             else len(clients) // 2 + 1)
    for n in range(max(0, extra)):
        account, manager, contact = clients[(n * 7) % len(clients)]
        requested = today - timedelta(days=rng.randint(0, 15))
        closed = requested + timedelta(days=rng.randint(1, 10)) if rng.random() < 0.4 else None
        writer.request(account, manager, contact, requested,
                       closed if closed and closed <= today else None, None)
        if len(rows.requests) > 10 * CHUNK:
            _flush(session, rows)
    _flush(session, rows)
    _advance(session)
    return wanted


def _advance(session: Session) -> None:
    """PostgreSQL: the id sequences past the ids written here."""
    if is_sqlite(session):
        return
    for table in ("briefs", "brief_transitions", "input_requests", "input_chases",
                  "follow_ups"):
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"))
