"""Use cases for users, teams, passwords and API tokens."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from accord.core import audit, versions
from accord.core.database import transaction, utcnow
from accord.core.errors import Conflict, FieldProblem, NotAuthenticated, NotFound, ValidationFailed
from accord.core.models import ApiToken, Role, User
from accord.core.security import hash_api_token, hash_password, new_api_token, verify_password
from accord.core.sessions import revoke_all as revoke_sessions

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
log = logging.getLogger(__name__)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def validate_email(email: str, field: str = "email") -> str:
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise ValidationFailed([FieldProblem(field, f"not an e-mail address: {email!r}")])
    return email


def user_snapshot(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "team_id": user.team_id,
        "segment": user.segment,
        "capacity": user.capacity,
        "is_active": user.is_active,
    }


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
    capacity: int = 100,
) -> User:
    problems: list[FieldProblem] = []
    try:
        email = validate_email(email)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    if role not in {r.value for r in Role}:
        problems.append(
            FieldProblem(
                "role", f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}"
            )
        )
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", f"at least {MIN_PASSWORD} characters"))
    if capacity < 0:
        problems.append(FieldProblem("capacity", "must be zero or more"))
    if problems:
        raise ValidationFailed(problems)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(
        email=email,
        role=role,
        name=(name or email.split("@")[0]).strip(),
        password_hash=hash_password(password) if password else None,
        team_id=team_id,
        segment=segment,
        capacity=capacity,
        is_active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, after=user_snapshot(user))
    return user


def update_user(
    session: Session,
    actor: User,
    user_id: int,
    *,
    expected: versions.Expected | None = None,
    **changes: object,
) -> User:
    """``expected``: the version (and a form's values, as ``user_snapshot`` names them) the
    change started from; a stale one is a 409 (``versions.Stale``)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    versions.check(session, user, expected, f"user {user_id}", lambda: user_snapshot(user))
    before = user_snapshot(user)
    password = changes.pop("password", None)
    if "role" in changes and changes["role"] not in {r.value for r in Role}:
        raise ValidationFailed([FieldProblem("role", f"unknown role {changes['role']!r}")])
    for key, value in changes.items():
        if key not in before:
            raise ValidationFailed([FieldProblem(key, "not a user field")])
        setattr(user, key, value)
    if password:
        if len(str(password)) < MIN_PASSWORD:
            raise ValidationFailed(
                [FieldProblem("password", f"at least {MIN_PASSWORD} characters")]
            )
        user.password_hash = hash_password(str(password))
    session.flush()
    b, a = audit.changed_fields(before, user_snapshot(user))
    if password:
        a["password"] = "changed"
    if password or (before["is_active"] and not user.is_active):
        a["sessions_ended"] = revoke_sessions(session, user.id)  # S1
    audit.record(session, actor, "update", "user", user.id, before=b, after=a)
    if "is_active" in a:
        revoke_tokens_of(session, actor, user)
    return user


def revoke_tokens_of(session: Session, actor: User | None, user: User) -> None:
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
        revoke(session, actor, row, why)


def revoke(session: Session, actor: User | None, row: ApiToken, why: str | None = None) -> None:
    """Revoke one token, audited; a token already revoked stays as it was."""
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    session.flush()
    after: dict[str, object] = {"revoked_at": row.revoked_at}
    if why:
        after["why"] = why
    audit.record(session, actor, "revoke", "api_token", row.id,
                 before={"revoked_at": None}, after=after)


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no user with e-mail {normalise_email(email)}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    # verified first, whoever asks: the same work for unknown, inactive and known users (S3)
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active or not valid:
        raise NotAuthenticated("wrong e-mail or password")
    return user


def create_token(session: Session, actor: User | None, user: User, name: str = "cli") -> str:
    """Create an API token; the clear token is returned once and only its hash is stored."""
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
    return token


def user_for_token(
    session: Session, token: str, on_due_use: Callable[[int], None] | None = None
) -> User:
    """The active user of an unrevoked token. Reads only: when the token's last use is over
    a minute old, ``on_due_use(token id)`` is told, and the caller records the use outside
    this transaction (``record_token_use``, after the response)."""
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_api_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None:
        raise NotAuthenticated("unknown or revoked API token")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("the token's user is disabled")
    now = utcnow()
    due = row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION
    if due and on_due_use is not None and _claim_token_use(row.token_hash, now):
        on_due_use(row.id)
    return user


_token_uses: dict[str, datetime] = {}  # token hash -> when this process last recorded it
_token_uses_guard = threading.Lock()


def _claim_token_use(token_hash: str, now: datetime) -> bool:
    """Only one request of this process records a token's use a minute."""
    with _token_uses_guard:
        last = _token_uses.get(token_hash)
        if last is not None and now - last <= TOKEN_USE_RESOLUTION:
            return False
        if len(_token_uses) > 10_000:
            _token_uses.clear()
        _token_uses[token_hash] = now
        return True


def record_token_use(factory: sessionmaker[Session], token_id: int) -> None:
    """Record a token's use in a short transaction of its own (at most once a minute; run
    after the response). Never fails: a busy database just skips this one."""
    now = utcnow()
    try:
        with transaction(factory) as session:
            session.info["accord.job"] = "token use"
            session.execute(
                update(ApiToken)
                .where(ApiToken.id == token_id)
                .where(or_(ApiToken.last_used_at.is_(None),
                           ApiToken.last_used_at < now - TOKEN_USE_RESOLUTION))
                .values(last_used_at=now)
            )
    except SQLAlchemyError as exc:
        log.info("token use not recorded (%s)", exc.__class__.__name__)
