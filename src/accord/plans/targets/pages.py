"""The Targets page: managers' targets with actual and attainment, and the set/edit form
(heads for their teams' managers, admins for anyone); a manager sees their own."""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import MaxLen
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.core import versions
from accord.core.errors import AccordError, ValidationFailed
from accord.core.models import User
from accord.core.schemas import Id, PageNumber, Word
from accord.plans.targets import rules, service
from accord.plans.targets.schemas import TargetPage, target_in
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
FIELDS = ("manager", "period", "metric", "target")
LABELS = {"manager": "Manager", "period": "Period", "metric": "Metric", "target": "Target"}
PAGE_SIZE = 50
Email = Annotated[str, MaxLen(254)]


def _render(
    request: Request, db: Any, user: User, *, filters: dict[str, Any], values: dict[str, Any],
    errors: dict[str, str], started: dict[str, Any] | None = None,
    changed: dict[str, str] | None = None, status_code: int = 200,
) -> Any:
    page: TargetPage = service.list_targets(
        db, user, period=filters.get("period") or None, manager=filters.get("manager") or None,
        team_id=filters.get("team_id"), page=filters.get("page") or 1, page_size=PAGE_SIZE,
        today=today())
    return render(request, "plans/targets.html", {
        "user": user, "page": page, "filters": filters, "values": values, "errors": errors,
        "managers": service.settable_managers(db, user), "can_set": service.may_set(user),
        "metrics": [(m.value, rules.RULES[m].label) for m in rules.Metric],
        "rules": {m.value: r for m, r in rules.RULES.items()}, "period_help": rules.PERIOD_HELP,
        "form": versions.form_state(started, changed), "labels": LABELS,
        "pages": max(1, -(-page.total // PAGE_SIZE)),
    }, status_code=status_code)


@router.get("/targets")
def targets_page(
    request: Request, user: PageUser, db: Db, period: Word | None = None,
    manager: Email | None = None, team_id: Id | None = None, page: PageNumber = 1,
    edit: Id | None = None,
) -> Any:
    filters = {"period": period or "", "manager": manager or "", "team_id": team_id,
               "page": page}
    values: dict[str, Any] = {"period": period or ""}
    started = None
    if edit is not None:
        target = service.get_target(db, user, edit, today=today())
        values = {"manager": target.manager.email, "period": target.period,
                  "metric": target.metric, "target": format(target.target, "f")}
        started = versions.form_started(target.version, {"target": values["target"]})
    return _render(request, db, user, filters=filters, values=values, errors={},
                   started=started)


@router.post("/targets", dependencies=csrf)
def set_target(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    values = form_values(form, FIELDS)
    expected = versions.form_expected(form_values(form, ("version", "original")),
                                      submitted={"target": values.get("target") or ""})
    try:
        out, created = service.set_target(db, user, target_in(values), expected=expected,
                                          today=today())
    except versions.Stale as exc:
        started = {"version": exc.version, "original": versions.form_original(
            {"target": exc.changed.get("target", values.get("target") or "")})}
        return _render(request, db, user, filters={}, values=values, errors={},
                       started=started, changed=exc.changed, status_code=409)
    except ValidationFailed as exc:
        return _render(request, db, user, filters={}, values=values, errors=form_errors(exc),
                       status_code=422)
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _render(request, db, user, filters={}, values=values,
                       errors={"target": exc.detail}, status_code=exc.status)
    flash(request, f"Target {'set' if created else 'changed'}: {out.manager.name}, "
                   f"{out.period}, {out.metric_label}.")
    return RedirectResponse(f"/targets?period={out.period}#target-{out.id}", status_code=303)


@router.post("/targets/{target_id}/delete", dependencies=csrf)
def delete_target(request: Request, target_id: Id, user: PageUser, db: Db) -> Any:
    service.delete_target(db, user, target_id)
    flash(request, "Target removed.")
    return RedirectResponse("/targets", status_code=303)
