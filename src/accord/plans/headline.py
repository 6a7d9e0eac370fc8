"""The account page's headline of its current plan: objectives with their progress, the next
three open actions, completeness and the stale flag, with a link to the plan.

Few statements, so the account page keeps its query budget: the plan with its objectives
(one statement; none more when there is no plan), the plans policy, the next actions, and the
tied metrics only when an objective is tied (``plans.metrics``: two). Visibility is the
caller's (the account page has checked it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.core.models import User
from accord.plans import metrics, rules
from accord.plans.list_queries import SCALE, plan_completeness_sql
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
    rows = session.execute(
        select(
            AccountPlan.id, AccountPlan.horizon_months, AccountPlan.starts_on,
            AccountPlan.ends_on, AccountPlan.last_reviewed_on,
            plan_completeness_sql().label("completeness"),
            PlanObjective.id.label("objective_id"), PlanObjective.title, PlanObjective.metric,
            PlanObjective.baseline, PlanObjective.target, PlanObjective.due_on,
            latest.label("manual"),
        )
        .outerjoin(PlanObjective, PlanObjective.plan_id == AccountPlan.id)
        .where(AccountPlan.account_id == account_id, AccountPlan.is_current.is_(True))
        .order_by(PlanObjective.position, PlanObjective.id)
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
    objectives = [r for r in rows if r.objective_id is not None]
    tied = {}
    if any(r.metric != rules.MANUAL for r in objectives):
        tied = metrics.current_values(session, [account_id], today=today)
    for r in objectives:
        current = r.manual if r.metric == rules.MANUAL else tied.get((account_id, r.metric))
        current = None if current is None else Decimal(current)
        headline.objectives.append(ObjectiveLine(
            id=r.objective_id, title=r.title, metric=r.metric, baseline=r.baseline,
            target=r.target, current=current,
            progress=rules.progress(r.baseline, r.target, current), due_on=r.due_on,
        ))
    if objectives:
        headline.next_actions = _next_actions(session, first.id, today)
    return headline


def _next_actions(session: Session, plan_id: int, today: date) -> list[NextAction]:
    """The open actions due first (undated ones last)."""
    rows = session.execute(
        select(PlanAction.title, PlanAction.due_on, PlanAction.status, User.name, User.email)
        .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
        .outerjoin(User, User.id == PlanAction.owner_id)
        .where(PlanObjective.plan_id == plan_id, PlanAction.status == "open")
        .order_by(PlanAction.due_on.is_(None), PlanAction.due_on, PlanAction.id)
        .limit(NEXT_ACTIONS)
    ).all()
    return [
        NextAction(r.title, r.due_on, r.name or r.email,
                   rules.action_overdue(r.status, r.due_on, today))
        for r in rows
    ]
