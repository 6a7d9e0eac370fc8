"""The calendar feed's samples for the route-table test: a feed token of the owner's (the
revoke routes name it as ``{feed_token_id}``; the owner may revoke it, an admin too)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.calendar.feed import service
from accord.core.models import User


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    owner = session.get(User, cast.owner.id)
    assert owner is not None
    row, _ = service.create_token(session, owner)
    return {"feed_token": row.id}
