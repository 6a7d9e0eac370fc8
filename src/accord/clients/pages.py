"""The clients' fits page (``/clients/fits``: every fit with its parameters, data window,
log-likelihood and convergence, the latest validation; forms to run a fit or a validation
now, for admins and heads) and the clients settings page (``/admin/clients``, admins and
heads). A refused form comes back with the error by its field (422), nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.clients import fitting
from accord.clients import settings as clients_settings
from accord.clients.schemas import fit_out
from accord.core import policy_store
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.roles import require_role
from accord.core.schemas import PageNumber, Word
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageToday, PageUser, csrf, form_errors, form_values
from accord.web.settings_form import save_settings_form
from accord.web.templating import render

router = APIRouter()
FITS = "/clients/fits"
SETTINGS = "/admin/clients"
PAGE_SIZE = 20
UNIT_CHOICES = [("day", "Days"), ("week", "Weeks"), ("month", "Months (30.4375 days)")]
MODEL_CHOICES = [("mbgnbd", "MBG/NBD (one-time buyers can lapse)"), ("bgnbd", "BG/NBD")]
WHOLE = ("horizon", "rfm_window_days", "churned_after_days", "refit_every_days")
PERCENT = ("yearly_discount", "lapsed_below", "winback_p_alive_below", "at_risk_drop",
           "best_p_alive_above")
FIELDS = ("model", "unit", *WHOLE, *PERCENT, "winback_min_past_cents", "segments")


def _fits_page(request: Request, db: Any, user: Any, day: date, *, kind: str | None = None,
               page: int = 1, values: dict[str, Any] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> Any:
    found = fitting.fits(db, user, kind=kind or None, page=page, page_size=PAGE_SIZE)
    validation = fitting.latest_fit(db, "validation")
    return render(request, "clients/fits.html", {
        "user": user, "fits": [fit_out(f) for f in found.items], "found": found,
        "kind": kind or "", "validation": fit_out(validation) if validation else None,
        "values": values or {"unit": clients_settings.policy(db).unit},
        "errors": errors or {}, "today": day, "units": UNIT_CHOICES,
        "may_run": user.role in ("admin", "head")}, status_code=status_code)


@router.get(FITS)
def fits_page(request: Request, user: PageUser, db: Db, day: PageToday,
              kind: Word | None = None, page: PageNumber = 1) -> Any:
    try:
        return _fits_page(request, db, user, day, kind=kind, page=page)
    except ValidationFailed as exc:
        return _fits_page(request, db, user, day, errors=form_errors(exc), status_code=422)


def _day(values: dict[str, Any], name: str, required: bool) -> date | None:
    text = str(values.get(name) or "").strip()
    if not text:
        if required:
            raise ValidationFailed([FieldProblem(name, "required (YYYY-MM-DD)")])
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed([FieldProblem(name, f"not a date (YYYY-MM-DD): {text[:20]!r}")]
                               ) from None


@router.post(FITS, dependencies=csrf)
def run_fit(request: Request, user: PageUser, db: Db, day: PageToday, form: FormData) -> Any:
    values = form_values(form, ("calibration_end", "unit"))
    try:
        done = fitting.run_fit(db, user, day, calibration_end=_day(values, "calibration_end",
                                                                   False),
                               unit=values.get("unit") or None)
    except ValidationFailed as exc:
        return _fits_page(request, db, user, day, values=values, errors=form_errors(exc),
                          status_code=422)
    changed = sum((done.lifecycle or {}).get(f"to_{s}", 0) for s in ("active", "lapsed",
                                                                       "churned"))
    flash(request, f"Fit #{done.fit.id} stored: {done.scores:,} clients scored"
          + (f", {changed:,} statuses changed." if done.lifecycle is not None else "."))
    return RedirectResponse(FITS, status_code=303)


@router.post("/clients/validations", dependencies=csrf)
def run_validation(request: Request, user: PageUser, db: Db, day: PageToday,
                   form: FormData) -> Any:
    values = form_values(form, ("calibration_end", "holdout_end", "unit"))
    try:
        done = fitting.run_validation(
            db, user, day, calibration_end=_day(values, "calibration_end", True) or day,
            holdout_end=_day(values, "holdout_end", True) or day,
            unit=values.get("unit") or None)
    except ValidationFailed as exc:
        return _fits_page(request, db, user, day, values={**values, "form": "validation"},
                          errors=form_errors(exc), status_code=422)
    flash(request, f"Validation #{done.fit.id} stored: {done.fit.clients:,} clients.")
    return RedirectResponse(FITS + "#latest-validation", status_code=303)


# ---------------------------------------------------------------- the settings page


def _shown(stored: clients_settings.ClientsPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {"model": stored.model, "unit": stored.unit}
    out |= {f: str(getattr(stored, f)) for f in WHOLE}
    out |= {f: _number(getattr(stored, f) * 100) for f in PERCENT}
    out["winback_min_past_cents"] = _number(Decimal(stored.winback_min_past_cents) / 100)
    out["segments"] = "\n".join(f"{s.name} | {s.r[0]}-{s.r[1]} | {s.fm[0]}-{s.fm[1]}"
                                for s in stored.segments)
    return out


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _settings_page(request: Request, db: Any, user: Any, *,
                   values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                   conflict: bool = False, status_code: int = 200) -> Any:
    stored = clients_settings.policy(db)
    return render(request, "clients/settings.html", {
        "user": user, "stored": stored, "values": values or _shown(stored),
        "errors": errors or {}, "conflict": conflict, "version": clients_settings.version(db),
        "units": UNIT_CHOICES, "models": MODEL_CHOICES}, status_code=status_code)


def _range(text: str) -> list[int | str]:
    low, _, high = text.strip().partition("-")
    parts = [low.strip(), (high or low).strip()]
    return [int(p) if p.isdigit() and len(p) < 3 else p for p in parts]


def _segments(text: str) -> list[dict[str, Any]]:
    """``name | R from-to | FM from-to`` per line."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("|")
        if len(parts) != 3:
            raise ValidationFailed([FieldProblem(
                "segments", f"line {n}: write name | R from-to | FM from-to (e.g. "
                "champions | 5-5 | 4-5)")])
        out.append({"name": parts[0].strip(), "r": _range(parts[1]), "fm": _range(parts[2])})
    return out


