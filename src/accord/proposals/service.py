"""Proposals: create from an account and its chosen opportunities, edit (a new version once
sent), send, accept (its opportunities are won), decline.

Who may: a proposal is read by whoever sees its account (``view``) and changed by the writers
who see it (``accounts.visibility.get_writable_account``); out of reach it answers like a
missing one (404). Every change is audited (``proposal``) in the caller's transaction; a
write naming the version it started from (``If-Match``, a form) is refused when the proposal
changed meanwhile. Input is checked whole before anything is written: every problem is named
by its field (``offers.0.discount``) and nothing is half-written.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import get_writable_account, require_writer
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, ValidationFailed
from accord.core.models import User
from accord.growth.models import Offering, ProductLine, Sku
from accord.growth.opportunities.models import OPEN_STAGES, Opportunity
from accord.growth.opportunities.service import mark_won
from accord.plans.models import AccountPlan, PlanEntry
from accord.proposals import rules
from accord.proposals.models import (
    Proposal,
    ProposalBenefit,
    ProposalOffer,
    ProposalOpportunity,
    ProposalVersion,
)
from accord.proposals.schemas import BenefitIn, OfferIn, ProposalEdit, ProposalIn, ProposalOut
from accord.proposals.view import (
    get_proposal,
    list_proposals,
    offers_of,
    opportunities_of,
    proposal_out,
    version_row,
    visible_proposal,
)

ENTITY = "proposal"
BENEFIT_SECTIONS = ("goals", "pain_points")
__all__ = ["accept", "create_proposal", "decline", "edit_proposal", "get_proposal",
           "list_proposals", "send"]


# ---------------------------------------------------------------- checking the input


def _check_offers(session: Session, offers: list[OfferIn]) -> list[OfferIn]:
    """The offers with each SKU's product line filled in; every problem named by field."""
    problems: list[FieldProblem] = []
    line_ids = {o.product_line_id for o in offers if o.product_line_id}
    sku_ids = {o.sku_id for o in offers if o.sku_id}
    known_lines = set(session.scalars(select(ProductLine.id).where(
        ProductLine.id.in_(line_ids)))) if line_ids else set()
    sku_lines = {i: line for i, line in session.execute(select(Sku.id, Offering.product_line_id)
                 .join(Offering, Offering.id == Sku.offering_id).where(Sku.id.in_(sku_ids)))} \
        if sku_ids else {}
    out = []
    for i, offer in enumerate(offers):
        where = f"offers.{i}"
        if offer.product_line_id and offer.product_line_id not in known_lines:
            problems.append(FieldProblem(f"{where}.product_line_id", "no such product line"))
        if offer.sku_id and offer.sku_id not in sku_lines:
            problems.append(FieldProblem(f"{where}.sku_id", "no such SKU"))
        elif offer.sku_id and offer.product_line_id and \
                sku_lines[offer.sku_id] != offer.product_line_id:
            problems.append(FieldProblem(f"{where}.sku_id", "not a SKU of that product line"))
        line = rules.Line(offer.quantity, offer.unit_price, offer.discount, offer.tax_rate)
        for field, message in rules.line_problems(line).items():
            problems.append(FieldProblem(f"{where}.{field}", message))
        if offer.sku_id and not offer.product_line_id and offer.sku_id in sku_lines:
            offer = offer.model_copy(update={"product_line_id": sku_lines[offer.sku_id]})
        out.append(offer)
    if problems:
        raise ValidationFailed(problems)
    return out


def _check_benefits(session: Session, account: Account, benefits: list[BenefitIn]) -> None:
    """A benefit's goal or pain point must be one of the account's current plan."""
    wanted = {b.plan_entry_id for b in benefits if b.plan_entry_id}
    known = set(session.scalars(
        select(PlanEntry.id).join(AccountPlan, AccountPlan.id == PlanEntry.plan_id).where(
            AccountPlan.account_id == account.id, AccountPlan.is_current.is_(True),
            PlanEntry.section.in_(BENEFIT_SECTIONS), PlanEntry.id.in_(wanted)))) \
        if wanted else set()
    problems = [FieldProblem(f"benefits.{i}.plan_entry_id",
                             "not a goal or pain point of the account's current plan")
                for i, b in enumerate(benefits) if b.plan_entry_id and b.plan_entry_id not in known]
    if any(any(ord(c) < 32 and c not in "\n\t" or ord(c) == 127 for c in b.text)
           for b in benefits):
        problems.append(FieldProblem("benefits", "control characters are not allowed"))
    if problems:
        raise ValidationFailed(problems)


