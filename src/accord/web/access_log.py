"""Request ids and the structured access log: one JSON line per request.

``AccessLog`` is a plain ASGI middleware (standard library only). Each request gets an id —
a sane incoming ``X-Request-ID`` is kept, otherwise a new one is made — returned in the
``X-Request-ID`` response header, readable by handlers through ``current_request_id()``
(problem bodies and error pages show it) and written with the request's line on the
``accord.access`` logger::

    {"time": "2026-12-06T09:00:00.123Z", "request_id": "…", "method": "GET",
     "path": "/accounts?q=acme", "status": 200, "duration_ms": 12.3, "user_id": 4,
     "client": "127.0.0.1", "pid": 4242}

Access logs never carry secrets: ``redact_target`` (pure, tested) blanks the values of
token-like query parameters and everything after the prefix of a token route (a calendar
feed or a shared link).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOGGER_NAME = "accord.access"
HEADER = "X-Request-ID"
REDACTED = "[redacted]"
#: a request id we accept from a client or a proxy: short, printable, no spaces or quotes
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,127}")
#: query parameters whose value is a secret (compared in lower case), and name endings
SECRET_PARAMETERS = frozenset(
    {"token", "key", "access_token", "api_key", "apikey", "secret", "password", "signature"}
)
SECRET_SUFFIXES = ("_token", "-token", "_key", "-key", "_secret", "_password")
#: routes whose path carries a secret after this prefix (calendar feeds, shared links)
TOKEN_ROUTE_PREFIXES = ("/feeds/", "/feed/", "/share/", "/shared/", "/calendar/")
#: an Accord API token anywhere in a target (defence in depth)
_API_TOKEN = re.compile(r"acc_[A-Za-z0-9_-]{8,}")
MAX_TARGET = 2048

_request_id: ContextVar[str | None] = ContextVar("accord_request_id", default=None)


def request_id_from(incoming: str | None) -> str:
    """The incoming id when it is sane, otherwise a new random one (32 hex digits)."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return secrets.token_hex(16)


def current_request_id() -> str | None:
    """The id of the request being handled (None outside a request)."""
    return _request_id.get()


def _secret_parameter(raw_name: str) -> bool:
    name = unquote_plus(raw_name).strip().lower()
    return name in SECRET_PARAMETERS or name.endswith(SECRET_SUFFIXES)


def redact_target(path: str, query: str = "") -> str:
    """``path?query`` as it may be logged: no token values, no token route secrets."""
    for prefix in TOKEN_ROUTE_PREFIXES:
        for base in ("", "/api/v1"):
            start = base + prefix
            if path.lower().startswith(start) and len(path) > len(start):
                path = path[: len(start)] + REDACTED
                break
    parts = []
    for part in query.split("&") if query else []:
        name, eq, _value = part.partition("=")
        parts.append(f"{name}={REDACTED}" if eq and _secret_parameter(name) else part)
    target = path + ("?" + "&".join(parts) if parts else "")
    target = _API_TOKEN.sub(REDACTED, target)
    if len(target) > MAX_TARGET:
        target = target[:MAX_TARGET] + "…"
    return target


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def access_entry(
    scope: Scope, request_id: str, status: int, started: float, now: float
) -> dict[str, Any]:
    """The access-log line of one request, as a dict."""
    state = scope.get("state") or {}
    client = scope.get("client")
    query = scope.get("query_string") or b""
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request_id": request_id,
        "method": scope.get("method"),
        "path": redact_target(scope.get("path") or "", bytes(query).decode("latin-1")),
        "status": status,
        "duration_ms": round((now - started) * 1000, 1),
        "user_id": state.get("user_id"),
        "client": client[0] if client else None,
        "pid": os.getpid(),
    }


class AccessLog:
    """ASGI middleware: the request id (header and context) and one JSON log line."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled
        self.logger = logging.getLogger(LOGGER_NAME)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, b"x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500  # unless a response starts: an exception escaped every handler
        header = (HEADER.lower().encode(), request_id.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (k, v) for k, v in message.get("headers") or () if k.lower() != header[0]
                ]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        reset = _request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(reset)
            if self.enabled and self.logger.isEnabledFor(logging.INFO):
                entry = access_entry(scope, request_id, status, started, time.perf_counter())
                self.logger.info(json.dumps(entry))
