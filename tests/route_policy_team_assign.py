"""The route table's rows for team and capacity (issue 17): assign.

See route_policy.py: this file holds one section of its POLICY."""

from __future__ import annotations

from route_policy import Rule

ROWS: dict[tuple[str, str], Rule] = {}
