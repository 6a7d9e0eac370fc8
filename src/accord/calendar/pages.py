"""The calendar page for admins (``/admin/calendar``): working weekdays, the holidays of a
year, adding and removing one, importing an ``.ics`` file. Each form is parsed here and handed
to ``accord.calendar.service``, which holds every rule."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse

from accord.calendar import ics, service
from accord.calendar.schemas import ImportOut
from accord.core import versions
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role
from accord.core.roles import require_role
from accord.core.schemas import Word
from accord.core.workdays import FIRST_YEAR, LAST_YEAR, MAX_NAME, WEEKDAY_NAMES
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
Today = Annotated[date, Depends(today)]
PAGE = "/admin/calendar"
#: up to this many holidays the page lists every year; past it, one year at a time
ALL_YEARS_UP_TO = 60


def _year(raw: str | None, counts: Counter[int], day: date) -> int | None:
    """The year shown: the one asked for, else every year while the list is short."""
    if raw == "all":
        return None
    if raw and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
        return int(raw)
    return None if sum(counts.values()) <= ALL_YEARS_UP_TO else day.year


def _page(
    request: Request,
    db: Any,
    user: Any,
    day: date,
    *,
    year: str | None = None,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, Any] | None = None,
    result: ImportOut | None = None,
    changed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Any:
    policy = service.policy(db)
    counts = Counter(h.on.year for h in policy.holidays)
    shown_year = _year(year, counts, day)
    weekdays = (values or {}).get("working_weekdays", policy.working_weekdays)
    return render(
        request,
        "calendar/admin.html",
        {
            "user": user,
            "weekday_names": list(enumerate(WEEKDAY_NAMES)),
            "weekdays": set(weekdays),
            "version": service.version(db),
            "holidays": [h for h in policy.holidays if shown_year in (None, h.on.year)],
            "total": len(policy.holidays),
            "years": sorted(counts.items()),
            "year": shown_year,
            "errors": errors or {},
            "values": values or {},
            "result": result,
            "changed": changed or {},
            "max_name": MAX_NAME,
            "max_kb": ics.MAX_BYTES // 1024,
        },
        status_code=status_code,
    )


@router.get(PAGE)
def calendar_page(
    request: Request, user: PageUser, db: Db, day: Today, year: Word | None = None
) -> Any:
    require_role(user, Role.ADMIN)
    return _page(request, db, user, day, year=year)


@router.post(PAGE, dependencies=csrf)
def save_weekdays(request: Request, user: PageUser, db: Db, day: Today, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, ("version",), multi=("working_weekdays",))
    try:
        weekdays = [int(v) for v in values["working_weekdays"] if v.isdigit() and len(v) == 1]
        if len(weekdays) != len(values["working_weekdays"]):
            raise ValidationFailed([FieldProblem("working_weekdays", "weekdays are 0 to 6")])
        service.save_calendar(
            db, user, {"working_weekdays": weekdays}, expected=versions.form_expected(values)
        )
    except versions.Stale:
        now = ", ".join(WEEKDAY_NAMES[d] for d in service.policy(db).working_weekdays)
        return _page(request, db, user, day, values={"working_weekdays": weekdays},
                     changed={"working_weekdays": now}, status_code=409)
    except ValidationFailed as exc:
        kept = {"working_weekdays": [int(v) for v in values["working_weekdays"] if v.isdigit()]}
        return _page(request, db, user, day, values=kept,
                     errors={"weekdays": form_errors(exc)}, status_code=422)
    flash(request, "Working weekdays saved.")
    return RedirectResponse(PAGE, status_code=303)


@router.post(f"{PAGE}/holidays", dependencies=csrf)
def add_holiday(request: Request, user: PageUser, db: Db, day: Today, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, ("on", "name"))
    raw_on = (values.get("on") or "").strip()
    try:
        try:
            on = date.fromisoformat(raw_on)
        except ValueError:
            raise ValidationFailed([FieldProblem("on", "a date, e.g. 2026-12-25")]) from None
        service.add_holiday(db, user, on, (values.get("name") or "").strip())
    except ValidationFailed as exc:
        return _page(request, db, user, day, values={"holiday": values},
                     errors={"holiday": form_errors(exc)}, status_code=422)
    flash(request, f"Holiday on {on.isoformat()} added.")
    return RedirectResponse(f"{PAGE}?year={on.year}#holidays", status_code=303)


@router.post(f"{PAGE}/holidays/{{on}}/remove", dependencies=csrf)
def remove_holiday(request: Request, on: date, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    removed = service.remove_holiday(db, user, on)
    flash(request, f"Holiday {removed.name} on {on.isoformat()} removed.")
    return RedirectResponse(f"{PAGE}?year={on.year}#holidays", status_code=303)


@router.post(f"{PAGE}/import", dependencies=csrf)
def import_holidays(
    request: Request, user: PageUser, db: Db, day: Today, file: UploadFile = File(...)
) -> Any:
    require_role(user, Role.ADMIN)
    try:
        result = service.import_holidays(db, user, file.file.read(ics.MAX_BYTES + 1))
    except ValidationFailed as exc:
        problems = [p.message for p in exc.problems]
        return _page(request, db, user, day, errors={"import": {"file": "; ".join(problems)}},
                     values={"import_problems": problems}, status_code=422)
    return _page(request, db, user, day, year="all", result=result)
