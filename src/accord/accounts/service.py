"""Use cases for accounts: list, read, create, edit, members. One transaction per call site."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, text, union_all
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account, AccountMember
from accord.accounts.schemas import AccountIn, AccountOut, AccountPage, AccountPatch
from accord.accounts.search import name_key, search_condition
from accord.core import audit
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import SEES_EVERYTHING, Role, User
from accord.core.money import from_cents, to_cents
from accord.core.visibility import (
    get_visible_account,
    get_writable_account,
    require_role,
    require_writer,
    visible_accounts,
    visible_filter,
    visible_parts,
)

#: sort key -> (the columns it reads besides the id, the ORDER BY over ``c``: ``Account``
#: or a selection of those columns); every order ends on the id, so that pages never share
#: or skip an account
SORTS: dict[str, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {
    "name": (("name_key",), lambda c: (c.name_key, c.id)),
    "-name": (("name_key",), lambda c: (c.name_key.desc(), c.id.desc())),
    "status": (("status", "name_key"), lambda c: (c.status, c.name_key, c.id)),
    "segment": (("segment", "name_key"), lambda c: (c.segment, c.name_key, c.id)),
    "last_touch": (("last_touch_on",), lambda c: (c.last_touch_on.asc().nulls_first(), c.id)),
    "-last_touch": (("last_touch_on",), lambda c: (c.last_touch_on.desc().nulls_last(), c.id)),
    "created": (("created_at",), lambda c: (c.created_at, c.id)),
    "-created": (("created_at",), lambda c: (c.created_at.desc(), c.id.desc())),
}
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class AccountFilter:
    q: str | None = None
    status: str | None = None
    segment: str | None = None
    kind: str | None = None
    manager_id: int | None = None
    parent_id: int | None = None


def _manager_alias() -> Any:
    return aliased(User, name="manager")


def _out(account: Account, manager: User | None, parent_name: str | None = None) -> AccountOut:
    return AccountOut(
        id=account.id,
        external_id=account.external_id,
        kind=account.kind,
        name=account.name,
        parent_id=account.parent_id,
        parent_name=parent_name,
        segment=account.segment,
        business_line=account.business_line,
        size_band=account.size_band,
        status=account.status,
        manager_id=account.manager_id,
        manager_email=manager.email if manager else None,
        manager_name=manager.name if manager else None,
        country=account.country,
        industry=account.industry,
        estimated_spend=(
            from_cents(account.estimated_spend_cents)
            if account.estimated_spend_cents is not None
            else None
        ),
        estimated_spend_source=account.estimated_spend_source,
        notes=account.notes,
        last_touch_on=account.last_touch_on,
        created_at=account.created_at,
        updated_at=account.updated_at,
    )


def _conditions(flt: AccountFilter) -> list[ColumnElement[bool]]:
    """WHERE conditions over ``Account`` from the user's filters (visibility is apart)."""
    conditions: list[ColumnElement[bool]] = []
    if flt.q:
        conditions.append(search_condition(flt.q))
    if flt.status:
        conditions.append(Account.status == flt.status)
    if flt.segment:
        conditions.append(Account.segment == flt.segment)
    if flt.kind:
        conditions.append(Account.kind == flt.kind)
    if flt.manager_id is not None:
        conditions.append(Account.manager_id == flt.manager_id)
    if flt.parent_id is not None:
        conditions.append(Account.parent_id == flt.parent_id)
    return conditions


