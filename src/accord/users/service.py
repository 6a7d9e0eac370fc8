"""User administration: the one service behind the admin pages, the API and ``accord users``.

Every rule holds on every door: only an admin lists, reads, creates and changes users; an
admin cannot lock themself out; a token is made (and listed, and revoked) by an admin or the
user themself, never for a deactivated user, and carries a name (``rules.token_name``).
Every change is audited in the caller's transaction. ``actor`` None is the system (tests):
no role is checked and the audit log says ``system``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.emails import normalise_email
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import ApiToken, Role, Team, User
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID
from accord.core.security import hash_api_token, hash_password, new_api_token
from accord.core.sessions import revoke_all as revoke_sessions
from accord.users import rules

ROLES = tuple(r.value for r in Role)
#: what a change may name (``password`` is written hashed, never kept in the snapshot)
EDITABLE = ("email", "name", "role", "team_id", "segment", "capacity", "is_active", "password",
            "time_zone")
#: fields a change may not empty
REQUIRED = ("email", "name", "role", "capacity", "is_active", "time_zone")
#: roles that may not be an account's responsible manager (``accounts.service`` refuses
#: one as ``manager_id``); a user who manages accounts is not moved to one
CANNOT_MANAGE = (Role.SPECIALIST.value,)
#: the accounts' manager column, named here without importing ``accord.accounts`` (a layer
#: above the users)
_ACCOUNTS = table("accounts", column("manager_id"))


@dataclass(frozen=True)
class UserRow:
    user: User
    team_name: str | None
    active_tokens: int


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is the clear secret, shown once and never stored."""

    row: ApiToken
    token: str


def user_snapshot(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "team_id": user.team_id,
        "segment": user.segment,
        "capacity": user.capacity,
        "is_active": user.is_active,
        "time_zone": user.time_zone,
    }


def _admin(actor: User | None) -> None:
    if actor is not None:
        require_role(actor, Role.ADMIN)


def _is_admin(actor: User | None) -> bool:
    return actor is None or Role(actor.role) is Role.ADMIN


# ---------------------------------------------------------------- reading


def list_users(
    session: Session, actor: User | None, *, active_first: bool = False
) -> list[UserRow]:
    """Every user with their team's name and number of live tokens (admin). By e-mail, or
    with ``active_first`` the active users first, each part by name (the admin page)."""
    _admin(actor)
    tokens = (
        select(ApiToken.user_id, func.count().label("n"))
        .where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.user_id)
        .subquery()
    )
    order = (User.is_active.desc(), User.name) if active_first else (User.email,)
    rows = session.execute(
        select(User, Team.name, func.coalesce(tokens.c.n, 0))
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(tokens, tokens.c.user_id == User.id)
        .order_by(*order)
    ).all()
    return [UserRow(user=u, team_name=t, active_tokens=int(n)) for u, t, n in rows]


def get_user(session: Session, actor: User | None, user_id: int) -> User:
    _admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def team_name(session: Session, team_id: int | None) -> str | None:
    """The name of a team (None for no team): a user's own details show it."""
    team = session.get(Team, team_id) if team_id else None
    return team.name if team else None


# ---------------------------------------------------------------- changing (admin only)


def _problems(session: Session, fields: Mapping[str, Any]) -> list[FieldProblem]:
    problems = rules.field_problems(fields)
    if "role" in fields and fields["role"] not in ROLES:
        problems.append(
            FieldProblem("role", f"unknown role {fields['role']!r}; one of {', '.join(ROLES)}")
        )
    team_id = fields.get("team_id")
    if team_id is not None and (
        isinstance(team_id, bool)
        or not isinstance(team_id, int)
        or not 1 <= team_id <= MAX_ID
        or session.get(Team, team_id) is None
    ):
        problems.append(FieldProblem("team_id", f"no team {team_id}"))
    return problems


