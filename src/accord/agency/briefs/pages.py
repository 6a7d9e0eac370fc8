"""The brief pages: the list (filters, sort, pages), the department board, the form writing
one (the department's template appears when it is chosen; "Create and send"), one brief with
its timeline and the caller's actions as small forms, its edit form, and the account's Work
tab (its briefs by state, and the client inputs panel)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.accounts import service as account_service
from accord.accounts.visibility import can_write, require_writer
from accord.agency.briefs import rules, service
from accord.agency.briefs.schemas import (
    SORTS,
    AcceptIn,
    ApproveIn,
    BriefDetail,
    DeliverIn,
    Filters,
    ReasonIn,
    brief_in,
    brief_patch,
    parsed,
)
from accord.agency.inputs import service as inputs_service
from accord.core import versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, Forbidden, ValidationFailed
from accord.core.schemas import Flag, Id, PageNumber, SearchText, Word
from accord.web.flash import flash
from accord.web.page_deps import (
    Db,
    FormData,
    PageToday,
    PageUser,
    csrf,
    form_errors,
    form_values,
    is_partial,
)
from accord.web.templating import render

router = APIRouter()
PAGE_SIZE = 50
FIELDS = ("account_id", "department_id", "title", "due_on", "priority", "deliverable_type",
          "estimated_hours")
EDIT_FIELDS = ("title", "due_on", "priority", "deliverable_type", "estimated_hours")
LABELS = {"title": "Title", "due_on": "Due on", "priority": "Priority",
          "deliverable_type": "Deliverable", "estimated_hours": "Estimated hours"}
STATUS_CHOICES = [("all", "All"), ("open", "Open"), ("late", "Late"),
                  *[(s, rules.STATE_LABELS[s]) for s in rules.STATES]]
PRIORITY_CHOICES = [(p, p.capitalize()) for p in rules.PRIORITIES]
BADGES = {"draft": "grey", "sent": "blue", "accepted": "blue", "in_progress": "amber",
          "delivered": "green", "approved": "green", "cancelled": "grey"}


def _query(shown: dict[str, Any], **change: Any) -> str:
    merged = {**shown, **change}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


def _common(db: Any) -> dict[str, Any]:
    return {"departments": service.department_choices(db), "badges": BADGES,
            "labels": rules.STATE_LABELS, "action_labels": rules.ACTION_LABELS,
            "priorities": PRIORITY_CHOICES}


@router.get("/briefs")
def briefs_page(
    request: Request, user: PageUser, db: Db, day: PageToday, department_id: Id | None = None,
    account_id: Id | None = None, status: Word = "all", priority: Word | None = None,
    q: SearchText | None = None, sort: Word = "due", page: PageNumber = 1, late: Flag = False,
) -> Any:
    shown = {"department_id": department_id, "account_id": account_id, "status": status,
             "priority": priority, "q": q, "sort": sort, "late": "true" if late else None}
    errors: dict[str, str] = {}
    listing = None
    try:
        listing = service.list_briefs(db, user, Filters(
            today=day, department_id=department_id, account_id=account_id, status=status,
            priority=priority or None, q=q, sort=sort, late=late), page, PAGE_SIZE)
    except ValidationFailed as exc:
        errors = form_errors(exc)
    total = listing.total if listing else 0
    return render(request, "agency/briefs_list.html", {
        **_common(db), "user": user, "listing": listing, "errors": errors, "filters": shown,
        "statuses": STATUS_CHOICES, "sorts": SORTS, "today": day,
        "query": lambda **change: _query(shown, **change),
        "pages": max(1, -(-total // PAGE_SIZE)), "page": page,
    }, status_code=422 if errors else 200)


@router.get("/briefs/board")
def board_page(
    request: Request, user: PageUser, db: Db, day: PageToday, department_id: Id | None = None,
    q: SearchText | None = None, priority: Word | None = None, late: Flag = False,
) -> Any:
    shown = {"department_id": department_id, "q": q, "priority": priority,
             "late": "true" if late else None}
    board = service.board(db, user, department_id, Filters(
        today=day, q=q, priority=priority or None, late=late), day)

    def more(status: str) -> str:  # the list of a column's briefs, with the board's filters
        return "/briefs?" + _query({"department_id": board.department_id, "status": status,
                                    "q": q, "priority": priority,
                                    "late": "true" if late else None})

    return render(request, "agency/briefs_board.html", {
        **_common(db), "user": user, "board": board, "filters": shown, "today": board.today,
        "more": more, "can_write": can_write(user)})


# ---------------------------------------------------------------- writing


def _brief_values(form: Any) -> dict[str, Any]:
    """The form's fields; ``sections.<key>`` as a dict, attachment rows as a list."""
    values = form_values(form, FIELDS)
    sections = {k.removeprefix("sections."): v for k, v in form.items()
                if isinstance(k, str) and k.startswith("sections.") and isinstance(v, str)}
    if sections:
        values["sections"] = sections
    if "attachment_name" in form:
        names = [v for v in form.getlist("attachment_name") if isinstance(v, str)]
        urls = [v for v in form.getlist("attachment_url") if isinstance(v, str)]
        values["attachments"] = [{"name": n, "url": u}
                                 for n, u in zip(names, urls, strict=False)
                                 if n.strip() or u.strip()]
    return values


