"""The hand-offs' listeners on the accounts lifecycle (``accounts.lifecycle``, connected in
``app.wiring``): the gate on ``onboarding`` → ``active``, the draft opened for a company
entering onboarding, and the hand-off between managers when the manager changes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountKind, AccountStatus
from accord.core import audit
from accord.core.models import Role, User
from accord.handoffs import rules
from accord.handoffs.models import Handoff, HandoffEvent
from accord.handoffs.rules import HandoffKind
from accord.handoffs.service import open_handoff

#: roles whose new company is theirs to hand over (they write its draft)
AUTHORING_ROLES = frozenset({Role.SALES, Role.MANAGER})


def _open(session: Session, account_id: int, kind: HandoffKind) -> Handoff | None:
    return session.scalar(
        select(Handoff)
        .where(
            Handoff.account_id == account_id,
            Handoff.kind == kind,
            Handoff.state.in_(rules.OPEN),
        )
        .order_by(Handoff.id.desc())
        .limit(1)
    )


def activation_guard(session: Session, account_id: int) -> str | None:
    """A company in onboarding becomes active only by accepting its hand-off."""
    kind = session.scalar(select(Account.kind).where(Account.id == account_id))
    if kind != AccountKind.COMPANY:
        return None
    handoff = _open(session, account_id, HandoffKind.SALES)
    if handoff is not None:
        return f"accept hand-off #{handoff.id} to make this account active"
    return (
        "a company in onboarding becomes active only by accepting its hand-off; "
        "open a hand-off for this account and have its manager accept it"
    )


def on_company_onboarding(session: Session, user: User, account_id: int) -> None:
    """A company entered onboarding: open its draft hand-off from sales unless one is open.
    A sales user or a manager writes it; opened by anyone else (an admin's import), it has
    no author and its receiving manager writes it."""
    account = session.get(Account, account_id)
    if account is None or account.kind != AccountKind.COMPANY:
        return
    if account.status != AccountStatus.ONBOARDING:
        return
    if _open(session, account_id, HandoffKind.SALES) is not None:
        return
    author = user.id if Role(user.role) in AUTHORING_ROLES and user.is_active else None
    open_handoff(
        session, user, account, HandoffKind.SALES, author_id=author,
        receiver_id=account.manager_id, reason="the account entered onboarding",
    )


def on_manager_changed(
    session: Session,
    user: User,
    account_id: int,
    old_manager_id: int | None,
    new_manager_id: int | None,
) -> None:
    """An open hand-off follows the account to its new manager; otherwise the leaving
    manager hands the account over to the new one (a company with both)."""
    account = session.get(Account, account_id)
    if account is None or account.kind != AccountKind.COMPANY:
        return
    for kind in (HandoffKind.SALES, HandoffKind.MANAGER):
        handoff = _open(session, account_id, kind)
        if handoff is not None:
            _retarget(session, user, handoff, new_manager_id)
            return
    if old_manager_id is None or new_manager_id is None or old_manager_id == new_manager_id:
        return
    open_handoff(
        session, user, account, HandoffKind.MANAGER, author_id=old_manager_id,
        receiver_id=new_manager_id, from_manager_id=old_manager_id,
        reason="the account's manager changed",
    )


def _retarget(session: Session, user: User, handoff: Handoff, receiver_id: int | None) -> None:
    if handoff.receiver_id == receiver_id:
        return
    before = handoff.receiver_id
    handoff.receiver_id = receiver_id
    session.add(HandoffEvent(
        handoff_id=handoff.id, by_id=user.id, from_state=handoff.state, to_state=handoff.state,
        reason="the account's manager changed: the hand-off goes to the new manager",
    ))
    session.flush()
    audit.record(
        session, user, "update", "handoff", handoff.id, account_id=handoff.account_id,
        before={"receiver_id": before}, after={"receiver_id": receiver_id},
    )
