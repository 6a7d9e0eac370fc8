"""The edge of the app: what a request may carry before any route sees it (B2, B9).

One ASGI middleware, ``RequestGuard``, in front of everything:

- a path or query value holding a control character is a 422 (``accord.core.text``);
- an API request that carries a body but no credentials (no ``Authorization`` header, no
  cookie) is a 401 before one byte of the body is read;
- a body larger than ``ACCORD_MAX_BODY_BYTES`` (routes that take a file upload:
  ``ACCORD_MAX_UPLOAD_BYTES``) is a 413: at once when its ``Content-Length`` says so,
  otherwise as soon as the bytes received pass the cap (never read or parsed whole);
- a JSON or URL-encoded form body (read whole: it is within the small cap) holding a
  control character in any string is a 422 naming the field. Multipart form fields are
  checked where forms are parsed (``accord.web.page_deps``);
- JSON nested deeper than ``MAX_DEPTH`` is a 400 (parsing it would exhaust the stack).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from itertools import accumulate
from typing import Any, get_args
from urllib.parse import parse_qsl

from fastapi import UploadFile
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.core.settings import Settings
from accord.core.text import LINE_MESSAGE, MESSAGE, refused_character, unclean_fields
from accord.web.templating import templates

PROBLEM = "application/problem+json"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: the deepest JSON a request may send (Accord's own documents nest four levels at most)
MAX_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:\\.|[^"\\])*"')
_BRACKETS = re.compile(rb"[\[\]{}]")


def _problem(status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None,
             ) -> _Refusal:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    return _Refusal(body)


class _Refusal:
    """The guard's answer: a problem body under ``/api/`` (and to clients that do not ask for
    HTML), the error page to a browser on a page URL. The guard sits outside the session, so
    the page shows no navigation."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        wants_page = not scope["path"].startswith("/api/") and "text/html" in headers.get(
            "accept", "")
        if not wants_page:
            response = JSONResponse(self.body, status_code=self.body["status"],
                                    media_type=PROBLEM)
            await response(scope, receive, send)
            return
        page = templates.TemplateResponse(
            Request(scope), "web/error.html",
            {"csrf_token": "", "user": None, "status": self.body["status"],
             "title": self.body["title"], "detail": self.body["detail"]},
            status_code=self.body["status"],
        )
        await page(scope, receive, send)


def _invalid(fields: Iterable[str], message: str) -> _Refusal:
    errors = [{"field": f, "message": message} for f in dict.fromkeys(fields)]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return _problem(422, "Validation failed", detail, errors)


def _takes_file(dependant: Dependant) -> bool:
    def is_file(annotation: Any) -> bool:
        return annotation is UploadFile or any(is_file(a) for a in get_args(annotation))

    return any(is_file(p.field_info.annotation) for p in dependant.body_params) or any(
        _takes_file(d) for d in dependant.dependencies
    )


def upload_routes(routes: list[Any]) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Path patterns and methods of the routes that take a file upload."""
    found = []
    for context in iter_route_contexts(routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path and _takes_file(route.dependant):
            found.append((compile_path(context.path)[0], frozenset(context.methods or ())))
    return found


class _TooLarge(HTTPException):
    def __init__(self, cap: int) -> None:
        super().__init__(413, f"the request body is larger than {cap} bytes")


class RequestGuard:
    """See the module docstring. ``app.add_middleware(RequestGuard, settings=settings)``."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes
        self.max_upload = settings.max_upload_bytes
        self._uploads: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self._refused_in_url(scope)
        if refused:
            await _invalid(refused, LINE_MESSAGE)(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] not in _BODY_METHODS or not _has_body(headers):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/") and not (
            headers.get("authorization") or headers.get("cookie")
        ):
            response = _problem(401, "Not authenticated",
                                "send an API token as 'Authorization: Bearer <token>'")
            await response(scope, receive, send)
            return
        cap = self.max_upload if self._is_upload(scope) else self.max_body
        length = headers.get("content-length", "")
        if length.isascii() and length.isdigit() and (len(length) > 15 or int(length) > cap):
            await _problem(413, "Content too large", str(_TooLarge(cap).detail))(
                scope, receive, send)
            return
        kind = _content_kind(headers.get("content-type", ""))
        if kind is None:
            await self.app(scope, _counting(receive, cap), send)
            return
        try:
            body = await _read(receive, cap)
        except _TooLarge as exc:
            await _problem(413, "Content too large", str(exc.detail))(scope, receive, send)
            return
        if kind == "json" and _too_deep(body):
            detail = f"the JSON nests deeper than {MAX_DEPTH} levels"
            await _problem(400, "Bad request", detail)(scope, receive, send)
            return
        bad = _unclean_body(body, kind)
        if bad:
            await _invalid(bad, MESSAGE)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _refused_in_url(self, scope: Scope) -> list[str]:
        bad = [] if refused_character(scope["path"], one_line=True) is None else ["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if refused_character(name + value, one_line=True) is not None:
                bad.append(name if refused_character(name, one_line=True) is None else "query")
        return bad

    def _is_upload(self, scope: Scope) -> bool:
        if self._uploads is None:
            app = scope.get("app")
            self._uploads = upload_routes(app.router.routes) if app is not None else []
        path, method = scope["path"], scope["method"]
        return any(p.match(path) and method in m for p, m in self._uploads)


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return bool(headers.get("transfer-encoding")) or (length is not None and length != "0")


def _content_kind(content_type: str) -> str | None:
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and
                                       media.endswith("+json")):
        return "json"
    if media == "application/x-www-form-urlencoded":
        return "form"
    return None


def _too_deep(body: bytes) -> bool:
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return False
    steps = (1 if b in (b"[", b"{") else -1 for b in _BRACKETS.findall(_JSON_STRING.sub(b"", body)))
    return max(accumulate(steps), default=0) > MAX_DEPTH


def _unclean_body(body: bytes, kind: str) -> list[str]:
    if kind == "form":
        text = body.decode("latin-1")
        return [
            name if refused_character(name) is None else "form"
            for name, value in parse_qsl(text, keep_blank_values=True)
            if refused_character(name + value) is not None
        ]
    try:
        document = json.loads(body)
    except ValueError:
        return []  # not JSON: the route answers that itself
    return [field or "body" for field in unclean_fields(document)]


async def _read(receive: Receive, cap: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise _TooLarge(cap)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _counting(receive: Receive, cap: int) -> Receive:
    """Passes the body through, and fails the request (413) once it passes ``cap``."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > cap:
                raise _TooLarge(cap)
        return message

    return counted
