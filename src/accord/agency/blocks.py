"""When a brief waited for the client: its input requests as blocks (requested on, received
or cancelled on — None while open). Shared by the briefs (the figures recorded at the first
delivery, "blocked by client input since …") and the inputs (which close the blocks)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.agency.models import InputRequest


def blocks_of(session: Session, brief_id: int) -> list[tuple[date, date | None]]:
    """Every input request of the brief as (requested on, closed on or None), by start."""
    rows = session.execute(
        select(InputRequest.requested_on, InputRequest.closed_on)
        .where(InputRequest.brief_id == brief_id)
        .order_by(InputRequest.requested_on, InputRequest.id)
    ).all()
    return [(r.requested_on, r.closed_on) for r in rows]


def blocked_since(session: Session, brief_ids: Collection[int]) -> dict[int, date]:
    """For each of these briefs still waiting for a client input (an open request), the day
    the earliest open request was made."""
    if not brief_ids:
        return {}
    rows = session.execute(
        select(InputRequest.brief_id, func.min(InputRequest.requested_on))
        .where(InputRequest.brief_id.in_(sorted(brief_ids)), InputRequest.status == "open")
        .group_by(InputRequest.brief_id)
    ).all()
    return {int(b): d for b, d in rows if b is not None}
