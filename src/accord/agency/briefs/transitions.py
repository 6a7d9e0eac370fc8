"""A brief's moves (``rules.TRANSITIONS``): send, accept (perhaps proposing another due
date), agree or decline that date, start, deliver (the first delivery records the on-time
rate's figures), request changes (a round), approve (the checklist), cancel.

Each move: the brief must be visible (else 404 ``no brief N``), the caller on the move's side
(``agency.access``: the account's team, or the department's members; else 403), the state
must allow it (else 409), its input valid (else 422 naming the field); then the brief
changes, a ``BriefTransition`` row logs it (``on``: the acting side's date — the
department's own, in its time zone, for its steps) and the audit records it, all in the
caller's transaction. Nothing is written when any check fails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.agency import access, blocks
from accord.agency import rules as agency_rules
from accord.agency.briefs import reading, rules
from accord.agency.briefs.schemas import BriefOut
from accord.agency.models import Brief, BriefTransition, Department, DepartmentHoliday
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.work_calendar import policy as calendar_policy
from accord.core.workdays import WorkCalendar, is_working_day

FACTS = ("title", "sections", "attachments", "deliverable_type", "priority", "status",
         "original_due_on", "due_on", "proposed_due_on", "proposed_reason", "estimated_hours",
         "actual_hours", "rounds", "checks", "approval_note", "cancel_reason", "sent_on",
         "first_delivered_on", "blocked_days", "due_with_blocks_on", "original_with_blocks_on",
         "turnaround_days", "approved_on")


def facts(b: Brief) -> dict[str, Any]:
    return {"account_id": b.account_id, "department_id": b.department_id,
            **{k: getattr(b, k) for k in FACTS}}


def rule(problems: list[FieldProblem], check: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    try:
        return check(*args, **kw)
    except rules.RuleError as exc:
        problems.append(exc.problem())
        return None


def due_problem(session: Session, problems: list[FieldProblem], dept: Department,
                cal: WorkCalendar, field: str, day: date, today: date) -> date | None:
    """Check a due (or proposed) date against the department's calendar."""
    names: dict[date, str] = {}
    if not is_working_day(cal, day) and day in cal.holidays:
        own = session.scalar(select(DepartmentHoliday.name).where(
            DepartmentHoliday.department_id == dept.id, DepartmentHoliday.day == day))
        company = {h.on: h.name for h in calendar_policy(session).holidays}
        names[day] = own or company.get(day) or ""
    return rule(problems, rules.check_due, field, day, today, cal, dept.name, names)


def log(session: Session, user: User, brief: Brief, action: str, from_status: str | None,
        on: date, *, reason: str | None = None, due_on: date | None = None) -> None:
    session.add(BriefTransition(brief_id=brief.id, from_status=from_status,
                                to_status=brief.status, action=action, at=utcnow(), on=on,
                                by_id=user.id, reason=reason, due_on=due_on))


def saved(session: Session, user: User, brief: Brief, action: str, before: dict[str, Any],
          today: date) -> BriefOut:
    """Bump the version, stamp and audit what changed; the brief as the doors show it."""
    old, new = audit.changed_fields(before, facts(brief))
    if new or action != "update":
        versions.bump(brief)
        brief.updated_at = utcnow()
        session.flush()
        audit.record(session, user, action, reading.ENTITY, brief.id,
                     before={**old, "account_id": brief.account_id},
                     after={**new, "account_id": brief.account_id},
                     account_id=brief.account_id)
    session.refresh(brief)
    name = access.account_name(session, brief.account_id) or ""
    return reading.outs(session, user, [(brief, name)], today)[0]


