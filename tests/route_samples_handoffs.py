"""Sample hand-off for the route-table test: Acme's, from sales, written by the sales user (a
member of Acme's account team) for Acme's manager (the owner), a draft with one item
answered."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.models import User
from accord.handoffs import service
from accord.handoffs.rules import AnswerKind, HandoffKind
from accord.handoffs.schemas import ItemAnswer


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    acme = session.get(Account, ids["acme"])
    sales = session.get(User, sales_id)
    assert acme is not None and sales is not None
    handoff = service.open_handoff(
        session, sales, acme, HandoffKind.SALES, author_id=sales_id, receiver_id=cast.owner.id
    )
    service.answer_item(session, sales, handoff.id, "decision_makers",
                        ItemAnswer(kind=AnswerKind.TEXT, text="Carla Acme signs"))
    return {"handoff": handoff.id}