def _role_problems(session: Session, user: User, role: object) -> list[FieldProblem]:
    """A user who is the responsible manager of accounts keeps a role that may manage them
    (not ``specialist``): the accounts are handed over first."""
    if role not in CANNOT_MANAGE or role == user.role:
        return []
    managed = session.scalar(select(func.count()).select_from(_ACCOUNTS)
                             .where(_ACCOUNTS.c.manager_id == user.id)) or 0
    if not managed:
        return []
    accounts = "1 account" if managed == 1 else f"{managed} accounts"
    return [FieldProblem("role", f"{user.email} manages {accounts}: a {role} cannot manage "
                         "accounts; hand them over to another manager first")]


def _email_free(session: Session, email: str, user_id: int | None = None) -> None:
    clash = session.scalar(select(User.id).where(User.email == email))
    if clash is not None and clash != user_id:
        raise Conflict(f"a user with e-mail {email} already exists")


def create_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    role: str,
    name: str | None = None,
    password: str | None = None,
    team_id: int | None = None,
    segment: str | None = None,
    capacity: int = rules.DEFAULT_CAPACITY,
    time_zone: str = rules.DEFAULT_TIME_ZONE,
) -> User:
    """A new user (admin). Without a password the user can only use API tokens."""
    _admin(actor)
    role = getattr(role, "value", role)
    fields = {"email": email, "role": role, "name": name, "password": password,
              "team_id": team_id, "segment": segment, "capacity": capacity,
              "time_zone": time_zone}
    problems = _problems(session, fields)
    if problems:
        raise ValidationFailed(problems)
    email = normalise_email(email)
    _email_free(session, email)
    user = User(
        email=email,
        role=role,
        name=(name or "").strip() or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
        team_id=team_id,
        segment=segment.strip() if segment else segment,
        capacity=capacity,
        time_zone=time_zone.strip(),
        is_active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, after=user_snapshot(user))
    return user


def update_user(
    session: Session,
    actor: User | None,
    user_id: int,
    changes: Mapping[str, Any],
    *,
    expected: versions.Expected | None = None,
) -> User:
    """Change the fields given (admin). ``expected``: the version (and a form's values, as
    ``user_snapshot`` names them) the change started from; a stale one is a 409
    (``versions.Stale``). A new password or a deactivation ends the user's sessions; a
    change of ``is_active`` revokes the user's live tokens."""
    user = get_user(session, actor, user_id)
    changes = {k: getattr(v, "value", v) for k, v in changes.items()}
    problems = [FieldProblem(k, "not a user field") for k in changes if k not in EDITABLE]
    problems += [FieldProblem(k, "cannot be empty") for k in REQUIRED
                 if k in changes and changes[k] is None]
    problems += _problems(session, changes)
    if actor is not None and actor.id == user.id:
        problems += rules.self_change_problems(changes, Role.ADMIN.value)
    if "role" in changes and not any(p.field == "role" for p in problems):
        problems += _role_problems(session, user, changes["role"])
    if problems:
        raise ValidationFailed(problems)
    if "email" in changes:
        changes["email"] = normalise_email(changes["email"])
        _email_free(session, changes["email"], user.id)
    versions.check(session, user, expected, f"user {user_id}", lambda: user_snapshot(user))
    before = user_snapshot(user)
    password = changes.pop("password", None)
    for key, value in changes.items():
        if key == "time_zone":
            value = value.strip()
            if value != user.time_zone:
                versions.bump(user)  # the time zone is a user setting outside ``versioned``
        setattr(user, key, value.strip() if key in ("name", "segment") and value else value)
    if password:
        user.password_hash = hash_password(password)
    session.flush()
    b, a = audit.changed_fields(before, user_snapshot(user))
    if password:
        a["password"] = "changed"
    if password or (before["is_active"] and not user.is_active):
        a["sessions_ended"] = revoke_sessions(session, user.id)  # S1
    audit.record(session, actor, "update", "user", user.id, before=b, after=a)
    if "is_active" in a:
        _revoke_tokens_of(session, actor, user)
    return user


