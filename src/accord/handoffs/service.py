"""Use cases of hand-offs: open one, answer its checklist, submit, accept (the account
becomes active), return with a reason; the checklist templates. One transaction, the
caller's; every change audited, every transition an event.

Who may do what (``queries.may_write`` / ``may_receive``): the author answers and submits
(an admin too; a hand-off without an author is written by those who receive it); the
receiving manager, the head of their team or an admin accepts and returns. Everyone who sees
the account sees its hand-offs; an author and a receiver always see theirs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accord.accounts import lifecycle
from accord.accounts.models import (
    Account,
    AccountContact,
    AccountKind,
    AccountMember,
    AccountStatus,
    Interaction,
)
from accord.accounts.visibility import get_writable_account
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.work_calendar import work_calendar
from accord.core.workdays import add_working_days
from accord.handoffs import queries, rules
from accord.handoffs.checklists import (
    checklist,
    checklist_out,
    replace_checklist,
    save_checklist,
    save_settings,
    settings,
    settings_version,
)
from accord.handoffs.models import Handoff, HandoffEvent, HandoffItem
from accord.handoffs.queries import account_panel  # the account page's newest hand-offs
from accord.handoffs.rules import Action, AnswerKind, HandoffKind, HandoffState
from accord.handoffs.schemas import (
    HandoffCreate,
    HandoffOut,
    HandoffPage,
    ItemAnswer,
)

#: the account-team role of a hand-off's author while it is open
AUTHOR_ROLE = lifecycle.AUTHOR_ROLE
#: the checklist templates and the settings live in ``checklists``; the doors reach them here
__all__ = [
    "accept_handoff", "account_panel", "answer_item", "checklist", "checklist_out",
    "create_handoff", "get_handoff", "list_handoffs", "open_handoff", "replace_checklist",
    "return_handoff", "save_checklist", "save_settings", "settings", "settings_version",
    "submit_handoff",
]


# ---------------------------------------------------------------- reading


def list_handoffs(
    session: Session,
    user: User,
    *,
    box: str,
    account_id: int | None = None,
    state: str | None = None,
    page: int = 1,
    page_size: int = 50,
    today: date,
    sort: str = "due_on",
) -> HandoffPage:
    """A box of hand-offs: ``waiting`` (submitted, for me to accept), ``mine`` (I wrote),
    ``overdue``, ``returned`` (mine, returned), ``all``; by deadline unless ``sort``."""
    return queries.list_page(
        session, user, box=box, account_id=account_id, state=state, page=page,
        page_size=page_size, sort=sort, today=today,
    )


def get_handoff(session: Session, user: User, handoff_id: int, *, today: date) -> HandoffOut:
    handoff = queries.get_visible_handoff(session, user, handoff_id)
    return queries.handoff_out(session, user, handoff, today=today)


# ---------------------------------------------------------------- writing


def create_handoff(
    session: Session, user: User, account_id: int, data: HandoffCreate, *, today: date
) -> HandoffOut:
    """Open a hand-off of a company account to its responsible manager, written by ``user``."""
    account = get_writable_account(session, user, account_id)
    if account.kind == AccountKind.PERSON:
        raise ValidationFailed([FieldProblem(
            "account_id", f"{account.name} is a person (B2C): persons need no hand-off"
        )])
    if account.manager_id is None:
        raise ValidationFailed([FieldProblem(
            "account_id", "the account has no responsible manager to receive the hand-off; "
            "choose its manager first"
        )])
    from_manager_id = None
    if data.kind is HandoffKind.MANAGER:
        if Role(user.role) not in (Role.ADMIN, Role.HEAD, Role.MANAGER):
            raise Forbidden("a hand-off between managers is written by a manager, a head or "
                            "an admin")
        from_manager_id = user.id if user.id != account.manager_id else None
    handoff = open_handoff(
        session, user, account, data.kind, author_id=user.id, receiver_id=account.manager_id,
        from_manager_id=from_manager_id,
    )
    return queries.handoff_out(session, user, handoff, today=today)


def open_handoff(
    session: Session,
    actor: User | None,
    account: Account,
    kind: HandoffKind,
    *,
    author_id: int | None,
    receiver_id: int | None,
    from_manager_id: int | None = None,
    reason: str | None = None,
) -> Handoff:
    """A new draft with the template's items (refused while one of its kind is open)."""
    kind = HandoffKind(kind)
    open_one = session.scalar(
        select(Handoff.id).where(
            Handoff.account_id == account.id,
            Handoff.kind == kind,
            Handoff.state.in_(rules.OPEN),
        )
    )
    if open_one is not None:
        raise Conflict(f"hand-off #{open_one} of this account is still open")
    handoff = Handoff(
        account_id=account.id, kind=kind.value, state=HandoffState.DRAFT.value,
        author_id=author_id, receiver_id=receiver_id, from_manager_id=from_manager_id,
        created_at=utcnow(),
    )
    session.add(handoff)
    session.flush()
    for position, item in enumerate(checklist(session, kind).items, start=1):
        session.add(HandoffItem(
            handoff_id=handoff.id, key=item.key, label=item.label, required=item.required,
            position=position, hint=item.hint or None,
        ))
    _event(session, handoff, actor, None, HandoffState.DRAFT, reason)
    if author_id is not None:
        _join_team(session, account, author_id)
    session.flush()
    audit.record(
        session, actor, "create", "handoff", handoff.id, account_id=account.id,
        after={"kind": kind.value, "author_id": author_id, "receiver_id": receiver_id},
        note=reason,
    )
    return handoff


