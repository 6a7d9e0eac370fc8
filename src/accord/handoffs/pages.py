"""Hand-off pages: the lists (waiting for me, mine, overdue, returned), one hand-off with its
checklist form, starting a hand-off from an account, and the admin's checklist templates.

Each route parses its form and calls ``accord.handoffs.service``, which holds every rule
(who may answer, submit, accept or return; visibility; the gate on the account's status).
A refusal comes back as the page with the message beside what it concerns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.accounts import contacts as contact_service
from accord.accounts import service as account_service
from accord.accounts.visibility import require_writer
from accord.core import versions
from accord.core.errors import Conflict, ValidationFailed
from accord.core.schemas import Id, PageNumber, Word
from accord.handoffs import service
from accord.handoffs.checklist_pages import KIND_WORDS
from accord.handoffs.checklist_pages import router as checklist_router
from accord.handoffs.rules import AnswerKind, HandoffKind
from accord.handoffs.schemas import HandoffCreate, ItemAnswer, ItemKey, ReturnIn
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import (
    Db,
    FormData,
    PageUser,
    csrf,
    form_errors,
    form_values,
    is_partial,
)
from accord.web.templating import render

router = APIRouter()
router.include_router(checklist_router)
Today = Annotated[date, Depends(today)]
KeyPath = Annotated[ItemKey, Path()]

#: the tabs of /handoffs, in order
BOXES = (
    ("waiting", "Waiting for me"),
    ("mine", "Written by me"),
    ("overdue", "Overdue"),
    ("returned", "Returned to me"),
    ("all", "All I can see"),
)
PAGE_SIZE = 50
#: hand-offs listed on the account page (the newest)
ACCOUNT_PANEL_ROWS = 5
#: what an item's form sends
ANSWER_FIELDS = ("kind", "text", "contact_id", "interaction_id", "reason")
#: which of them each kind of answer takes (the rest of the form is ignored)
TAKES = {
    AnswerKind.TEXT.value: ("text",),
    AnswerKind.FILE.value: ("text",),
    AnswerKind.LINK.value: ("text",),
    AnswerKind.CONTACT.value: ("contact_id", "text"),
    AnswerKind.INTERACTION.value: ("interaction_id", "text"),
    AnswerKind.NOT_APPLICABLE.value: ("reason",),
}
ANSWER_KINDS = [
    ("text", "Text"),
    ("contact", "A contact of the account"),
    ("interaction", "An interaction with the account"),
    ("file", "A file name"),
    ("link", "A link"),
    ("not_applicable", "Not applicable (give a reason)"),
]
#: interactions offered as evidence (the newest)
INTERACTION_CHOICES = 100


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20 — None stands for a gap."""
    wanted = {1, pages, *range(page - 2, page + 3)}
    out: list[int | None] = []
    for n in sorted(n for n in wanted if 1 <= n <= pages):
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


# ------------------------------------------------------------------ the lists


def account_handoffs(db: Any, user: Any, account_id: int, day: date) -> dict[str, Any]:
    """The account page's hand-off lines (``handoffs/_account_panel.html``): its newest
    hand-offs, the open ones first in mind (the page itself checked the account is seen)."""
    rows = service.account_panel(db, user, account_id, limit=ACCOUNT_PANEL_ROWS, today=day)
    return {
        "rows": rows,
        "open_kinds": {r.kind for r in rows if r.state != "accepted"},
    }



@router.get("/handoffs")
def handoffs_list(
    request: Request,
    user: PageUser,
    db: Db,
    day: Today,
    box: Word = "",
    sort: Word = "due",
    page: PageNumber = 1,
) -> Any:
    boxes = dict(BOXES)
    box = box if box in boxes else ("mine" if user.role == "sales" else "waiting")
    sort = sort if sort in ("due", "-due") else "due"
    result = service.list_handoffs(
        db, user, box=box, page=page, page_size=PAGE_SIZE, today=day,
        sort="due_on" if sort == "due" else "-due_on",
    )

    def url(**changes: Any) -> str:
        state = {"box": box, "sort": sort, "page": str(page)}
        state.update({k: str(v) for k, v in changes.items()})
        if state["sort"] == "due":
            state.pop("sort")
        if state["page"] == "1":
            state.pop("page")
        return "/handoffs?" + urlencode(state)

    first = (result.page - 1) * result.page_size + 1 if result.total else 0
    return render(
        request,
        "handoffs/list.html",
        {
            "user": user,
            "box": box,
            "box_label": boxes[box],
            "boxes": BOXES,
            "sort": sort,
            "result": result,
            "url": url,
            "page_numbers": _page_numbers(result.page, result.pages),
            "first_row": first,
            "last_row": first + len(result.items) - 1 if result.items else 0,
        },
    )


