"""The proposal pages: an account's proposals (and a new one from chosen opportunities), one
proposal (its document, the edit form with errors by field, send / accept / decline, its
earlier versions) and its PDF."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from accord.core import versions
from accord.core.errors import AccordError, ValidationFailed
from accord.core.models import User
from accord.core.schemas import Id
from accord.proposals import forms, render, service, view
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render as render_page

router = APIRouter()
DONE = {"send": "sent", "accept": "accepted: its opportunities are won",
        "decline": "declined"}


def _list(request: Request, db: Any, user: User, account_id: int, *,
          values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
          status_code: int = 200) -> Any:
    page = service.list_proposals(db, user, account_id=account_id, today=today())
    choices = view.form_choices(db, user, account_id)
    account = choices["account"][0]
    return render_page(request, "proposals/list.html", {
        "user": user, "page": page, "account_id": account_id, "account_name": account,
        "choices": choices, "values": values or {}, "errors": errors or {},
    }, status_code=status_code)


@router.get("/accounts/{account_id}/proposals")
def account_proposals(request: Request, account_id: Id, user: PageUser, db: Db) -> Any:
    return _list(request, db, user, account_id)


@router.post("/accounts/{account_id}/proposals", dependencies=csrf)
def new_proposal(request: Request, account_id: Id, user: PageUser, db: Db,
                 form: FormData) -> Any:
    values = form_values(form, ("title", "valid_until"), multi=("opportunity_ids",))
    chosen = [str(v) for v in values.get("opportunity_ids") or []]
    try:
        out = service.create_proposal(db, user, account_id,
                                      forms.new_from_form(values, chosen), today=today())
    except ValidationFailed as exc:
        db.rollback()
        return _list(request, db, user, account_id, values=values, errors=form_errors(exc),
                     status_code=422)
    flash(request, f"Proposal created: {out.title}.")
    return RedirectResponse(f"/proposals/{out.id}", status_code=303)


@router.get("/proposals/{proposal_id}.pdf")
def proposal_pdf(proposal_id: Id, user: PageUser, db: Db, version: Id | None = None
                 ) -> Response:
    proposal, company = render.document(db, user, proposal_id, today=today(), number=version)
    return Response(render.render_pdf(proposal, company), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{render.filename(proposal, "pdf")}"'})


def _show(request: Request, db: Any, user: User, proposal_id: int, *,
          number: int | None = None, values: dict[str, Any] | None = None,
          errors: dict[str, str] | None = None, changed: dict[str, str] | None = None,
          status_code: int = 200) -> Any:
    proposal, company = render.document(db, user, proposal_id, today=today(), number=number)
    editable = not proposal.read_only and "edit" in proposal.actions
    return render_page(request, "proposals/proposal.html", {
        "user": user, "p": proposal, "company": company, "errors": errors or {},
        "values": values or {"title": proposal.title,
                             "valid_until": proposal.valid_until.isoformat()},
        "rows": forms.form_rows(values, proposal.offers, proposal.benefits),
        "choices": view.form_choices(db, user, proposal.account_id) if editable else None,
        "editable": editable, "changed": changed or {}, "form_version": proposal.version,
    }, status_code=status_code)


@router.get("/proposals/{proposal_id}")
def proposal_page(request: Request, proposal_id: Id, user: PageUser, db: Db,
                  version: Id | None = None) -> Any:
    return _show(request, db, user, proposal_id, number=version)


@router.post("/proposals/{proposal_id}", dependencies=csrf)
def edit_proposal(request: Request, proposal_id: Id, user: PageUser, db: Db,
                  form: FormData) -> Any:
    values = form_values(form)
    expected = versions.form_expected(form_values(form, ("version",)))
    try:
        service.edit_proposal(db, user, proposal_id, forms.edit_from_form(values),
                              expected=expected, today=today())
    except versions.Stale:
        db.rollback()
        return _show(request, db, user, proposal_id, values=values, status_code=409,
                     changed={"proposal": "changed by someone else meanwhile"})
    except ValidationFailed as exc:
        db.rollback()
        return _show(request, db, user, proposal_id, values=values, errors=form_errors(exc),
                     status_code=422)
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        db.rollback()
        return _show(request, db, user, proposal_id, values=values,
                     errors={"form": exc.detail}, status_code=exc.status)
    flash(request, "Proposal saved.")
    return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)


def _decide(request: Request, db: Any, user: User, proposal_id: int, action: str) -> Any:
    do = {"send": service.send, "accept": service.accept, "decline": service.decline}[action]
    try:
        do(db, user, proposal_id, today=today())
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        db.rollback()
        return _show(request, db, user, proposal_id, errors={"form": exc.detail},
                     status_code=exc.status)
    flash(request, f"Proposal {DONE[action]}.")
    return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)


@router.post("/proposals/{proposal_id}/send", dependencies=csrf)
def send_proposal(request: Request, proposal_id: Id, user: PageUser, db: Db) -> Any:
    return _decide(request, db, user, proposal_id, "send")


@router.post("/proposals/{proposal_id}/accept", dependencies=csrf)
def accept_proposal(request: Request, proposal_id: Id, user: PageUser, db: Db) -> Any:
    return _decide(request, db, user, proposal_id, "accept")


@router.post("/proposals/{proposal_id}/decline", dependencies=csrf)
def decline_proposal(request: Request, proposal_id: Id, user: PageUser, db: Db) -> Any:
    return _decide(request, db, user, proposal_id, "decline")
