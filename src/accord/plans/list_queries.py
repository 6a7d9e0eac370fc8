"""The SQL of the Plans list (``plans.listing``): the rules of ``plans.rules`` it evaluates
in the database, each beside its pure twin, held equal by ``tests/test_plan_listing.py`` on
SQLite and PostgreSQL:

=================================  ===========================
pure rule                          SQL twin
=================================  ===========================
``rules.completeness``             :func:`completeness_sql`
``filled_sections`` (here)         :func:`sections_sql`
``rules.is_stale``                 :func:`stale_sql`
``rules.action_overdue``           :func:`overdue_sql`
=================================  ===========================

A section is filled when (``filled_sections``): ``business`` — the business, strategy or
budgets text is not blank (blank: nothing but spaces, tabs and line breaks);
``value_to_us`` — its text is not blank; ``goals``, ``pain_points``, ``risks`` — an entry of
that section; ``swot`` — an entry in any of the four lists; ``key_people`` — a key person;
``objectives`` — an objective.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, exists, func, literal, select

from accord.plans import rules
from accord.plans.models import AccountPlan, PlanAction, PlanEntry, PlanKeyPerson, PlanObjective

#: completeness in ten-thousandths (the four places of ``rules.completeness``)
SCALE = 10_000
#: what a blank text holds at most (the same characters in Python and in SQL's trim)
BLANKS = " \t\r\n"


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
    return (status == "open") & due_on.is_not(None) & (due_on < today)


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
        _one(exists().where(PlanObjective.plan_id == plan.id).correlate(plan)),
    ]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def _objective_count(plan: Any, *conds: Any) -> Any:
    return (select(func.count(PlanObjective.id))
            .where(PlanObjective.plan_id == plan.id, *conds).correlate(plan).scalar_subquery())


def _action_count(plan: Any, *conds: Any) -> Any:
    """Actions of the plan's objectives (the objectives found first, by the plan's index,
    then their actions by theirs: never a scan of every action per plan)."""
    objectives = select(PlanObjective.id).where(PlanObjective.plan_id == plan.id)
    return (select(func.count(PlanAction.id))
            .where(PlanAction.objective_id.in_(objectives.correlate_except(PlanObjective)), *conds)
            .correlate(plan).scalar_subquery())


def plan_completeness_sql(plan: Any = AccountPlan) -> ColumnElement[Any]:
    """The completeness of the plan row ``plan`` in ten-thousandths (correlated)."""
    return completeness_sql(
        sections_sql(plan), _objective_count(plan),
        _objective_count(plan, PlanObjective.target.is_not(None)),
        _action_count(plan), _action_count(plan, PlanAction.owner_id.is_not(None)),
    )


def overdue_count_sql(plan: Any, today: date) -> Any:
    return _action_count(plan, overdue_sql(PlanAction.status, PlanAction.due_on, today))


def completeness_facts(*where: Any) -> Any:
    """(plan_id, completeness) of every plan, its counts computed once per plan in a
    materialised CTE: ``plan_completeness_sql`` repeats each count in its arithmetic, which
    the databases evaluate again at every mention (fine for a page's rows, not for sorting
    thousands of plans)."""
    plan = AccountPlan
    facts = select(
        plan.id.label("plan_id"), sections_sql(plan).label("s"),
        _objective_count(plan).label("o"),
        _objective_count(plan, PlanObjective.target.is_not(None)).label("ot"),
        _action_count(plan).label("a"),
        _action_count(plan, PlanAction.owner_id.is_not(None)).label("ao"),
    ).where(*(where or (plan.is_current.is_(True),))).cte("plan_facts").prefix_with(
        "MATERIALIZED")
    return select(
        facts.c.plan_id,
        completeness_sql(facts.c.s, facts.c.o, facts.c.ot, facts.c.a, facts.c.ao)
        .label("completeness"),
    ).subquery("completeness")
