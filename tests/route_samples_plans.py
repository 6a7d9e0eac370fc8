"""Sample objects of account plans for the route-table test (and the query budgets): Acme's
current plan with a key person (Carla Acme, linked to Acme), a manual objective, an action and
a share link."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from accord.core.models import User
from accord.plans import service, sharing
from accord.plans.schemas import ActionIn, KeyPersonIn, ObjectiveIn, PlanStart


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    owner = session.get(User, cast.owner.id)
    assert owner is not None
    today = date.today()
    plan = service.start_plan(session, owner, ids["acme"], PlanStart(horizon_months=12),
                              today=today)
    # a plan started over a current one (the query budgets' demo account) copies its key
    # people: Carla may already be one
    with_person = plan if any(p.contact_id == ids["carla"] for p in plan.key_people) else (
        service.add_key_person(
            session, owner, plan.id, KeyPersonIn(contact_id=ids["carla"]), today=today
        ))
    person = next(p.id for p in with_person.key_people if p.contact_id == ids["carla"])
    objective = service.add_objective(
        session, owner, plan.id,
        ObjectiveIn(title="Second plant on contract", metric="manual", baseline=Decimal(0),
                    target=Decimal(1)),
        today=today,
    )
    action = service.add_action(session, owner, objective.id,
                                ActionIn(title="Visit the plant"), today=today)
    link = sharing.create_share_link(session, owner, plan.id)
    return {"plan": plan.id, "person": person,
            "objective": objective.id, "action": action.id, "link": link.id}
