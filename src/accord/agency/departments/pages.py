"""The department pages: the list (everyone; a member's own departments first; admins see
"New department" and edit links), the form creating one, the edit page (its fields, its
brief template as an editable list, its members, its holidays) and the deliverable types'
checklists (admins)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.agency.departments import rules, service
from accord.agency.departments.schemas import (
    DepartmentOut,
    checklist_form,
    department_form,
    row_errors,
)
from accord.core import versions
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role
from accord.core.roles import require_role
from accord.core.schemas import Flag, Id, PageNumber
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
PAGE_SIZE = 50
BLANK_ROWS = 2
LABELS = {"name": "Name", "lead_id": "Lead", "time_zone": "Time zone",
          "turnaround_days": "Turnaround"}
WEEKDAYS = list(enumerate(rules.WEEKDAY_NAMES))


@router.get("/departments")
def departments_page(request: Request, user: PageUser, db: Db, all: Flag = False,  # noqa: A002
                     page: PageNumber = 1) -> Any:
    listing = service.list_departments(db, user, include_inactive=all, page=page,
                                       page_size=PAGE_SIZE)
    return render(request, "agency/departments_list.html", {
        "user": user, "listing": listing, "show_all": all, "page": page,
        "pages": max(1, -(-listing.total // PAGE_SIZE)),
        "is_admin": user.role == Role.ADMIN.value,
        "weekdays_label": rules.weekdays_label,
    })


def _form_page(request: Request, user: Any, db: Any, values: dict[str, Any],
               errors: dict[str, str], *, department: DepartmentOut | None = None,
               extra: dict[str, Any] | None = None, status_code: int = 200) -> Any:
    return render(request, "agency/departments_form.html", {
        "user": user, "d": department, "values": values, "errors": errors,
        "users": service.user_choices(db, user), "zones": rules.time_zones(),
        "weekdays": WEEKDAYS, "blank_rows": BLANK_ROWS, "labels": LABELS,
        "max_sections": rules.MAX_SECTIONS, **(extra or {}),
    }, status_code=status_code)


@router.get("/admin/departments/new")
def new_department(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    values = {"time_zone": "UTC", "turnaround_days": "5", "weekdays_mode": "company",
              "weekdays": ["0", "1", "2", "3", "4"], "is_active": "on"}
    return _form_page(request, user, db, values, {})


FIELDS = ("name", "lead_id", "time_zone", "turnaround_days", "is_active", "weekdays_mode")


@router.post("/admin/departments/new", dependencies=csrf)
def create_department(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, FIELDS, multi=("weekdays",))
    try:
        out = service.create_department(db, user, department_form(values,
                                                                  with_sections=False))
    except ValidationFailed as exc:
        return _form_page(request, user, db, values, form_errors(exc), status_code=422)
    flash(request, f"Department {out.name} created with the {len(out.sections)}-section "
                   "template; edit it below.")
    return RedirectResponse(f"/admin/departments/{out.id}", status_code=303)


def _stored(d: DepartmentOut) -> dict[str, Any]:
    """The edit form's values as stored (the sections as rows)."""
    values: dict[str, Any] = {
        "name": d.name, "lead_id": str(d.lead.id) if d.lead else "", "time_zone": d.time_zone,
        "turnaround_days": str(d.turnaround_days), "is_active": "on" if d.is_active else "",
        "weekdays_mode": "company" if d.weekdays is None else "own",
        "weekdays": [str(w) for w in (d.weekdays or [0, 1, 2, 3, 4])],
    }
    for n, s in enumerate(d.sections):
        values.update({f"sections-{n}-key": s.key, f"sections-{n}-label": s.label,
                       f"sections-{n}-hint": s.hint})
    return values


def _versioned(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values.get(k, "") for k in LABELS}


def _section_rows(values: dict[str, Any]) -> list[int]:
    """The row numbers the sections editor shows: those submitted or stored, and blank
    ones to add."""
    used = sorted({int(k.split("-")[1]) for k in values
                   if k.startswith("sections-") and k.split("-")[1].isdigit()})
    start = (max(used) + 1) if used else 0
    return used + list(range(start, start + BLANK_ROWS))


def _edit_page(request: Request, user: Any, db: Any, department_id: int, *,
               values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               section: str = "edit", started: dict[str, Any] | None = None,
               changed: dict[str, str] | None = None, status_code: int = 200) -> Any:
    d = service.get_department(db, user, department_id)
    stored = _stored(d)
    shown = values if values is not None and section == "edit" else stored
    start = started or versions.form_started(d.version, _versioned(stored))
    return _form_page(request, user, db, shown, (errors or {}) if section == "edit" else {},
                      department=d, status_code=status_code, extra={
                          "form": versions.form_state(start, changed),
                          "section_rows": _section_rows(shown),
                          "member_ids": [str(m.id) for m in d.members],
                          "side_errors": {section: errors or {}} if section != "edit" else {},
                          "holiday_values": values if section == "holiday" else {},
                      })


