"""Sample objects for the route table's team-assignment rows (issue 17): none. No path of
``team.assign_api`` or ``team.assign_pages`` carries an id of its own; the rows name Acme
(account 1) and the teammate in their query, body or form (tests/route_policy_team_assign.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    """Nothing to add: the cast's Acme and teammate are the samples."""
    return {}