# ------------------------------------------------------------------ one hand-off


def _detail(
    request: Request,
    db: Any,
    user: Any,
    handoff_id: int,
    day: date,
    *,
    status_code: int = 200,
    item_key: str | None = None,
    item_values: dict[str, Any] | None = None,
    item_errors: dict[str, str] | None = None,
    action_errors: dict[str, str] | None = None,
    return_values: dict[str, Any] | None = None,
    refused_submit: bool = False,
    partial: bool = False,
) -> Any:
    """The hand-off page (or only its checklist, for htmx), with a failed form's values and
    errors. ``refused_submit``: name the required items still missing."""
    h = service.get_handoff(db, user, handoff_id, today=day)
    editable = "answer" in h.allowed
    contacts: list[Any] = []
    interactions: list[Any] = []
    if editable and h.account_visible:  # the choices of evidence: the account's own
        contacts = contact_service.list_contacts(db, user, h.account_id)
        interactions = contact_service.timeline(db, user, h.account_id, limit=INTERACTION_CHOICES)
    required = [i for i in h.items if i.required]
    missing = set(h.missing) if refused_submit else set()
    context = {
        "user": user,
        "h": h,
        "editable": editable,
        "contacts": contacts,
        "interactions": interactions,
        "answer_kinds": ANSWER_KINDS,
        "required_total": len(required),
        "answered_required": sum(1 for i in required if i.answer_kind),
        "missing_keys": missing,
        "missing_labels": [(i.key, i.label) for i in h.items if i.key in missing],
        "item_key": item_key,
        "item_values": item_values or {},
        "item_errors": item_errors or {},
        "action_errors": action_errors or {},
        "return_values": return_values or {},
    }
    name = "handoffs/_checklist.html" if partial else "handoffs/detail.html"
    return render(request, name, context, status_code=status_code)


@router.get("/handoffs/{handoff_id}")
def handoff_page(request: Request, handoff_id: Id, user: PageUser, db: Db, day: Today) -> Any:
    return _detail(request, db, user, handoff_id, day)


def _answer(values: dict[str, Any]) -> dict[str, Any]:
    """The fields the chosen kind of answer takes (a form shows them all)."""
    kind = (values.get("kind") or "").strip()
    taken = TAKES.get(kind, () if not kind else ANSWER_FIELDS[1:])
    return {"kind": kind or None, **{f: values.get(f) or None for f in taken}}


@router.post("/handoffs/{handoff_id}/items/{key}", dependencies=csrf)
def answer_item(
    request: Request,
    handoff_id: Id,
    key: KeyPath,
    user: PageUser,
    db: Db,
    day: Today,
    form: FormData,
) -> Any:
    values = form_values(form, ANSWER_FIELDS)
    expected = versions.form_expected(form_values(form, ("version",)))
    partial = is_partial(request)
    try:
        data = ItemAnswer.model_validate(_answer(values))
        service.answer_item(db, user, handoff_id, key, data, expected=expected, today=day)
    except Conflict as exc:  # a stale page, or the hand-off was submitted meanwhile
        db.rollback()
        message = (
            "the hand-off changed meanwhile; check the checklist and save this answer again"
            if isinstance(exc, versions.Stale) else exc.detail
        )
        if partial:  # htmx swaps no 409: the page reloads with the message
            flash(request, f"Your answer was not saved: {message}.", "error")
            response = render(request, "handoffs/_checklist_stale.html", {}, status_code=409)
            response.headers["HX-Refresh"] = "true"
            return response
        if not isinstance(exc, versions.Stale):  # no form to show it in any more
            return _detail(request, db, user, handoff_id, day, status_code=409,
                           action_errors={"state": message})
        return _detail(
            request, db, user, handoff_id, day, status_code=409,
            item_key=key, item_values=values, item_errors={"form": message},
        )
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return _detail(
            request, db, user, handoff_id, day, status_code=422, partial=partial,
            item_key=key, item_values=values, item_errors=form_errors(exc),
        )
    if partial:
        return _detail(request, db, user, handoff_id, day, partial=True)
    flash(request, "Answer saved.")
    return RedirectResponse(f"/handoffs/{handoff_id}#item-{key}", status_code=303)


