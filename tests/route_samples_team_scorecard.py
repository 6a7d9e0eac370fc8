"""The route table's sample manager for the scorecards (tests/route_samples.py): the owner,
Acme's manager, in North (``{manager_id}``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    return {"manager": int(cast.owner.id)}
