"""The route table's privacy samples (tests/route_samples.py): a suppressed address, the
``{suppression_id}`` of the suppression list's routes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.clients.models import ClientSuppression


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    row = ClientSuppression(email_key="route.sample@example.test", reason="route sample")
    session.add(row)
    session.flush()
    return {"suppression": int(row.id)}