def _start(session: Session, user: User, brief_id: int, action: str
           ) -> tuple[Brief, dict[str, Any], str]:
    """The brief, checked for this move: visible, the caller on its side, the state — read
    again under a row lock first (PostgreSQL: a concurrent move waits here, then sees the
    state the first one left, and is refused if that no longer allows it; SQLite's writers
    are serialised already, their transactions beginning IMMEDIATE)."""
    brief = reading.visible_brief(session, user, brief_id)
    session.refresh(brief, with_for_update=True)
    if rules.side_of(action) == "account":
        access.require_account_side(session, user, brief)
    else:
        access.require_department_side(session, user, brief)
    try:
        to = rules.check_move(action, brief.status, brief.proposed_due_on is not None)
    except rules.MoveRefused as exc:
        raise Conflict(str(exc), errors=[{"field": "status", "message": str(exc)}]) from None
    return brief, facts(brief), to


def _failed(problems: list[FieldProblem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def _department(session: Session, brief: Brief) -> Department:
    dept = session.get(Department, brief.department_id)
    assert dept is not None  # a foreign key
    return dept


# ---------------------------------------------------------------- the account side


def send(session: Session, user: User, brief_id: int, today: date) -> BriefOut:
    """Send a draft to its department (its due date must still be ahead)."""
    brief, before, to = _start(session, user, brief_id, "send")
    if brief.due_on < today:
        raise ValidationFailed([FieldProblem(
            "due_on", f"a due date before today ({today.isoformat()}): change it before "
            "sending")])
    brief.status, brief.sent_on = to, today
    log(session, user, brief, "send", "draft", today, due_on=brief.due_on)
    return saved(session, user, brief, "send", before, today)


def agree_date(session: Session, user: User, brief_id: int, today: date) -> BriefOut:
    """Agree the department's proposed due date: it becomes the due date (the original is
    kept)."""
    brief, before, to = _start(session, user, brief_id, "agree_date")
    agreed = brief.proposed_due_on
    brief.due_on = agreed or brief.due_on
    brief.proposed_due_on, brief.proposed_reason = None, None
    log(session, user, brief, "agree_date", to, today, due_on=agreed)
    return saved(session, user, brief, "agree_date", before, today)


def decline_date(session: Session, user: User, brief_id: int, today: date, reason: str
                 ) -> BriefOut:
    """Decline the proposed due date, saying why (the due date stays)."""
    brief, before, to = _start(session, user, brief_id, "decline_date")
    problems: list[FieldProblem] = []
    text = rule(problems, rules.check_reason, reason, "the date is declined")
    _failed(problems)
    declined = brief.proposed_due_on
    brief.proposed_due_on, brief.proposed_reason = None, None
    log(session, user, brief, "decline_date", to, today, reason=text, due_on=declined)
    return saved(session, user, brief, "decline_date", before, today)


def request_changes(session: Session, user: User, brief_id: int, today: date, reason: str
                    ) -> BriefOut:
    """Send a delivery back for changes, saying what: a round."""
    brief, before, to = _start(session, user, brief_id, "request_changes")
    problems: list[FieldProblem] = []
    text = rule(problems, rules.check_reason, reason, "changes are needed")
    _failed(problems)
    brief.status, brief.rounds = to, brief.rounds + 1
    log(session, user, brief, "request_changes", "delivered", today, reason=text)
    return saved(session, user, brief, "request_changes", before, today)


def approve(session: Session, user: User, brief_id: int, today: date, *,
            checks: dict[str, bool], reason: str | None = None) -> BriefOut:
    """Approve a delivery with its deliverable's checklist; unchecked items need a reason."""
    brief, before, to = _start(session, user, brief_id, "approve")
    problems: list[FieldProblem] = []
    items = reading.checklist(session, brief.deliverable_type)
    done, unchecked = rule(problems, rules.check_checks, checks, items) or ({}, [])
    note = rule(problems, rules.check_approval, unchecked, reason) if not problems else None
    _failed(problems)
    brief.status, brief.checks, brief.approval_note, brief.approved_on = to, done, note, today
    brief.proposed_due_on, brief.proposed_reason = None, None
    log(session, user, brief, "approve", "delivered", today, reason=note)
    return saved(session, user, brief, "approve", before, today)


def cancel(session: Session, user: User, brief_id: int, today: date, reason: str) -> BriefOut:
    """Cancel an open brief, saying why."""
    brief, before, to = _start(session, user, brief_id, "cancel")
    problems: list[FieldProblem] = []
    text = rule(problems, rules.check_reason, reason, "the brief is cancelled")
    _failed(problems)
    was = brief.status
    brief.status, brief.cancel_reason = to, text
    brief.proposed_due_on, brief.proposed_reason = None, None
    log(session, user, brief, "cancel", was, today, reason=text)
    return saved(session, user, brief, "cancel", before, today)


# ---------------------------------------------------------------- the department side


def accept(session: Session, user: User, brief_id: int, now: datetime, *,
           proposed_due_on: date | None = None, reason: str | None = None) -> BriefOut:
    """Accept a sent brief; perhaps propose another due date, with a reason (it applies once
    the account side agrees)."""
    brief, before, to = _start(session, user, brief_id, "accept")
    dept = _department(session, brief)
    today = access.today_of(dept, now)
    problems: list[FieldProblem] = []
    text = rule(problems, rules.check_reason, reason, "another date is proposed",
                required=proposed_due_on is not None)
    if proposed_due_on is not None:
        if proposed_due_on == brief.due_on:
            problems.append(FieldProblem("proposed_due_on", "that is already the due date"))
        else:
            due_problem(session, problems, dept, access.calendar_of(session, dept),
                        "proposed_due_on", proposed_due_on, today)
    _failed(problems)
    brief.status = to
    if proposed_due_on is not None:
        brief.proposed_due_on, brief.proposed_reason = proposed_due_on, text
    log(session, user, brief, "accept", "sent", today, reason=text, due_on=proposed_due_on)
    return saved(session, user, brief, "accept", before, today)


def start(session: Session, user: User, brief_id: int, now: datetime) -> BriefOut:
    """Start work on an accepted brief."""
    brief, before, to = _start(session, user, brief_id, "start")
    today = access.today_of(_department(session, brief), now)
    brief.status = to
    log(session, user, brief, "start", "accepted", today)
    return saved(session, user, brief, "start", before, today)


def deliver(session: Session, user: User, brief_id: int, now: datetime, *,
            actual_hours: Decimal | None = None, note: str | None = None) -> BriefOut:
    """Deliver the work. The first delivery records the on-time rate's figures
    (``agency.rules.first_delivery``, on the department's date, with the working days the
    brief waited for client inputs, against the agreed due date); later ones (after changes)
    do not change them. A proposed due date still pending lapses: it is cleared and a
    ``proposal_lapsed`` row keeps it in the log."""
    brief, before, to = _start(session, user, brief_id, "deliver")
    dept = _department(session, brief)
    today = access.today_of(dept, now)
    problems: list[FieldProblem] = []
    hours = rule(problems, rules.check_hours, "actual_hours", actual_hours)
    text = rule(problems, rules.check_reason, note, "", required=False)
    if problems:
        raise ValidationFailed([FieldProblem("note" if p.field == "reason" else p.field,
                                             p.message) for p in problems])
    brief.status = to
    if hours is not None:
        brief.actual_hours = hours
    if brief.first_delivered_on is None:
        first = agency_rules.first_delivery(
            access.calendar_of(session, dept), sent_on=brief.sent_on or today,
            delivered_on=today, due_on=brief.due_on, original_due_on=brief.original_due_on,
            blocks=blocks.blocks_of(session, brief.id))
        brief.first_delivered_on = first.delivered_on
        brief.blocked_days = first.blocked_days
        brief.due_with_blocks_on = first.due_with_blocks_on
        brief.original_with_blocks_on = first.original_with_blocks_on
        brief.turnaround_days = first.turnaround_days
    log(session, user, brief, "deliver", "in_progress", today, reason=text)
    if brief.proposed_due_on is not None:  # a proposal still pending lapses at delivery
        log(session, user, brief, "proposal_lapsed", to, today,
            reason=brief.proposed_reason, due_on=brief.proposed_due_on)
        brief.proposed_due_on, brief.proposed_reason = None, None
    return saved(session, user, brief, "deliver", before, today)
