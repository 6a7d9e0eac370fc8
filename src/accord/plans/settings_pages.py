"""The plans and hand-offs settings page for admins and heads (``/admin/plans-handoffs``): the
``plans`` policy (review interval, share-link life) and the ``handoffs`` policy (deadline in
working days), each its own form and version. The numbers are read here and handed to the
services (``plans.settings``, ``handoffs.service``), which hold every rule; a refused save
comes back with the error by its field, a stale one (409) with the input kept and the
stored values shown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.core import policy_store, versions
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.roles import require_role
from accord.handoffs import service as handoffs
from accord.handoffs.rules import MAX_DEADLINE_DAYS
from accord.plans import settings
from accord.plans.rules import REVIEW_DAYS, SHARE_DAYS
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
PAGE = "/admin/plans-handoffs"
PLAN_FIELDS = ("review_interval_days", "share_link_days")
HANDOFF_FIELDS = ("deadline_working_days",)
LABELS = {
    "review_interval_days": "Review interval (days)",
    "share_link_days": "Shared link lasts (days)",
    "deadline_working_days": "Hand-off deadline (working days)",
}
RANGES = {
    "review_interval_days": REVIEW_DAYS,
    "share_link_days": SHARE_DAYS,
    "deadline_working_days": (0, MAX_DEADLINE_DAYS),
}


def whole_numbers(values: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, int]:
    """The fields as whole numbers; a blank or anything else is refused naming the field
    (the ranges are the policies' own rules)."""
    out: dict[str, int] = {}
    problems: list[FieldProblem] = []
    for field in fields:
        raw = str(values.get(field) or "").strip()
        if raw.isascii() and raw.isdigit() and len(raw) <= 6:
            out[field] = int(raw)
        else:
            low, high = RANGES[field]
            problems.append(FieldProblem(field, f"a whole number from {low} to {high}"))
    if problems:
        raise ValidationFailed(problems)
    return out


def _stored(db: Any) -> dict[str, dict[str, Any]]:
    plans = settings.plans_policy(db).to_dict()
    hand = handoffs.settings(db).to_dict()
    return {
        "plans": {f: plans[f] for f in PLAN_FIELDS},
        "handoffs": {f: hand[f] for f in HANDOFF_FIELDS},
    }


def _page(
    request: Request,
    db: Any,
    user: Any,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    started: dict[str, Any] | None = None,
    changed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Any:
    """Both forms as stored; ``form`` (``plans`` or ``handoffs``) shows the user's input,
    errors and conflict instead."""
    stored = _stored(db)
    state = {
        "plans": versions.form_started(
            policy_store.setting_version(db, settings.NAME), stored["plans"]),
        "handoffs": versions.form_started(handoffs.settings_version(db), stored["handoffs"]),
    }
    shown = {name: {k: str(v) for k, v in stored[name].items()} for name in stored}
    if form is not None:
        shown[form] = dict(values or {})
        state[form] = dict(started or state[form])
    return render(
        request,
        "plans/settings.html",
        {
            "user": user,
            "values": shown,
            "state": state,
            "form": form,
            "errors": errors or {},
            "changed": changed or {},
            "labels": LABELS,
            "ranges": RANGES,
        },
        status_code=status_code,
    )


@router.get(PAGE)
def settings_page(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, *policy_store.EDITORS)
    return _page(request, db, user)


def _save(
    request: Request,
    db: Any,
    user: Any,
    form: FormData,
    name: str,
    fields: tuple[str, ...],
    save: Callable[[dict[str, int], versions.Expected | None], Any],
    done: str,
) -> Any:
    require_role(user, *policy_store.EDITORS)
    values = form_values(form, fields)
    started = form_values(form, ("version", "original"))
    expected = versions.form_expected(started, values)
    try:
        save(whole_numbers(values, fields), expected)
    except versions.Stale:
        now = _stored(db)[name]
        original = expected.original if expected and expected.original else {}
        changed = versions.changed_meanwhile(original, now, values) or {
            f: versions.as_text(v) for f, v in now.items()}
        version = (policy_store.setting_version(db, settings.NAME) if name == "plans"
                   else handoffs.settings_version(db))
        return _page(request, db, user, form=name, values=values, changed=changed,
                     started=versions.form_started(version, now), status_code=409)
    except ValidationFailed as exc:
        return _page(request, db, user, form=name, values=values, errors=form_errors(exc),
                     started=started, status_code=422)
    flash(request, done)
    return RedirectResponse(f"{PAGE}#{name}", status_code=303)


@router.post(f"{PAGE}/plans", dependencies=csrf)
def save_plans_settings(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    return _save(
        request, db, user, form, "plans", PLAN_FIELDS,
        lambda data, expected: settings.save_plans_policy(db, user, data, expected),
        "Plans settings saved.",
    )


@router.post(f"{PAGE}/handoffs", dependencies=csrf)
def save_handoff_settings(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    return _save(
        request, db, user, form, "handoffs", HANDOFF_FIELDS,
        lambda data, expected: handoffs.save_settings(db, user, data, expected=expected),
        "Hand-off settings saved.",
    )
