"""Account lists and search: pages of the accounts a user sees, filtered and sorted.

The search ``q`` is a substring of the name in any case, or the exact external id. The name
is matched on ``name_key`` (the name lowered by Python, kept by every writer) with
``LIKE '%needle%'``, the needle lowered the same way, so both databases agree on case,
accents and odd characters:

- ``%``, ``_`` and ``/`` in the needle are escaped (``ESCAPE '/'``): they match themselves;
- PostgreSQL answers from a trigram GIN index on ``name_key`` (pg_trgm, migration 0004) for
  needles of 3 characters or more, and scans for shorter ones;
- SQLite has no trigram index: it scans a narrow index holding ``name_key`` (about 10 ms for
  100,000 accounts), never the wide table rows, because the condition reads only
  ``name_key`` and ``id``: the external id is looked up once, as a scalar subquery on its
  unique index, rather than compared row by row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, text, union_all
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account
from accord.accounts.schemas import AccountOut, AccountPage
from accord.accounts.visibility import (
    sees_everything,
    visible_accounts,
    visible_filter,
    visible_parts,
)
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.money import from_cents

#: the LIKE escape character (not backslash: PostgreSQL and SQLite treat it differently)
ESCAPE = "/"


def name_key(name: str) -> str:
    """What ``Account.name_key`` holds for ``name`` (and what a search needle is lowered to)."""
    return name.lower()


def _clean(q: str) -> str:
    # NUL can be in no stored text (PostgreSQL refuses it) and would fail the query there
    return q.replace("\x00", "").strip()


def like_pattern(q: str) -> str:
    """``%needle%`` for ``LIKE ... ESCAPE '/'``: the needle's wildcards match themselves."""
    needle = name_key(_clean(q))
    for char in (ESCAPE, "%", "_"):
        needle = needle.replace(char, ESCAPE + char)
    return f"%{needle}%"


def search_condition(q: str) -> ColumnElement[bool]:
    """WHERE condition over ``Account``: the name contains ``q`` (any case) or the external
    id is exactly ``q`` (both stripped of surrounding blanks)."""
    other = aliased(Account, name="by_external_id")
    by_external_id = select(other.id).where(other.external_id == _clean(q)).scalar_subquery()
    return or_(
        Account.name_key.like(like_pattern(q), escape=ESCAPE),
        Account.id == by_external_id,
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


def manager_alias() -> Any:
    return aliased(User, name="manager")


def account_out(
    account: Account,
    manager: User | None,
    parent_name: str | None = None,
    *,
    parent_hidden: bool = False,
) -> AccountOut:
    """``parent_hidden``: the parent is out of the caller's reach, so nothing of it is shown
    (neither its id nor its name), only that there is one."""
    return AccountOut(
        id=account.id,
        external_id=account.external_id,
        kind=account.kind,
        name=account.name,
        parent_id=None if parent_hidden else account.parent_id,
        parent_name=None if parent_hidden else parent_name,
        parent_hidden=parent_hidden,
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
        contract_end_on=account.contract_end_on,
        notice_days=account.notice_days,
        last_touch_on=account.last_touch_on,
        created_at=account.created_at,
        updated_at=account.updated_at,
        version=account.version,
    )


def filter_conditions(flt: AccountFilter) -> list[ColumnElement[bool]]:
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
    conditions = [visible_filter(session, user), *filter_conditions(flt)]
    offset = (page - 1) * page_size
    columns, order = SORTS[sort]
    if sees_everything(user):
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
    manager = manager_alias()
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
    hidden = unseen_parents(session, user, {a.parent_id for a, _ in rows if a.parent_id})
    return AccountPage(
        items=[account_out(a, m, parent_hidden=a.parent_id in hidden) for a, m in rows],
        total=total,
        page=page,
        page_size=page_size,
        pages=max(1, math.ceil(total / page_size)),
    )


def unseen_parents(session: Session, user: User, parent_ids: set[int]) -> set[int]:
    """Those of ``parent_ids`` that ``user`` may not see (a visible child shows nothing of
    them)."""
    if not parent_ids or sees_everything(user):
        return set()
    seen = session.scalars(
        select(Account.id).where(Account.id.in_(sorted(parent_ids)), visible_accounts(user))
    )
    return parent_ids - set(seen)


def iter_visible_accounts(session: Session, user: User, flt: AccountFilter | None = None) -> Any:
    """Every visible account in name order, streamed (for exports)."""
    manager, parent = manager_alias(), aliased(Account, name="parent")
    result = session.execute(
        select(Account, manager, parent.id)
        .outerjoin(manager, manager.id == Account.manager_id)
        .outerjoin(parent, and_(parent.id == Account.parent_id, visible_parent(user, parent)))
        .where(visible_accounts(user), *filter_conditions(flt or AccountFilter()))
        .order_by(Account.name_key, Account.id)
        .execution_options(yield_per=2000)
    )
    for account, mgr, seen_parent in result:
        hidden = account.parent_id is not None and seen_parent is None
        yield account_out(account, mgr, parent_hidden=hidden)


def visible_parent(user: User, parent: Any) -> ColumnElement[bool]:
    """The rule of ``visible_accounts`` over an alias of ``Account`` (a parent, joined)."""
    return visible_accounts(user, parent.id)


def distinct_segments(session: Session, user: User) -> list[str]:
    """The segments of the accounts ``user`` sees (for filter choices).

    For someone who sees every account, the segment index is walked from one segment to
    the next (a recursive query: a few index probes) rather than read whole; for others,
    each part of what they see is read apart, from the (manager_id, segment) or primary
    index (their union in one condition would make SQLite scan).
    """
    if not sees_everything(user):
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
