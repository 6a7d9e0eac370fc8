"""Use cases for API tokens: issue (admin or the user themself), list one's own, revoke."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.core.errors import NotFound
from accord.core.models import ApiToken, Role, User
from accord.core.schemas import TokenCreated, TokenOut
from accord.core.security import hash_api_token
from accord.core.users import create_token, revoke
from accord.core.visibility import require_role


def _out(row: ApiToken) -> TokenOut:
    return TokenOut(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def issue_token(session: Session, actor: User, user_id: int, name: str) -> TokenCreated:
    """A new token for ``user_id``; only an admin may make one for somebody else.

    A non-admin asking for another user's token learns nothing about that user (404).
    """
    if actor.id != user_id and Role(actor.role) is not Role.ADMIN:
        raise NotFound(f"no user {user_id}")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    token = create_token(session, actor, user, name)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_api_token(token)))
    assert row is not None
    return TokenCreated(**_out(row).model_dump(), token=token)


def list_own_tokens(session: Session, actor: User) -> list[TokenOut]:
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id)
    )
    return [_out(r) for r in rows]


def list_tokens_of(session: Session, actor: User, user_id: int) -> list[TokenOut]:
    """An admin's view of anybody's tokens (without secrets)."""
    if actor.id != user_id:
        require_role(actor, Role.ADMIN)
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    )
    return [_out(r) for r in rows]


def revoke_token(session: Session, actor: User, token_id: int) -> TokenOut:
    """Revoke one's own token (an admin may revoke anybody's). Revoking twice is harmless."""
    row = session.get(ApiToken, token_id)
    if row is None or (row.user_id != actor.id and Role(actor.role) is not Role.ADMIN):
        raise NotFound(f"no token {token_id}")
    revoke(session, actor, row)
    return _out(row)
