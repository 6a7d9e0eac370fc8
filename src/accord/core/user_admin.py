"""User administration as the API sees it: admin only, validated, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.core import users as user_service
from accord.core import versions
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, Team, User
from accord.core.schemas import UserIn, UserOut, UserPatch
from accord.core.visibility import require_role


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        team_id=user.team_id,
        segment=user.segment,
        capacity=user.capacity,
        is_active=user.is_active,
        created_at=user.created_at,
        version=user.version or 1,
    )


def _check_team(session: Session, team_id: int | None) -> None:
    if team_id is not None and session.get(Team, team_id) is None:
        raise ValidationFailed([FieldProblem("team_id", f"no team {team_id}")])


def list_users(session: Session, actor: User) -> list[UserOut]:
    require_role(actor, Role.ADMIN)
    return [user_out(u) for u in user_service.list_users(session)]


def get_user(session: Session, actor: User, user_id: int) -> UserOut:
    require_role(actor, Role.ADMIN)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user_out(user)


def create_user(session: Session, actor: User, data: UserIn) -> UserOut:
    require_role(actor, Role.ADMIN)
    _check_team(session, data.team_id)
    user = user_service.create_user(
        session,
        actor if actor.id else None,
        email=data.email,
        role=data.role.value,
        name=data.name,
        password=data.password,
        team_id=data.team_id,
        segment=data.segment,
        capacity=data.capacity,
    )
    return user_out(user)


def update_user(
    session: Session,
    actor: User,
    user_id: int,
    patch: UserPatch,
    expected: versions.Expected | None = None,
) -> UserOut:
    require_role(actor, Role.ADMIN)
    if session.get(User, user_id) is None:
        raise NotFound(f"no user {user_id}")
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    for key in ("email", "role", "name", "capacity", "is_active"):
        if key in changes and changes[key] is None:
            raise ValidationFailed([FieldProblem(key, "cannot be empty")])
    if "role" in changes:
        changes["role"] = Role(changes["role"]).value
    if "email" in changes:
        changes["email"] = user_service.validate_email(changes["email"])
        clash = session.scalar(select(User.id).where(User.email == changes["email"]))
        if clash is not None and clash != user_id:
            raise Conflict(f"a user with e-mail {changes['email']} already exists")
    if "team_id" in changes:
        _check_team(session, changes["team_id"])
    if user_id == actor.id and changes.get("is_active") is False:
        raise ValidationFailed([FieldProblem("is_active", "you cannot disable yourself")])
    if user_id == actor.id and changes.get("role", Role.ADMIN.value) != Role.ADMIN.value:
        raise ValidationFailed(
            [FieldProblem("role", "you cannot take the admin role from yourself")]
        )
    return user_out(
        user_service.update_user(session, actor, user_id, expected=expected, **changes)
    )