def _check_opportunities(session: Session, account: Account, ids: list[int]
                         ) -> list[Opportunity]:
    found = {o.id: o for o in session.scalars(select(Opportunity).where(
        Opportunity.id.in_(set(ids)), Opportunity.account_id == account.id))}
    problems = []
    for i, oid in enumerate(ids):
        row = found.get(oid)
        if row is None:
            problems.append(FieldProblem(f"opportunity_ids.{i}",
                                         f"opportunity {oid} is not one of this account's"))
        elif row.stage not in OPEN_STAGES:
            problems.append(FieldProblem(f"opportunity_ids.{i}",
                                         f"opportunity {oid} is {row.stage}: not open"))
    if problems:
        raise ValidationFailed(problems)
    return [found[i] for i in dict.fromkeys(ids)]


def _check_validity(valid_until: date | None, today: date) -> None:
    if valid_until is not None and not today <= valid_until <= today + timedelta(days=3660):
        raise ValidationFailed([FieldProblem("valid_until",
                                             "from today to ten years ahead")])


# ---------------------------------------------------------------- writing


def _write_content(session: Session, version_id: int, offers: list[OfferIn],
                   benefits: list[BenefitIn]) -> None:
    for i, o in enumerate(offers):
        session.add(ProposalOffer(
            version_id=version_id, position=i, product_line_id=o.product_line_id,
            sku_id=o.sku_id, description=o.description, quantity=o.quantity,
            unit_price=o.unit_price, discount=o.discount, tax_rate=o.tax_rate))
    for i, b in enumerate(benefits):
        session.add(ProposalBenefit(version_id=version_id, position=i, text=b.text,
                                    plan_entry_id=b.plan_entry_id))
    session.flush()


def _facts(session: Session, proposal: Proposal) -> dict[str, Any]:
    offers = offers_of(session, version_row(session, proposal).id)
    return {"account_id": proposal.account_id, "title": proposal.title,
            "status": proposal.status, "valid_until": proposal.valid_until,
            "version_number": proposal.current_version, "offers": len(offers),
            "total": rules.totals(rules.Line(Decimal(o.quantity), Decimal(o.unit_price),
                                             Decimal(o.discount), Decimal(o.tax_rate))
                                  for o in offers).total}


def _from_opportunities(opportunities: list[Opportunity], lines: dict[int, int]
                        ) -> list[OfferIn]:
    return [OfferIn(description=o.title[:300], product_line_id=lines.get(o.id),
                    quantity=Decimal(1), unit_price=Decimal(o.value)) for o in opportunities]


def create_proposal(
    session: Session, user: User, account_id: int, data: ProposalIn, *, today: date
) -> ProposalOut:
    """A draft proposal on ``account_id`` asking for the chosen opportunities (version 1)."""
    from accord.growth.opportunities.models import OpportunityProductLine

    account = get_writable_account(session, user, account_id)
    problems: list[FieldProblem] = []
    chosen: list[Opportunity] = []
    try:
        chosen = _check_opportunities(session, account, data.opportunity_ids)
    except ValidationFailed as exc:
        problems += exc.problems
    for check in (lambda: _check_validity(data.valid_until, today),
                  lambda: _check_benefits(session, account, data.benefits),
                  lambda: _check_offers(session, data.offers or [])):
        try:
            check()
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed(problems)
    if data.offers is None:
        first_line: dict[int, int] = {}
        for oid, lid in session.execute(select(
                OpportunityProductLine.opportunity_id, OpportunityProductLine.product_line_id)
                .where(OpportunityProductLine.opportunity_id.in_([o.id for o in chosen]))
                .order_by(OpportunityProductLine.product_line_id)):
            first_line.setdefault(oid, lid)
        offers = _from_opportunities(chosen, first_line)
    else:
        offers = data.offers
    offers = _check_offers(session, offers)
    proposal = Proposal(
        account_id=account.id, title=data.title, status="draft",
        valid_until=data.valid_until or today + timedelta(days=rules.DEFAULT_VALID_DAYS),
        current_version=1, created_by_id=user.id, created_at=utcnow(), updated_at=utcnow())
    session.add(proposal)
    session.flush()
    version = ProposalVersion(proposal_id=proposal.id, number=1, created_by_id=user.id,
                              created_at=utcnow())
    session.add(version)
    session.flush()
    for o in chosen:
        session.add(ProposalOpportunity(proposal_id=proposal.id, opportunity_id=o.id))
    _write_content(session, version.id, offers, data.benefits)
    audit.record(session, user, "create", ENTITY, proposal.id, after=_facts(session, proposal),
                 account_id=account.id)
    return proposal_out(session, proposal, account, today=today)


def _writable(session: Session, user: User, proposal_id: int) -> tuple[Proposal, Account]:
    proposal, account = visible_proposal(session, user, proposal_id)
    require_writer(user)
    return proposal, account