@router.get("/admin/departments/{department_id}")
def edit_department_page(request: Request, department_id: Id, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    return _edit_page(request, user, db, department_id)


@router.post("/admin/departments/{department_id}", dependencies=csrf)
def edit_department(request: Request, department_id: Id, user: PageUser, db: Db,
                    form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, None, multi=("weekdays",))
    values = {k: v for k, v in values.items() if k not in ("version", "original")}
    expected = versions.form_expected(form_values(form, ("version", "original")),
                                      submitted=_versioned(values))
    try:
        service.update_department(db, user, department_id,
                                  department_form(values, with_sections=True),
                                  expected=expected)
    except versions.Stale as exc:
        current = service.get_department(db, user, department_id)
        started = {"version": exc.version,
                   "original": versions.form_original(_versioned(_stored(current)))}
        return _edit_page(request, user, db, department_id, values=values, started=started,
                          changed=exc.changed, status_code=409)
    except ValidationFailed as exc:
        errors = row_errors(form_errors(exc), values, "sections", ("key", "label", "hint"))
        return _edit_page(request, user, db, department_id, values=values, errors=errors,
                          status_code=422)
    flash(request, "Department saved.")
    return RedirectResponse(f"/admin/departments/{department_id}", status_code=303)


@router.post("/admin/departments/{department_id}/members", dependencies=csrf)
def set_members(request: Request, department_id: Id, user: PageUser, db: Db,
                form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    raw = form_values(form, (), multi=("user_ids",))["user_ids"]
    ids = [int(v) for v in raw if v.isdigit() and len(v) < 11]
    try:
        if len(ids) != len(raw):
            raise ValidationFailed([])
        out = service.set_members(db, user, department_id, ids)
    except ValidationFailed as exc:
        errors = form_errors(exc) or {"user_ids": "choose users from the list"}
        return _edit_page(request, user, db, department_id, section="members",
                          errors=errors, status_code=422)
    flash(request, f"{out.name} has {out.member_count} member"
                   f"{'s' if out.member_count != 1 else ''}.")
    return RedirectResponse(f"/admin/departments/{department_id}#members", status_code=303)


@router.post("/admin/departments/{department_id}/holidays", dependencies=csrf)
def add_holiday(request: Request, department_id: Id, user: PageUser, db: Db,
                form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, ("day", "name"))
    try:
        try:
            day = date.fromisoformat(values.get("day") or "")
        except ValueError:
            raise ValidationFailed([FieldProblem("day", "give a date (YYYY-MM-DD)")]) from None
        service.add_holiday(db, user, department_id, day, values.get("name") or "")
    except ValidationFailed as exc:
        return _edit_page(request, user, db, department_id, section="holiday", values=values,
                          errors=form_errors(exc), status_code=422)
    flash(request, f"Holiday {day.isoformat()} added.")
    return RedirectResponse(f"/admin/departments/{department_id}#holidays", status_code=303)


@router.post("/admin/departments/{department_id}/holidays/{day}/remove", dependencies=csrf)
def remove_holiday(request: Request, department_id: Id, day: date, user: PageUser,
                   db: Db) -> Any:
    require_role(user, Role.ADMIN)
    service.remove_holiday(db, user, department_id, day)
    flash(request, f"Holiday {day.isoformat()} removed.")
    return RedirectResponse(f"/admin/departments/{department_id}#holidays", status_code=303)


# ---------------------------------------------------------------- deliverable types


def _types_page(request: Request, user: Any, db: Any, *, key: str | None = None,
                values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> Any:
    require_role(user, Role.ADMIN)
    listing = service.list_deliverable_types(db, user)
    forms: dict[str, dict[str, Any]] = {}
    for t in listing.items:
        stored: dict[str, Any] = {"key": t.key, "name": t.name}
        for n, item in enumerate(t.items):
            stored.update({f"items-{n}-key": item.key, f"items-{n}-label": item.label})
        forms[t.key] = values if key == t.key and values is not None else stored
    new_values = values if key is not None and key not in forms and values is not None \
        else {}
    return render(request, "agency/departments_checklists.html", {
        "user": user, "types": listing.items, "forms": forms, "new_values": new_values,
        "errors": errors or {}, "error_key": key, "blank_rows": BLANK_ROWS,
        "rows_of": _item_rows,
    }, status_code=status_code)


def _item_rows(values: dict[str, Any]) -> list[int]:
    used = sorted({int(k.split("-")[1]) for k in values
                   if k.startswith("items-") and k.split("-")[1].isdigit()})
    start = (max(used) + 1) if used else 0
    return used + list(range(start, start + BLANK_ROWS))


@router.get("/admin/deliverable-types")
def deliverable_types_page(request: Request, user: PageUser, db: Db) -> Any:
    return _types_page(request, user, db)


@router.post("/admin/deliverable-types", dependencies=csrf)
def save_deliverable_type(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, None)
    key = str(values.get("key") or "").strip()
    try:
        out = service.save_deliverable_type(db, user, key, checklist_form(values))
    except ValidationFailed as exc:
        errors = row_errors(form_errors(exc), values, "items", ("key", "label"))
        return _types_page(request, user, db, key=key[:40], values=values, errors=errors,
                           status_code=422)
    flash(request, f"Checklist {out.name} saved ({len(out.items)} items).")
    return RedirectResponse(f"/admin/deliverable-types#type-{out.key}", status_code=303)
