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


def _sections(plan: Any, goals: Any, pain_points: Any, swot: Any, risks: Any,
              key_people: Any, objectives: Any) -> ColumnElement[Any]:
    """``filled_sections`` counted (0-8): the plan row's texts, and the other six sections as
    conditions (correlated EXISTS or a grouped aggregate's flags, whichever the caller has)."""
    business = ~(_blank(plan.business) & _blank(plan.strategy) & _blank(plan.budgets))
    parts = [business, ~_blank(plan.value_to_us), goals, pain_points, swot, risks, key_people,
             objectives]
    total = _one(parts[0])
    for part in parts[1:]:
        total = total + _one(part)
    return total


def sections_sql(plan: Any = AccountPlan) -> ColumnElement[Any]:
    """``filled_sections`` counted (0-8) for the plan row ``plan``, correlated."""
    return _sections(
        plan, _has_entry(plan.id, "goals"), _has_entry(plan.id, "pain_points"),
        _has_entry(plan.id, *rules.SWOT), _has_entry(plan.id, "risks"),
        exists().where(PlanKeyPerson.plan_id == plan.id),
        exists().where(PlanObjective.plan_id == plan.id).correlate(plan),
    )


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


def _plans(where: tuple[Any, ...]) -> Any:
    """The ids of the plans matching ``where`` (default: the current plans), uncorrelated."""
    return (select(AccountPlan.id).where(*(where or (AccountPlan.is_current.is_(True),)))
            .correlate(None))


def _actions_by_plan(plans: Any, *columns: Any) -> Any:
    """Per plan of ``plans`` (plan_id, ``columns``...) over its objectives' actions, grouped:
    one pass over the actions of those plans, not a subquery per plan."""
    return (select(PlanObjective.plan_id, *columns)
            .join(PlanAction, PlanAction.objective_id == PlanObjective.id)
            .where(PlanObjective.plan_id.in_(plans))
            .group_by(PlanObjective.plan_id))


def overdue_counts(today: date, *where: Any) -> Any:
    """(plan_id, overdue) of the plans matching ``where`` (default: the current plans) that
    have overdue actions (``overdue_sql``), grouped; a plan missing has none."""
    overdue = overdue_sql(PlanAction.status, PlanAction.due_on, today)
    return (_actions_by_plan(_plans(where), func.count(PlanAction.id).label("overdue"))
            .where(overdue).subquery("overdue"))


def overdue_plans(today: date) -> Any:
    """The ids of the plans with an overdue action: one uncorrelated semi-join (the overdue
    filter), where an EXISTS per plan took a minute on PostgreSQL."""
    return (select(PlanObjective.plan_id)
            .join(PlanAction, PlanAction.objective_id == PlanObjective.id)
            .where(overdue_sql(PlanAction.status, PlanAction.due_on, today)))


def completeness_facts(*where: Any) -> Any:
    """(plan_id, completeness) of the plans matching ``where`` (default: the current plans).

    Each input of the rule is aggregated once for all those plans (entries, key people,
    objectives, actions: one grouped pass each, joined by plan), not in subqueries per plan
    and per mention in the rounding arithmetic (which the databases evaluate again at every
    mention: seconds for sorting thousands of plans)."""
    plans = _plans(where)

    def flag(*sections: str) -> Any:
        return func.max(_one(PlanEntry.section.in_(sections)))

    entries = (select(PlanEntry.plan_id, flag("goals").label("goals"),
                      flag("pain_points").label("pain_points"), flag(*rules.SWOT).label("swot"),
                      flag("risks").label("risks"))
               .where(PlanEntry.plan_id.in_(plans)).group_by(PlanEntry.plan_id)
               .subquery("entries"))
    people = (select(PlanKeyPerson.plan_id).where(PlanKeyPerson.plan_id.in_(plans))
              .distinct().subquery("people"))
    objectives = (select(PlanObjective.plan_id, func.count(PlanObjective.id).label("o"),
                         func.count(PlanObjective.target).label("ot"))
                  .where(PlanObjective.plan_id.in_(plans)).group_by(PlanObjective.plan_id)
                  .subquery("objectives"))
    actions = _actions_by_plan(plans, func.count(PlanAction.id).label("a"),
                               func.count(PlanAction.owner_id).label("ao")).subquery("actions")

    def n(column: Any) -> Any:
        return func.coalesce(column, _int(0))

    plan = AccountPlan
    facts = (
        select(
            plan.id.label("plan_id"),
            _sections(plan, n(entries.c.goals) > 0, n(entries.c.pain_points) > 0,
                      n(entries.c.swot) > 0, n(entries.c.risks) > 0,
                      people.c.plan_id.is_not(None), objectives.c.plan_id.is_not(None))
            .label("s"),
            n(objectives.c.o).label("o"), n(objectives.c.ot).label("ot"),
            n(actions.c.a).label("a"), n(actions.c.ao).label("ao"),
        )
        .outerjoin(entries, entries.c.plan_id == plan.id)
        .outerjoin(people, people.c.plan_id == plan.id)
        .outerjoin(objectives, objectives.c.plan_id == plan.id)
        .outerjoin(actions, actions.c.plan_id == plan.id)
        .where(plan.id.in_(plans))
        .cte("plan_facts").prefix_with("MATERIALIZED")
    )
    return select(
        facts.c.plan_id,
        completeness_sql(facts.c.s, facts.c.o, facts.c.ot, facts.c.a, facts.c.ao)
        .label("completeness"),
    ).subquery("completeness")
