"""Who is told that an account's monthly revenue changed.

Revenue sits below the KPI engine (the KPIs read revenue), so the load cannot call the
engine: the engine's refresh is registered here by the assembly (``accord.app.wiring``) and
runs in the load's own transaction. A load with no listener registered (a script that uses
the load alone) leaves the derived KPI rows stale; the KPI engine's single-flight rebuild
(``core.single_flight.bring_up_to_date``) finds them stale at the next read and brings them
up to date, so nothing is lost, only later.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

#: (session, account ids whose revenue changed, account id -> first month index changed)
RevenueChanged = Callable[[Session, list[int], dict[int, int]], None]

_listeners: list[RevenueChanged] = []


def on_revenue_changed(listener: RevenueChanged) -> RevenueChanged:
    """Register ``listener`` (once, however often this is called with it)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def revenue_changed(session: Session, account_ids: list[int], first_months: dict[int, int]) -> None:
    """Tell every listener, in the caller's transaction."""
    for listener in _listeners:
        listener(session, account_ids, first_months)
