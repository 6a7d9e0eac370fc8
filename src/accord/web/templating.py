"""One Jinja2 environment; every template is named ``<package>/<file>.html``.

Each package's ``templates/`` folder is mounted under its short name (``selection`` →
``selection/matrix.html``, ``web`` → ``web/base.html``), so two packages may hold a file of
the same name and each is reached only by its own prefix: nothing shadows anything. A new
capability with pages adds its line to ``TEMPLATE_PACKAGES`` and names its templates
``<its name>/<file>.html``; tests/test_templates.py fails on a ``templates/`` folder the
table does not list.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import BaseLoader, Environment, PackageLoader, PrefixLoader, select_autoescape

from accord.core.money import format_money
from accord.core.periods import format_month
from accord.web.deps import csrf_token

#: The template namespace (the name before the first ``/``) → the package holding ``templates/``.
TEMPLATE_PACKAGES: dict[str, str] = {
    "web": "accord.web",
    "accounts": "accord.accounts",
    "exchange": "accord.exchange",
    "kpis": "accord.kpis",
    "selection": "accord.selection",
    "relationships": "accord.relationships",
    "health": "accord.health",
    "audit": "accord.audit",
    "users": "accord.users",
    "calendar": "accord.calendar",
    "agency": "accord.agency",
    "clients": "accord.clients",
    "team": "accord.team",
    "licences": "accord.licences",
    "handoffs": "accord.handoffs",
    "plans": "accord.plans",
    "proposals": "accord.proposals",
    "growth": "accord.growth",
}


def namespaced_loader(packages: dict[str, str] = TEMPLATE_PACKAGES) -> PrefixLoader:
    """One loader per package, each reached only through its prefix."""
    mapping: dict[str, BaseLoader] = {
        prefix: PackageLoader(package, "templates") for prefix, package in packages.items()
    }
    return PrefixLoader(mapping, delimiter="/")


def _environment() -> Environment:
    env = Environment(
        loader=namespaced_loader(), autoescape=select_autoescape(["html", "xml", "svg"])
    )
    env.filters["money"] = format_money
    env.filters["month"] = format_month
    env.filters["percent"] = lambda v, digits=1: (
        "—" if v is None else f"{Decimal(str(v)) * 100:.{digits}f} %"
    )
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Any:
    """Render the template ``name`` (``<package>/<file>.html``) with the request's CSRF token."""
    base = {"request": request, "csrf_token": csrf_token(request)}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
