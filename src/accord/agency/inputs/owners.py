"""Who may own a client input request — chase it, receive its follow-ups — and whom the
chases and escalations go to. One rule for the request's owner (``service``) and for the
chase job (``chasing``):

- ``may_own``: an active user who sees the account and may change it (not a viewer, billing
  or specialist: they could not act on a chase);
- ``chaser``: the request's owner when they may own it, else the account's manager when they
  may, else ``head_for`` the manager;
- ``head_for``: the active head of the team of the account's manager; without one, the
  first active admin (escalations go there too).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account
from accord.accounts.visibility import can_write, sees_everything, visible_accounts
from accord.core.models import Role, Team, User


def may_own(session: Session, user: User | None, account_id: int) -> bool:
    """True when ``user`` is active, sees the account and may change it."""
    if user is None or not user.is_active or not can_write(user):
        return False
    if sees_everything(user):
        return True
    return session.scalar(select(Account.id).where(Account.id == account_id,
                                                   visible_accounts(user))) is not None


def head_for(session: Session, manager_id: int | None) -> User | None:
    """Whom an escalation goes to: the (active) head of the team of the account's manager;
    without one, the first active admin."""
    if manager_id is not None:
        manager = aliased(User)
        head = session.scalar(
            select(User).join(Team, Team.head_id == User.id)
            .join(manager, manager.team_id == Team.id)
            .where(manager.id == manager_id, User.is_active.is_(True),
                   User.role.in_((Role.HEAD.value, Role.ADMIN.value))).limit(1))
        if head is not None:
            return head
    return session.scalar(select(User).where(User.role == Role.ADMIN.value,
                                             User.is_active.is_(True))
                          .order_by(User.id).limit(1))


def chaser(session: Session, account_id: int, *, owner: User | None, manager: User | None,
           manager_id: int | None) -> User | None:
    """Whom a chase of a request on this account goes to: ``owner`` (the request's),
    ``manager`` (the account's, ``manager_id``) or the head (see the module)."""
    for candidate in (owner, manager):
        if candidate is not None and may_own(session, candidate, account_id):
            return candidate
    return head_for(session, manager_id)
