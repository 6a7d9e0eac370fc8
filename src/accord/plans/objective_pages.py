"""The plan's objectives on the pages: adding and editing one (metric, baseline, target,
owner, due date), a manual objective's dated updates, and the actions under each objective
(added, done, cancelled). Every form acts only on the account's current plan and on that
plan's own objectives and actions (404 otherwise)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.accounts import service as account_service
from accord.accounts.visibility import require_writer
from accord.core import versions
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.schemas import Id
from accord.plans import rules, service
from accord.plans.plan_view import base_context, current_or_404, owner_choices, plain, plan_page
from accord.plans.schemas import (
    ActionIn,
    ActionPatch,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    ObjectiveUpdateIn,
    PlanOut,
)
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
Today = Annotated[date, Depends(today)]

OBJECTIVE_FIELDS = ("title", "metric", "baseline", "target", "owner_id", "due_on")
UPDATE_FIELDS = ("value", "noted_on", "note")
ACTION_FIELDS = ("title", "owner_id", "due_on")


def _objective(plan: PlanOut, objective_id: int) -> ObjectiveOut:
    for objective in plan.objectives:
        if objective.id == objective_id:
            return objective
    raise NotFound(f"no objective {objective_id} in this plan")


def _stored(objective: ObjectiveOut) -> dict[str, str]:
    """An objective's fields as its edit form shows them (and the service compares them)."""
    return {
        "title": objective.title,
        "metric": objective.metric,
        "baseline": plain(objective.baseline),
        "target": plain(objective.target),
        "owner_id": str(objective.owner.id) if objective.owner else "",
        "due_on": objective.due_on.isoformat() if objective.due_on else "",
    }


