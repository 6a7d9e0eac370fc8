"""A plan's objectives, their manual updates and their actions (``plans.service`` re-exports
these). An objective needs a metric; its due date, and its actions', not before the plan
starts; its owner an active user who works on the account. A tied metric's baseline is its
value today when not given."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.plans import rules
from accord.plans.access import check_owner, writable_action, writable_objective, writable_plan
from accord.plans.models import AccountPlan, ObjectiveUpdate, PlanAction, PlanObjective
from accord.plans.reading import action_out, objectives_of, tied_values, user_refs
from accord.plans.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    ObjectiveUpdateIn,
)

FIELDS = ("title", "metric", "baseline", "target", "owner_id", "due_on")

NO_METRIC = (
    "an objective needs a metric (a target without a metric cannot be measured): one of "
    + ", ".join(rules.METRICS)
)


def objective_state(objective: PlanObjective, account_id: int) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "plan_id": objective.plan_id,
        **{name: getattr(objective, name) for name in FIELDS},
    }


def _check_due(plan: AccountPlan, due_on: date | None, field: str = "due_on") -> None:
    if due_on is not None and due_on < plan.starts_on:
        raise ValidationFailed(
            [FieldProblem(field, f"must not be before the plan starts ({plan.starts_on})")]
        )


def _objective_out(
    session: Session, plan: AccountPlan, objective_id: int, today: date
) -> ObjectiveOut:
    objectives, _ = objectives_of(session, plan, today=today)
    return next(o for o in objectives if o.id == objective_id)


def add_objective(
    session: Session, user: User, plan_id: int, data: ObjectiveIn, *, today: date
) -> ObjectiveOut:
    plan, account = writable_plan(session, user, plan_id)
    if data.metric is None:
        raise ValidationFailed([FieldProblem("metric", NO_METRIC)])
    _check_due(plan, data.due_on)
    owner_id = data.owner_id if data.owner_id is not None else user.id
    if owner_id is None:
        raise ValidationFailed([FieldProblem("owner_id", "choose an owner")])
    check_owner(session, account, owner_id)
    baseline = data.baseline
    if baseline is None and data.metric in rules.TIED_METRICS:
        baseline = tied_values(session, plan.account_id, today=today).get(
            (plan.account_id, data.metric)
        )
    position = session.scalar(
        select(func.coalesce(func.max(PlanObjective.position), -1)).where(
            PlanObjective.plan_id == plan.id
        )
    )
    objective = PlanObjective(
        plan_id=plan.id,
        title=data.title,
        metric=data.metric,
        baseline=baseline,
        target=data.target,
        owner_id=owner_id,
        due_on=data.due_on,
        position=int(position if position is not None else -1) + 1,
        created_at=utcnow(),
    )
    session.add(objective)
    plan.updated_at = utcnow()
    session.flush()
    audit.record(
        session, user, "create", "plan_objective", objective.id,
        after=objective_state(objective, plan.account_id),
    )
    return _objective_out(session, plan, objective.id, today)


def update_objective(
    session: Session,
    user: User,
    objective_id: int,
    data: ObjectivePatch,
    *,
    today: date,
    expected: versions.Expected | None = None,
) -> ObjectiveOut:
    objective, plan, account = writable_objective(session, user, objective_id)
    versions.check(
        session, objective, expected, f"objective {objective_id}",
        lambda: {name: getattr(objective, name) for name in FIELDS},
    )
    given = data.given()
    if "metric" in given and data.metric is None:
        raise ValidationFailed([FieldProblem("metric", NO_METRIC)])
    if "title" in given and data.title is None:
        raise ValidationFailed([FieldProblem("title", "an objective needs a title")])
    if "due_on" in given:
        _check_due(plan, data.due_on)
    if given.get("owner_id") is not None:
        check_owner(session, account, int(data.owner_id or 0))
    before = objective_state(objective, plan.account_id)
    for name in FIELDS:
        if name in given:
            setattr(objective, name, given[name])
    if "owner_id" in given and data.owner_id is None:
        objective.owner_id = before["owner_id"]  # an objective keeps an owner
    session.flush()
    changed_before, changed_after = audit.changed_fields(
        before, objective_state(objective, plan.account_id)
    )
    if changed_after:
        plan.updated_at = utcnow()
        audit.record(
            session, user, "update", "plan_objective", objective.id,
            account_id=plan.account_id, before=changed_before, after=changed_after,
        )
    return _objective_out(session, plan, objective.id, today)


def remove_objective(session: Session, user: User, objective_id: int) -> None:
    """Delete an objective with its updates and actions."""
    objective, plan, _ = writable_objective(session, user, objective_id)
    before = objective_state(objective, plan.account_id)
    session.delete(objective)
    plan.updated_at = utcnow()
    session.flush()
    audit.record(session, user, "delete", "plan_objective", objective_id, before=before)


def add_objective_update(
    session: Session, user: User, objective_id: int, data: ObjectiveUpdateIn, *, today: date
) -> ObjectiveOut:
    """A manual objective's value on a day, with a note (the latest is its current value)."""
    objective, plan, _ = writable_objective(session, user, objective_id)
    if objective.metric != rules.MANUAL:
        raise ValidationFailed(
            [FieldProblem("value", f"this objective's metric ({objective.metric}) is computed "
                                   "by Accord: only manual objectives are updated by hand")]
        )
    noted_on = data.noted_on or today
    if noted_on > today:
        raise ValidationFailed([FieldProblem("noted_on", "must not be in the future")])
    row = ObjectiveUpdate(
        objective_id=objective.id, value=data.value, noted_on=noted_on, note=data.note,
        by_id=user.id,
    )
    session.add(row)
    plan.updated_at = utcnow()
    session.flush()
    audit.record(
        session, user, "create", "objective_update", row.id, account_id=plan.account_id,
        after={"objective_id": objective.id, "value": data.value, "noted_on": noted_on,
               "note": data.note},
    )
    return _objective_out(session, plan, objective.id, today)


