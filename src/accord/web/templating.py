"""One Jinja2 environment over every capability's ``templates/`` folder."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from accord.core.money import format_money
from accord.core.periods import format_month

TEMPLATE_PACKAGES = (
    "accord.web",
    "accord.accounts",
    "accord.revenue",
    "accord.kpis",
    "accord.selection",
    "accord.relationships",
    "accord.health",
    "accord.audit",
    "accord.users",
)


def _loader() -> ChoiceLoader:
    loaders = []
    for package in TEMPLATE_PACKAGES:
        try:
            loaders.append(PackageLoader(package, "templates"))
        except ValueError:  # a package without templates yet
            continue
    return ChoiceLoader(loaders)


def _environment() -> Environment:
    env = Environment(loader=_loader(), autoescape=select_autoescape(["html", "xml", "svg"]))
    env.filters["money"] = format_money
    env.filters["month"] = format_month
    env.filters["percent"] = lambda v, digits=1: (
        "—" if v is None else f"{Decimal(str(v)) * 100:.{digits}f} %"
    )
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Any:
    from accord.web.deps import csrf_token

    base = {"request": request, "csrf_token": csrf_token(request)}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
