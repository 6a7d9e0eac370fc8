"""The route table's rows for licences: the KPI source and the reconciliation.

See route_policy.py: this file holds one section of its POLICY. The reconciliation reads
the accounts each caller sees (everyone may open it; the rows are filtered, not refused)."""

from __future__ import annotations

from route_policy import Rule, read

ROWS: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/licences/reconciliation"): read(query="from=2025-01&to=2026-12"),
    ("GET", "/licences/reconciliation"): read(query="from=2025-01&to=2026-12&sort=month"),
    ("GET", "/licences/reconciliation/export.csv"): read(query="from=2025-01&to=2026-12"),
}
