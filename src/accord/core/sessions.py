"""Server-side sessions (S1): start, find, touch, end, and "log out everywhere".

The browser's cookie carries only a random session id (256 bits); the table keeps its
SHA-256, so a stolen database does not hand out live sessions and a revoked row ends the
session for good, whatever cookie is replayed. Sessions end on logout, on a password change,
on deactivation and on "log out everywhere" (for oneself, or by an admin for a user).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from accord.core import audit
from accord.core.database import transaction, utcnow
from accord.core.errors import NotFound
from accord.core.models import Role, User, UserSession

log = logging.getLogger(__name__)

#: last-seen times are written at most this often per session, never in a request's transaction
TOUCH_RESOLUTION = timedelta(minutes=1)
#: expired or revoked rows are deleted this long after they ended (at the user's next login)
KEEP_ENDED = timedelta(days=30)


def token_hash(token: str) -> str:
    """The stored form of a session id: 256 random bits make a fast hash safe to look up."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Current:
    """The signed-in user of a request and what the request may owe its session row."""

    user: User
    session_id: int
    needs_touch: bool


def start_session(
    session: Session,
    user: User,
    *,
    lifetime: timedelta,
    user_agent: str | None = None,
    address: str | None = None,
) -> str:
    """A new session for ``user``; returns the clear id for the cookie (stored hashed)."""
    now = utcnow()
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.expires_at < now - KEEP_ENDED
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            user_agent=(user_agent or "")[:200] or None,
            address=(address or "")[:64] or None,
        )
    )
    session.flush()
    return token


def current(session: Session, token: str | None) -> Current | None:
    """The live session for a cookie's id: not revoked, not expired, its user active. Reads
    only."""
    if not token:
        return None
    now = utcnow()
    row = session.execute(
        select(User, UserSession.id, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == token_hash(token),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
            User.is_active.is_(True),
        )
    ).first()  # one query per request for the session and its user
    if row is None:
        return None
    user, session_id, last_seen_at = row
    return Current(user, session_id, now - last_seen_at >= TOUCH_RESOLUTION)


def touch(factory: sessionmaker[Session], session_id: int) -> None:
    """Record that a session was used, in its own short transaction after the response.

    At most one write a minute per session (the condition is in the UPDATE, so several
    workers do not all write); a failure is logged and never reaches the request."""
    now = utcnow()
    try:
        with transaction(factory) as session:
            session.execute(
                update(UserSession)
                .where(
                    UserSession.id == session_id,
                    UserSession.last_seen_at <= now - TOUCH_RESOLUTION,
                )
                .values(last_seen_at=now)
            )
    except Exception:  # a missed last-seen time must never fail a request (logged)
        log.warning("could not record the last use of session %s", session_id, exc_info=True)


def end_session(session: Session, token: str | None) -> User | None:
    """Log out: the cookie's session is revoked (and audited); returns its user, if any."""
    found = current(session, token)
    if found is None:
        return None
    session.execute(
        update(UserSession).where(UserSession.id == found.session_id).values(revoked_at=utcnow())
    )
    audit.record(session, found.user, "logout", "user", found.user.id)
    return found.user


def revoke_all(session: Session, user_id: int, now: datetime | None = None) -> int:
    """End every open session of a user (password change, deactivation); returns how many."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def log_out_everywhere(session: Session, actor: User, user_id: int) -> int:
    """End all of a user's sessions: one's own, or anybody's for an admin (the CLI operator
    is an admin). Somebody else's id is *not found* for a non-admin. Audited."""
    if actor.id != user_id and Role(actor.role) is not Role.ADMIN:
        raise NotFound(f"no user {user_id}")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    ended = revoke_all(session, user_id)
    audit.record(
        session,
        actor,
        "logout_everywhere",
        "user",
        user_id,
        after={"sessions_ended": ended},
    )
    return ended


def open_sessions(session: Session, user_id: int) -> int:
    """How many live sessions a user has (shown on the admin's user page)."""
    return session.scalar(
        select(func.count()).select_from(UserSession).where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow(),
        )
    ) or 0
