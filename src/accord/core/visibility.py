"""Who may see and change which account. Enforced in the services, so every front door obeys.

- admin, billing and viewer see every account; viewer and billing change none;
- a head sees the accounts managed by anyone in the teams they head, plus their own;
- a manager or sales rep sees the accounts they are responsible for or a team member of.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true, union, union_all
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


def visible_accounts(user: User, column: Any = Account.id) -> ColumnElement[bool]:
    """A WHERE clause over ``Account`` selecting what ``user`` may see; ``column``: the id
    column of another alias of ``Account`` (a parent, joined)."""
    role = Role(user.role)
    if not user.is_active:
        return false()
    if role in SEES_EVERYTHING:
        return true()
    return column.in_(visible_account_ids(user))


#: beyond this many accounts a user is a team member of, lists test membership by subquery
MEMBER_IDS_INLINE = 1000


def visible_parts(session: Session, user: User) -> list[ColumnElement[bool]]:
    """The rule of ``visible_accounts`` as conditions, any one of which shows an account;
    shaped for lists and counts over many accounts. ``[]``: none; ``[true()]``: all.

    The few ids it depends on (the managers whose accounts ``user`` sees: themself, plus the
    members of the teams they head; the accounts they are a team member of) are read first
    and written into the conditions, so that the planner knows how many they are and drives
    the query from the indexes on ``manager_id`` and ``id`` (PostgreSQL: a bitmap OR,
    combined with the search's trigram index; SQLite: a multi-index OR) instead of testing
    every account against a subquery.
    """
    if not user.is_active:
        return []
    if Role(user.role) in SEES_EVERYTHING:
        return [true()]
    parts = [select(User.id.label("id"), true().label("manages")).where(User.id == user.id)]
    if Role(user.role) is Role.HEAD:
        parts.append(
            select(User.id.label("id"), true().label("manages"))
            .join(Team, User.team_id == Team.id)
            .where(Team.head_id == user.id)
        )
    parts.append(
        select(AccountMember.account_id.label("id"), false().label("manages"))
        .where(AccountMember.user_id == user.id)
        .limit(MEMBER_IDS_INLINE + 1)
        .subquery()
        .select()
    )
    rows = session.execute(union_all(*parts)).all()
    manager_ids = sorted({i for i, manages in rows if manages})
    member_ids = sorted({i for i, manages in rows if not manages})
    managed = Account.manager_id.in_(manager_ids)
    if not member_ids:
        return [managed]
    if len(member_ids) > MEMBER_IDS_INLINE:
        return [
            managed,
            Account.id.in_(
                select(AccountMember.account_id).where(AccountMember.user_id == user.id)
            ),
        ]
    return [managed, Account.id.in_(member_ids)]


def visible_filter(session: Session, user: User) -> ColumnElement[bool]:
    """``visible_parts`` as one WHERE condition over ``Account``."""
    parts = visible_parts(session, user)
    return or_(*parts) if parts else false()


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
