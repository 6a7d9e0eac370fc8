"""ETag and If-Match for the API's editable resources (see ``accord.core.versions``).

A GET of one resource and every write answer with ``ETag: "<version>"``; a write sent with
``If-Match`` is refused with 409 when the resource changed since that version. ``If-Match``
is optional: without it a write is applied as before.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Response

from accord.core.versions import Expected, etag, parse_if_match


def _if_match(
    if_match: Annotated[
        str | None,
        Header(
            description='The ETag of the version this write starts from, e.g. `"3"`; '
            "409 when the resource changed since.",
            max_length=100,
        ),
    ] = None,
) -> Expected | None:
    version = parse_if_match(if_match)
    return None if version is None else Expected(version)


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


#: The ``If-Match`` of a write, as the version it expects (None: no precondition).
IfMatch = Annotated[Expected | None, Depends(_if_match)]