def _new(request: Request, db: Any, user: Any, values: dict[str, Any], errors: dict[str, str],
         day: date, status_code: int = 200) -> Any:
    raw = str(values.get("account_id") or "").strip()
    account = account_service.get_account(db, user, int(raw)) \
        if raw.isdigit() and 0 < len(raw) < 11 and 0 < int(raw) <= 2_147_483_647 else None
    raw_dept = str(values.get("department_id") or "").strip()
    dept_id = int(raw_dept) if raw_dept.isdigit() and 0 < len(raw_dept) < 11 \
        and int(raw_dept) <= 2_147_483_647 else None
    chosen = service.form_defaults(db, dept_id, day)
    if not values.get("due_on") and chosen["due_on"]:
        values = {**values, "due_on": chosen["due_on"].isoformat()}
    context = {**_common(db), "user": user, "account": account, "values": values,
               "errors": errors, "chosen": chosen,
               "deliverables": service.deliverable_choices(db)}
    name = "agency/briefs_sections.html" if is_partial(request) else "agency/briefs_new.html"
    return render(request, name, context, status_code=status_code)


@router.get("/briefs/new")
def new_brief(request: Request, user: PageUser, db: Db, day: PageToday,
              account_id: Id | None = None, department_id: Id | None = None) -> Any:
    require_writer(user)
    values = {"account_id": str(account_id or ""), "department_id": str(department_id or ""),
              "priority": "normal", "sections": {}, "attachments": []}
    return _new(request, db, user, values, {}, day)


@router.post("/briefs", dependencies=csrf)
def create_brief(request: Request, user: PageUser, db: Db, form: FormData,
                 day: PageToday) -> Any:
    values = _brief_values(form)
    then = form.get("then")
    try:
        out = service.create_brief(db, user, brief_in(values), day)
        if then == "send":
            out = service.send(db, user, out.id, day)
    except ValidationFailed as exc:
        db.rollback()
        return _new(request, db, user, values, form_errors(exc), day, status_code=422)
    flash(request, f"Brief {'sent' if out.status == 'sent' else 'saved as a draft'}: "
          f"{out.title}.")
    return RedirectResponse(f"/briefs/{out.id}", status_code=303)


def _stored(b: BriefDetail) -> dict[str, Any]:
    return {"title": b.title, "due_on": b.due_on.isoformat(), "priority": b.priority,
            "deliverable_type": b.deliverable_type or "",
            "estimated_hours": versions.as_text(b.estimated_hours),
            "sections": dict(b.sections),
            "attachments": [a.model_dump() for a in b.attachments]}


def _edit(request: Request, db: Any, user: Any, b: BriefDetail, *,
          values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
          started: dict[str, Any] | None = None, changed: dict[str, str] | None = None,
          status_code: int = 200) -> Any:
    stored = _stored(b)
    plain = {k: v for k, v in stored.items() if k in EDIT_FIELDS}
    return render(request, "agency/briefs_edit.html", {
        **_common(db), "user": user, "b": b, "values": values or stored, "errors": errors or {},
        "form": versions.form_state(started or versions.form_started(b.version, plain), changed),
        "field_labels": LABELS, "deliverables": service.deliverable_choices(db),
    }, status_code=status_code)


