"""Who may see and change which account: the one definition. Enforced in the services, so
every front door obeys.

- an active admin, billing or viewer sees every account (``sees_everything``); viewer and
  billing change none;
- an active head sees the accounts managed by anyone in the teams they head, plus what a
  manager sees;
- an active manager or sales rep sees the accounts they are responsible for or a team
  member of;
- a specialist sees no account: only the briefs addressed to their departments, with the
  account's name (``accord.agency.access``; department membership adds that to any role);
- a deactivated user sees nothing.

The rule in its forms, side by side (``tests/test_visibility_rule.py`` holds them equal on
SQLite and PostgreSQL):

- ``sees_account``: one account row, in plain Python (the reference);
- ``visible_accounts`` (and ``visible_account_ids``): a WHERE condition over ``Account``;
- ``visible_parts`` / ``visible_filter``: the same for lists and counts over many accounts,
  with the few ids it depends on read first;
- ``visible_row``: the same as a test of one joined row, for queries driven by other rows.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountMember
from accord.core import read_cache
from accord.core.errors import Forbidden, NotFound
from accord.core.models import Role, Team, User
from accord.core.schemas import MAX_ID

T = TypeVar("T")

#: Roles that see every account (while active).
SEES_EVERYTHING = frozenset({Role.ADMIN, Role.BILLING, Role.VIEWER})
#: Roles that may never change an account, whatever they see.
READ_ONLY = frozenset({Role.VIEWER, Role.BILLING, Role.SPECIALIST})
#: Roles that see no account at all (their work reaches them another way: briefs)
SEES_NOTHING = frozenset({Role.SPECIALIST})


def sees_everything(user: User) -> bool:
    """True when ``user`` sees every account: active, and admin, billing or viewer."""
    return bool(user.is_active) and Role(user.role) in SEES_EVERYTHING


def sees_account(
    user: User, *, manager_id: int | None, member_ids: Collection[int],
    manager_team_head_id: int | None,
) -> bool:
    """The rule for one account: its manager's id, the ids of its account team's members,
    and the head of the team its manager belongs to (None: no manager, no team or no head)."""
    if not user.is_active:
        return False
    if Role(user.role) in SEES_EVERYTHING:
        return True
    if user.id is None or Role(user.role) in SEES_NOTHING:
        return False
    if manager_id == user.id or user.id in member_ids:
        return True
    return Role(user.role) is Role.HEAD and manager_team_head_id == user.id


# ---------------------------------------------------------------- in SQL


def headed_team_members(user: User) -> Select[Any]:
    """The ids of the users in the teams ``user`` heads (whose accounts a head sees)."""
    return select(User.id).join(Team, User.team_id == Team.id).where(Team.head_id == user.id)


def visible_account_ids(user: User) -> Select[tuple[int]]:
    """The ids of the accounts ``user`` may see, as index-friendly UNION of small sets.

    Only meaningful for an active user who does not see everything.
    """
    own = select(Account.id).where(Account.manager_id == user.id)
    member = select(AccountMember.account_id).where(AccountMember.user_id == user.id)
    parts = [own, member]
    if Role(user.role) is Role.HEAD:
        parts.append(select(Account.id).where(Account.manager_id.in_(headed_team_members(user))))
    return union(*parts)  # type: ignore[return-value]


def visible_accounts(user: User, column: Any = Account.id) -> ColumnElement[bool]:
    """A WHERE clause over ``Account`` selecting what ``user`` may see; ``column``: the id
    column of another alias of ``Account`` (a parent, joined)."""
    if not user.is_active or Role(user.role) in SEES_NOTHING:
        return false()
    if sees_everything(user):
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
    if not user.is_active or Role(user.role) in SEES_NOTHING:
        return []
    if sees_everything(user):
        return [true()]
    parts = [select(User.id.label("id"), true().label("manages")).where(User.id == user.id)]
    if Role(user.role) is Role.HEAD:
        parts.append(
            headed_team_members(user).with_only_columns(
                User.id.label("id"), true().label("manages")
            )
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


def visible_row(user: User, row_id: Any) -> Any:
    """The rule as a test of one joined account row (``row_id``: the account id of the row
    driving the query, joined to ``Account``).

    ``visible_accounts(user)`` is an ``id IN (UNION …)``: right for lists driven by accounts,
    but for a query driven by other rows (decisions, the matrix) a head who sees 100,000
    accounts would build all of them to keep a few thousand rows. Here the rule is evaluated
    per row inside a CASE, which the planners do not turn back into a set.
    """
    if not user.is_active or Role(user.role) in SEES_NOTHING:
        return false()
    if sees_everything(user):
        return true()
    members = select(AccountMember.account_id).where(AccountMember.user_id == user.id)
    own = or_(Account.manager_id == user.id, Account.id.in_(members))
    if Role(user.role) is Role.HEAD:
        own = or_(own, Account.manager_id.in_(headed_team_members(user)))
    # mentioning the row's id keeps the test after the join, on its few rows
    return case((and_(row_id == Account.id, own), 1), else_=0) == 1


# ---------------------------------------------------------------- changing and fetching


def can_write(user: User) -> bool:
    """True when ``user`` may change the accounts they see (not viewer or billing)."""
    return bool(user.is_active) and Role(user.role) not in READ_ONLY


def require_writer(user: User) -> None:
    if not can_write(user):
        raise Forbidden(f"the {user.role} role may read accounts but not change them")


def get_visible_account(session: Session, user: User, account_id: int) -> Account:
    """The account if ``user`` may see it; otherwise NotFound (an outsider learns nothing).
    Asked once per reader's transaction (``core.read_cache``: every panel of a page asks)."""
    account = read_cache.remembered(
        session, ("visible account", user.id, user.role, account_id),
        lambda: session.scalar(
            select(Account).where(Account.id == account_id, visible_accounts(user))))
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account


def get_visible_row(session: Session, user: User, model: type[T], row_id: int,
                    name: str) -> T:
    """The row ``row_id`` of ``model`` (a table with an ``account_id``: a follow-up, an
    event, an opportunity) if ``user`` sees its account; otherwise NotFound ``no <name>
    <id>``, the same for a missing row and one out of reach (an outsider learns nothing)."""
    if not 1 <= row_id <= MAX_ID:
        raise NotFound(f"no {name} {row_id}")
    table: Any = model
    row = session.scalar(
        select(table).join(Account, Account.id == table.account_id)
        .where(table.id == row_id, visible_accounts(user)))
    if row is None:
        raise NotFound(f"no {name} {row_id}")
    return cast(T, row)


def get_writable_account(session: Session, user: User, account_id: int) -> Account:
    account = get_visible_account(session, user, account_id)
    require_writer(user)
    return account
