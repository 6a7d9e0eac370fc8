"""What a lower capability announces and a higher one listens to, connected once.

Imports point down the layers (docs/architecture.md), so a capability never calls one
above it; where it must tell one above that something changed, it announces it through a
small registry of its own and the assembly connects the listener here. Today:

- ``revenue.load.events``: the KPI engine refreshes its derived rows for the accounts whose
  monthly revenue a load changed (``kpis.derived.refresh_after_import``), in the load's
  transaction.
"""

from __future__ import annotations

from accord.kpis.derived import refresh_after_import
from accord.revenue.load.events import on_revenue_changed


def connect() -> None:
    """Connect every listener (idempotent)."""
    on_revenue_changed(refresh_after_import)

