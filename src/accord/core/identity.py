"""Who is calling: a password checked, an API token looked up, a user found by e-mail.

The authentication the pages, the API and the command line share; administering users and
tokens is the ``accord.users`` capability.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from accord.core.database import transaction, utcnow
from accord.core.emails import normalise_email
from accord.core.errors import NotAuthenticated, NotFound
from accord.core.models import ApiToken, User
from accord.core.security import hash_api_token, verify_password

TOKEN_USE_RESOLUTION = timedelta(minutes=1)
log = logging.getLogger(__name__)


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no user with e-mail {normalise_email(email)}")
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    # verified first, whoever asks: the same work for unknown, inactive and known users (S3)
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active or not valid:
        raise NotAuthenticated("wrong e-mail or password")
    return user


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