def answer_item(
    session: Session,
    user: User,
    handoff_id: int,
    key: str,
    data: ItemAnswer,
    *,
    expected: versions.Expected | None = None,
    today: date | None = None,
) -> HandoffOut:
    """Answer (or clear) one item of a draft or returned hand-off."""
    handoff = _writable(session, user, handoff_id)
    versions.check(session, handoff, expected, f"hand-off {handoff_id}")
    item = session.scalar(
        select(HandoffItem).where(HandoffItem.handoff_id == handoff.id, HandoffItem.key == key)
    )
    if item is None:
        raise NotFound(f"hand-off {handoff_id} has no item {key!r}")
    problems = rules.answer_problems(
        data.kind, text=data.text, contact_id=data.contact_id,
        interaction_id=data.interaction_id, reason=data.reason,
    )
    problems += _evidence_problems(session, handoff.account_id, data)
    if problems:
        raise ValidationFailed(problems)
    before = _answer_of(item)
    item.answer_kind = data.kind.value if data.kind else None
    item.answer = data.text
    item.contact_id = data.contact_id
    item.interaction_id = data.interaction_id
    item.na_reason = data.reason
    item.answered_by_id = user.id if data.kind else None
    item.answered_at = utcnow() if data.kind else None
    after = _answer_of(item)
    if after != before:
        versions.bump(handoff)
        session.flush()
        audit.record(
            session, user, "update", "handoff_item", f"{handoff.id}:{key}",
            account_id=handoff.account_id, before=before, after=after,
        )
    return queries.handoff_out(session, user, handoff, today=today or utcnow().date())


def submit_handoff(session: Session, user: User, handoff_id: int, *, today: date) -> HandoffOut:
    """Submit to the receiving manager: refused while a required item is unanswered (each
    one named); the deadline is counted in working days from ``today``."""
    handoff = _writable(session, user, handoff_id)
    target = _transition(handoff, Action.SUBMIT)
    items = list(session.scalars(
        select(HandoffItem)
        .where(HandoffItem.handoff_id == handoff.id)
        .order_by(HandoffItem.position)
    ))
    missing = [i for i in items if i.required and not i.answer_kind]
    if missing:
        raise ValidationFailed([
            FieldProblem(
                f"items.{i.key}",
                f"“{i.label}” is required: answer it or mark it not applicable with a reason",
            )
            for i in missing
        ])
    if handoff.receiver_id is None:
        raise ValidationFailed([FieldProblem(
            "receiver_id", "the account has no responsible manager to receive the hand-off"
        )])
    days = settings(session).deadline_working_days
    before = handoff.state
    handoff.state = target.value
    handoff.submitted_at = utcnow()
    handoff.due_on = add_working_days(work_calendar(session), today, days)
    _event(session, handoff, user, before, target, None)
    _audit_transition(session, user, handoff, before, "submit", {"due_on": handoff.due_on})
    return queries.handoff_out(session, user, handoff, today=today)


def accept_handoff(session: Session, user: User, handoff_id: int, *, today: date) -> HandoffOut:
    """Accept: the quality is kept, the author leaves the account team, and a hand-off from
    sales makes its account ``active`` (audited)."""
    handoff = _receivable(session, user, handoff_id)
    target = _transition(handoff, Action.ACCEPT)
    items = list(session.scalars(select(HandoffItem).where(HandoffItem.handoff_id == handoff.id)))
    before = handoff.state
    handoff.state = target.value
    handoff.accepted_at = utcnow()
    handoff.accepted_by_id = user.id
    handoff.quality = rules.quality(items)
    _event(session, handoff, user, before, target, None)
    _audit_transition(session, user, handoff, before, "accept", {"quality": handoff.quality})
    if handoff.kind == HandoffKind.SALES:
        _activate(session, user, handoff)
    if handoff.author_id is not None:
        _leave_team(session, handoff.account_id, handoff.author_id)
    session.flush()
    return queries.handoff_out(session, user, handoff, today=today)


