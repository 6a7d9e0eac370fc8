"""What every API router shares: the request's database session, the caller, error responses.

Routers import these instead of SQLAlchemy, so entry points never build queries.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Security
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict

from accord.core.database import utcnow
from accord.core.models import User
from accord.core.periods import local_today
from accord.core.schemas import MAX_ID as MAX_ID  # re-exported
from accord.core.schemas import Count as Count  # re-exported
from accord.core.schemas import Id
from accord.web.deps import Db as Db  # re-exported: the API's one way to the database
from accord.web.deps import api_user, today

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


def caller_today(user: Caller, utc_today: Annotated[date, Depends(today)]) -> date:
    """The caller's today: the date in their time zone (``core.periods.local_today``)."""
    return local_today(utc_today, utcnow(), user.time_zone)


#: the account rhythm's "today" in the API: the caller's own date, not the server's
CallerToday = Annotated[date, Depends(caller_today)]


class FieldError(BaseModel):
    """One problem of the input: a field and its message (an import's row problems name the
    row and column instead)."""

    model_config = ConfigDict(extra="allow")

    field: str | None = None
    message: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem body (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


_DESCRIPTIONS = {
    400: "The body is not what the media type says (JSON that does not parse, a broken form)",
    401: "No API token, or an unknown or revoked one",
    403: "The caller's role may not do this (read-only roles on writes, admin-only routes)",
    404: "No such resource, or the caller may not see it",
    409: "Conflicts with existing data",
    413: "The request body is larger than the server accepts (ACCORD_MAX_BODY_BYTES, "
    "ACCORD_MAX_UPLOAD_BYTES for a file)",
    422: "Invalid input; `errors` names each field",
    429: "Too many attempts; wait the seconds the answer gives",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses (401 and 422 are always possible)."""
    wanted = sorted({401, 422, *statuses})
    return {
        s: {
            "model": Problem,
            "description": _DESCRIPTIONS.get(s, "An error; the body says what went wrong"),
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
        for s in wanted
    }


def document_problems(router: APIRouter) -> None:
    """Declare on every operation of ``router`` the problems any operation of its shape may
    answer with (B11), besides those it declares itself: 401 and 422 always, 400 and 413
    with a request body, 404 with a path parameter, 403 on a change. Run once, on the
    assembled API router, so a new route is documented the day it lands."""
    for context in iter_route_contexts(router.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        wanted = {401, 422}
        if route.body_field is not None:
            wanted |= {400, 413}
        if route.dependant.path_params:
            wanted.add(404)
        if (route.methods or set()) - {"GET", "HEAD", "OPTIONS"}:
            wanted.add(403)
        declared = {int(code): code for code in route.responses if str(code).isdigit()}
        errors = [code for code in declared if code >= 400]
        for status, spec in problems(*wanted, *errors).items():
            if status not in declared:
                route.responses[status] = spec
            elif status >= 400 and "content" not in route.responses[declared[status]]:
                route.responses[declared[status]] = {**spec, **route.responses[declared[status]],
                                                     "content": spec["content"]}
