"""Logging in with e-mail and password: throttled, audited (S2), same work for everyone (S3).

Failed attempts are counted in the database (``login_throttle``), so every worker sees
them, under two keys: the e-mail address tried and the client address. After a few free
failures each key imposes a delay that doubles with every further failure, up to a cap; an
attempt during the delay is refused *before* the password is checked, with the seconds to
wait. There is no lockout: the account's delay is capped at a minute, so nobody can keep a
known user out by failing on purpose, while the client address's delay (the attacker's own)
grows to a quarter of an hour. A success clears the account's counter; a counter without a
failure for a quarter of an hour starts again from zero. Keys are hashed: the table holds
no e-mail addresses (a password typed into the e-mail field included).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.database import is_sqlite
from accord.core.emails import EMAIL_RE, normalise_email
from accord.core.errors import AccordError, NotAuthenticated
from accord.core.identity import authenticate
from accord.core.models import LoginThrottle, User

#: a counter with no failure for this long starts again from zero
RESET_AFTER = timedelta(minutes=15)
#: counters idle this long are deleted (at the next failure), so the table stays small
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """``free`` failures cost nothing; then 1 s, doubling with each failure, up to ``cap``."""

    free: int
    cap_seconds: int

    def delay(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.cap_seconds, 2 ** min(failures - self.free, 30))


PER_ACCOUNT = Limit(free=5, cap_seconds=60)
PER_ADDRESS = Limit(free=10, cap_seconds=15 * 60)


class TooManyAttempts(AccordError):
    """A login attempt during a delay: HTTP 429 with ``Retry-After``."""

    status = 429
    title = "Too many attempts"

    def __init__(self, retry_after: int) -> None:
        unit = "second" if retry_after == 1 else "seconds"
        super().__init__(f"too many attempts; try again in {retry_after} {unit}")
        self.retry_after = retry_after


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _keys(email: str, address: str | None) -> dict[str, Limit]:
    keys = {_key("account", normalise_email(email)): PER_ACCOUNT}
    if address:
        keys[_key("address", address)] = PER_ADDRESS
    return keys


def _wait(session: Session, keys: list[str], now: datetime) -> int:
    """Seconds until every key's delay is over (0: the attempt may go ahead)."""
    until = session.scalars(
        select(LoginThrottle.blocked_until).where(
            LoginThrottle.key.in_(keys), LoginThrottle.blocked_until > now
        )
    ).all()
    if not until:
        return 0
    return max(1, math.ceil((max(u for u in until if u is not None) - now).total_seconds()))


def _count_failure(session: Session, key: str, limit: Limit, now: datetime) -> None:
    insert = sqlite_insert if is_sqlite(session) else pg_insert
    stale = LoginThrottle.last_failure_at < now - RESET_AFTER
    stmt = (
        insert(LoginThrottle)
        .values(key=key, failures=1, last_failure_at=now, blocked_until=None)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={
                "failures": case((stale, 1), else_=LoginThrottle.failures + 1),
                "last_failure_at": now,
            },
        )
        .returning(LoginThrottle.failures)
    )
    failures = int(session.execute(stmt).scalar_one())
    seconds = limit.delay(failures)
    if seconds:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(blocked_until=now + timedelta(seconds=seconds))
        )


def _attempted(email: str) -> str:
    """What the audit log keeps of the e-mail tried: the address, or a placeholder when it
    is no e-mail address (somebody may have typed a password into the field)."""
    email = normalise_email(email)[:254]
    return email if EMAIL_RE.match(email) else "(not an e-mail address)"


@dataclass(frozen=True)
class Checked:
    """What checking an attempt found, before anything is written: the seconds still to
    wait (the password then unchecked), else the user whose password it is (None: wrong)."""

    wait: int
    user_id: int | None


def check(
    session: Session, email: str, password: str, *, address: str | None, now: datetime
) -> Checked:
    """The reading half of a login: the delay, then the password (one argon2 verification,
    tens of milliseconds). Reads only, so the web login runs it before taking its turn to
    write: logins do not hold up other writes while a password is verified."""
    wait = _wait(session, list(_keys(email, address)), now)
    if wait:
        return Checked(wait, None)
    try:
        return Checked(0, authenticate(session, email, password).id)
    except NotAuthenticated:
        return Checked(0, None)


def record(
    session: Session, email: str, checked: Checked, *, address: str | None, now: datetime
) -> User:
    """The writing half: raises ``TooManyAttempts`` during a delay; a wrong password is
    counted and audited, then ``NotAuthenticated`` is raised — the caller commits on it too
    (the login page renders its error, which commits); a success clears the account's
    counter, is audited and returns the user."""
    if checked.wait:
        raise TooManyAttempts(checked.wait)
    user = session.get(User, checked.user_id) if checked.user_id is not None else None
    if user is None or not user.is_active:
        session.execute(
            delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER)
        )
        for key, limit in _keys(email, address).items():
            _count_failure(session, key, limit, now)
        known = session.scalar(select(User.id).where(User.email == normalise_email(email)))
        audit.record(
            session,
            None,
            "login_failed",
            "user",
            known,
            after={"email": _attempted(email), "address": address},
        )
        raise NotAuthenticated("wrong e-mail or password")
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == _key("account", user.email)))
    audit.record(session, user, "login", "user", user.id, after={"address": address})
    return user