# ---------------------------------------------------------------- actions


def _action_state(action: PlanAction, account_id: int) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "objective_id": action.objective_id,
        "title": action.title,
        "owner_id": action.owner_id,
        "due_on": action.due_on,
        "status": action.status,
        "done_on": action.done_on,
    }


def _action_out(session: Session, action: PlanAction, today: date) -> ActionOut:
    return action_out(action, user_refs(session, {action.owner_id}), today)


def add_action(
    session: Session, user: User, objective_id: int, data: ActionIn, *, today: date
) -> ActionOut:
    objective, plan, account = writable_objective(session, user, objective_id)
    _check_due(plan, data.due_on)
    owner_id = data.owner_id if data.owner_id is not None else user.id
    if owner_id is None:
        raise ValidationFailed([FieldProblem("owner_id", "choose an owner")])
    check_owner(session, account, owner_id)
    action = PlanAction(
        objective_id=objective.id,
        title=data.title,
        owner_id=owner_id,
        due_on=data.due_on,
        status=data.status,
        done_on=today if data.status == "done" else None,
    )
    session.add(action)
    plan.updated_at = utcnow()
    session.flush()
    audit.record(
        session, user, "create", "plan_action", action.id,
        after=_action_state(action, plan.account_id),
    )
    return _action_out(session, action, today)


def update_action(
    session: Session, user: User, action_id: int, data: ActionPatch, *, today: date
) -> ActionOut:
    action, _, plan, account = writable_action(session, user, action_id)
    given = data.given()
    if "title" in given and data.title is None:
        raise ValidationFailed([FieldProblem("title", "an action needs a title")])
    if "due_on" in given:
        _check_due(plan, data.due_on)
    if given.get("owner_id") is not None:
        check_owner(session, account, int(data.owner_id or 0))
    before = _action_state(action, plan.account_id)
    for name in ("title", "owner_id", "due_on"):
        if name in given and (name != "owner_id" or data.owner_id is not None):
            setattr(action, name, given[name])
    if data.status is not None and data.status != action.status:
        action.status = data.status
        action.done_on = today if data.status == "done" else None
    session.flush()
    changed_before, changed_after = audit.changed_fields(
        before, _action_state(action, plan.account_id)
    )
    if changed_after:
        plan.updated_at = utcnow()
        audit.record(
            session, user, "update", "plan_action", action.id, account_id=plan.account_id,
            before=changed_before, after=changed_after,
        )
    return _action_out(session, action, today)


def complete_action(session: Session, user: User, action_id: int, *, today: date) -> ActionOut:
    """Mark an action done today."""
    return update_action(session, user, action_id, ActionPatch(status="done"), today=today)

