"""Security headers on every response (S4).

The Content-Security-Policy allows scripts from Accord's own origin only: no inline script,
no ``eval`` (page behaviour lives in ``static/accord.js``; the API docs page runs Swagger UI
from ``static/swagger/``). Styles: the stylesheets are Accord's own, but ``'unsafe-inline'``
stays allowed for *styles only* — templates carry ``style`` attributes and a few
``<style>`` blocks (the KPI report and its print version), and htmx adds its indicator
style; CSS cannot run script, and the pages escape every value they show. Nothing may frame
a page (clickjacking): ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` for older
browsers. HSTS is sent in production mode only (it pins the host to HTTPS for a year).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response (errors included)."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.headers = HEADERS + ([HSTS] if production else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
