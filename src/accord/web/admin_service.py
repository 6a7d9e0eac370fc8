"""User administration use cases for the admin pages: every function requires the admin role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.core import users as user_service
from accord.core import versions
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import ApiToken, Role, Team, User
from accord.core.visibility import require_role

EDITABLE = ("name", "role", "team_id", "segment", "capacity", "is_active", "password")


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class UserRow:
    user: User
    team_name: str | None
    active_tokens: int


def list_teams(session: Session, actor: User) -> list[Team]:
    require_role(actor, Role.ADMIN)
    return list(session.scalars(select(Team).order_by(Team.name)))


def list_users(session: Session, actor: User) -> list[UserRow]:
    require_role(actor, Role.ADMIN)
    tokens = (
        select(ApiToken.user_id, func.count().label("n"))
        .where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.user_id)
        .subquery()
    )
    rows = session.execute(
        select(User, Team.name, func.coalesce(tokens.c.n, 0))
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(tokens, tokens.c.user_id == User.id)
        .order_by(User.is_active.desc(), User.name)
    ).all()
    return [UserRow(user=u, team_name=t, active_tokens=int(n)) for u, t, n in rows]


def get_user(session: Session, actor: User, user_id: int) -> User:
    require_role(actor, Role.ADMIN)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def _check_team(session: Session, team_id: Any) -> None:
    if team_id is not None and session.get(Team, team_id) is None:
        raise ValidationFailed([FieldProblem("team_id", f"no team {team_id}")])


def create_user(session: Session, actor: User, **fields: Any) -> User:
    require_role(actor, Role.ADMIN)
    _check_team(session, fields.get("team_id"))
    try:
        return user_service.create_user(session, actor, **fields)
    except Conflict as exc:
        raise ValidationFailed([FieldProblem("email", exc.detail)]) from None


def update_user(
    session: Session,
    actor: User,
    user_id: int,
    *,
    expected: versions.Expected | None = None,
    **changes: Any,
) -> User:
    """``expected``: the version and values the edit form started from (stale: 409)."""
    require_role(actor, Role.ADMIN)
    target = get_user(session, actor, user_id)
    problems = [FieldProblem(k, "not an editable field") for k in changes if k not in EDITABLE]
    if target.id == actor.id:
        if changes.get("is_active") is False:
            problems.append(FieldProblem("is_active", "you cannot deactivate yourself"))
        if "role" in changes and changes["role"] != Role.ADMIN:
            problems.append(FieldProblem("role", "you cannot remove your own admin role"))
    if changes.get("capacity") is not None and int(changes["capacity"]) < 0:
        problems.append(FieldProblem("capacity", "must be zero or more"))
    if problems:
        raise ValidationFailed(problems)
    _check_team(session, changes.get("team_id"))
    return user_service.update_user(session, actor, user_id, expected=expected, **changes)


def list_tokens(session: Session, actor: User, user_id: int) -> list[TokenRow]:
    get_user(session, actor, user_id)
    return [
        TokenRow(t.id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at)
        for t in session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        )
    ]


def create_token(session: Session, actor: User, user_id: int, name: str) -> str:
    """A new API token for the user; the clear token is returned once, only its hash is kept."""
    user = get_user(session, actor, user_id)
    name = name.strip()
    if not name or len(name) > 120:
        raise ValidationFailed(
            [FieldProblem("name", "give the token a name (up to 120 characters)")]
        )
    if not user.is_active:
        raise ValidationFailed([FieldProblem("name", "the user is deactivated")])
    return user_service.create_token(session, actor, user, name)


def revoke_token(session: Session, actor: User, user_id: int, token_id: int) -> None:
    get_user(session, actor, user_id)
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound(f"no token {token_id}")
    user_service.revoke(session, actor, token)
