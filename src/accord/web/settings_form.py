"""A settings page's POST, the same for every policy edited on a page: the submitted fields
and the version the form was opened at, the change through the capability's service, then
the page again with the values kept (409 stale, 422 with the errors by field) or a redirect
with a flash message. The capability keeps what differs: its fields, how the form's text
becomes values, the save and the page itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from accord.core import versions
from accord.core.errors import ValidationFailed
from accord.web.flash import flash
from accord.web.page_deps import form_errors, form_values

#: the page again: ``page(values=…, conflict=…, errors=…, status_code=…)``
Page = Callable[..., Any]


def save_settings_form(
    request: Request, form: FormData, fields: tuple[str, ...], *,
    save: Callable[[dict[str, Any], versions.Expected | None], Any], page: Page,
    saved: str, to: str,
    errors: Callable[[ValidationFailed], dict[str, str]] = form_errors,
) -> Any:
    """Save the form's ``fields`` with ``save(values, expected)``; the page again on a stale
    version (409) or refused values (422, ``errors`` by field), else flash ``saved`` and go
    to ``to``. Nothing is written when refused (the service's one transaction)."""
    values = form_values(form, fields)
    expected = versions.form_expected(form_values(form, ("version",)))
    try:
        save(values, expected)
    except versions.Stale:
        return page(values=values, conflict=True, status_code=409)
    except ValidationFailed as exc:
        return page(values=values, errors=errors(exc), status_code=422)
    flash(request, saved)
    return RedirectResponse(to, status_code=303)
