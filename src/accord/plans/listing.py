"""The Plans list: one page of the current plans a user sees, with each plan's completeness,
last review and staleness, overdue actions and objectives with their progress; filtered by
manager, tier, segment, staleness and overdue actions, sorted, paginated, in the database.

A page is a constant number of statements whatever the number of plans: the visibility ids
(``accounts.visibility.visible_parts``), the plans policy, the selection policy (tiers), the
count, the page's plan ids (only what the filters and the sort need), the page's rows, their
objectives, and the tied metrics of the page's accounts (``plans.metrics``).

The rules of ``plans.rules`` that the list evaluates in SQL have their twins here, held equal
by ``tests/test_plan_listing.py`` on SQLite and PostgreSQL:

=========================  ===========================
``rules``                  SQL twin
=========================  ===========================
``completeness``           :func:`completeness_sql`
``is_stale``               :func:`stale_sql`
``action_overdue``         :func:`overdue_sql`
=========================  ===========================

A section is filled when (``filled_sections``): ``business`` — the business, strategy or
budgets text is not blank (more than spaces, tabs and line breaks); ``value_to_us`` — its text is not blank; ``goals``,
``pain_points``, ``risks`` — an entry of that section; ``swot`` — an entry in any of the
four lists; ``key_people`` — a key person; ``objectives`` — an objective.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import visible_parts
from accord.core import policy_store
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.plans import metrics, rules
from accord.plans.models import (
    AccountPlan,
    ObjectiveUpdate,
    PlanAction,
    PlanEntry,
    PlanKeyPerson,
    PlanObjective,
)
from accord.selection.queries import placed
from accord.selection.rules import NOT_KEY, TIERS
from accord.selection.settings import selection_policy

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000
#: completeness in ten-thousandths (the four places of ``rules.completeness``)
SCALE = 10_000
SORT_KEYS = ("account", "manager", "completeness", "reviewed", "overdue", "starts")
SORTS = (*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS))
POLICY_NAME = "plans"
#: what a blank text holds at most (the same characters in Python and in SQL's trim)
BLANKS = " \t\r\n"


# ---------------------------------------------------------------- the twins


def _int(value: int) -> Any:
    return literal(value, BigInteger)


def completeness_sql(
    sections: Any, objectives: Any, with_target: Any, actions: Any, with_owner: Any
) -> ColumnElement[Any]:
    """``rules.completeness`` in ten-thousandths, rounded half to even, in integers: the
    sections filled (0-8) plus the share of objectives with a target plus the share of
    actions with an owner, over ten."""
    o = case((objectives > 0, objectives), else_=_int(1))
    a = case((actions > 0, actions), else_=_int(1))
    ot = case((objectives > 0, case((with_target < objectives, with_target), else_=objectives)),
              else_=_int(0))
    ao = case((actions > 0, case((with_owner < actions, with_owner), else_=actions)),
              else_=_int(0))
    # (S + ot/o + ao/a) / 10 * SCALE = (S*o*a + ot*a + ao*o) * (SCALE/10) / (o*a)
    top = (sections * o * a + ot * a + ao * o) * _int(SCALE // 10)
    bottom = o * a
    q = top // bottom
    twice_rest = (top - q * bottom) * _int(2)
    return case(
        (twice_rest > bottom, q + 1),
        (twice_rest == bottom, q + q % 2),
        else_=q,
    )


def stale_sql(reviewed_or_started: Any, review_interval_days: int, today: date) -> Any:
    """``rules.is_stale``: more than the interval since the date."""
    return reviewed_or_started < today - timedelta(days=review_interval_days)


def overdue_sql(status: Any, due_on: Any, today: date) -> ColumnElement[bool]:
    """``rules.action_overdue``: an open action whose due date has passed."""
    return (status == "open") & due_on.is_not(None) & (due_on < today)  # type: ignore[no-any-return]


def filled_sections(
    texts: dict[str, str], entry_sections: set[str], key_people: int, objectives: int
) -> frozenset[str]:
    """The plan sections filled (see the module's description); SQL twin ``sections_sql``."""
    filled = set()
    if any(texts.get(k, "").strip(BLANKS) for k in ("business", "strategy", "budgets")):
        filled.add("business")
    if texts.get("value_to_us", "").strip(BLANKS):
        filled.add("value_to_us")
    for name in ("goals", "pain_points", "risks"):
        if name in entry_sections:
            filled.add(name)
    if entry_sections & set(rules.SWOT):
        filled.add("swot")
    if key_people:
        filled.add("key_people")
    if objectives:
        filled.add("objectives")
    return frozenset(filled)


def _blank(column: Any) -> Any:
    return func.length(func.trim(func.coalesce(column, ""), BLANKS)) == 0


def _has_entry(plan_id: Any, *sections: str) -> Any:
    return exists().where(PlanEntry.plan_id == plan_id, PlanEntry.section.in_(sections))


def _one(condition: Any) -> Any:
    return case((condition, _int(1)), else_=_int(0))


def sections_sql(plan: Any = AccountPlan) -> ColumnElement[Any]:
    """``filled_sections`` counted (0-8) for the plan row ``plan``, correlated."""
    business = ~(_blank(plan.business) & _blank(plan.strategy) & _blank(plan.budgets))
    parts = [
        _one(business), _one(~_blank(plan.value_to_us)),
        _one(_has_entry(plan.id, "goals")), _one(_has_entry(plan.id, "pain_points")),
        _one(_has_entry(plan.id, *rules.SWOT)), _one(_has_entry(plan.id, "risks")),
        _one(exists().where(PlanKeyPerson.plan_id == plan.id)),
        _one(exists().where(PlanObjective.plan_id == plan.id)),
    ]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def _objective_count(plan: Any, *conds: Any) -> Any:
    return (select(func.count(PlanObjective.id))
            .where(PlanObjective.plan_id == plan.id, *conds).scalar_subquery())


def _action_count(plan: Any, *conds: Any) -> Any:
    return (select(func.count(PlanAction.id))
            .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
            .where(PlanObjective.plan_id == plan.id, *conds).scalar_subquery())


def plan_completeness_sql(plan: Any = AccountPlan) -> ColumnElement[Any]:
    """The completeness of the plan row ``plan`` in ten-thousandths (correlated)."""
    return completeness_sql(
        sections_sql(plan), _objective_count(plan),
        _objective_count(plan, PlanObjective.target.is_not(None)),
        _action_count(plan), _action_count(plan, PlanAction.owner_id.is_not(None)),
    )


def overdue_count_sql(plan: Any, today: date) -> Any:
    return _action_count(plan, overdue_sql(PlanAction.status, PlanAction.due_on, today))


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
    return policy_store.load(session, POLICY_NAME, rules.PlansPolicy).review_interval_days


def _manager_email() -> Any:
    return select(User.email).where(User.id == Account.manager_id).scalar_subquery()


def _order(sort: str, today: date) -> list[Any]:
    key = sort.lstrip("-")
    column: Any = {
        "account": Account.name_key,
        "manager": _manager_email(),
        "completeness": plan_completeness_sql(),
        "reviewed": func.coalesce(AccountPlan.last_reviewed_on, AccountPlan.starts_on),
        "overdue": overdue_count_sql(AccountPlan, today),
        "starts": AccountPlan.starts_on,
    }[key]
    if sort.startswith("-"):
        return [column.desc(), AccountPlan.id.desc()]
    return [column, AccountPlan.id]


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
        overdue = exists().where(
            PlanObjective.plan_id == AccountPlan.id, PlanAction.objective_id == PlanObjective.id,
            overdue_sql(PlanAction.status, PlanAction.due_on, today),
        )
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
    ids = list(session.scalars(
        _base(tiers, with_tiers).add_columns(AccountPlan.id).where(*conds)
        .order_by(*_order(sort, today))
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
    rows = session.execute(
        select(
            AccountPlan.id, AccountPlan.account_id, Account.name, Account.manager_id,
            _manager_email().label("manager"), Account.segment,
            func.coalesce(tiers.c.tier, NOT_KEY).label("tier"), AccountPlan.horizon_months,
            AccountPlan.starts_on, AccountPlan.ends_on, AccountPlan.last_reviewed_on,
            stale_sql(reviewed, interval, today).label("stale"),
            plan_completeness_sql().label("completeness"),
            overdue_count_sql(AccountPlan, today).label("overdue"),
        )
        .join(Account, Account.id == AccountPlan.account_id)
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
    for r in rows:
        line = lines[r.plan_id]
        current = (r.manual if r.metric == rules.MANUAL
                   else tied.get((line.account_id, r.metric)))
        current = None if current is None else Decimal(current)
        line.objectives.append(ObjectiveLine(
            id=r.id, title=r.title, metric=r.metric, baseline=r.baseline, target=r.target,
            current=current, progress=rules.progress(r.baseline, r.target, current),
            due_on=r.due_on,
        ))


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


def _objective_text(o: ObjectiveLine) -> str:
    shown = "–" if o.progress is None else f"{(o.progress * 100):.0f} %"
    return f"{o.title}: {shown}"
