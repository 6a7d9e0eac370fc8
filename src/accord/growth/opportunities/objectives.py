"""The opportunities an objective of the account plan lists: link and unlink them, and what
they add to the objective's progress — the won value of its opportunities (a provider of
``plans.contributions``, connected by ``app.wiring``).

Only a manual objective of the account's current plan lists opportunities, and only the
account's own: a tied objective (revenue, NRR…) already counts the revenue a won deal brings.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from sqlalchemy import BigInteger, case, cast, func, select
from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.core.schemas import MAX_ID
from accord.growth.opportunities.models import ObjectiveOpportunity, Opportunity
from accord.growth.opportunities.service import visible_opportunity, writable_opportunity
from accord.plans import rules as plan_rules
from accord.plans.models import AccountPlan, PlanObjective

ENTITY = "objective_opportunity"


def won_value_by_objective(session: Session, objective_ids: Collection[int]
                           ) -> dict[int, Decimal]:
    """{objective id: the won value of the opportunities it lists} for the objectives that
    list any (0 while none is won); one statement."""
    if not objective_ids:
        return {}
    cents = cast(func.round(Opportunity.value * 100), BigInteger)
    rows = session.execute(
        select(ObjectiveOpportunity.objective_id,
               func.coalesce(func.sum(case((Opportunity.stage == "won", cents), else_=0)), 0))
        .join(Opportunity, Opportunity.id == ObjectiveOpportunity.opportunity_id)
        .where(ObjectiveOpportunity.objective_id.in_(list(objective_ids)))
        .group_by(ObjectiveOpportunity.objective_id)).all()
    return {int(i): (Decimal(int(c)) / 100).quantize(Decimal("0.01")) for i, c in rows}


def _objective(session: Session, account_id: int, objective_id: int) -> PlanObjective:
    found = None
    if 1 <= objective_id <= MAX_ID:
        found = session.scalar(
            select(PlanObjective).join(AccountPlan, AccountPlan.id == PlanObjective.plan_id)
            .where(PlanObjective.id == objective_id, AccountPlan.account_id == account_id,
                   AccountPlan.is_current.is_(True)))
    if found is None:
        raise ValidationFailed([FieldProblem(
            "objective_id", f"no objective {objective_id} in the account's current plan")])
    if found.metric != plan_rules.MANUAL:
        raise ValidationFailed([FieldProblem(
            "objective_id", "only a manual objective counts the won value of opportunities "
            "(a tied one counts the revenue itself)")])
    return found


def link_objective(session: Session, user: User, opportunity_id: int, objective_id: int
                   ) -> bool:
    """List the opportunity under an objective of its account's current plan; False when it
    was listed already. Audited."""
    row = writable_opportunity(session, user, opportunity_id)
    objective = _objective(session, row.account_id, objective_id)
    if session.get(ObjectiveOpportunity, (objective.id, row.id)) is not None:
        return False
    session.add(ObjectiveOpportunity(objective_id=objective.id, opportunity_id=row.id))
    session.flush()
    audit.record(session, user, "link", ENTITY, f"{objective.id}:{row.id}",
                 after={"objective_id": objective.id, "opportunity_id": row.id,
                        "account_id": row.account_id})
    return True


def unlink_objective(session: Session, user: User, opportunity_id: int, objective_id: int
                     ) -> None:
    """Take the opportunity off the objective's list (404 when it is not on it). Audited."""
    row = writable_opportunity(session, user, opportunity_id)
    link = session.get(ObjectiveOpportunity, (objective_id, row.id)) \
        if 1 <= objective_id <= MAX_ID else None
    if link is None:
        raise NotFound(f"opportunity {opportunity_id} is not listed under objective "
                       f"{objective_id}")
    session.delete(link)
    session.flush()
    audit.record(session, user, "unlink", ENTITY, f"{objective_id}:{row.id}",
                 before={"objective_id": objective_id, "opportunity_id": row.id,
                         "account_id": row.account_id})


def objective_choices(session: Session, user: User, opportunity_id: int
                      ) -> list[tuple[int, str, bool]]:
    """The manual objectives of the account's current plan: (id, title, lists this one)."""
    row = visible_opportunity(session, user, opportunity_id)
    linked = select(ObjectiveOpportunity.objective_id).where(
        ObjectiveOpportunity.opportunity_id == row.id)
    return [(i, t, bool(on)) for i, t, on in session.execute(
        select(PlanObjective.id, PlanObjective.title, PlanObjective.id.in_(linked))
        .join(AccountPlan, AccountPlan.id == PlanObjective.plan_id)
        .where(AccountPlan.account_id == row.account_id, AccountPlan.is_current.is_(True),
               PlanObjective.metric == plan_rules.MANUAL)
        .order_by(PlanObjective.position, PlanObjective.id))]
