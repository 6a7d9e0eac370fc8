"""The account page's headline of its current plan: objectives with their progress, the next
three open actions, completeness and the stale flag, with a link to the plan.

Few statements, so the account page keeps its query budget: the plan with its objectives and
open actions (one statement; none more when there is no plan), the plans policy, and the tied
metrics only when an objective is tied (``plans.metrics``: two). Visibility is the
caller's (the account page has checked it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from accord.core.models import User
from accord.plans import contributions, metrics, rules
from accord.plans.list_queries import SCALE, completeness_facts
from accord.plans.listing import ObjectiveLine
from accord.plans.models import AccountPlan, ObjectiveUpdate, PlanAction, PlanObjective
from accord.plans.settings import plans_policy

NEXT_ACTIONS = 3


@dataclass
class NextAction:
    title: str
    due_on: date | None
    owner: str | None  # name or e-mail
    overdue: bool


@dataclass
class PlanHeadline:
    plan_id: int
    account_id: int
    horizon_months: int
    starts_on: date
    ends_on: date
    last_reviewed_on: date | None
    stale: bool
    completeness: Decimal
    objectives: list[ObjectiveLine] = field(default_factory=list)
    next_actions: list[NextAction] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"/accounts/{self.account_id}/plan"


def plan_headline(session: Session, account_id: int, *, today: date) -> PlanHeadline | None:
    """The headline of the account's current plan, or None without one."""
    latest = (
        select(ObjectiveUpdate.value)
        .where(ObjectiveUpdate.objective_id == PlanObjective.id)
        .order_by(ObjectiveUpdate.noted_on.desc(), ObjectiveUpdate.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    facts = completeness_facts(AccountPlan.account_id == account_id,
                               AccountPlan.is_current.is_(True))
    # one row per (objective, open action): a plan has a handful of each
    rows = session.execute(
        select(
            AccountPlan.id, AccountPlan.horizon_months, AccountPlan.starts_on,
            AccountPlan.ends_on, AccountPlan.last_reviewed_on,
            facts.c.completeness,
            PlanObjective.id.label("objective_id"), PlanObjective.title, PlanObjective.metric,
            PlanObjective.baseline, PlanObjective.target, PlanObjective.due_on,
            latest.label("manual"), PlanAction.id.label("action_id"),
            PlanAction.title.label("action_title"), PlanAction.due_on.label("action_due"),
            PlanAction.status, User.name.label("owner_name"), User.email.label("owner_email"),
        )
        .join(facts, facts.c.plan_id == AccountPlan.id)
        .outerjoin(PlanObjective, PlanObjective.plan_id == AccountPlan.id)
        .outerjoin(PlanAction, and_(PlanAction.objective_id == PlanObjective.id,
                                    PlanAction.status == "open"))
        .outerjoin(User, User.id == PlanAction.owner_id)
        .where(AccountPlan.account_id == account_id, AccountPlan.is_current.is_(True))
        .order_by(PlanObjective.position, PlanObjective.id, PlanAction.id)
    ).all()
    if not rows:
        return None
    first = rows[0]
    interval = plans_policy(session).review_interval_days
    headline = PlanHeadline(
        plan_id=first.id, account_id=account_id, horizon_months=first.horizon_months,
        starts_on=first.starts_on, ends_on=first.ends_on,
        last_reviewed_on=first.last_reviewed_on,
        stale=rules.is_stale(first.last_reviewed_on or first.starts_on, interval, today),
        completeness=(Decimal(int(first.completeness)) / SCALE).quantize(Decimal("0.0001")),
    )
    objectives = list({r.objective_id: r for r in rows if r.objective_id is not None}.values())
    tied = {}
    if any(r.metric != rules.MANUAL for r in objectives):
        tied = metrics.current_values(session, [account_id], today=today)
    extra = contributions.added(session, [r.objective_id for r in objectives
                                          if r.metric == rules.MANUAL])
    for r in objectives:
        current = (contributions.current(r.manual, extra.get(r.objective_id))
                   if r.metric == rules.MANUAL else tied.get((account_id, r.metric)))
        current = None if current is None else Decimal(current)
        headline.objectives.append(ObjectiveLine(
            id=r.objective_id, title=r.title, metric=r.metric, baseline=r.baseline,
            target=r.target, current=current,
            progress=rules.progress(r.baseline, r.target, current), due_on=r.due_on,
        ))
    headline.next_actions = next_actions([r for r in rows if r.action_id is not None], today)
    return headline


def next_actions(rows: list[Any], today: date) -> list[NextAction]:
    """The open actions due first (undated ones last), ``NEXT_ACTIONS`` of them."""
    rows = sorted(rows, key=lambda r: (r.action_due is None, r.action_due or today, r.action_id))
    return [
        NextAction(r.action_title, r.action_due, r.owner_name or r.owner_email,
                   rules.action_overdue(r.status, r.action_due, today))
        for r in rows[:NEXT_ACTIONS]
    ]