@router.get("/briefs/{brief_id}/edit")
def edit_brief_page(request: Request, brief_id: Id, user: PageUser, db: Db,
                    day: PageToday) -> Any:
    b = service.get_brief(db, user, brief_id, day)
    if not (b.sees_account and can_write(user)):
        raise Forbidden("only the account's team may change a brief")
    if b.status in rules.CLOSED_STATES:
        raise Conflict(f"the brief is {b.status}: it is closed")
    return _edit(request, db, user, b)


@router.post("/briefs/{brief_id}/edit", dependencies=csrf)
def edit_brief(request: Request, brief_id: Id, user: PageUser, db: Db, form: FormData,
               day: PageToday) -> Any:
    values = _brief_values(form)
    values = {k: v for k, v in values.items() if k in EDIT_FIELDS + ("sections", "attachments")}
    expected = versions.form_expected(form_values(form, ("version", "original")),
                                      submitted=values)
    try:
        service.edit_brief(db, user, brief_id, brief_patch(values), day, expected=expected)
    except versions.Stale as exc:
        db.rollback()
        current = service.get_brief(db, user, brief_id, day)
        plain = {k: v for k, v in _stored(current).items() if k in EDIT_FIELDS}
        started = {"version": exc.version, "original": versions.form_original(plain)}
        return _edit(request, db, user, current, values=values, started=started,
                     changed=exc.changed, status_code=409)
    except ValidationFailed as exc:
        db.rollback()
        return _edit(request, db, user, service.get_brief(db, user, brief_id, day),
                     values=values, errors=form_errors(exc), status_code=422)
    flash(request, "Brief saved.")
    return RedirectResponse(f"/briefs/{brief_id}", status_code=303)


# ---------------------------------------------------------------- one brief and its moves


def _detail(request: Request, db: Any, user: Any, b: BriefDetail, day: date, *,
            errors: dict[str, dict[str, str]] | None = None,
            values: dict[str, dict[str, Any]] | None = None, status_code: int = 200) -> Any:
    return render(request, "agency/briefs_detail.html", {
        **_common(db), "user": user, "b": b, "today": day, "errors": errors or {},
        "values": values or {}, "can_write": can_write(user),
    }, status_code=status_code)


@router.get("/briefs/{brief_id}")
def brief_page(request: Request, brief_id: Id, user: PageUser, db: Db, day: PageToday) -> Any:
    return _detail(request, db, user, service.get_brief(db, user, brief_id, day), day)


def _move(request: Request, db: Any, user: Any, brief_id: int, day: date, action: str,
          values: dict[str, Any], run: Any, done: str) -> Any:
    try:
        run()
    except (ValidationFailed, Conflict) as exc:
        if isinstance(exc, versions.Stale):
            raise
        db.rollback()
        found = form_errors(exc) if isinstance(exc, ValidationFailed) else {"status": exc.detail}
        return _detail(request, db, user, service.get_brief(db, user, brief_id, day), day,
                       errors={action: found}, values={action: values},
                       status_code=422 if isinstance(exc, ValidationFailed) else 409)
    flash(request, done)
    return RedirectResponse(f"/briefs/{brief_id}", status_code=303)


@router.post("/briefs/{brief_id}/send", dependencies=csrf)
def send(request: Request, brief_id: Id, user: PageUser, db: Db, day: PageToday) -> Any:
    return _move(request, db, user, brief_id, day, "send", {},
                 lambda: service.send(db, user, brief_id, day), "Brief sent.")


@router.post("/briefs/{brief_id}/accept", dependencies=csrf)
def accept(request: Request, brief_id: Id, user: PageUser, db: Db, form: FormData,
           day: PageToday) -> Any:
    values = form_values(form, ("proposed_due_on", "reason"))

    def run() -> None:
        given = parsed(AcceptIn, {k: v for k, v in values.items() if v}, "proposed_due_on")
        service.accept(db, user, brief_id, utcnow(), proposed_due_on=given.proposed_due_on,
                       reason=given.reason)

    return _move(request, db, user, brief_id, day, "accept", values, run, "Brief accepted.")


