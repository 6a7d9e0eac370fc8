"""User administration pages (admins only): list, create, edit, API tokens. Each form is
parsed here and handed to ``accord.users.service``, which holds every rule."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.core import sessions as session_service
from accord.core import versions
from accord.core.errors import Conflict, FieldProblem, ValidationFailed
from accord.core.models import Role
from accord.core.roles import require_role
from accord.core.schemas import Id
from accord.users import service, teams
from accord.users.team_pages import router as team_router
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
router.include_router(team_router)

ROLES = [(r.value, r.value.capitalize()) for r in Role]
CREATE_FIELDS = ("email", "name", "role", "password", "team_id", "segment", "capacity")
EDIT_FIELDS = ("name", "role", "team_id", "segment", "capacity", "is_active", "password",
               "time_zone")


def _parse(values: dict[str, Any], *, editing: bool) -> dict[str, Any]:
    """Form strings to service arguments; problems for numbers that are not numbers (the
    service judges the values, as on every door)."""
    out: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for key, raw in values.items():
        text = (raw or "").strip() if isinstance(raw, str) else raw
        if key in ("team_id", "capacity"):
            if text in ("", None):
                if key == "capacity":
                    problems.append(FieldProblem("capacity", "give a number, e.g. 100"))
                else:
                    out[key] = None
                continue
            try:
                out[key] = int(text)
            except ValueError:
                problems.append(FieldProblem(key, "must be a whole number"))
        elif key in ("segment", "name"):
            out[key] = text or None
        elif key == "password":
            if text:
                out[key] = raw
        else:
            out[key] = text
    if editing:
        out["is_active"] = values.get("is_active") == "on"
    if problems:
        raise ValidationFailed(problems)
    return out


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
        "users/admin_users.html",
        {
            "user": user,
            "rows": service.list_users(db, user, active_first=True),
            "teams": teams.list_teams(db, user),
            "roles": ROLES,
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/admin/users")
def users_page(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    return _list(request, db, user, {"role": "manager", "capacity": "100"}, {})


@router.post("/admin/users", dependencies=csrf)
def create_user(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, CREATE_FIELDS)
    try:
        created = service.create_user(db, user, **_parse(values, editing=False))
    except Conflict as exc:  # the e-mail is taken: said next to the field
        values.pop("password", None)
        return _list(request, db, user, values, {"email": exc.detail}, status_code=422)
    except ValidationFailed as exc:
        values.pop("password", None)
        return _list(request, db, user, values, form_errors(exc), status_code=422)
    flash(request, f"User {created.email} created.")
    return RedirectResponse(f"/admin/users/{created.id}", status_code=303)


#: what the edit form shows, as ``service.user_snapshot`` names it (stale saves, L1)
VERSIONED_FIELDS = ("name", "role", "team_id", "segment", "capacity", "is_active", "time_zone")
EDIT_LABELS = {
    "name": "Name",
    "role": "Role",
    "team_id": "Team (id)",
    "segment": "Segment",
    "capacity": "Capacity",
    "is_active": "Active",
    "time_zone": "Time zone",
}


def _started(target: Any) -> dict[str, Any]:
    """The hidden fields of an edit form showing ``target`` as stored."""
    return versions.form_started(
        target.version, {f: getattr(target, f) for f in VERSIONED_FIELDS}
    )


def _edit(
    request: Request,
    db: Any,
    user: Any,
    user_id: Id,
    values: dict[str, Any] | None,
    errors: dict[str, str],
    token: str | None = None,
    token_errors: dict[str, str] | None = None,
    status_code: int = 200,
    started: dict[str, Any] | None = None,
    changed: dict[str, str] | None = None,
) -> Any:
    """``started``: the hidden version and values a submitted form carried (None: the form
    starts from the stored user); ``changed``: what a stale save found changed meanwhile."""
    target = service.get_user(db, user, user_id)
    if values is None or started is None:
        started = _started(target)
    if values is None:
        values = {
            "name": target.name,
            "role": target.role,
            "team_id": str(target.team_id or ""),
            "segment": target.segment or "",
            "capacity": str(target.capacity),
            "is_active": "on" if target.is_active else "",
            "time_zone": target.time_zone,
        }
    return render(
        request,
        "users/admin_user_edit.html",
        {
            "user": user,
            "target": target,
            "values": values,
            "errors": errors,
            "roles": ROLES,
            "teams": teams.list_teams(db, user),
            "tokens": service.list_tokens(db, user, user_id)[::-1],  # the newest first
            "open_sessions": session_service.open_sessions(db, target.id),
            "new_token": token,
            "token_errors": token_errors or {},
            **versions.form_state(started, changed),
            "labels": EDIT_LABELS,
        },
        status_code=status_code,
    )


@router.get("/admin/users/{user_id}")
def edit_user_page(request: Request, user_id: Id, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    return _edit(request, db, user, user_id, None, {})


@router.post("/admin/users/{user_id}", dependencies=csrf)
def update_user(request: Request, user_id: Id, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    values = form_values(form, EDIT_FIELDS)
    started = form_values(form, ("version", "original"))
    try:
        changes = _parse(values, editing=True)
        expected = versions.form_expected(started, changes)
        service.update_user(db, user, user_id, changes, expected=expected)
    except versions.Stale as exc:  # the input stays; the form now starts from the store
        values.pop("password", None)
        return _edit(
            request, db, user, user_id, values, {}, status_code=409, changed=exc.changed
        )
    except ValidationFailed as exc:
        values.pop("password", None)
        return _edit(
            request, db, user, user_id, values, form_errors(exc), status_code=422,
            started=started,
        )
    flash(request, "User saved.")
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@router.post("/admin/users/{user_id}/tokens", dependencies=csrf)
def create_token(request: Request, user_id: Id, user: PageUser, db: Db, form: FormData) -> Any:
    """Shows the new token once, on this response only (no redirect keeps it anywhere)."""
    require_role(user, Role.ADMIN)
    name = form_values(form, ("name",)).get("name") or ""
    try:
        token = service.issue_token(db, user, user_id, name).token
    except ValidationFailed as exc:  # every problem is shown at the form's one field
        shown = {"name": "; ".join(form_errors(exc).values())}
        return _edit(request, db, user, user_id, None, {}, token_errors=shown, status_code=422)
    response = _edit(request, db, user, user_id, None, {}, token=token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/users/{user_id}/tokens/{token_id}/revoke", dependencies=csrf)
def revoke_token(request: Request, user_id: Id, token_id: Id, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    service.revoke_token(db, user, token_id, of_user=user_id)
    flash(request, "Token revoked.")
    return RedirectResponse(f"/admin/users/{user_id}#tokens", status_code=303)


@router.post("/admin/users/{user_id}/logout-everywhere", dependencies=csrf)
def logout_everywhere(request: Request, user_id: Id, user: PageUser, db: Db) -> Any:
    """End every browser session of the user (S1); the same service as the API and CLI."""
    require_role(user, Role.ADMIN)
    ended = session_service.log_out_everywhere(db, user, user_id)
    flash(request, f"Logged out everywhere ({ended} session{'' if ended == 1 else 's'} ended).")
    return RedirectResponse(f"/admin/users/{user_id}#sessions", status_code=303)


# ---------------------------------------------------------------- one's own settings


def _me(request: Request, db: Any, user: Any, values: dict[str, Any],
        errors: dict[str, str], status_code: int = 200) -> Any:
    return render(request, "users/me.html", {
        "user": user, "values": values, "errors": errors,
        "team": service.team_name(db, user.team_id),
        **versions.form_state(versions.form_started(user.version, {"time_zone":
                                                                   user.time_zone}), None),
    }, status_code=status_code)


@router.get("/me")
def me_page(request: Request, user: PageUser, db: Db) -> Any:
    """The signed-in user's details and settings (their time zone)."""
    return _me(request, db, user, {"time_zone": user.time_zone}, {})


@router.post("/me", dependencies=csrf)
def update_me(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    values = form_values(form, ("time_zone",))
    started = form_values(form, ("version", "original"))
    try:
        service.set_time_zone(db, user, user.id, values.get("time_zone") or "",
                              expected=versions.form_expected(started, values))
    except (ValidationFailed, versions.Stale) as exc:
        errors = form_errors(exc) if isinstance(exc, ValidationFailed) \
            else {"time_zone": exc.detail}
        return _me(request, db, user, values, errors, status_code=exc.status)
    flash(request, f"Time zone set to {user.time_zone}.")
    return RedirectResponse("/me", status_code=303)
