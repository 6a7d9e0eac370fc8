"""Follow-ups: add one to an account, edit it, complete, snooze or cancel it, log an
interaction and close it in one go; list them.

Who may: whoever sees the account reads its follow-ups; whoever may change the account (not
viewer or billing) adds, edits and closes them. An account or follow-up out of reach is
answered like a missing one (404) and nothing is written. The owner (the caller unless
given) must be an active user who sees the account and may change it; a due time is read in
the owner's time zone (``User.time_zone``), and a time the clocks skip that day is refused
(``rules.due_instant``). A source (an interaction, a plan action, an opportunity's next
step) must belong to the same account. Every change is audited (``follow_up``) in the
caller's transaction; a write naming the version it started from (a form, ``If-Match``) is
refused when the follow-up changed meanwhile (``core.versions``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts import contacts
from accord.accounts.models import Account, Interaction
from accord.accounts.schemas import InteractionIn
from accord.accounts.visibility import can_write, get_writable_account, visible_accounts
from accord.calendar.followups import hooks, rules
from accord.calendar.followups.reading import (
    ENTITY,
    account_follow_ups,
    get_follow_up,
    list_follow_ups,
    outs,
    owner_choices,
    prefill,
    source_account,
    writable_follow_up,
)
from accord.calendar.followups.schemas import FollowUpIn, FollowUpOut, FollowUpPatch
from accord.calendar.models import FollowUp
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User

__all__ = ["account_follow_ups", "add_follow_up", "cancel", "complete", "edit_follow_up",
           "get_follow_up", "list_follow_ups", "log_and_close", "open_system_follow_up",
           "owner_choices", "prefill", "snooze"]

EDITABLE = ("title", "notes", "due_on", "due_time", "owner_id")


def _facts(row: FollowUp) -> dict[str, Any]:
    return {"account_id": row.account_id, "title": row.title, "notes": row.notes,
            "due_on": row.due_on, "due_time": row.due_time.strftime("%H:%M")
            if row.due_time else None, "time_zone": row.time_zone, "due_at": row.due_at,
            "owner_id": row.owner_id, "status": row.status, "snoozed_until": row.snoozed_until,
            "source_kind": row.source_kind, "source_id": row.source_id,
            "closed_by_interaction_id": row.closed_by_interaction_id,
            "closed_on": row.closed_on, "cancel_reason": row.cancel_reason}


def _rule(problems: list[FieldProblem], check: Callable[..., Any], *args: Any) -> Any:
    try:
        return check(*args)
    except rules.RuleError as exc:
        problems.append(exc.problem())
        return None


def _owner(session: Session, problems: list[FieldProblem], account_id: int,
           owner_id: int | None) -> User | None:
    """The owner: an active user who sees the account and may change it."""
    if owner_id is None:
        problems.append(FieldProblem("owner_id", "give the follow-up an owner"))
        return None
    owner = session.get(User, owner_id)
    if owner is None or not owner.is_active:
        problems.append(FieldProblem("owner_id", f"no active user {owner_id}"))
        return None
    sees = session.scalar(select(Account.id).where(Account.id == account_id,
                                                   visible_accounts(owner)))
    if sees is None or not can_write(owner):
        problems.append(FieldProblem("owner_id", f"{owner.email} does not work on this "
                                     "account"))
        return None
    return owner


def _source(session: Session, problems: list[FieldProblem], account_id: int,
            kind: str | None, source_id: int | None) -> None:
    if kind is None and source_id is None:
        return
    if kind not in rules.SOURCES:
        problems.append(FieldProblem("source_kind", "one of " + ", ".join(rules.SOURCES)))
        return
    if source_id is None:
        problems.append(FieldProblem("source_id", f"give the {kind}'s id"))
        return
    if source_account(session, kind, source_id) != account_id:
        problems.append(FieldProblem("source_id", f"no {kind.replace('_', ' ')} {source_id} "
                                     "on this account"))


def _due(problems: list[FieldProblem], due_on: date | None, due_time: time | None,
         time_zone: str) -> Any:
    """The due instant (None without a time); problems on ``due_on`` / ``due_time``."""
    if due_on is None:
        return None
    found = len(problems)
    _rule(problems, rules.check_date, "due_on", due_on)
    if len(problems) > found:
        return None
    return _rule(problems, rules.due_instant, due_on, due_time, time_zone)


def add_follow_up(session: Session, user: User, data: FollowUpIn, today: date) -> FollowUpOut:
    """A new open follow-up on an account the user may change. Audited."""
    account = get_writable_account(session, user, data.account_id)
    problems: list[FieldProblem] = []
    title = _rule(problems, rules.check_title, data.title)
    due_time = _rule(problems, rules.parse_time, data.due_time)
    owner_id = data.owner_id if data.owner_id is not None else (user.id or account.manager_id)
    owner = _owner(session, problems, account.id, owner_id)
    _source(session, problems, account.id, data.source_kind, data.source_id)
    zone = owner.time_zone if owner is not None else "UTC"
    due_at = _due(problems, data.due_on, due_time, zone)
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    row = FollowUp(account_id=account.id, title=title, notes=data.notes or "",
                   due_on=data.due_on, due_time=due_time, time_zone=zone, due_at=due_at,
                   owner_id=owner_id, status="open", source_kind=data.source_kind,
                   source_id=data.source_id, created_by_id=user.id, created_at=now,
                   updated_at=now, version=1)
    session.add(row)
    session.flush()
    audit.record(session, user, "create", ENTITY, row.id, after=_facts(row),
                 account_id=row.account_id)
    session.refresh(row)
    return outs(session, [row], today)[0]


def open_system_follow_up(session: Session, actor: User | None, *, account_id: int,
                          title: str, notes: str, due_on: date, owner_id: int,
                          source_kind: str | None, source_id: int | None) -> FollowUp:
    """A follow-up the system opens (a client input's chase, its escalation to the head, a
    win-back campaign's call, whose source is named in its notes: ``source_kind`` None):
    no checks on who asks, only that the owner is an active user; due on ``due_on`` without
    a time, in the owner's time zone. Audited as ``actor`` (a job's operator)."""
    owner = session.get(User, owner_id)
    if owner is None or not owner.is_active:
        raise ValidationFailed([FieldProblem("owner_id", f"no active user {owner_id}")])
    now = utcnow()
    row = FollowUp(account_id=account_id, title=title[:rules.MAX_TITLE],
                   notes=notes[:rules.MAX_NOTES], due_on=due_on, due_time=None,
                   time_zone=owner.time_zone or "UTC", due_at=None, owner_id=owner.id,
                   status="open", source_kind=source_kind, source_id=source_id,
                   created_by_id=actor.id if actor is not None else None, created_at=now,
                   updated_at=now, version=1)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", ENTITY, row.id, after=_facts(row),
                 account_id=row.account_id)
    return row


def _changed(session: Session, user: User, row: FollowUp, action: str,
             before: dict[str, Any], today: date) -> FollowUpOut:
    """Bump the version, stamp and audit what changed; the row as the doors show it."""
    old, new = audit.changed_fields(before, _facts(row))
    if new:
        versions.bump(row)
        row.updated_at = utcnow()
        session.flush()
        audit.record(session, user, action, ENTITY, row.id,
                     before={**old, "account_id": row.account_id},
                     after={**new, "account_id": row.account_id}, account_id=row.account_id)
    session.refresh(row)
    return outs(session, [row], today)[0]


def _current(row: FollowUp) -> Callable[[], dict[str, str]]:
    return lambda: {"title": row.title, "notes": row.notes or "",
                    "due_on": versions.as_text(row.due_on),
                    "due_time": row.due_time.strftime("%H:%M") if row.due_time else "",
                    "owner_id": versions.as_text(row.owner_id)}


def edit_follow_up(session: Session, user: User, follow_up_id: int, data: FollowUpPatch,
                   today: date, *, expected: versions.Expected | None = None) -> FollowUpOut:
    """Change the fields given (``data.model_fields_set``) of an open or snoozed follow-up;
    a new owner brings their time zone (the due instant follows). Audited."""
    row = writable_follow_up(session, user, follow_up_id)
    given = data.model_fields_set
    problems: list[FieldProblem] = []
    if not rules.is_open(row.status):
        problems.append(FieldProblem("status", f"the follow-up is {row.status}: it is closed"))
    title = _rule(problems, rules.check_title, data.title) if "title" in given else row.title
    due_on = data.due_on if "due_on" in given else row.due_on
    if due_on is None:
        problems.append(FieldProblem("due_on", "give the date it is due"))
    due_time = _rule(problems, rules.parse_time, data.due_time) if "due_time" in given \
        else row.due_time
    owner_id = data.owner_id if "owner_id" in given else row.owner_id
    owner = _owner(session, problems, row.account_id, owner_id) \
        if "owner_id" in given else session.get(User, owner_id) if owner_id else None
    zone = owner.time_zone if owner is not None else row.time_zone
    due_at = _due(problems, due_on, due_time, zone)
    if problems:
        raise ValidationFailed(problems)
    versions.check(session, row, expected, "the follow-up", _current(row))
    before = _facts(row)
    row.title, row.due_on, row.due_time = title, due_on or row.due_on, due_time
    row.owner_id, row.time_zone, row.due_at = owner_id, zone, due_at
    if "notes" in given:
        row.notes = data.notes or ""
    return _changed(session, user, row, "update", before, today)


def _move(session: Session, user: User, follow_up_id: int, to: str,
          expected: versions.Expected | None) -> tuple[FollowUp, dict[str, Any]]:
    row = writable_follow_up(session, user, follow_up_id)
    try:
        rules.check_move(row.status, to)
    except rules.RuleError as exc:
        raise ValidationFailed([exc.problem()]) from None
    versions.check(session, row, expected, "the follow-up")
    return row, _facts(row)


def complete(session: Session, user: User, follow_up_id: int, today: date,
             interaction: int | None = None, *,
             expected: versions.Expected | None = None) -> FollowUpOut:
    """Mark it done today; ``interaction``: the id of the account's interaction that did it
    (kept as ``closed_by_interaction_id``). Audited."""
    row = writable_follow_up(session, user, follow_up_id)
    if interaction is not None and session.scalar(
            select(Interaction.account_id).where(Interaction.id == interaction)) \
            != row.account_id:
        raise ValidationFailed([FieldProblem("interaction_id", f"no interaction {interaction} "
                                             "on this account")])
    row, before = _move(session, user, follow_up_id, "done", expected)
    row.status, row.closed_on, row.snoozed_until = "done", today, None
    if interaction is not None:
        row.closed_by_interaction_id = interaction
    out = _changed(session, user, row, "complete", before, today)
    hooks.closed(session, user, row, interaction, today)  # e.g. a client input's chase
    return out


def snooze(session: Session, user: User, follow_up_id: int, until: date, today: date, *,
           expected: versions.Expected | None = None) -> FollowUpOut:
    """Put it off until a date after today (it is due again that day). Audited."""
    try:
        day = rules.check_snooze(until, today)
    except rules.RuleError as exc:
        writable_follow_up(session, user, follow_up_id)  # out of reach: 404 first
        raise ValidationFailed([exc.problem()]) from None
    row, before = _move(session, user, follow_up_id, "snoozed", expected)
    row.status, row.snoozed_until = "snoozed", day
    return _changed(session, user, row, "snooze", before, today)


def cancel(session: Session, user: User, follow_up_id: int, reason: str | None, *,
           today: date, expected: versions.Expected | None = None) -> FollowUpOut:
    """Cancel it, saying why (closed on ``today``). Audited."""
    day = today
    try:
        text = rules.check_reason(reason)
    except rules.RuleError as exc:
        writable_follow_up(session, user, follow_up_id)
        raise ValidationFailed([exc.problem()]) from None
    row, before = _move(session, user, follow_up_id, "cancelled", expected)
    row.status, row.cancel_reason, row.closed_on = "cancelled", text, day
    row.snoozed_until = None
    return _changed(session, user, row, "cancel", before, day)


def log_and_close(session: Session, user: User, follow_up_id: int,
                  interaction_data: InteractionIn, today: date) -> FollowUpOut:
    """Log an interaction on the follow-up's account (``accounts.contacts.log_interaction``:
    its rules, its audit, the account's last touch) and close the follow-up with it — in the
    caller's one transaction: either both happen or neither."""
    row = writable_follow_up(session, user, follow_up_id)
    try:
        rules.check_move(row.status, "done")
    except rules.RuleError as exc:
        raise ValidationFailed([exc.problem()]) from None
    with session.begin_nested():  # a door that catches the error keeps neither
        logged = contacts.log_interaction(session, user, row.account_id, interaction_data,
                                          today=today)
        return complete(session, user, follow_up_id, today, interaction=logged.id)
