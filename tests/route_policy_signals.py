"""The route table's rows for licences: up-sell and risk signals, health, renewals.

See route_policy.py: this file holds one section of its POLICY."""

from __future__ import annotations

from route_policy import Rule, read

ROWS: dict[tuple[str, str], Rule] = {
    # the up-sell and risk lists of the services in reach (everyone reads; none for an
    # outsider, whose accounts have no licence usage in the route-table world)
    ("GET", "/api/v1/licences/signals"): read(query="signal=risk"),
}
