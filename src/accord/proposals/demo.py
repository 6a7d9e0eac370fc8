"""The demo's proposals: on the first demo accounts that hold open opportunities, one proposal
each, written directly (no audit entry per row: the demo load's one entry sums it up), in every
status — draft, sent, accepted (its opportunities won), declined, expired (sent
with a validity date now passed) and one sent again as version 2. Without opportunities (the
opportunities' demo not loaded) it writes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.database import utcnow
from accord.growth.opportunities.models import OPEN_STAGES, Opportunity, OpportunityProductLine
from accord.proposals import rules
from accord.proposals.models import (
    Proposal,
    ProposalOffer,
    ProposalOpportunity,
    ProposalVersion,
)
from accord.proposals.rules import cents
from accord.proposals.schemas import OfferIn

PLAN = ("draft", "sent", "accepted", "declined", "expired", "revised")
MAX_PROPOSALS = 12


def _offers(rng: random.Random, opportunity: Opportunity, line_id: int | None) -> list[OfferIn]:
    value = Decimal(opportunity.value)
    licences = max(1, rng.randint(2, 20))
    unit = (value * Decimal("0.8") / licences).quantize(Decimal("0.01"))
    return [
        OfferIn(description=f"{opportunity.title[:250]}: licences", product_line_id=line_id,
                quantity=Decimal(licences), unit_price=unit,
                discount=(unit * Decimal("0.05")).quantize(Decimal("0.01")),
                tax_rate=Decimal(20)),
        OfferIn(description="Onboarding and training", product_line_id=line_id,
                quantity=Decimal(1), unit_price=(value * Decimal("0.2")).quantize(
                    Decimal("0.01")), tax_rate=Decimal(20)),
    ]


def _write(session: Session, opportunity: Opportunity, manager_id: int, offers: list[OfferIn],
           *, status: str, created: date, versions: int) -> None:
    proposal = Proposal(
        account_id=opportunity.account_id, title=f"Proposal: {opportunity.title[:180]}",
        status={"expired": "sent", "revised": "sent"}.get(status, status),
        valid_until=created + timedelta(days=rules.DEFAULT_VALID_DAYS),
        current_version=versions, created_by_id=manager_id,
        sent_on=None if status == "draft" else created,
        decided_on=created + timedelta(days=2) if status in ("accepted", "declined") else None,
        created_at=utcnow(), updated_at=utcnow())
    session.add(proposal)
    session.flush()
    session.add(ProposalOpportunity(proposal_id=proposal.id, opportunity_id=opportunity.id))
    for number in range(1, versions + 1):
        version = ProposalVersion(proposal_id=proposal.id, number=number,
                                  created_by_id=manager_id, created_at=utcnow(),
                                  sent_on=None if status == "draft" else created)
        session.add(version)
        session.flush()
        for i, o in enumerate(offers):
            price = o.unit_price if number == versions else cents(o.unit_price * Decimal("1.1"))
            session.add(ProposalOffer(
                version_id=version.id, position=i, product_line_id=o.product_line_id,
                description=o.description, quantity=o.quantity, unit_price=price,
                discount=min(o.discount, price), tax_rate=o.tax_rate))
    if status == "accepted":
        opportunity.stage, opportunity.probability = "won", 100
        opportunity.closed_on = created + timedelta(days=2)
    session.flush()


def seed_demo(session: Session, *, seed: int, today: date) -> int:
    """Write the demo's proposals; returns how many."""
    rng = random.Random(seed + 12)
    rows = session.execute(
        select(Opportunity, Account.manager_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(Opportunity.stage.in_(OPEN_STAGES), Account.manager_id.is_not(None))
        .order_by(Opportunity.account_id, Opportunity.id).limit(400)).all()
    first: dict[int, tuple[Opportunity, int]] = {}
    for opportunity, manager_id in rows:
        first.setdefault(opportunity.account_id, (opportunity, int(manager_id or 0)))
    lines = {o: pl for o, pl in session.execute(
        select(OpportunityProductLine.opportunity_id, OpportunityProductLine.product_line_id)
        .where(OpportunityProductLine.opportunity_id.in_([o.id for o, _ in first.values()])))}
    made = 0
    for n, (opportunity, manager_id) in enumerate(list(first.values())[:MAX_PROPOSALS]):
        status = PLAN[n % len(PLAN)]
        created = today - timedelta(days=45 if status == "expired" else rng.randint(3, 20))
        _write(session, opportunity, manager_id,
               _offers(rng, opportunity, lines.get(opportunity.id)), status=status,
               created=created, versions=2 if status == "revised" else 1)
        made += 1
    return made
