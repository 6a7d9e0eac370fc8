"""The problem body (RFC 9457, ``application/problem+json``) every API error answers with."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from accord.web.access_log import current_request_id

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, errors: list[Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if current_request_id():
        body["request_id"] = current_request_id()
    return JSONResponse(body, status_code=status, media_type=PROBLEM)