def return_handoff(
    session: Session, user: User, handoff_id: int, reason: str, *, today: date
) -> HandoffOut:
    """Return to the author with a reason (required); they edit it and submit it again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([FieldProblem("reason", "say why the hand-off goes back")])
    if len(reason) > rules.MAX_REASON:
        raise ValidationFailed([FieldProblem("reason", f"at most {rules.MAX_REASON} characters")])
    handoff = _receivable(session, user, handoff_id)
    target = _transition(handoff, Action.RETURN)
    before = handoff.state
    handoff.state = target.value
    handoff.returned_at = utcnow()
    handoff.return_reason = reason
    handoff.due_on = None
    _event(session, handoff, user, before, target, reason)
    _audit_transition(session, user, handoff, before, "return", {"reason": reason})
    return queries.handoff_out(session, user, handoff, today=today)


# ---------------------------------------------------------------- helpers


def _writable(session: Session, user: User, handoff_id: int) -> Handoff:
    handoff = queries.get_visible_handoff(session, user, handoff_id, for_update=True)
    if not queries.may_write(session, user, handoff):
        raise Forbidden(f"only the author of hand-off #{handoff.id} writes and submits it")
    if HandoffState(handoff.state) not in rules.EDITABLE:
        raise Conflict(
            f"hand-off #{handoff.id} is {handoff.state}: only a draft or a returned hand-off "
            "is edited and submitted"
        )
    return handoff


def _receivable(session: Session, user: User, handoff_id: int) -> Handoff:
    handoff = queries.get_visible_handoff(session, user, handoff_id, for_update=True)
    if not queries.may_receive(session, user, handoff):
        raise Forbidden(
            f"only the receiving manager of hand-off #{handoff.id}, the head of their team "
            "or an admin accepts or returns it"
        )
    return handoff


def _transition(handoff: Handoff, action: Action) -> HandoffState:
    target = rules.next_state(handoff.state, action)
    if target is None:
        done = {Action.SUBMIT: "submitted", Action.ACCEPT: "accepted", Action.RETURN: "returned"}
        raise Conflict(f"hand-off #{handoff.id} is {handoff.state}: it cannot be {done[action]}")
    return target


def _event(
    session: Session, handoff: Handoff, actor: User | None, before: str | None,
    after: HandoffState, reason: str | None,
) -> None:
    session.add(HandoffEvent(
        handoff_id=handoff.id, at=utcnow(), by_id=actor.id if actor else None,
        from_state=before, to_state=after.value, reason=reason,
    ))


def _audit_transition(
    session: Session, user: User, handoff: Handoff, before: str, action: str,
    extra: dict[str, Any],
) -> None:
    session.flush()
    audit.record(
        session, user, action, "handoff", handoff.id, account_id=handoff.account_id,
        before={"state": before}, after={"state": handoff.state, **extra},
    )


def _activate(session: Session, user: User, handoff: Handoff) -> None:
    account = session.get(Account, handoff.account_id, with_for_update=True)
    assert account is not None
    if account.status == AccountStatus.ACTIVE:
        return
    before = account.status
    account.status = AccountStatus.ACTIVE.value
    account.updated_at = utcnow()
    session.flush()
    audit.record(
        session, user, "update", "account", account.id,
        before={"status": before}, after={"status": account.status},
        note=f"accepted hand-off #{handoff.id}",
    )


def _join_team(session: Session, account: Account, user_id: int) -> None:
    """The author of an open hand-off is on the account team until it is accepted."""
    if account.manager_id == user_id:
        return
    member = session.get(AccountMember, (account.id, user_id))
    if member is None:
        session.add(AccountMember(account_id=account.id, user_id=user_id, role=AUTHOR_ROLE))


def _leave_team(session: Session, account_id: int, user_id: int) -> None:
    session.execute(delete(AccountMember).where(
        AccountMember.account_id == account_id,
        AccountMember.user_id == user_id,
        AccountMember.role == AUTHOR_ROLE,
    ))


def _evidence_problems(session: Session, account_id: int, data: ItemAnswer) -> list[FieldProblem]:
    out = []
    if data.kind is AnswerKind.CONTACT and data.contact_id is not None:
        linked = session.scalar(select(AccountContact.contact_id).where(
            AccountContact.account_id == account_id, AccountContact.contact_id == data.contact_id
        ))
        if linked is None:
            out.append(FieldProblem("contact_id", f"no contact {data.contact_id} at this account"))
    if data.kind is AnswerKind.INTERACTION and data.interaction_id is not None:
        found = session.scalar(select(Interaction.id).where(
            Interaction.id == data.interaction_id, Interaction.account_id == account_id
        ))
        if found is None:
            out.append(FieldProblem(
                "interaction_id", f"no interaction {data.interaction_id} at this account"
            ))
    return out


def _answer_of(item: HandoffItem) -> dict[str, Any]:
    return {
        "answer_kind": item.answer_kind, "text": item.answer, "contact_id": item.contact_id,
        "interaction_id": item.interaction_id, "reason": item.na_reason,
    }
