"""The Plans list: one page of the current plans a user sees, with each plan's completeness,
last review and staleness, overdue actions and objectives with their progress; filtered by
manager, tier, segment, staleness and overdue actions, sorted, paginated, in the database.

A page is a constant number of statements whatever the number of plans: the visibility ids
(``accounts.visibility.visible_parts``), the plans policy, the selection policy (tiers), the
count, the page's plan ids (only what the filters and the sort need), the page's rows, their
objectives, and the tied metrics of the page's accounts (``plans.metrics``).

Its SQL (completeness, staleness, overdue actions: twins of ``plans.rules``) is in
``plans.list_queries``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accord.accounts import service as accounts_service
from accord.accounts.models import Account
from accord.accounts.visibility import visible_parts
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.schemas import MAX_ID
from accord.plans import contributions, metrics, rules
from accord.plans.list_queries import (
    SCALE,
    completeness_facts,
    overdue_counts,
    overdue_plans,
    stale_sql,
)
from accord.plans.list_queries import (
    plan_completeness_sql as plan_completeness_sql,  # used by plans.targets.actuals
)
from accord.plans.models import AccountPlan, ObjectiveUpdate, PlanObjective
from accord.plans.settings import plans_policy
from accord.selection.queries import placed
from accord.selection.rules import NOT_KEY, TIERS
from accord.selection.settings import selection_policy

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000
SORT_KEYS = ("account", "manager", "completeness", "reviewed", "overdue", "starts")
SORTS = (*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS))


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class PlanFilter:
    manager_id: int | None = None
    tier: str | None = None
    segment: str | None = None
    stale: bool | None = None
    overdue: bool | None = None

    def problems(self) -> list[FieldProblem]:
        if self.tier is not None and self.tier not in TIERS:
            return [FieldProblem("tier", f"one of {', '.join(TIERS)}")]
        return []


@dataclass
class ObjectiveLine:
    id: int
    title: str
    metric: str
    baseline: Decimal | None
    target: Decimal | None
    current: Decimal | None
    progress: Decimal | None
    due_on: date | None


@dataclass
class PlanLine:
    plan_id: int
    account_id: int
    account_name: str
    manager_id: int | None
    manager: str | None  # e-mail
    segment: str | None
    tier: str
    horizon_months: int
    starts_on: date
    ends_on: date
    last_reviewed_on: date | None
    stale: bool
    completeness: Decimal
    overdue_actions: int
    objectives: list[ObjectiveLine] = field(default_factory=list)


@dataclass
class PlanPage:
    items: list[PlanLine]
    total: int
    page: int
    page_size: int
    sort: str
    filters: PlanFilter
    review_interval_days: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def _check(filters: PlanFilter, sort: str, page: int, page_size: int) -> None:
    problems = filters.problems()
    if sort not in SORTS:
        problems.append(FieldProblem("sort", f"one of {', '.join(SORTS)}"))
    if not 1 <= page <= MAX_PAGE:
        problems.append(FieldProblem("page", f"between 1 and {MAX_PAGE}"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"between 1 and {MAX_PAGE_SIZE}"))
    if problems:
        raise ValidationFailed(problems)


def review_interval(session: Session) -> int:
    return plans_policy(session).review_interval_days


def _manager_email() -> Any:
    return select(User.email).where(User.id == Account.manager_id).scalar_subquery()


def _order(sort: str, today: date) -> list[Any]:
    key = sort.lstrip("-")
    column: Any = {
        "account": Account.name_key,
        "manager": _manager_email(),
        "completeness": None,  # joined from list_queries.completeness_facts
        "reviewed": func.coalesce(AccountPlan.last_reviewed_on, AccountPlan.starts_on),
        "overdue": None,  # joined from list_queries.overdue_counts
        "starts": AccountPlan.starts_on,
    }[key]
    if column is None:
        return []
    if sort.startswith("-"):
        return [column.desc(), AccountPlan.id.desc()]
    return [column, AccountPlan.id]


def _joined_key(key: str, today: date) -> Any:
    """The sort keys computed for every current plan at once (grouped, joined by plan_id)."""
    return completeness_facts() if key == "completeness" else overdue_counts(today)


def _conditions(
    session: Session, user: User, filters: PlanFilter, today: date, interval: int, tiers: Any
) -> list[Any] | None:
    parts = visible_parts(session, user)
    if not parts:
        return None
    conds: list[Any] = [AccountPlan.is_current.is_(True), or_(*parts)]
    if filters.manager_id is not None:
        conds.append(Account.manager_id == filters.manager_id)
    if filters.segment is not None:
        conds.append(Account.segment == filters.segment)
    if filters.tier is not None:
        conds.append(func.coalesce(tiers.c.tier, NOT_KEY) == filters.tier)
    if filters.stale is not None:
        stale = stale_sql(func.coalesce(AccountPlan.last_reviewed_on, AccountPlan.starts_on),
                          interval, today)
        conds.append(stale if filters.stale else ~stale)
    if filters.overdue is not None:
        overdue = AccountPlan.id.in_(overdue_plans(today))
        conds.append(overdue if filters.overdue else ~overdue)
    return conds


def _base(tiers: Any, with_tiers: bool) -> Any:
    query = select().select_from(AccountPlan).join(Account, Account.id == AccountPlan.account_id)
    if with_tiers:
        query = query.outerjoin(tiers, tiers.c.account_id == Account.id)
    return query


def _tiers(session: Session) -> Any:
    return placed(selection_policy(session))


def list_plans(
    session: Session,
    user: User,
    *,
    today: date,
    filters: PlanFilter | None = None,
    sort: str = "account",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> PlanPage:
    """One page of the current plans of the accounts ``user`` sees."""
    filters = filters or PlanFilter()
    _check(filters, sort, page, page_size)
    interval = review_interval(session)
    tiers = _tiers(session)
    empty = PlanPage([], 0, page, page_size, sort, filters, interval)
    conds = _conditions(session, user, filters, today, interval, tiers)
    if conds is None:
        return empty
    with_tiers = filters.tier is not None
    total = session.scalar(
        _base(tiers, with_tiers).add_columns(func.count(AccountPlan.id)).where(*conds)
    ) or 0
    if total == 0:
        return PlanPage([], 0, page, page_size, sort, filters, interval)
    ids_query = _base(tiers, with_tiers).add_columns(AccountPlan.id)
    order = _order(sort, today)
    if sort.lstrip("-") in ("completeness", "overdue"):
        key = _joined_key(sort.lstrip("-"), today)
        ids_query = ids_query.outerjoin(key, key.c.plan_id == AccountPlan.id)
        column = func.coalesce(key.c[sort.lstrip("-")], 0)
        order = ([column.desc(), AccountPlan.id.desc()] if sort.startswith("-")
                 else [column, AccountPlan.id])
    ids = list(session.scalars(
        ids_query.where(*conds)
        .order_by(*order)
        .limit(page_size).offset((page - 1) * page_size)
    ))
    items = plan_lines(session, ids, today=today, interval=interval, tiers=tiers)
    return PlanPage(items, int(total), page, page_size, sort, filters, interval)


def plan_lines(
    session: Session, plan_ids: list[int], *, today: date, interval: int, tiers: Any = None,
) -> list[PlanLine]:
    """The lines of the given plans, in the order given (visibility is the caller's): three
    statements plus the tied metrics'."""
    if not plan_ids:
        return []
    tiers = tiers if tiers is not None else _tiers(session)
    reviewed = func.coalesce(AccountPlan.last_reviewed_on, AccountPlan.starts_on)
    facts = completeness_facts(AccountPlan.id.in_(plan_ids))
    overdue = overdue_counts(today, AccountPlan.id.in_(plan_ids))
    rows = session.execute(
        select(
            AccountPlan.id, AccountPlan.account_id, Account.name, Account.manager_id,
            _manager_email().label("manager"), Account.segment,
            func.coalesce(tiers.c.tier, NOT_KEY).label("tier"), AccountPlan.horizon_months,
            AccountPlan.starts_on, AccountPlan.ends_on, AccountPlan.last_reviewed_on,
            stale_sql(reviewed, interval, today).label("stale"),
            facts.c.completeness,
            func.coalesce(overdue.c.overdue, 0).label("overdue"),
        )
        .join(Account, Account.id == AccountPlan.account_id)
        .join(facts, facts.c.plan_id == AccountPlan.id)
        .outerjoin(overdue, overdue.c.plan_id == AccountPlan.id)
        .outerjoin(tiers, tiers.c.account_id == Account.id)
        .where(AccountPlan.id.in_(plan_ids))
    ).all()
    lines = {
        r.id: PlanLine(
            plan_id=r.id, account_id=r.account_id, account_name=r.name,
            manager_id=r.manager_id, manager=r.manager, segment=r.segment, tier=r.tier,
            horizon_months=r.horizon_months, starts_on=r.starts_on, ends_on=r.ends_on,
            last_reviewed_on=r.last_reviewed_on, stale=bool(r.stale),
            completeness=(Decimal(int(r.completeness)) / SCALE).quantize(Decimal("0.0001")),
            overdue_actions=int(r.overdue),
        )
        for r in rows
    }
    _add_objectives(session, lines, today)
    return [lines[i] for i in plan_ids if i in lines]


def _add_objectives(session: Session, lines: dict[int, PlanLine], today: date) -> None:
    latest = (
        select(ObjectiveUpdate.value)
        .where(ObjectiveUpdate.objective_id == PlanObjective.id)
        .order_by(ObjectiveUpdate.noted_on.desc(), ObjectiveUpdate.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(PlanObjective.id, PlanObjective.plan_id, PlanObjective.title,
               PlanObjective.metric, PlanObjective.baseline, PlanObjective.target,
               PlanObjective.due_on, latest.label("manual"))
        .where(PlanObjective.plan_id.in_(list(lines)))
        .order_by(PlanObjective.plan_id, PlanObjective.position, PlanObjective.id)
    ).all()
    tied = metrics.current_values(
        session, {lines[r.plan_id].account_id for r in rows if r.metric != rules.MANUAL},
        today=today,
    )
    extra = contributions.added(session, [r.id for r in rows if r.metric == rules.MANUAL])
    for r in rows:
        line = lines[r.plan_id]
        current = (contributions.current(r.manual, extra.get(r.id)) if r.metric == rules.MANUAL
                   else tied.get((line.account_id, r.metric)))
        current = None if current is None else Decimal(current)
        line.objectives.append(ObjectiveLine(
            id=r.id, title=r.title, metric=r.metric, baseline=r.baseline, target=r.target,
            current=current, progress=rules.progress(r.baseline, r.target, current),
            due_on=r.due_on,
        ))


@dataclass
class PlansView:
    """The Plans page: one page of the list and the filters' choices."""

    page: PlanPage
    segments: list[str]
    managers: list[User]


def plans_view(
    session: Session, user: User, *, today: date, filters: PlanFilter, sort: str, page: int,
    page_size: int,
) -> PlansView:
    """The Plans page's use case: the list and the segments and managers to filter by."""
    return PlansView(
        list_plans(session, user, today=today, filters=filters, sort=sort, page=page,
                   page_size=page_size),
        accounts_service.distinct_segments(session, user),
        accounts_service.assignable_managers(session),
    )


# ---------------------------------------------------------------- a page's query


YES_NO = {"yes": True, "no": False}
FILTERS = ("manager", "tier", "segment", "stale", "overdue")


def whole(text: str | None) -> int | None:
    """A row id from a query string; anything else is None (left out, not refused)."""
    try:
        value = int(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is None or 1 <= value <= MAX_ID else None


def query_state(params: Mapping[str, str]) -> dict[str, str]:
    """The Plans page's query as it is kept in its links and exports: unknown values are
    dropped, not refused (a page, not the API)."""
    tier = params.get("tier") or ""
    sort = params.get("sort") or "account"
    size = params.get("page_size") or str(PAGE_SIZE)
    return {
        "manager": str(whole(params.get("manager")) or ""),
        "tier": tier if tier in TIERS else "",
        "segment": (params.get("segment") or "").strip()[:60],
        "stale": params.get("stale") or "" if params.get("stale") in YES_NO else "",
        "overdue": params.get("overdue") or "" if params.get("overdue") in YES_NO else "",
        "sort": sort if sort in SORTS else "account",
        "page_size": size if size in {"25", "50", "100", "200"} else str(PAGE_SIZE),
    }


def query_filters(state: Mapping[str, str]) -> PlanFilter:
    return PlanFilter(
        manager_id=whole(state.get("manager")), tier=state.get("tier") or None,
        segment=state.get("segment") or None, stale=YES_NO.get(state.get("stale") or ""),
        overdue=YES_NO.get(state.get("overdue") or ""),
    )


# ---------------------------------------------------------------- export


EXPORT_HEADER = [
    "account", "manager", "segment", "tier", "horizon_months", "starts_on", "ends_on",
    "last_reviewed_on", "stale", "completeness", "overdue_actions", "objectives",
]


def export_rows(
    session: Session, user: User, *, today: date, filters: PlanFilter | None = None,
    sort: str = "account",
) -> Iterator[list[Any]]:
    """Every plan of the list (all pages), one list of values per plan (text, dates as ISO
    text, numbers as ``Decimal``/int); the objectives as "title: progress %" joined."""
    page = 1
    while True:
        chunk = list_plans(session, user, today=today, filters=filters, sort=sort, page=page,
                           page_size=MAX_PAGE_SIZE)
        for p in chunk.items:
            yield [
                p.account_name, p.manager, p.segment, p.tier, p.horizon_months,
                p.starts_on.isoformat(), p.ends_on.isoformat(),
                p.last_reviewed_on.isoformat() if p.last_reviewed_on else None,
                "yes" if p.stale else "no", p.completeness, p.overdue_actions,
                "; ".join(_objective_text(o) for o in p.objectives),
            ]
        if page >= chunk.pages:
            return
        page += 1


def export_for_query(
    session: Session, user: User, params: Mapping[str, str], today: date
) -> Iterator[list[Any]]:
    """``export_rows`` for the Plans page's query (what its export buttons send)."""
    state = query_state(params)
    return export_rows(session, user, today=today, filters=query_filters(state),
                       sort=state["sort"])


def _objective_text(o: ObjectiveLine) -> str:
    shown = "–" if o.progress is None else f"{(o.progress * 100):.0f} %"
    return f"{o.title}: {shown}"
