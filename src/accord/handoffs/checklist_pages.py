"""The admin's checklist templates (``/admin/handoff-checklists/{kind}``): rows of key,
label, required, hint, an order number to reorder them and a box to remove one; a blank row
adds an item. The rows go to ``service.save_checklist``; a refused save comes back with each
error on its row, a stale one (409) with the admin's rows kept and the stored ones shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.core import versions
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role
from accord.core.roles import require_role
from accord.handoffs import service
from accord.handoffs.rules import MAX_ITEMS, HandoffKind
from accord.handoffs.schemas import ChecklistIn
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, enum_choices, form_values
from accord.web.templating import render

router = APIRouter()

#: rows a form may carry: the template's items and a few blank ones to add
MAX_ROWS = MAX_ITEMS + 5
#: blank rows offered for new items
BLANK_ROWS = 3
KIND_WORDS = {"sales": "From sales to the account manager",
              "manager": "From the leaving manager to the new one"}
FIELDS = ("key", "label", "hint")


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def checklist_from_form(form: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[FieldProblem]]:
    """The rows kept (not removed, not blank), ordered by their position (then as shown), and
    the problems of positions that are not whole numbers (the rows then keep their order)."""
    kept: list[tuple[int, int, dict[str, Any]]] = []
    problems: list[FieldProblem] = []
    for i in range(MAX_ROWS):
        row: dict[str, Any] = {f: _text(form, f"{f}_{i}") for f in FIELDS}
        if not any(row.values()) or _text(form, f"remove_{i}") == "on":
            continue
        row["required"] = _text(form, f"required_{i}") == "on"
        position = _text(form, f"position_{i}")
        if position and not (position.isascii() and position.isdigit() and len(position) < 4):
            problems.append(FieldProblem(f"position_{len(kept)}", "a whole number, e.g. 3"))
            position = ""
        kept.append((int(position) if position else len(kept) + 1, len(kept), row))
    if not problems:
        kept.sort(key=lambda entry: (entry[0], entry[1]))
    return [row for _, _, row in kept], problems


_ITEM_FIELD = re.compile(r"^items\.(\d+)\.(\w+)$")


def row_errors(
    exc: ValidationFailed | ValidationError, rows: list[dict[str, Any]]
) -> dict[str, str]:
    """``{"label_2": message, "items": message}``: each error on the row it concerns."""
    found: list[tuple[str, str]] = []
    if isinstance(exc, ValidationFailed):
        found = [(p.field, p.message) for p in exc.problems]
    else:
        for e in exc.errors():
            loc = [str(part) for part in e.get("loc", ())]
            message = str(e.get("msg", "invalid")).removeprefix("Value error, ")
            found.append((".".join(loc), message))
    errors: dict[str, str] = {}
    for field, message in found:
        match = _ITEM_FIELD.match(field)
        if match and int(match.group(1)) < len(rows):
            errors.setdefault(f"{match.group(2)}_{match.group(1)}", message)
        else:
            errors.setdefault(field or "items", message)
    return errors


# ------------------------------------------------------------------ checklist templates


def _checklist_page(
    request: Request,
    db: Any,
    user: Any,
    kind: HandoffKind,
    *,
    rows: list[dict[str, Any]] | None = None,
    errors: dict[str, str] | None = None,
    changed: bool = False,
    status_code: int = 200,
) -> Any:
    require_role(user, Role.ADMIN)
    stored = service.checklist_out(db, kind)
    shown = rows if rows is not None else [
        {"key": i.key, "label": i.label, "required": i.required, "hint": i.hint}
        for i in stored.items
    ]
    return render(
        request,
        "handoffs/checklist_admin.html",
        {
            "user": user,
            "kind": kind.value,
            "kind_words": KIND_WORDS[kind.value],
            "kinds": enum_choices(HandoffKind),
            "checklist": stored,
            "rows": shown,
            "blank_rows": BLANK_ROWS,
            "errors": errors or {},
            "changed": changed,
        },
        status_code=status_code,
    )


@router.get("/admin/handoff-checklists/{kind}")
def checklist_page(request: Request, kind: HandoffKind, user: PageUser, db: Db) -> Any:
    return _checklist_page(request, db, user, kind)


@router.post("/admin/handoff-checklists/{kind}", dependencies=csrf)
def save_checklist(
    request: Request, kind: HandoffKind, user: PageUser, db: Db, form: FormData
) -> Any:
    require_role(user, Role.ADMIN)  # before the form is judged: 403, not 422
    rows, problems = checklist_from_form(form)
    expected = versions.form_expected(form_values(form, ("version",)))
    try:
        if problems:
            raise ValidationFailed(problems)
        data = ChecklistIn.model_validate({"items": rows})
        service.save_checklist(db, user, kind, data, expected)
    except versions.Stale:
        db.rollback()
        return _checklist_page(request, db, user, kind, rows=rows, changed=True, status_code=409)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return _checklist_page(request, db, user, kind, rows=rows,
                               errors=row_errors(exc, rows), status_code=422)
    flash(request, "Checklist saved. New hand-offs use it; hand-offs already started keep theirs.")
    return RedirectResponse(f"/admin/handoff-checklists/{kind.value}", status_code=303)
