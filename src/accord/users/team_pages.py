"""Team administration pages (admins only): list and create, a team's name, head and members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.core.errors import AccordError, FieldProblem, ValidationFailed
from accord.core.models import Role
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID, Id
from accord.users import teams as team_service
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()


def _optional_id(values: dict[str, Any], field: str) -> int | None:
    text = (values.get(field) or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 10 or int(text) > MAX_ID:
        raise ValidationFailed([FieldProblem(field, "choose someone from the list")])
    return int(text)


def _errors(exc: AccordError, field: str) -> dict[str, str]:
    """Field errors of a ValidationFailed; any other domain error shown at ``field``."""
    if isinstance(exc, ValidationFailed):
        return form_errors(exc)
    return {field: exc.detail}


def _list(
    request: Request,
    db: Any,
    user: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Any:
    return render(
        request,
        "users/admin_teams.html",
        {
            "user": user,
            "rows": team_service.list_teams(db, user),
            "heads": team_service.head_candidates(db, user),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/admin/teams")
def teams_page(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    return _list(request, db, user, {}, {})


@router.post("/admin/teams", dependencies=csrf)
def create_team(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, ("name", "head_id"))
    try:
        team = team_service.create_team(
            db, user, values.get("name") or "", _optional_id(values, "head_id")
        )
    except AccordError as exc:
        if exc.status >= 500 or exc.status in (401, 403, 404):
            raise
        return _list(request, db, user, values, _errors(exc, "name"), status_code=422)
    flash(request, f"Team {team.name} created.")
    return RedirectResponse(f"/admin/teams/{team.id}", status_code=303)


def _team_page(
    request: Request,
    db: Any,
    user: Any,
    team_id: Id,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    member_errors: dict[str, str] | None = None,
    delete_error: str | None = None,
    status_code: int = 200,
) -> Any:
    team = team_service.get_team(db, user, team_id)
    if values is None:
        values = {"name": team.name, "head_id": str(team.head.id) if team.head else ""}
    return render(
        request,
        "users/admin_team.html",
        {
            "user": user,
            "team": team,
            "values": values,
            "errors": errors or {},
            "member_errors": member_errors or {},
            "delete_error": delete_error,
            "heads": team_service.head_candidates(db, user),
            "candidates": team_service.member_candidates(db, user, team_id),
        },
        status_code=status_code,
    )


@router.get("/admin/teams/{team_id}")
def team_page(request: Request, team_id: Id, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    return _team_page(request, db, user, team_id)


@router.post("/admin/teams/{team_id}", dependencies=csrf)
def update_team(request: Request, team_id: Id, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, ("name", "head_id"))
    try:
        changes = {"name": values.get("name") or "", "head_id": _optional_id(values, "head_id")}
        team_service.update_team(db, user, team_id, changes)
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _team_page(request, db, user, team_id, values, _errors(exc, "name"), status_code=422)
    flash(request, "Team saved.")
    return RedirectResponse(f"/admin/teams/{team_id}", status_code=303)


@router.post("/admin/teams/{team_id}/members", dependencies=csrf)
def add_member(request: Request, team_id: Id, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, ("user_id",))
    try:
        member_id = _optional_id(values, "user_id")
        if member_id is None:
            raise ValidationFailed([FieldProblem("user_id", "choose someone to add")])
        change = team_service.add_member(db, user, team_id, member_id)
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _team_page(
            request, db, user, team_id, member_errors=_errors(exc, "user_id"), status_code=422
        )
    moved = f" (moved from {change.left_team})" if change.left_team else ""
    flash(request, f"{change.user.name} is in the team{moved}.")
    return RedirectResponse(f"/admin/teams/{team_id}#members", status_code=303)


@router.post("/admin/teams/{team_id}/members/{member_id}/remove", dependencies=csrf)
def remove_member(request: Request, team_id: Id, member_id: Id, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    team_service.remove_member(db, user, team_id, member_id)
    flash(request, "Removed from the team.")
    return RedirectResponse(f"/admin/teams/{team_id}#members", status_code=303)


@router.post("/admin/teams/{team_id}/delete", dependencies=csrf)
def delete_team(request: Request, team_id: Id, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    try:
        team_service.delete_team(db, user, team_id)
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _team_page(request, db, user, team_id, delete_error=exc.detail, status_code=409)
    flash(request, "Team deleted.")
    return RedirectResponse("/admin/teams", status_code=303)