def _parsed(values: dict[str, Any]) -> dict[str, Any]:
    """The form's text as the policy's fields: shares typed in per cent, the win-back
    amount in the currency; what does not read is passed on for the policy to name."""
    out: dict[str, Any] = {}
    for field in FIELDS:
        text = str(values.get(field) or "").strip()
        if not text:
            continue
        if field in WHOLE:
            out[field] = int(text) if text.isdigit() and len(text) < 10 else text
        elif field in PERCENT or field == "winback_min_past_cents":
            try:
                number = Decimal(text)
            except InvalidOperation:
                out[field] = text
                continue
            if field in PERCENT:
                out[field] = str(number / 100)
            else:
                cents = number * 100
                out[field] = int(cents) if cents == cents.to_integral_value() and abs(
                    cents) < 10**15 else text
        elif field == "segments":
            out[field] = _segments(text)
        else:
            out[field] = text
    return out


@router.get(SETTINGS)
def clients_settings_page(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, *policy_store.EDITORS)
    return _settings_page(request, db, user)


@router.post(SETTINGS, dependencies=csrf)
def save_clients_settings(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, *policy_store.EDITORS)
    return save_settings_form(
        request, form, FIELDS,
        save=lambda values, expected: clients_settings.save_policy(
            db, user, _parsed(values), expected),
        page=lambda **shown: _settings_page(request, db, user, **shown),
        saved="Clients settings saved.", to=SETTINGS, errors=_by_field)


def _by_field(exc: ValidationFailed) -> dict[str, str]:
    """Errors by the form's fields (a segment's problem shows by the segments)."""
    out: dict[str, str] = {}
    for field, message in form_errors(exc).items():
        top = field.split(".")[0]
        out.setdefault(top, message if top == field else f"{field}: {message}")
    return out
