"""One-time messages shown at the top of the next page ("Account saved.")."""

from __future__ import annotations

from typing import Literal

from fastapi import Request

Kind = Literal["success", "error", "info", "warning"]


def flash(request: Request, text: str, kind: Kind = "success") -> None:
    """Queue a message; web/base.html shows it once, on the next page rendered."""
    messages = list(request.session.get("flash", []))
    messages.append([kind, text])
    request.session["flash"] = messages[-5:]
