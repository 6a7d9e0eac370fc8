"""The app's own route table, walked: every (method, path) it serves.

One walker for every generated test (the route table's role checks, the OpenAPI
completeness check, the API contract's coverage, the query budgets). FastAPI keeps an
included router as one lazy ``_IncludedRouter`` entry in ``app.routes``, so a loop over
``app.routes`` looking for ``APIRoute`` finds nothing; ``iter_route_contexts`` flattens
them into the routes really served, with their full paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import Mount

API = "/api/v1/"


@dataclass(frozen=True)
class Served:
    """One method of one route, as the app serves it."""

    method: str
    path: str
    context: RouteContext

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API)

    @property
    def is_api_route(self) -> bool:
        """A FastAPI operation (not the document itself, a static mount or a plain route)."""
        return isinstance(self.context.original_route, APIRoute)

    @property
    def in_schema(self) -> bool:
        """Whether the app puts it in the OpenAPI document (its router's flag included)."""
        return self.is_api_route and bool(getattr(self.context, "include_in_schema", False))


def served(app: Any) -> list[Served]:
    """Every method of every route the app serves (HEAD and OPTIONS aside), in routing
    order; a mount (static files) is one GET of its prefix."""
    found: list[Served] = []
    for context in iter_route_contexts(app.routes):
        path = str(context.path)
        if isinstance(context.original_route, Mount):
            found.append(Served("GET", path, context))
            continue
        for method in sorted((context.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Served(method, path, context))
    return found


def app_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route the app serves (HEAD and OPTIONS aside)."""
    return [route.key for route in served(app)]


def route_of(routes: list[tuple[str, str]], method: str, url: str) -> tuple[str, str] | None:
    """The route (method, path template) a concrete request lands on: the first in routing
    order whose template matches, as the router picks it; ``None`` when none does."""
    path = url.split("?", 1)[0]
    for route_method, template in routes:
        if route_method == method and re.fullmatch(_pattern(template), path):
            return (route_method, template)
    return None


def _pattern(template: str) -> str:
    parts = re.split(r"(\{\w+\})", template)
    return "".join("[^/]+" if re.fullmatch(r"\{\w+\}", p) else re.escape(p) for p in parts)