# ---------------------------------------------------------------- the user's own settings


def set_time_zone(
    session: Session,
    actor: User | None,
    user_id: int,
    time_zone: object,
    *,
    expected: versions.Expected | None = None,
) -> User:
    """Set the IANA time zone a user's times are shown in (and their follow-ups' due times
    are read in): the user themself, or an admin for anybody; another user's id is *not
    found* for anyone else. An unknown zone is a 422 on ``time_zone``. Audited."""
    user = _self_or_admin(session, actor, user_id)
    problem = rules.time_zone_problem(time_zone)
    if problem:
        raise ValidationFailed([FieldProblem("time_zone", problem)])
    zone = str(time_zone).strip()
    versions.check(session, user, expected, f"user {user_id}", lambda: user_snapshot(user))
    if zone == user.time_zone:
        return user
    before = user.time_zone
    versions.bump(user)
    user.time_zone = zone
    session.flush()
    session.refresh(user)
    audit.record(session, actor, "update", "user", user.id, before={"time_zone": before},
                 after={"time_zone": zone})
    return user


# ---------------------------------------------------------------- API tokens


def _self_or_admin(session: Session, actor: User | None, user_id: int) -> User:
    """The user whose tokens are asked for: the actor themself, or anybody for an admin.
    Somebody else's id is *not found* for anyone else (nothing learnt about that user)."""
    if actor is not None and actor.id != user_id and not _is_admin(actor):
        raise NotFound(f"no user {user_id} (only an admin handles another user's tokens)")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def list_tokens(session: Session, actor: User | None, user_id: int) -> list[ApiToken]:
    """A user's tokens, oldest first (never their secrets)."""
    _self_or_admin(session, actor, user_id)
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    )


def issue_token(session: Session, actor: User | None, user_id: int, name: object) -> IssuedToken:
    """A new API token for the user; only its hash is stored."""
    user = _self_or_admin(session, actor, user_id)
    name = rules.token_name(name)
    if not user.is_active:
        raise ValidationFailed([FieldProblem("user", f"{user.email} is deactivated")])
    token = new_api_token()
    row = ApiToken(
        user_id=user.id,
        name=name,
        prefix=token[:10],
        token_hash=hash_api_token(token),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "create", "api_token", row.id, after={"user": user.email, "name": name}
    )
    return IssuedToken(row=row, token=token)


def revoke_token(
    session: Session, actor: User | None, token_id: int, *, of_user: int | None = None
) -> ApiToken:
    """Revoke one's own token (an admin: anybody's). ``of_user``: the token must be that
    user's (a page's address names both). Revoking twice is harmless."""
    row = session.get(ApiToken, token_id)
    if row is None or (of_user is not None and row.user_id != of_user):
        raise NotFound(f"no token {token_id}")
    if actor is not None and row.user_id != actor.id and not _is_admin(actor):
        raise NotFound(f"no token {token_id}")
    _revoke(session, actor, row)
    return row


def _revoke_tokens_of(session: Session, actor: User | None, user: User) -> None:
    """Revoke every live API token of ``user`` (audited one by one).

    Called whenever a user is deactivated *or* re-activated: a deactivated user's tokens
    stay revoked for good (reactivation never revives one; the user gets new tokens), and
    a token left live by an older version while its user was inactive is revoked too.
    """
    why = "user deactivated" if not user.is_active else "user re-activated"
    for row in session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    ):
        _revoke(session, actor, row, why)


def _revoke(session: Session, actor: User | None, row: ApiToken, why: str | None = None) -> None:
    """The one revocation and its audit record; a token already revoked stays as it was."""
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    session.flush()
    after: dict[str, object] = {"revoked_at": row.revoked_at}
    if why:
        after["why"] = why
    audit.record(session, actor, "revoke", "api_token", row.id,
                 before={"revoked_at": None}, after=after)