@router.post("/handoffs/{handoff_id}/submit", dependencies=csrf)
def submit(request: Request, handoff_id: Id, user: PageUser, db: Db, day: Today) -> Any:
    try:
        service.submit_handoff(db, user, handoff_id, today=day)
    except ValidationFailed as exc:
        db.rollback()
        return _detail(
            request, db, user, handoff_id, day, status_code=422,
            action_errors=form_errors(exc), refused_submit=True,
        )
    except Conflict as exc:
        db.rollback()
        return _detail(request, db, user, handoff_id, day, status_code=409,
                       action_errors={"state": exc.detail})
    flash(request, f"Hand-off #{handoff_id} submitted.")
    return RedirectResponse(f"/handoffs/{handoff_id}", status_code=303)


@router.post("/handoffs/{handoff_id}/accept", dependencies=csrf)
def accept(request: Request, handoff_id: Id, user: PageUser, db: Db, day: Today) -> Any:
    try:
        out = service.accept_handoff(db, user, handoff_id, today=day)
    except (ValidationFailed, Conflict) as exc:
        db.rollback()
        status = 409 if isinstance(exc, Conflict) else 422
        return _detail(request, db, user, handoff_id, day, status_code=status,
                       action_errors={"state": exc.detail})
    flash(request, f"Hand-off #{out.id} accepted: {out.account_name} is {out.account_status}.")
    return RedirectResponse(f"/handoffs/{handoff_id}", status_code=303)


@router.post("/handoffs/{handoff_id}/return", dependencies=csrf)
def return_handoff(
    request: Request, handoff_id: Id, user: PageUser, db: Db, day: Today, form: FormData
) -> Any:
    values = form_values(form, ("reason",))
    try:
        data = ReturnIn.model_validate(values)
        service.return_handoff(db, user, handoff_id, data.reason, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        errors = form_errors(exc)
        if "reason" in errors and not (values.get("reason") or "").strip():
            errors["reason"] = "say why you return it: the author reads this"
        return _detail(request, db, user, handoff_id, day, status_code=422,
                       action_errors=errors, return_values=values)
    except Conflict as exc:
        db.rollback()
        return _detail(request, db, user, handoff_id, day, status_code=409,
                       action_errors={"state": exc.detail}, return_values=values)
    flash(request, f"Hand-off #{handoff_id} returned to its author.")
    return RedirectResponse(f"/handoffs/{handoff_id}", status_code=303)


# ------------------------------------------------------------------ starting one


def _new_page(
    request: Request,
    db: Any,
    user: Any,
    account_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Any:
    account = account_service.get_account(db, user, account_id)  # 404 before 403
    require_writer(user)
    return render(
        request,
        "handoffs/new.html",
        {
            "user": user,
            "account": account,
            "values": values,
            "errors": errors,
            "kinds": [(k.value, KIND_WORDS[k.value]) for k in HandoffKind],
        },
        status_code=status_code,
    )


@router.get("/accounts/{account_id}/handoffs/new")
def new_handoff(
    request: Request, account_id: Id, user: PageUser, db: Db, kind: Word = ""
) -> Any:
    kind = kind if kind in {k.value for k in HandoffKind} else "sales"
    return _new_page(request, db, user, account_id, {"kind": kind}, {})


@router.post("/accounts/{account_id}/handoffs/new", dependencies=csrf)
def create_handoff(
    request: Request, account_id: Id, user: PageUser, db: Db, day: Today, form: FormData
) -> Any:
    values = form_values(form, ("kind",))
    try:
        data = HandoffCreate.model_validate(values)
        created = service.create_handoff(db, user, account_id, data, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return _new_page(request, db, user, account_id, values, form_errors(exc), 422)
    except Conflict as exc:
        db.rollback()
        return _new_page(request, db, user, account_id, values, {"form": exc.detail}, 409)
    flash(request, f"Hand-off #{created.id} started: answer its checklist, then submit it.")
    return RedirectResponse(f"/handoffs/{created.id}", status_code=303)
