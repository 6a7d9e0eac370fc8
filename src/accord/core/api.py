"""REST API for the caller, users and API tokens: ``/me``, ``/users``, ``/tokens``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from accord.api.common import Caller, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core import sessions as session_service
from accord.core import tokens as token_service
from accord.core import user_admin
from accord.core.schemas import (
    SessionsEnded,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from accord.core.teams_api import router as teams_router

router = APIRouter()
router.include_router(teams_router)


@router.get(
    "/me", tags=["users"], summary="The caller", response_model=UserOut, responses=problems()
)
def me(user: Caller) -> UserOut:
    return user_admin.user_out(user)


@router.get(
    "/users",
    tags=["users"],
    summary="List users (admin)",
    response_model=list[UserOut],
    responses=problems(403),
)
def list_users(db: Db, user: Caller) -> list[UserOut]:
    return user_admin.list_users(db, user)


@router.post(
    "/users",
    tags=["users"],
    summary="Create a user (admin)",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 409),
)
def create_user(body: UserIn, db: Db, user: Caller, response: Response) -> UserOut:
    created = user_admin.create_user(db, user, body)
    response.headers["Location"] = f"/api/v1/users/{created.id}"
    return created


@router.get(
    "/users/{user_id}",
    tags=["users"],
    summary="Read a user (admin)",
    response_model=UserOut,
    responses=problems(403, 404),
)
def get_user(user_id: IdPath, db: Db, user: Caller, response: Response) -> UserOut:
    out = user_admin.get_user(db, user, user_id)
    set_etag(response, out.version)
    return out


@router.patch(
    "/users/{user_id}",
    tags=["users"],
    summary="Change a user (admin)",
    description="With `If-Match` (the `ETag` of a read), a change made meanwhile is a 409.",
    response_model=UserOut,
    responses=problems(403, 404, 409),
)
def update_user(
    user_id: IdPath, body: UserPatch, db: Db, user: Caller, response: Response, expected: IfMatch
) -> UserOut:
    out = user_admin.update_user(db, user, user_id, body, expected)
    set_etag(response, out.version)
    return out


@router.post(
    "/users/{user_id}/tokens",
    tags=["tokens"],
    summary="Create an API token (admin, or the user themself)",
    description="The clear token is in this response only; Accord stores its hash.",
    response_model=TokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses=problems(404),
)
def create_token(
    user_id: IdPath, db: Db, user: Caller, body: TokenIn | None = None
) -> TokenCreated:
    return token_service.issue_token(db, user, user_id, (body or TokenIn()).name)


@router.get(
    "/tokens",
    tags=["tokens"],
    summary="The caller's API tokens (no secrets)",
    response_model=list[TokenOut],
    responses=problems(),
)
def list_tokens(db: Db, user: Caller) -> list[TokenOut]:
    return token_service.list_own_tokens(db, user)


@router.delete(
    "/tokens/{token_id}",
    tags=["tokens"],
    summary="Revoke an API token",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(404),
)
def revoke_token(token_id: IdPath, db: Db, user: Caller) -> Response:
    token_service.revoke_token(db, user, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/users/{user_id}/logout-everywhere",
    tags=["users"],
    summary="End every browser session of a user (admin, or the user themself)",
    description="API tokens are not affected; revoke them under /tokens.",
    response_model=SessionsEnded,
    responses=problems(404),
)
def logout_everywhere(user_id: IdPath, db: Db, user: Caller) -> SessionsEnded:
    return SessionsEnded(sessions_ended=session_service.log_out_everywhere(db, user, user_id))
