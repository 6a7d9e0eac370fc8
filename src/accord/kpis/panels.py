"""Extra sections of the dashboard and the monthly report, contributed by capabilities above.

The KPI engine sits below the capabilities that measure against it (``plans.targets``: the
managers' targets), so it cannot import them. A capability registers a *panel* here instead
(``app.wiring`` connects it): a function that, for the report's scope — who asks, the chosen
manager if any, the month, today, and the KPI document of that month — returns a
``Section`` (a title, the template that renders it, and its data) or None to show nothing.
The dashboard page and the monthly report (HTML and PDF) render every section returned, in
the order the panels were registered; each template is included with the page's context
plus ``section``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.core.models import User


@dataclass(frozen=True)
class ReportScope:
    """Whose figures and which month a dashboard or report shows."""

    user: User  # who asks: their visibility bounds every figure
    manager: User | None  # the chosen manager; None: everything ``user`` sees
    as_of: str  # the report's month, YYYY-MM
    today: date
    #: the KPI document of the month for this scope (``by_manager`` rows and the rest)
    doc: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str  # "<package>/<file>.html", rendered with ``section`` in its context
    data: Any


Panel = Callable[[Session, ReportScope], Section | None]

_PANELS: dict[str, Panel] = {}


def register(key: str, panel: Panel) -> None:
    """Add (or replace) the panel named ``key`` (idempotent)."""
    _PANELS[key] = panel


def unregister(key: str) -> None:
    _PANELS.pop(key, None)


def registered() -> tuple[str, ...]:
    return tuple(_PANELS)


def sections(session: Session, scope: ReportScope) -> list[Section]:
    """Every registered panel's section for ``scope`` (panels that return None left out)."""
    found = []
    for panel in list(_PANELS.values()):
        section = panel(session, scope)
        if section is not None:
            found.append(section)
    return found
