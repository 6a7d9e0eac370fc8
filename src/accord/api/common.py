"""What every API router shares: the request's database session, the caller, error responses.

Routers import these instead of SQLAlchemy, so entry points never build queries.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from accord.core.models import User
from accord.core.schemas import MAX_ID as MAX_ID  # re-exported
from accord.core.schemas import Count as Count  # re-exported
from accord.core.schemas import Id
from accord.web.deps import Db as Db  # re-exported: the API's one way to the database
from accord.web.deps import api_user

#: Documents the scheme in the OpenAPI document; ``api_user`` does the checking (and also
#: accepts a browser session with an ``X-CSRF-Token`` header).
bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer acc_...`")


def caller(
    user: Annotated[User, Depends(api_user)],
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> User:
    return user



#: Row ids are 32-bit integers on both databases; anything else is a 422, not a crash (B1).
IdPath = Id
IdQuery = Id | None
Caller = Annotated[User, Depends(caller)]


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem body (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


_DESCRIPTIONS = {
    401: "No API token, or an unknown or revoked one",
    403: "The caller's role may not do this (read-only roles on writes, admin-only routes)",
    404: "No such resource, or the caller may not see it",
    409: "Conflicts with existing data",
    422: "Invalid input; `errors` names each field",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses (401 and 422 are always possible)."""
    wanted = sorted({401, 422, *statuses})
    return {
        s: {
            "model": Problem,
            "description": _DESCRIPTIONS[s],
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
        for s in wanted
    }
