"""Sample objects of workload and capacity for the route-table test: the manager whose load
and accounts the ``{manager_id}`` routes name is Acme's owner (North)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    return {"manager": int(cast.owner.id)}
