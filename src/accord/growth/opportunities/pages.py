"""The opportunity pages: an account's opportunities and the form adding one (prefilled from
the whitespace grid's ``?product_line_id=N&kind=cross_sell``), one opportunity (edit, move
to another stage, lost with its reason)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from accord.accounts import service as account_service
from accord.accounts.visibility import can_write, require_writer
from accord.core import versions
from accord.core.errors import AccordError, ValidationFailed
from accord.core.schemas import Id, Word
from accord.growth.opportunities import objectives, rules, service
from accord.growth.opportunities.schemas import (
    OpportunityOut,
    opportunity_in,
    opportunity_patch,
    stage_move,
)
from accord.plans.plan_view import owner_choices
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
Today = Annotated[date, Depends(today)]
FIELDS = ("title", "kind", "value", "stage", "probability", "expected_close_on", "owner_id",
          "next_step", "next_step_on")
EDIT_FIELDS = tuple(f for f in FIELDS if f != "stage")
LABELS = {"title": "Title", "kind": "Kind", "value": "Value", "stage": "Stage",
          "probability": "Probability (%)", "expected_close_on": "Expected close",
          "owner_id": "Owner", "next_step": "Next step", "next_step_on": "Next step on",
          "product_line_ids": "Product lines", "reason": "Reason"}


def _choices(db: Any, user: Any, account_id: int) -> dict[str, Any]:
    return {
        "kinds": [(k, rules.KIND_LABELS[k]) for k in rules.KINDS],
        "open_stages": [(s, rules.STAGE_LABELS[s]) for s in rules.OPEN_STAGES],
        "lines": service.product_lines(db),
        "owners": owner_choices(db, user, account_id),
        "policy": service.stages_policy(db),
        "labels": LABELS,
    }


def _account_page(request: Request, db: Any, user: Any, account_id: int, *,
                  values: dict[str, Any], errors: dict[str, str], status_code: int = 200,
                  new: bool = False) -> Any:
    account = account_service.get_account(db, user, account_id)
    items = service.account_opportunities(db, user, account_id)
    return render(request, "growth/opportunities.html", {
        "user": user, "account": account, "items": items, "values": values, "errors": errors,
        "new": new, "can_write": can_write(user), **_choices(db, user, account_id),
    }, status_code=status_code)


@router.get("/accounts/{account_id}/opportunities")
def account_opportunities(request: Request, account_id: Id, user: PageUser, db: Db) -> Any:
    return _account_page(request, db, user, account_id, values={}, errors={})


@router.get("/accounts/{account_id}/opportunities/new")
def new_opportunity(request: Request, account_id: Id, user: PageUser, db: Db,
                    product_line_id: Id | None = None, kind: Word | None = None) -> Any:
    account_service.get_account(db, user, account_id)
    require_writer(user)
    values: dict[str, Any] = {"stage": "identified",
                              "kind": kind if kind in rules.KINDS else "",
                              "product_line_ids": [product_line_id] if product_line_id else []}
    return _account_page(request, db, user, account_id, values=values, errors={}, new=True)


@router.post("/accounts/{account_id}/opportunities", dependencies=csrf)
def create_opportunity(request: Request, account_id: Id, user: PageUser, db: Db,
                       form: FormData, day: Today) -> Any:
    values = form_values(form, FIELDS, multi=("product_line_ids",))
    try:
        out = service.create_opportunity(db, user, account_id, opportunity_in(values),
                                         today=day)
    except ValidationFailed as exc:
        return _account_page(request, db, user, account_id, values=values,
                             errors=form_errors(exc), status_code=422, new=True)
    flash(request, f"Opportunity added: {out.title}.")
    return RedirectResponse(f"/opportunities/{out.id}", status_code=303)


def _stored(o: OpportunityOut) -> dict[str, Any]:
    return {"title": o.title, "kind": o.kind, "value": format(o.value, "f"),
            "probability": str(o.probability),
            "expected_close_on": o.expected_close_on.isoformat() if o.expected_close_on else "",
            "owner_id": str(o.owner.id) if o.owner else "", "next_step": o.next_step,
            "next_step_on": o.next_step_on.isoformat() if o.next_step_on else "",
            "product_line_ids": [line.id for line in o.product_lines]}


def _detail(request: Request, db: Any, user: Any, o: OpportunityOut, *,
            values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
            move_errors: dict[str, str] | None = None, started: dict[str, Any] | None = None,
            changed: dict[str, str] | None = None, status_code: int = 200,
            objective_errors: dict[str, str] | None = None) -> Any:
    account = account_service.get_account(db, user, o.account_id)
    stored = _stored(o)
    start = started or versions.form_started(
        o.version, {k: v for k, v in stored.items() if k != "product_line_ids"})
    return render(request, "growth/opportunity.html", {
        "user": user, "account": account, "o": o, "values": values or stored,
        "errors": errors or {}, "move_errors": move_errors or {},
        "moves": [(s, rules.STAGE_LABELS[s]) for s in o.allowed_moves],
        "can_write": can_write(user), "form": versions.form_state(start, changed),
        "objectives": objectives.objective_choices(db, user, o.id),
        "objective_errors": objective_errors or {},
        **_choices(db, user, o.account_id),
    }, status_code=status_code)


@router.get("/opportunities/{opportunity_id}")
def opportunity_page(request: Request, opportunity_id: Id, user: PageUser, db: Db) -> Any:
    return _detail(request, db, user, service.get_opportunity(db, user, opportunity_id))


@router.post("/opportunities/{opportunity_id}", dependencies=csrf)
def edit_opportunity(request: Request, opportunity_id: Id, user: PageUser, db: Db,
                     form: FormData, day: Today) -> Any:
    values = form_values(form, EDIT_FIELDS, multi=("product_line_ids",))
    values = {k: v for k, v in values.items() if k in EDIT_FIELDS or k == "product_line_ids"}
    expected = versions.form_expected(form_values(form, ("version", "original")),
                                      submitted={k: v for k, v in values.items()
                                                 if k != "product_line_ids"})
    try:
        out = service.update_opportunity(db, user, opportunity_id, opportunity_patch(values),
                                         expected=expected, today=day)
    except versions.Stale as exc:
        current = service.get_opportunity(db, user, opportunity_id)
        started = {"version": exc.version, "original": versions.form_original(
            {k: v for k, v in _stored(current).items() if k != "product_line_ids"})}
        return _detail(request, db, user, current, values=values, started=started,
                       changed=exc.changed, status_code=409)
    except ValidationFailed as exc:
        return _detail(request, db, user, service.get_opportunity(db, user, opportunity_id),
                       values=values, errors=form_errors(exc), status_code=422)
    flash(request, "Opportunity saved.")
    return RedirectResponse(f"/opportunities/{out.id}", status_code=303)


@router.post("/opportunities/{opportunity_id}/stage", dependencies=csrf)
def move_opportunity(request: Request, opportunity_id: Id, user: PageUser, db: Db,
                     form: FormData, day: Today) -> Any:
    values = form_values(form, ("stage", "reason", "probability"))
    try:
        move = stage_move(values)
        out = service.move_opportunity(db, user, opportunity_id, move.stage, today=day,
                                       reason=move.reason, probability=move.probability)
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        errors = form_errors(exc) if isinstance(exc, ValidationFailed) \
            else {"stage": exc.detail}
        return _detail(request, db, user, service.get_opportunity(db, user, opportunity_id),
                       move_errors=errors, status_code=exc.status)
    flash(request, f"Opportunity moved to {out.stage}.")
    return RedirectResponse(f"/opportunities/{out.id}", status_code=303)


@router.post("/opportunities/{opportunity_id}/objectives", dependencies=csrf)
def link_objective(request: Request, opportunity_id: Id, user: PageUser, db: Db,
                   form: FormData) -> Any:
    raw = form_values(form, ("objective_id",)).get("objective_id") or ""
    try:
        objective_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
        objectives.link_objective(db, user, opportunity_id, objective_id)
    except ValidationFailed as exc:
        return _detail(request, db, user, service.get_opportunity(db, user, opportunity_id),
                       objective_errors=form_errors(exc), status_code=422)
    flash(request, "Listed under the objective: its progress counts this opportunity once won.")
    return RedirectResponse(f"/opportunities/{opportunity_id}", status_code=303)


@router.post("/opportunities/{opportunity_id}/objectives/{objective_id}/remove",
             dependencies=csrf)
def unlink_objective(request: Request, opportunity_id: Id, objective_id: Id, user: PageUser,
                     db: Db) -> Any:
    objectives.unlink_objective(db, user, opportunity_id, objective_id)
    flash(request, "Taken off the objective.")
    return RedirectResponse(f"/opportunities/{opportunity_id}", status_code=303)