def _transition(proposal: Proposal, action: str, today: date) -> str:
    try:
        return rules.next_status(proposal.status, action, proposal.valid_until, today)
    except rules.TransitionError as exc:
        raise Conflict(str(exc)) from None


def edit_proposal(
    session: Session, user: User, proposal_id: int, data: ProposalEdit, *,
    expected: versions.Expected | None = None, today: date,
) -> ProposalOut:
    """Change a draft in place; a sent proposal gets a new version (a draft to send again),
    its earlier versions kept read-only. The lists given replace the current version's."""
    proposal, account = _writable(session, user, proposal_id)
    versions.check(session, proposal, expected, "the proposal")
    to = _transition(proposal, "edit", today)
    _check_validity(data.valid_until, today)
    current = version_row(session, proposal)
    offers = _check_offers(session, data.offers) if data.offers is not None else None
    if data.benefits is not None:
        _check_benefits(session, account, data.benefits)
    before = _facts(session, proposal)
    if offers is None:
        offers = [OfferIn(product_line_id=o.product_line_id, sku_id=o.sku_id,
                          description=o.description, quantity=Decimal(o.quantity),
                          unit_price=Decimal(o.unit_price), discount=Decimal(o.discount),
                          tax_rate=Decimal(o.tax_rate)) for o in offers_of(session, current.id)]
    benefits = data.benefits if data.benefits is not None else [
        BenefitIn(text=b.text, plan_entry_id=b.plan_entry_id) for b in session.scalars(
            select(ProposalBenefit).where(ProposalBenefit.version_id == current.id)
            .order_by(ProposalBenefit.position, ProposalBenefit.id))]
    if proposal.status == "sent":
        target = ProposalVersion(proposal_id=proposal.id, number=current.number + 1,
                                 created_by_id=user.id, created_at=utcnow())
        session.add(target)
        session.flush()
        proposal.current_version = target.number
    else:
        target = current
        for model in (ProposalOffer, ProposalBenefit):
            for row in session.scalars(select(model).where(model.version_id == target.id)):
                session.delete(row)
        session.flush()
    _write_content(session, target.id, offers, benefits)
    if data.title is not None:
        proposal.title = data.title
    if data.valid_until is not None:
        proposal.valid_until = data.valid_until
    proposal.status = to
    proposal.updated_at = utcnow()
    versions.bump(proposal)
    session.flush()
    audit.record(session, user, "update", ENTITY, proposal.id, before=before,
                 after=_facts(session, proposal), account_id=account.id)
    session.refresh(proposal)
    return proposal_out(session, proposal, account, today=today)


def _decide(
    session: Session, user: User, proposal_id: int, action: str, *,
    expected: versions.Expected | None, today: date,
) -> ProposalOut:
    proposal, account = _writable(session, user, proposal_id)
    versions.check(session, proposal, expected, "the proposal")
    to = _transition(proposal, action, today)
    version = version_row(session, proposal)
    if action == "send" and not offers_of(session, version.id):
        raise ValidationFailed([FieldProblem(
            "offers", "a proposal with no offer cannot be sent: add at least one offer")])
    opportunities = opportunities_of(session, proposal.id)
    if action == "accept":
        lost = [o.id for o in opportunities if o.stage == "lost"]
        if lost:
            raise Conflict(f"opportunity {lost[0]} is lost: it cannot be won by accepting")
    before = {"status": proposal.status, "account_id": account.id}
    proposal.status = to
    proposal.updated_at = utcnow()
    if action == "send":
        proposal.sent_on = version.sent_on = today
    else:
        proposal.decided_on = today
    session.flush()
    if action == "accept":
        for o in opportunities:
            mark_won(session, user, o.id, today=today)
    audit.record(session, user, action, ENTITY, proposal.id, before=before,
                 after={"status": to, "version_number": version.number,
                        "account_id": account.id}, account_id=account.id)
    session.refresh(proposal)
    return proposal_out(session, proposal, account, today=today)


def send(session: Session, user: User, proposal_id: int, *,
         expected: versions.Expected | None = None, today: date) -> ProposalOut:
    """Send the current version (it becomes read-only); needs an offer and a validity date
    not passed."""
    return _decide(session, user, proposal_id, "send", expected=expected, today=today)


def accept(session: Session, user: User, proposal_id: int, *,
           expected: versions.Expected | None = None, today: date) -> ProposalOut:
    """The client accepted: the proposal's opportunities are won."""
    return _decide(session, user, proposal_id, "accept", expected=expected, today=today)


def decline(session: Session, user: User, proposal_id: int, *,
            expected: versions.Expected | None = None, today: date) -> ProposalOut:
    return _decide(session, user, proposal_id, "decline", expected=expected, today=today)
