"""The route table's sample proposal (tests/route_samples.py): a draft on Acme, written by its
manager (the owner), with one offer, asking for an open opportunity of its own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from accord.core.database import utcnow
from accord.core.models import User
from accord.growth.opportunities.models import Opportunity
from accord.proposals import service
from accord.proposals.schemas import OfferIn, ProposalIn


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    owner = session.get(User, cast.owner.id)
    assert owner is not None
    opportunity = Opportunity(account_id=ids["acme"], title="Pumps for the second plant",
                              kind="cross_sell", stage="proposed", value=Decimal("18000.00"),
                              probability=50, owner_id=owner.id, next_step="",
                              created_at=utcnow(), updated_at=utcnow())
    session.add(opportunity)
    session.flush()
    proposal = service.create_proposal(
        session, owner, ids["acme"],
        ProposalIn(title="Second plant", opportunity_ids=[opportunity.id],
                   offers=[OfferIn(description="Pumps", quantity=Decimal(2),
                                   unit_price=Decimal("9000"), tax_rate=Decimal(20))]),
        today=date.today())
    return {"proposal": proposal.id}
