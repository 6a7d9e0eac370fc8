"""REST API for the caller, users and API tokens: ``/me``, ``/users``, ``/tokens``; teams
are ``teams_api``. Each operation adapts the body to ``accord.users.service`` and back."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from accord.api.common import Caller, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core import sessions as session_service
from accord.core.models import ApiToken, User
from accord.users import service
from accord.users.schemas import (
    MePatch,
    SessionsEnded,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from accord.users.teams_api import router as teams_router


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
        time_zone=user.time_zone or "UTC",
        version=user.version or 1,
    )


def token_out(row: ApiToken) -> TokenOut:
    return TokenOut(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


router = APIRouter()
router.include_router(teams_router)


@router.get(
    "/me", tags=["users"], summary="The caller", response_model=UserOut, responses=problems()
)
def me(user: Caller, response: Response) -> UserOut:
    out = user_out(user)
    set_etag(response, out.version)
    return out


@router.patch(
    "/me",
    tags=["users"],
    summary="Change the caller's own settings (their time zone)",
    description="`time_zone`: an IANA name (`Europe/London`, `America/New_York`, `UTC`); "
    "times are shown in it and follow-ups' due times are read in it. An unknown zone is a "
    "422. With `If-Match`, a change made meanwhile is a 409.",
    response_model=UserOut,
    responses=problems(409),
)
def update_me(
    body: MePatch, db: Db, user: Caller, response: Response, expected: IfMatch
) -> UserOut:
    out = user_out(service.set_time_zone(db, user, user.id, body.time_zone, expected=expected))
    set_etag(response, out.version)
    return out


@router.get(
    "/users",
    tags=["users"],
    summary="List users (admin)",
    response_model=list[UserOut],
    responses=problems(403),
)
def list_users(db: Db, user: Caller) -> list[UserOut]:
    return [user_out(row.user) for row in service.list_users(db, user)]


@router.post(
    "/users",
    tags=["users"],
    summary="Create a user (admin)",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 409),
)
def create_user(body: UserIn, db: Db, user: Caller, response: Response) -> UserOut:
    created = user_out(service.create_user(db, user, **body.model_dump()))
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
    out = user_out(service.get_user(db, user, user_id))
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
    changes = body.model_dump(exclude_unset=True)
    out = user_out(service.update_user(db, user, user_id, changes, expected=expected))
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
    issued = service.issue_token(db, user, user_id, (body or TokenIn()).name)
    return TokenCreated(**token_out(issued.row).model_dump(), token=issued.token)


@router.get(
    "/tokens",
    tags=["tokens"],
    summary="The caller's API tokens (no secrets)",
    response_model=list[TokenOut],
    responses=problems(),
)
def list_tokens(db: Db, user: Caller) -> list[TokenOut]:
    return [token_out(row) for row in service.list_tokens(db, user, user.id)]


@router.delete(
    "/tokens/{token_id}",
    tags=["tokens"],
    summary="Revoke an API token",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(404),
)
def revoke_token(token_id: IdPath, db: Db, user: Caller) -> Response:
    service.revoke_token(db, user, token_id)
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