def _plan_for_the_values(session: Session) -> None:
    """PostgreSQL: plan this transaction's statements for the values they are given.

    psycopg prepares a statement once a connection has run it five times, and PostgreSQL
    may then keep one generic plan for every search term and every user; such a plan cannot
    tell a rare needle from a two-letter one (which the trigram index cannot narrow) nor a
    manager's few ids from a head's many, and was measured 3 to 6 times slower.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def list_accounts(
    session: Session,
    user: User,
    flt: AccountFilter | None = None,
    *,
    sort: str = "name",
    page: int = 1,
    page_size: int = 50,
) -> AccountPage:
    """One page of the accounts ``user`` may see and their total.

    The page's ids are chosen on narrow indexes first, then only those rows are read (with
    their manager). The total is a second, count-only query, skipped when the page itself
    shows it (a short page is the last one): a search that matches few accounts, which is
    the one that scans furthest, is then answered in one pass instead of two.
    """
    flt = flt or AccountFilter()
    if sort not in SORTS:
        raise ValidationFailed([FieldProblem("sort", f"one of {', '.join(SORTS)}")])
    if page < 1:
        raise ValidationFailed([FieldProblem("page", "must be 1 or more")])
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed([FieldProblem("page_size", f"between 1 and {MAX_PAGE_SIZE}")])
    _plan_for_the_values(session)
    conditions = [visible_filter(session, user), *_conditions(flt)]
    offset = (page - 1) * page_size
    columns, order = SORTS[sort]
    if user.is_active and Role(user.role) in SEES_EVERYTHING:
        chosen = select(Account.id).where(*conditions).order_by(*order(Account))
    else:
        # Someone who sees a small part of the accounts: gather that part first (from the
        # manager and id indexes), then sort it. Left free, PostgreSQL may walk the whole
        # name index hoping to meet a page of them early (measured 50 ms instead of 7).
        mine = (
            select(Account.id, *(getattr(Account, c) for c in columns))
            .where(*conditions)
            .cte("mine")
            .prefix_with("MATERIALIZED")
        )
        chosen = select(mine.c.id).order_by(*order(mine.c))
    page_ids = chosen.limit(page_size).offset(offset).subquery("chosen")
    manager = _manager_alias()
    rows = session.execute(
        select(Account, manager)
        .join(page_ids, page_ids.c.id == Account.id)
        .outerjoin(manager, manager.id == Account.manager_id)
        .order_by(*order(Account))
    ).all()
    if len(rows) < page_size and (rows or page == 1):
        total = offset + len(rows)
    else:
        total = session.scalar(select(func.count(Account.id)).where(*conditions)) or 0
    return AccountPage(
        items=[_out(a, m) for a, m in rows],
        total=total,
        page=page,
        page_size=page_size,
        pages=max(1, math.ceil(total / page_size)),
    )


def iter_visible_accounts(session: Session, user: User, flt: AccountFilter | None = None) -> Any:
    """Every visible account in name order, streamed (for exports)."""
    manager = _manager_alias()
    result = session.execute(
        select(Account, manager)
        .outerjoin(manager, manager.id == Account.manager_id)
        .where(visible_accounts(user), *_conditions(flt or AccountFilter()))
        .order_by(Account.name_key, Account.id)
        .execution_options(yield_per=2000)
    )
    for account, mgr in result:
        yield _out(account, mgr)


def get_account(session: Session, user: User, account_id: int) -> AccountOut:
    account = get_visible_account(session, user, account_id)
    manager = session.get(User, account.manager_id) if account.manager_id else None
    parent = session.get(Account, account.parent_id) if account.parent_id else None
    return _out(account, manager, parent.name if parent else None)


def snapshot(account: Account) -> dict[str, Any]:
    return {
        "external_id": account.external_id,
        "kind": account.kind,
        "name": account.name,
        "parent_id": account.parent_id,
        "segment": account.segment,
        "business_line": account.business_line,
        "size_band": account.size_band,
        "status": account.status,
        "manager_id": account.manager_id,
        "country": account.country,
        "industry": account.industry,
        "estimated_spend_cents": account.estimated_spend_cents,
        "estimated_spend_source": account.estimated_spend_source,
        "notes": account.notes,
    }


def _check_references(
    session: Session, user: User, values: dict[str, Any], account_id: int | None
) -> None:
    problems: list[FieldProblem] = []
    manager_id = values.get("manager_id")
    if manager_id is not None:
        manager = session.get(User, manager_id)
        if manager is None or not manager.is_active:
            problems.append(FieldProblem("manager_id", f"no active user {manager_id}"))
        elif manager.role not in (Role.MANAGER, Role.HEAD, Role.ADMIN, Role.SALES):
            problems.append(FieldProblem("manager_id", f"{manager.email} cannot manage accounts"))
    parent_id = values.get("parent_id")
    if parent_id is not None:
        if parent_id == account_id:
            problems.append(FieldProblem("parent_id", "an account cannot be its own parent"))
        elif (
            session.scalar(
                select(Account.id).where(Account.id == parent_id, visible_accounts(user))
            )
            is None
        ):
            problems.append(FieldProblem("parent_id", f"no account {parent_id}"))
        elif account_id is not None and _would_cycle(session, account_id, parent_id):
            problems.append(FieldProblem("parent_id", "this parent would make a cycle"))
    external_id = values.get("external_id")
    if external_id:
        clash = session.scalar(select(Account.id).where(Account.external_id == external_id))
        if clash is not None and clash != account_id:
            problems.append(FieldProblem("external_id", f"already used by account {clash}"))
    if problems:
        raise ValidationFailed(problems)


def _would_cycle(session: Session, account_id: int, parent_id: int) -> bool:
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == account_id:
            return True
        seen.add(current)
        current = session.scalar(select(Account.parent_id).where(Account.id == current))
    return False


def _apply(account: Account, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key == "estimated_spend":
            account.estimated_spend_cents = None if value is None else to_cents(value)
        elif hasattr(value, "value"):
            setattr(account, key, value.value)
        else:
            setattr(account, key, value)
    account.name_key = name_key(account.name)


def create_account(session: Session, user: User, data: AccountIn) -> AccountOut:
    require_writer(user)
    values = data.model_dump()
    if values.get("manager_id") is None and Role(user.role) in (Role.MANAGER, Role.SALES):
        values["manager_id"] = user.id  # a manager's new account is their own
    _check_references(session, user, values, None)
    now = utcnow()
    account = Account(created_at=now, updated_at=now)
    _apply(account, values)
    session.add(account)
    session.flush()
    audit.record(session, user, "create", "account", account.id, after=snapshot(account))
    return get_account(session, user, account.id)


def update_account(
    session: Session, user: User, account_id: int, patch: AccountPatch
) -> AccountOut:
    account = get_writable_account(session, user, account_id)
    values = patch.model_dump(exclude_unset=True)
    if "name" in values and values["name"] is None:
        raise ValidationFailed([FieldProblem("name", "cannot be empty")])
    for key in ("kind", "status"):
        if key in values and values[key] is None:
            raise ValidationFailed([FieldProblem(key, "cannot be empty")])
    _check_references(session, user, values, account.id)
    before = snapshot(account)
    _apply(account, values)
    after = snapshot(account)
    old, new = audit.changed_fields(before, after)
    if new:
        account.updated_at = utcnow()
        session.flush()
        audit.record(session, user, "update", "account", account.id, before=old, after=new)
    return get_account(session, user, account.id)


def delete_account(session: Session, user: User, account_id: int) -> None:
    account = get_visible_account(session, user, account_id)
    require_role(user, Role.ADMIN)
    if session.scalar(select(Account.id).where(Account.parent_id == account.id).limit(1)):
        raise Conflict("this account has child accounts; move or delete them first")
    before = snapshot(account)
    session.delete(account)
    session.flush()
    audit.record(session, user, "delete", "account", account_id, before=before)


def list_members(session: Session, user: User, account_id: int) -> list[User]:
    get_visible_account(session, user, account_id)
    return list(
        session.scalars(
            select(User)
            .join(AccountMember, AccountMember.user_id == User.id)
            .where(AccountMember.account_id == account_id)
            .order_by(User.name)
        )
    )


def set_members(session: Session, user: User, account_id: int, user_ids: list[int]) -> list[User]:
    get_writable_account(session, user, account_id)
    wanted = sorted(set(user_ids))
    found = set(session.scalars(select(User.id).where(User.id.in_(wanted), User.is_active)))
    missing = [u for u in wanted if u not in found]
    if missing:
        raise ValidationFailed([FieldProblem("user_ids", f"no active users {missing}")])
    before = sorted(
        session.scalars(select(AccountMember.user_id).where(AccountMember.account_id == account_id))
    )
    session.execute(delete(AccountMember).where(AccountMember.account_id == account_id))
    for uid in wanted:
        session.add(AccountMember(account_id=account_id, user_id=uid, role="member"))
    session.flush()
    if before != wanted:
        audit.record(
            session,
            user,
            "update",
            "account_members",
            account_id,
            before={"user_ids": before},
            after={"user_ids": wanted},
        )
    # not list_members: a teammate who removed themself may no longer see the account
    return list(
        session.scalars(select(User).where(User.id.in_(wanted)).order_by(User.name))
    )


def distinct_segments(session: Session, user: User) -> list[str]:
    """The segments of the accounts ``user`` sees (for filter choices).

    For someone who sees every account, the segment index is walked from one segment to
    the next (a recursive query: a few index probes) rather than read whole; for others,
    each part of what they see is read apart, from the (manager_id, segment) or primary
    index (their union in one condition would make SQLite scan).
    """
    if not (user.is_active and Role(user.role) in SEES_EVERYTHING):
        parts = visible_parts(session, user)
        if not parts:
            return []
        # (manager, segment) pairs: the order of the (manager_id, segment) index, which
        # SQLite then reads by skipping from one pair to the next
        each = [
            select(Account.manager_id, Account.segment)
            .distinct()
            .where(part, Account.segment.is_not(None))
            for part in parts
        ]
        query = union_all(*each) if len(each) > 1 else each[0]
        return sorted({segment for _, segment in session.execute(query) if segment})
    walk = (
        select(func.min(Account.segment).label("segment"))
        .where(Account.segment.is_not(None))
        .cte("walk", recursive=True)
    )
    following = aliased(Account, name="following")
    walk = walk.union_all(
        select(
            select(func.min(following.segment))
            .where(following.segment > walk.c.segment)
            .scalar_subquery()
        ).where(walk.c.segment.is_not(None))
    )
    return sorted(
        s for s in session.scalars(select(walk.c.segment).where(walk.c.segment.is_not(None))) if s
    )


def assignable_managers(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.is_active, User.role.in_([Role.MANAGER, Role.HEAD, Role.SALES, Role.ADMIN]))
            .order_by(User.name)
        )
    )


def find_account_by_external_id(session: Session, user: User, external_id: str) -> AccountOut:
    account_id = session.scalar(
        select(Account.id).where(Account.external_id == external_id, visible_accounts(user))
    )
    if account_id is None:
        raise NotFound(f"no account with external id {external_id!r}")
    return get_account(session, user, account_id)