@router.post("/briefs/{brief_id}/agree-date", dependencies=csrf)
def agree_date(request: Request, brief_id: Id, user: PageUser, db: Db,
               day: PageToday) -> Any:
    return _move(request, db, user, brief_id, day, "agree_date", {},
                 lambda: service.agree_date(db, user, brief_id, day), "New due date agreed.")


def _reason(form: Any) -> str:
    return parsed(ReasonIn, {"reason": form_values(form, ("reason",)).get("reason") or ""},
                  "reason").reason


@router.post("/briefs/{brief_id}/decline-date", dependencies=csrf)
def decline_date(request: Request, brief_id: Id, user: PageUser, db: Db, form: FormData,
                 day: PageToday) -> Any:
    return _move(request, db, user, brief_id, day, "decline_date",
                 form_values(form, ("reason",)),
                 lambda: service.decline_date(db, user, brief_id, day, _reason(form)),
                 "Proposed date declined.")


@router.post("/briefs/{brief_id}/start", dependencies=csrf)
def start(request: Request, brief_id: Id, user: PageUser, db: Db, day: PageToday) -> Any:
    return _move(request, db, user, brief_id, day, "start", {},
                 lambda: service.start(db, user, brief_id, utcnow()), "Work started.")


@router.post("/briefs/{brief_id}/deliver", dependencies=csrf)
def deliver(request: Request, brief_id: Id, user: PageUser, db: Db, form: FormData,
            day: PageToday) -> Any:
    values = form_values(form, ("actual_hours", "note"))

    def run() -> None:
        given = parsed(DeliverIn, {k: v for k, v in values.items() if v}, "actual_hours")
        service.deliver(db, user, brief_id, utcnow(), actual_hours=given.actual_hours,
                        note=given.note)

    return _move(request, db, user, brief_id, day, "deliver", values, run, "Brief delivered.")


@router.post("/briefs/{brief_id}/request-changes", dependencies=csrf)
def request_changes(request: Request, brief_id: Id, user: PageUser, db: Db, form: FormData,
                    day: PageToday) -> Any:
    return _move(request, db, user, brief_id, day, "request_changes",
                 form_values(form, ("reason",)),
                 lambda: service.request_changes(db, user, brief_id, day, _reason(form)),
                 "Changes requested.")


@router.post("/briefs/{brief_id}/approve", dependencies=csrf)
def approve(request: Request, brief_id: Id, user: PageUser, db: Db, form: FormData,
            day: PageToday) -> Any:
    values = form_values(form, ("reason",), multi=("check",))

    def run() -> None:
        given = parsed(ApproveIn, {"checks": {k: True for k in values["check"]},
                                   **({"reason": values["reason"]} if values.get("reason")
                                      else {})}, "reason")
        service.approve(db, user, brief_id, day, checks=given.checks, reason=given.reason)

    return _move(request, db, user, brief_id, day, "approve", values, run, "Brief approved.")


@router.post("/briefs/{brief_id}/cancel", dependencies=csrf)
def cancel(request: Request, brief_id: Id, user: PageUser, db: Db, form: FormData,
           day: PageToday) -> Any:
    return _move(request, db, user, brief_id, day, "cancel", form_values(form, ("reason",)),
                 lambda: service.cancel(db, user, brief_id, day, _reason(form)),
                 "Brief cancelled.")


# ---------------------------------------------------------------- the account's Work tab


@router.get("/accounts/{account_id}/work")
def work_tab(request: Request, account_id: Id, user: PageUser, db: Db, day: PageToday) -> Any:
    work = service.account_work(db, user, account_id, day)
    account = account_service.get_account(db, user, account_id)
    panel = inputs_service.account_inputs(db, user, account_id, day)
    groups = [(s, [b for b in work.items if b.status == s]) for s in rules.STATES]
    return render(request, "agency/work_tab.html", {
        **_common(db), "user": user, "account": account, "groups": groups,
        "total": work.total, "shown": len(work.items), "panel": panel, "today": day,
        "can_write": can_write(user)})
