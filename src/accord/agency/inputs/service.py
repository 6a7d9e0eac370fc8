"""Client inputs: request one from the client, edit it, record it received or cancel it; an
account's agreed chase interval; the agency setting. The chases themselves (the daily job,
"mark as sent", the follow-ups' hook) are in ``chasing``; reading in ``reading``.

Who may: whoever sees the account reads its requests; whoever may change the account (not a
viewer, billing or specialist) writes them. A request, contact or brief out of reach is
answered like a missing one. The owner (who chases) is the account's manager unless another
is named, and must see the account and may change it. Every change is audited
(``input_request``) in the caller's transaction.

Received and cancelled set ``closed_on``: the day the brief it blocks stops waiting
(``agency.blocks``), so the department's on-time rate does not count the days before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import AccountContact
from accord.accounts.visibility import get_writable_account
from accord.agency import blocks
from accord.agency import settings as agency_settings
from accord.agency.inputs import owners, queries, rules
from accord.agency.inputs.chasing import chase_now, mark_chase_sent
from accord.agency.inputs.reading import (
    ENTITY,
    account_defaults,
    account_inputs,
    contact_by_email,
    form_choices,
    get_input,
    list_inputs,
    outs,
    visible_input,
)
from accord.agency.inputs.schemas import (
    AgencySettingsIn,
    AgencySettingsOut,
    InputIn,
    InputOut,
    InputPatch,
    InputsPanel,
)
from accord.agency.models import AccountChaseDefault, Brief, InputChase, InputRequest
from accord.calendar.followups import service as follow_ups
from accord.calendar.models import FollowUp
from accord.core import audit, policy_store, versions
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.roles import require_role
from accord.core.work_calendar import work_calendar

__all__ = ["account_inputs", "agency_settings_of", "cancel_input", "chase_now",
           "contact_by_email", "edit_input", "form_choices", "get_input", "list_inputs",
           "mark_chase_sent", "received", "request_input", "save_agency_settings",
           "set_account_chase_days"]

RECEIVED_REASON = "input received"
CANCELLED_REASON = "input request cancelled"


def facts(row: InputRequest) -> dict[str, Any]:
    return {"account_id": row.account_id, "title": row.title, "contact_id": row.contact_id,
            "brief_id": row.brief_id, "reason": row.reason, "due_on": row.due_on,
            "chase_days": row.chase_days, "status": row.status,
            "requested_on": row.requested_on, "owner_id": row.owner_id, "chases": row.chases,
            "next_chase_on": row.next_chase_on, "escalated_on": row.escalated_on,
            "escalated_to_id": row.escalated_to_id, "closed_on": row.closed_on,
            "close_note": row.close_note}


def _rule(problems: list[FieldProblem], check: Callable[..., Any], *args: Any) -> Any:
    try:
        return check(*args)
    except rules.RuleError as exc:
        problems.append(exc.problem())
        return None


def _contact(session: Session, problems: list[FieldProblem], account_id: int,
             contact_id: int | None) -> None:
    if contact_id is None:
        return
    linked = session.scalar(select(AccountContact.contact_id).where(
        AccountContact.account_id == account_id, AccountContact.contact_id == contact_id))
    if linked is None:
        problems.append(FieldProblem("contact_id", f"no contact {contact_id} at this account"))


def _brief(session: Session, problems: list[FieldProblem], account_id: int,
           brief_id: int | None) -> None:
    if brief_id is None:
        return
    on = session.scalar(select(Brief.account_id).where(Brief.id == brief_id))
    if on != account_id:
        problems.append(FieldProblem("brief_id", f"no brief {brief_id} on this account"))


def _owner(session: Session, problems: list[FieldProblem], account_id: int,
           owner_id: int | None) -> int | None:
    """The owner: an active user who sees the account and may change it
    (``owners.may_own``, the rule the chase job follows too)."""
    if owner_id is None:
        problems.append(FieldProblem("owner_id", "the account has no manager: name who "
                                     "chases"))
        return None
    owner = session.get(User, owner_id)
    if owner is None or not owner.is_active:
        problems.append(FieldProblem("owner_id", f"no active user {owner_id}"))
        return None
    if not owners.may_own(session, owner, account_id):
        problems.append(FieldProblem("owner_id", f"{owner.email} does not work on this "
                                     "account"))
        return None
    return owner.id


def _refresh_briefs(session: Session, user: User, *brief_ids: int | None) -> None:
    """The first-delivery figures of these briefs (delivered ones) after their blocks
    changed (``agency.blocks.refresh_first_delivery``)."""
    for brief_id in sorted({b for b in brief_ids if b is not None}):
        blocks.refresh_first_delivery(session, brief_id, user=user)


def _interval(session: Session, row: InputRequest) -> int:
    """The interval the request is chased at (request > account > setting)."""
    account_days = account_defaults(session, {row.account_id}).get(row.account_id)
    return rules.resolve_chase_days(row.chase_days, account_days,
                                    agency_settings.policy(session).default_chase_days)


def reschedule(session: Session, row: InputRequest) -> None:
    """After the interval changed: the next chase ``interval`` working days after the last
    chase (or the request); nothing once escalated or closed."""
    if row.status != "open" or row.escalated_on is not None:
        return
    last = session.scalar(select(InputChase.due_on).where(InputChase.request_id == row.id)
                          .order_by(InputChase.number.desc()).limit(1))
    cal = work_calendar(session)
    days = _interval(session, row)
    row.next_chase_on = rules.next_chase_on(cal, last, days) if last is not None \
        else rules.first_chase_on(cal, row.requested_on, days)


def request_input(session: Session, user: User, data: InputIn, today: date) -> InputOut:
    """A new open request on an account the user may change; its first chase is scheduled
    ``chase_days`` working days from today. Audited."""
    account = get_writable_account(session, user, data.account_id)
    problems: list[FieldProblem] = []
    title = _rule(problems, rules.check_title, data.title)
    reason = _rule(problems, rules.check_text, "reason", data.reason)
    _rule(problems, rules.check_due, data.due_on, today)
    chase_days = _rule(problems, rules.check_chase_days, data.chase_days)
    _contact(session, problems, account.id, data.contact_id)
    _brief(session, problems, account.id, data.brief_id)
    owner_id = _owner(session, problems, account.id,
                      data.owner_id if data.owner_id is not None
                      else account.manager_id or user.id)
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    row = InputRequest(
        account_id=account.id, title=title, contact_id=data.contact_id,
        brief_id=data.brief_id, reason=reason or "", due_on=data.due_on,
        chase_days=chase_days, status="open", requested_on=today, owner_id=owner_id,
        chases=0, created_by_id=user.id, created_at=now, updated_at=now, version=1)
    session.add(row)
    session.flush()
    reschedule(session, row)
    session.flush()
    audit.record(session, user, "create", ENTITY, row.id, after=facts(row),
                 account_id=row.account_id)
    _refresh_briefs(session, user, row.brief_id)
    return outs(session, [row], today)[0]


def writable_input(session: Session, user: User, input_id: int, *,
                   lock: bool = False) -> InputRequest:
    """The request if ``user`` may change its account (NotFound/Forbidden otherwise); with
    ``lock``, its row locked and read afresh before its state is checked."""
    row = visible_input(session, user, input_id)
    get_writable_account(session, user, row.account_id)
    return queries.lock_request(session, row.id) if lock else row


def _changed(session: Session, user: User, row: InputRequest, action: str,
             before: dict[str, Any], today: date) -> InputOut:
    old, new = audit.changed_fields(before, facts(row))
    if new:
        versions.bump(row)
        row.updated_at = utcnow()
        session.flush()
        audit.record(session, user, action, ENTITY, row.id,
                     before={**old, "account_id": row.account_id},
                     after={**new, "account_id": row.account_id}, account_id=row.account_id)
    session.refresh(row)
    return outs(session, [row], today)[0]


def _open(problems: list[FieldProblem], row: InputRequest) -> None:
    if row.status != "open":
        problems.append(FieldProblem("status", f"the request is {row.status}: it is closed"))


def _current(row: InputRequest) -> Callable[[], dict[str, str]]:
    return lambda: {"title": row.title, "reason": row.reason or "",
                    "due_on": versions.as_text(row.due_on),
                    "contact_id": versions.as_text(row.contact_id),
                    "brief_id": versions.as_text(row.brief_id),
                    "chase_days": versions.as_text(row.chase_days),
                    "owner_id": versions.as_text(row.owner_id)}


def edit_input(session: Session, user: User, input_id: int, data: InputPatch, today: date,
               *, expected: versions.Expected | None = None) -> InputOut:
    """Change the fields given (``data.model_fields_set``) of an open request; a new
    interval moves the next chase. Audited."""
    row = writable_input(session, user, input_id)
    given = data.model_fields_set
    problems: list[FieldProblem] = []
    _open(problems, row)
    title = _rule(problems, rules.check_title, data.title) if "title" in given else row.title
    reason = _rule(problems, rules.check_text, "reason", data.reason) if "reason" in given \
        else row.reason
    due_on = row.due_on
    if "due_on" in given and data.due_on != row.due_on:
        due_on = _rule(problems, rules.check_due, data.due_on, today)
    chase_days = _rule(problems, rules.check_chase_days, data.chase_days) \
        if "chase_days" in given else row.chase_days
    contact_id = data.contact_id if "contact_id" in given else row.contact_id
    if "contact_id" in given:
        _contact(session, problems, row.account_id, contact_id)
    brief_id = data.brief_id if "brief_id" in given else row.brief_id
    if "brief_id" in given:
        _brief(session, problems, row.account_id, brief_id)
    owner_id = row.owner_id
    if "owner_id" in given and data.owner_id != row.owner_id:
        owner_id = _owner(session, problems, row.account_id, data.owner_id)
    if problems:
        raise ValidationFailed(problems)
    versions.check(session, row, expected, "the input request", _current(row))
    before = facts(row)
    row.title, row.reason, row.due_on = title, reason or "", due_on or row.due_on
    old_brief = row.brief_id
    row.contact_id, row.brief_id, row.owner_id = contact_id, brief_id, owner_id
    if chase_days != row.chase_days:
        row.chase_days = chase_days
        reschedule(session, row)
    out = _changed(session, user, row, "update", before, today)
    if brief_id != old_brief:
        _refresh_briefs(session, user, old_brief, brief_id)
    return out


def _close_chases(session: Session, user: User, row: InputRequest, today: date,
                  reason: str) -> None:
    """Cancel the request's open follow-ups (its chases, its escalation) and close its
    chases not yet sent."""
    open_ids = session.scalars(
        select(FollowUp.id).where(FollowUp.source_kind == rules.SOURCE_KIND,
                                  FollowUp.source_id == row.id,
                                  FollowUp.status.in_(("open", "snoozed")))
        .order_by(FollowUp.id)).all()
    for follow_up_id in open_ids:
        follow_ups.cancel(session, user, follow_up_id, reason, today=today)
    for chase in session.scalars(select(InputChase).where(
            InputChase.request_id == row.id, InputChase.status == "due")):
        chase.status = "closed"
    row.next_chase_on = None


def received(session: Session, user: User, input_id: int, today: date, *,
             on: date | None = None, note: str | None = None) -> InputOut:
    """The client gave it (on ``on``, today unless given): the request is received and
    closed on that day, its open chases and their follow-ups closed. Audited."""
    row = writable_input(session, user, input_id, lock=True)
    problems: list[FieldProblem] = []
    _open(problems, row)
    day = _rule(problems, rules.check_closed_on, on or today, row.requested_on, today)
    text = _rule(problems, rules.check_text, "note", note, rules.MAX_NOTE)
    if problems:
        raise ValidationFailed(problems)
    before = facts(row)
    _close_chases(session, user, row, today, RECEIVED_REASON)
    row.status, row.closed_on, row.close_note = "received", day, text or None
    out = _changed(session, user, row, "received", before, today)
    _refresh_briefs(session, user, row.brief_id)
    return out


def cancel_input(session: Session, user: User, input_id: int, today: date,
                 reason: str | None) -> InputOut:
    """No longer needed, saying why: cancelled and closed today (the brief stops waiting),
    its open chases and their follow-ups closed. Audited."""
    row = writable_input(session, user, input_id, lock=True)
    problems: list[FieldProblem] = []
    _open(problems, row)
    text = _rule(problems, rules.check_required_text, "reason", reason,
                 "say why the request is cancelled")
    if problems:
        raise ValidationFailed(problems)
    before = facts(row)
    _close_chases(session, user, row, today, CANCELLED_REASON)
    row.status, row.closed_on, row.close_note = "cancelled", today, text
    out = _changed(session, user, row, "cancel", before, today)
    _refresh_briefs(session, user, row.brief_id)
    return out


def set_account_chase_days(session: Session, user: User, account_id: int, days: int | None,
                           today: date) -> InputsPanel:
    """The account's agreed chase interval (None: the setting's default again); its open
    requests without their own interval are rescheduled. Audited."""
    account = get_writable_account(session, user, account_id)
    try:
        value = rules.check_chase_days(days)
    except rules.RuleError as exc:
        raise ValidationFailed([exc.problem()]) from None
    current = session.get(AccountChaseDefault, account.id)
    before = current.chase_days if current is not None else None
    if value == before:
        return account_inputs(session, user, account.id, today)
    if value is None:
        session.delete(current)
    elif current is None:
        session.add(AccountChaseDefault(account_id=account.id, chase_days=value,
                                        set_by_id=user.id, set_at=utcnow()))
    else:
        current.chase_days, current.set_by_id, current.set_at = value, user.id, utcnow()
    session.flush()
    for row in session.scalars(select(InputRequest).where(
            InputRequest.account_id == account.id, InputRequest.status == "open",
            InputRequest.chase_days.is_(None), InputRequest.escalated_on.is_(None))):
        reschedule(session, row)
    session.flush()
    audit.record(session, user, "update", "account_chase_default", account.id,
                 before={"chase_days": before}, after={"chase_days": value},
                 account_id=account.id)
    return account_inputs(session, user, account.id, today)


# ---------------------------------------------------------------- the setting


def agency_settings_of(session: Session, user: User) -> AgencySettingsOut:
    """The agency setting (everyone may read it)."""
    p = agency_settings.policy(session)
    return AgencySettingsOut(escalate_after=p.escalate_after,
                             default_chase_days=p.default_chase_days)


def save_agency_settings(session: Session, user: User, data: AgencySettingsIn
                         ) -> AgencySettingsOut:
    """Store the setting (admins and heads). Audited (``kam_setting``)."""
    require_role(user, *policy_store.EDITORS)
    saved = policy_store.save(session, user, agency_settings.POLICY_NAME, data.model_dump(),
                              agency_settings.AgencyPolicy.from_dict)
    return AgencySettingsOut(escalate_after=saved.escalate_after,
                             default_chase_days=saved.default_chase_days)