def _form_page(
    request: Request, db: Any, user: Any, account_id: int, plan: PlanOut,
    objective: ObjectiveOut | None, values: dict[str, Any], errors: dict[str, str], *,
    started: dict[str, Any] | None = None, changed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Any:
    account = account_service.get_account(db, user, account_id)
    context = base_context(user, account, plan)
    context.update(
        {
            "objective": objective,
            "values": values,
            "errors": errors,
            "owners": owner_choices(db, user, account_id),
            "metrics": [(m, rules.METRIC_LABELS[m]) for m in rules.METRICS],
            **versions.form_state(started, changed),
        }
    )
    return render(request, "plans/plan_objective.html", context, status_code=status_code)


@router.get("/accounts/{account_id}/plan/objectives/new")
def new_objective(request: Request, account_id: Id, db: Db, user: PageUser, day: Today) -> Any:
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    values = {"metric": "", "owner_id": str(user.id), "noted_on": day.isoformat()}
    return _form_page(request, db, user, account_id, plan, None, values, {})


@router.post("/accounts/{account_id}/plan/objectives", dependencies=csrf)
def add_objective(
    request: Request, account_id: Id, db: Db, user: PageUser, day: Today, form: FormData
) -> Any:
    """A new objective; a manual one may come with its value today (its first update)."""
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    values = form_values(form, (*OBJECTIVE_FIELDS, "current"))
    try:
        data = ObjectiveIn.model_validate({k: values.get(k) for k in OBJECTIVE_FIELDS})
        first = None
        if values.get("current") and data.metric == rules.MANUAL:
            try:
                first = ObjectiveUpdateIn.model_validate(
                    {"value": values["current"], "note": "value when the objective was set"})
            except ValidationError as exc:
                message = form_errors(exc).get("value", "not a number")
                raise ValidationFailed([FieldProblem("current", message)]) from None
        created = service.add_objective(db, user, plan.id, data, today=day)
        if first is not None:
            service.add_objective_update(db, user, created.id, first, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        plan = current_or_404(db, user, account_id, day)
        return _form_page(request, db, user, account_id, plan, None, values, form_errors(exc),
                          status_code=422)
    flash(request, f"Objective “{created.title}” added.")
    return RedirectResponse(f"/accounts/{account_id}/plan#objective-{created.id}",
                            status_code=303)


@router.get("/accounts/{account_id}/plan/objectives/{objective_id}/edit")
def edit_objective(
    request: Request, account_id: Id, objective_id: Id, db: Db, user: PageUser, day: Today
) -> Any:
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    objective = _objective(plan, objective_id)
    stored = _stored(objective)
    return _form_page(request, db, user, account_id, plan, objective, stored, {},
                      started=versions.form_started(objective.version, stored))


@router.post("/accounts/{account_id}/plan/objectives/{objective_id}/edit", dependencies=csrf)
def save_objective(
    request: Request, account_id: Id, objective_id: Id, db: Db, user: PageUser, day: Today,
    form: FormData,
) -> Any:
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    objective = _objective(plan, objective_id)
    values = form_values(form, OBJECTIVE_FIELDS)
    started = form_values(form, ("version", "original"))
    try:
        data = ObjectivePatch.model_validate(values)  # the fields the form sent
        service.update_objective(db, user, objective.id, data, today=day,
                                 expected=versions.form_expected(started, values))
    except versions.Stale as exc:  # the input stays; the form now starts from the store
        db.rollback()
        plan = current_or_404(db, user, account_id, day)
        current = _objective(plan, objective_id)
        return _form_page(request, db, user, account_id, plan, current, values, {},
                          started=versions.form_started(current.version, _stored(current)),
                          changed=exc.changed, status_code=409)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return _form_page(request, db, user, account_id, plan, objective, values,
                          form_errors(exc), started=started, status_code=422)
    flash(request, f"Objective “{values.get('title') or objective.title}” saved.")
    return RedirectResponse(f"/accounts/{account_id}/plan#objective-{objective.id}",
                            status_code=303)


@router.post("/accounts/{account_id}/plan/objectives/{objective_id}/remove", dependencies=csrf)
def remove_objective(
    request: Request, account_id: Id, objective_id: Id, db: Db, user: PageUser, day: Today
) -> Any:
    require_writer(user)
    objective = _objective(current_or_404(db, user, account_id, day), objective_id)
    service.remove_objective(db, user, objective.id)
    flash(request, f"Objective “{objective.title}” removed, with its actions and updates.")
    return RedirectResponse(f"/accounts/{account_id}/plan#objectives", status_code=303)


@router.post("/accounts/{account_id}/plan/objectives/{objective_id}/updates", dependencies=csrf)
def add_update(
    request: Request, account_id: Id, objective_id: Id, db: Db, user: PageUser, day: Today,
    form: FormData,
) -> Any:
    """A manual objective's value on a day, with a note."""
    require_writer(user)
    objective = _objective(current_or_404(db, user, account_id, day), objective_id)
    values = form_values(form, UPDATE_FIELDS)
    try:
        data = ObjectiveUpdateIn.model_validate(values)
        service.add_objective_update(db, user, objective.id, data, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return plan_page(request, db, user, account_id, day, status_code=422, forms={
            f"update-{objective_id}": {"values": values, "errors": form_errors(exc)}})
    flash(request, f"Update noted on “{objective.title}”.")
    return RedirectResponse(f"/accounts/{account_id}/plan#objective-{objective.id}",
                            status_code=303)


@router.post("/accounts/{account_id}/plan/objectives/{objective_id}/actions", dependencies=csrf)
def add_action(
    request: Request, account_id: Id, objective_id: Id, db: Db, user: PageUser, day: Today,
    form: FormData,
) -> Any:
    require_writer(user)
    objective = _objective(current_or_404(db, user, account_id, day), objective_id)
    values = form_values(form, ACTION_FIELDS)
    try:
        data = ActionIn.model_validate(values)
        action = service.add_action(db, user, objective.id, data, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return plan_page(request, db, user, account_id, day, status_code=422, forms={
            f"action-{objective_id}": {"values": values, "errors": form_errors(exc)}})
    flash(request, f"Action “{action.title}” added.")
    return RedirectResponse(f"/accounts/{account_id}/plan#objective-{objective.id}",
                            status_code=303)


@router.post("/accounts/{account_id}/plan/actions/{action_id}/status", dependencies=csrf)
def set_action_status(
    request: Request, account_id: Id, action_id: Id, db: Db, user: PageUser, day: Today,
    form: FormData,
) -> Any:
    """An action done (today), cancelled or open again."""
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    owned = [a for o in plan.objectives for a in o.actions if a.id == action_id]
    if not owned:
        raise NotFound(f"no action {action_id} in this plan")
    status = form_values(form, ("status",)).get("status") or "done"
    try:
        if status == "done":
            action = service.complete_action(db, user, action_id, today=day)
        else:
            action = service.update_action(
                db, user, action_id, ActionPatch.model_validate({"status": status}), today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        flash(request, f"The action was not changed: {form_errors(exc).get('status', exc)}",
              "error")
        return RedirectResponse(f"/accounts/{account_id}/plan#objectives", status_code=303)
    flash(request, f"Action “{action.title}”: {action.status}.")
    return RedirectResponse(f"/accounts/{account_id}/plan#objective-{action.objective_id}",
                            status_code=303)
