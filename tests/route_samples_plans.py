"""Sample objects of account plans for the route-table test: Acme's current plan with a key
person (Carla Acme, linked to Acme), a manual objective, an action and a share link."""

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
    with_person = service.add_key_person(
        session, owner, plan.id, KeyPersonIn(contact_id=ids["carla"]), today=today
    )
    objective = service.add_objective(
        session, owner, plan.id,
        ObjectiveIn(title="Second plant on contract", metric="manual", baseline=Decimal(0),
                    target=Decimal(1)),
        today=today,
    )
    action = service.add_action(session, owner, objective.id,
                                ActionIn(title="Visit the plant"), today=today)
    link = sharing.create_share_link(session, owner, plan.id)
    return {"plan": plan.id, "person": with_person.key_people[0].id,
            "objective": objective.id, "action": action.id, "link": link.id}
