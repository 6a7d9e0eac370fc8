"""Who may see and change which account. Enforced in the services, so every front door obeys.

- admin, billing and viewer see every account; viewer and billing change none;
- a head sees the accounts managed by anyone in the teams they head, plus their own;
- a manager or sales rep sees the accounts they are responsible for or a team member of.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select, true, union
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountMember
from accord.core.errors import Forbidden, NotFound
from accord.core.models import READ_ONLY, SEES_EVERYTHING, Role, Team, User


def visible_account_ids(user: User) -> Select[tuple[int]]:
    """The ids of the accounts ``user`` may see, as index-friendly UNION of small sets.

    Only meaningful for roles that do not see everything.
    """
    own = select(Account.id).where(Account.manager_id == user.id)
    member = select(AccountMember.account_id).where(AccountMember.user_id == user.id)
    parts = [own, member]
    if Role(user.role) is Role.HEAD:
        team_managers = (
            select(User.id).join(Team, User.team_id == Team.id).where(Team.head_id == user.id)
        )
        parts.append(select(Account.id).where(Account.manager_id.in_(team_managers)))
    return union(*parts)  # type: ignore[return-value]


def visible_accounts(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Account`` selecting what ``user`` may see."""
    role = Role(user.role)
    if not user.is_active:
        return false()
    if role in SEES_EVERYTHING:
        return true()
    return Account.id.in_(visible_account_ids(user))


def can_write(user: User) -> bool:
    return user.is_active and Role(user.role) not in READ_ONLY


def require_writer(user: User) -> None:
    if not can_write(user):
        raise Forbidden(f"the {user.role} role may read accounts but not change them")


def get_visible_account(session: Session, user: User, account_id: int) -> Account:
    """The account if ``user`` may see it; otherwise NotFound (an outsider learns nothing)."""
    account = session.scalar(
        select(Account).where(Account.id == account_id, visible_accounts(user))
    )
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account


def get_writable_account(session: Session, user: User, account_id: int) -> Account:
    account = get_visible_account(session, user, account_id)
    require_writer(user)
    return account


def require_role(user: User, *roles: Role) -> None:
    if Role(user.role) not in roles:
        raise Forbidden("this needs the role " + " or ".join(r.value for r in roles))
