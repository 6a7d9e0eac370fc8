"""What every page router shares, so entry points import no SQLAlchemy and parse forms alike.

from accord.web.page_deps import Db, PageUser, FormData, form_errors, csrf
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData as _FormData

from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.periods import local_today
from accord.core.text import MESSAGE, refused_character
from accord.web.deps import Db as Db  # re-exported: the pages' one way to the database
from accord.web.deps import csrf_protect, page_user, today


def _refuse_control_characters(form: _FormData) -> None:
    refused = [
        key for key, value in form.multi_items()
        if refused_character(key) is not None
        or (isinstance(value, str) and refused_character(value) is not None)
    ]
    if refused:
        raise ValidationFailed([FieldProblem(key, MESSAGE) for key in dict.fromkeys(refused)])


async def _form(request: Request) -> _FormData:
    """The submitted form. Control characters were refused before (B2): URL-encoded forms at
    the edge (``accord.web.limits``), multipart ones by ``clean_multipart`` on every router."""
    return await request.form()


async def clean_multipart(request: Request) -> None:
    """B2 for every multipart form, also one a route takes as declared ``Form()`` fields (the
    login, the import): a dependency of the assembled page and API routers. It reads the form
    the route parses anyway (Starlette keeps it), before the route's code runs."""
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        _refuse_control_characters(await request.form())


PageUser = Annotated[User, Depends(page_user)]


def page_today(user: PageUser, utc_today: Annotated[date, Depends(today)]) -> date:
    """The signed-in user's today: the date in their time zone (``core.periods.local_today``)."""
    return local_today(utc_today, utcnow(), user.time_zone)


#: the account rhythm's "today" on its pages: the user's own date, not the server's
PageToday = Annotated[date, Depends(page_today)]
FormData = Annotated[_FormData, Depends(_form)]
#: ``dependencies=csrf`` on every state-changing route.
csrf = [Depends(csrf_protect)]


def enum_choices(enum: Any) -> list[tuple[str, str]]:
    """A select's options for an enum: value and its words (``size_band`` → "Size band")."""
    return [(m.value, m.value.replace("_", " ").capitalize()) for m in enum]


def form_values(
    form: _FormData, fields: tuple[str, ...] | list[str] | None = None, multi: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The submitted fields as a dict (``csrf_token`` dropped); ``multi`` fields as lists."""
    out: dict[str, Any] = {}
    for key in dict.fromkeys(form.keys()):
        if key == "csrf_token" or (fields is not None and key not in fields and key not in multi):
            continue
        if key in multi:
            out[key] = [v for v in form.getlist(key) if isinstance(v, str) and v != ""]
        else:
            value = form.get(key)
            out[key] = value if isinstance(value, str) else None
    for key in multi:
        out.setdefault(key, [])
    return out


def form_errors(exc: ValidationFailed | ValidationError) -> dict[str, str]:
    """``{field: message}`` from a service's ValidationFailed or a pydantic ValidationError."""
    errors: dict[str, str] = {}
    if isinstance(exc, ValidationFailed):
        for p in exc.problems:
            errors.setdefault(p.field, p.message)
        return errors
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if not isinstance(p, int)]
        field = loc[0] if loc else "form"
        message = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        errors.setdefault(field, message)
    return errors


def is_partial(request: Request) -> bool:
    """True for an htmx request that wants only a fragment (not a history restore, not boosted)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-history-restore-request") != "true"
        and headers.get("hx-boosted") != "true"
    )
