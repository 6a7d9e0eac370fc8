"""The calendar's samples for the route-table test: the holidays its DELETE and remove routes
name (tests/route_policy.py: 2026-12-25 for the API, 2026-12-26 for the page)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.calendar import service
from accord.cli.common import operator


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    service.save_calendar(session, operator(), {"holidays": [
        {"on": "2026-12-25", "name": "Christmas Day"},
        {"on": "2026-12-26", "name": "Boxing Day"},
    ]})
    return {}
