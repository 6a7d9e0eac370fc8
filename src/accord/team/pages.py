"""The Team pages (issue 17): each manager's load against their capacity with its warnings
(``/team``), the accounts behind a manager's figures (``/team/managers/{id}``), the what-if
of moves (``POST /team/what-if``: renders both loads, writes nothing) and the team settings
(``/admin/team``, admins and heads). Each route parses its input, calls one function of
``team.workload`` (or ``team.settings``) and renders."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from accord.core import policy_store
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID, Id, PageNumber, Word
from accord.team import settings, workload
from accord.team.rules import FIGURES, WARNINGS
from accord.team.schemas import MAX_MOVES
from accord.web.page_deps import (
    Db,
    FormData,
    PageToday,
    PageUser,
    csrf,
    form_errors,
    form_values,
)
from accord.web.settings_form import save_settings_form
from accord.web.templating import render

router = APIRouter()
SETTINGS_PAGE = "/admin/team"
POINT_FIELDS = ("strategic", "star", "status", "streamline", "not_key", "person",
                "handoff_points", "brief_points", "override_cap")
WHOLE_FIELDS = ("key_accounts_limit", "default_capacity")
FIELDS = (*POINT_FIELDS, *WHOLE_FIELDS, "coverage_below")
FIGURE_LABELS = {"accounts": "All accounts", "key_accounts": "Key accounts",
                 "coverage": "Coverage", "overdue": "Overdue follow-ups",
                 "handoffs": "Open hand-offs", "briefs": "Briefs in flight",
                 "wrong_segment": "Outside their segment"}


@router.get("/team")
def team_page(request: Request, user: PageUser, db: Db, day: PageToday,
              team_id: Id | None = None, pick: Id | None = None,
              page: PageNumber = 1) -> Any:
    view = workload.team_view(db, user, day, team_id=team_id, pick_from=pick, page=page)

    def query(**change: Any) -> str:
        merged = {"team_id": team_id, "pick": pick, **change}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    return render(request, "team/team.html", {
        "user": user, "view": view.workload, "pick": view.pick, "result": None,
        "errors": {}, "warning_labels": WARNINGS, "query": query,
        "may_move": user.role in ("admin", "head")})


@router.get("/team/managers/{manager_id}")
def manager_page(request: Request, user: PageUser, db: Db, day: PageToday, manager_id: Id,
                 figure: Word = "accounts", page: PageNumber = 1) -> Any:
    shown = workload.account_loads(db, user, day, manager_id, figure=figure, page=page)

    def query(**change: Any) -> str:
        merged = {"figure": figure, **change}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    return render(request, "team/manager.html", {
        "user": user, "result": shown, "figures": [(f, FIGURE_LABELS[f]) for f in FIGURES],
        "warning_labels": WARNINGS, "query": query})


def _ids(values: list[str], field: str, problems: list[FieldProblem]) -> list[int]:
    out = []
    for text in values:
        if not (text.isascii() and text.isdigit() and len(text) <= 10
                and 1 <= int(text) <= MAX_ID):
            problems.append(FieldProblem(field, f"not an id: {text[:20]!r}"))
        else:
            out.append(int(text))
    return out


def _moves(form: Any) -> list[tuple[int, int]]:
    """The what-if form's moves: every ``account_id`` ticked to the one ``to_manager_id``."""
    values = form_values(form, ("to_manager_id",), multi=("account_id",))
    problems: list[FieldProblem] = []
    accounts = _ids(values["account_id"], "account_id", problems)
    targets = _ids([values.get("to_manager_id") or ""], "to_manager_id", problems)
    if not values["account_id"]:
        problems.append(FieldProblem("account_id", "tick the accounts to move"))
    elif len(accounts) > MAX_MOVES:
        problems.append(FieldProblem("account_id", f"at most {MAX_MOVES} accounts at once"))
    if problems:
        raise ValidationFailed(problems)
    return [(a, targets[0]) for a in accounts]


@router.post("/team/what-if", dependencies=csrf)
def what_if_page(request: Request, user: PageUser, db: Db, day: PageToday,
                 form: FormData) -> Any:
    """Both loads after the moves ticked, before saving: nothing is written. The result
    offers the Move button (``POST /team/moves``, which moves and audits)."""
    require_role(user, Role.ADMIN, Role.HEAD)
    errors: dict[str, str] = {}
    result = None
    try:
        result = workload.simulate(db, user, day, _moves(form))
    except ValidationFailed as exc:
        errors = form_errors(exc)
    return render(request, "team/team.html", {
        "user": user, "view": None, "pick": None, "result": result, "errors": errors,
        "warning_labels": WARNINGS, "query": lambda **_: "", "may_move": True,
    }, status_code=422 if errors else 200)


# ---------------------------------------------------------------- settings


def _shown(stored: Any) -> dict[str, str]:
    values = {f: str(getattr(stored, f)) for f in (*POINT_FIELDS, *WHOLE_FIELDS)}
    values["coverage_below"] = _plain(stored.coverage_below * 100)
    return values


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _parsed(values: dict[str, Any]) -> dict[str, Any]:
    """The form's text as the policy's fields: coverage typed in per cent; text that is not a
    number goes on as it is, for the policy to name the field."""
    out: dict[str, Any] = {}
    for field in FIELDS:
        text = str(values.get(field) or "").strip()
        if not text:
            continue
        if field in WHOLE_FIELDS:
            out[field] = int(text) if text.isascii() and text.isdigit() and len(text) < 10 \
                else text  # '²' is a digit to isdigit, not to int
        elif field == "coverage_below":
            try:
                out[field] = str(Decimal(text) / 100)
            except (ArithmeticError, InvalidOperation):
                out[field] = text
        else:
            out[field] = text
    return out


def _settings_page(request: Request, db: Any, user: Any, *, values: dict[str, Any] | None = None,
                   errors: dict[str, str] | None = None, conflict: bool = False,
                   status_code: int = 200) -> Any:
    stored = settings.policy(db)
    return render(request, "team/settings.html", {
        "user": user, "stored": stored, "values": values or _shown(stored),
        "errors": errors or {}, "conflict": conflict, "version": settings.version(db),
        "fields": FIELDS}, status_code=status_code)


@router.get(SETTINGS_PAGE)
def team_settings_page(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, *policy_store.EDITORS)
    return _settings_page(request, db, user)


@router.post(SETTINGS_PAGE, dependencies=csrf)
def save_team_settings(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, *policy_store.EDITORS)
    return save_settings_form(
        request, form, FIELDS,
        save=lambda values, expected: settings.save_policy(db, user, _parsed(values), expected),
        page=lambda **shown: _settings_page(request, db, user, **shown),
        saved="Team settings saved.", to=SETTINGS_PAGE)
