"""Sample objects of each capability for the route-table test's world (tests/test_route_table.py).

Each capability with routes whose paths name its own objects (``{handoff_id}``, ``{plan_id}``)
adds them in its own ``route_samples_<capability>.py``: a function ``add(session, cast, ids,
sales_id)`` that creates them and returns ``{"handoff": id, ...}``; a path parameter
``{handoff_id}`` then takes ``ids["handoff"]``. The objects belong to Acme (the account the
owner manages and the sales rep is a team member of) unless the capability's rules say
otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

SAMPLE_MODULES = ("route_samples_calendar", "route_samples_handoffs", "route_samples_plans",
                  "route_samples_targets", "route_samples_opportunities",
                  "route_samples_proposals", "route_samples_growth", "route_samples_renewals",
                  "route_samples_feed", "route_samples_jobs",
                  "route_samples_myday", "route_samples_followups", "route_samples_events",
                  "route_samples_cadence", "route_samples_agency",
                  "route_samples_licences", "route_samples_seats", "route_samples_m365",
                  "route_samples_kpi_source", "route_samples_signals",
                  "route_samples_clients_fits", "route_samples_clients_lists",
                  "route_samples_clients_campaigns", "route_samples_clients_privacy",
                  "route_samples_team_workload", "route_samples_team_assign",
                  "route_samples_team_scorecard")


def add_samples(
    session: Session, cast: Any, ids: dict[str, int], *, sales_id: int
) -> dict[str, int]:
    import importlib
    import importlib.util

    found: dict[str, int] = {}
    for name in SAMPLE_MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        found.update(importlib.import_module(name).add(session, cast, {**ids, **found}, sales_id))
    return found
