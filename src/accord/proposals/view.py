"""Reading proposals: one proposal as shown (any of its versions, with totals, benefits,
opportunities and benchmarks), and the lists. Visibility: a proposal is read by whoever sees
its account; out of reach it answers like a missing one (404)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import get_visible_account, visible_accounts
from accord.core.company import company_policy
from accord.core.errors import NotFound
from accord.core.models import User
from accord.core.schemas import MAX_ID
from accord.growth.models import Offering, ProductLine, Sku
from accord.growth.opportunities.models import OPEN_STAGES, Opportunity
from accord.plans.models import PlanEntry
from accord.proposals import rules
from accord.proposals.benchmarks import benchmarks
from accord.proposals.models import (
    Proposal,
    ProposalBenefit,
    ProposalOffer,
    ProposalOpportunity,
    ProposalVersion,
)
from accord.proposals.schemas import (
    BenefitOut,
    OfferOut,
    OpportunityRef,
    ProposalOut,
    ProposalPage,
    ProposalSummary,
    TotalsOut,
    VersionRef,
)

MAX_LISTED = 500


def visible_proposal(session: Session, user: User, proposal_id: int) -> tuple[Proposal, Account]:
    proposal = session.get(Proposal, proposal_id) if 1 <= proposal_id <= MAX_ID else None
    if proposal is None:
        raise NotFound(f"no proposal {proposal_id}")
    try:
        account = get_visible_account(session, user, proposal.account_id)
    except NotFound:
        raise NotFound(f"no proposal {proposal_id}") from None
    return proposal, account


def version_row(session: Session, proposal: Proposal, number: int | None = None
                ) -> ProposalVersion:
    wanted = proposal.current_version if number is None else number
    row = session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == wanted))
    if row is None:
        raise NotFound(f"proposal {proposal.id} has no version {wanted}")
    return row


def offers_of(session: Session, version_id: int) -> list[ProposalOffer]:
    return list(session.scalars(select(ProposalOffer).where(
        ProposalOffer.version_id == version_id).order_by(ProposalOffer.position,
                                                         ProposalOffer.id)))


def as_line(offer: ProposalOffer) -> rules.Line:
    return rules.Line(Decimal(offer.quantity), Decimal(offer.unit_price),
                      Decimal(offer.discount), Decimal(offer.tax_rate))


def offered_lines(session: Session, offers: list[ProposalOffer]) -> set[int]:
    """The product lines offered: named by a line, or by a SKU's offering."""
    found = {o.product_line_id for o in offers if o.product_line_id is not None}
    skus = {o.sku_id for o in offers if o.sku_id is not None and o.product_line_id is None}
    if skus:
        found |= set(session.scalars(select(Offering.product_line_id).join(
            Sku, Sku.offering_id == Offering.id).where(Sku.id.in_(skus))))
    return found


def _offers_out(session: Session, offers: list[ProposalOffer]) -> list[OfferOut]:
    line_ids = {o.product_line_id for o in offers if o.product_line_id}
    sku_ids = {o.sku_id for o in offers if o.sku_id}
    lines = {i: n for i, n in session.execute(select(ProductLine.id, ProductLine.name).where(
        ProductLine.id.in_(line_ids)))} if line_ids else {}
    skus = {i: f"{c} {n}" for i, c, n in session.execute(
        select(Sku.id, Sku.code, Sku.name).where(Sku.id.in_(sku_ids)))} if sku_ids else {}
    out = []
    for o in offers:
        t = rules.line_total(as_line(o))
        out.append(OfferOut(
            id=o.id, product_line_id=o.product_line_id,
            product_line=lines.get(o.product_line_id) if o.product_line_id else None,
            sku_id=o.sku_id, sku=skus.get(o.sku_id) if o.sku_id else None,
            description=o.description, quantity=plain(Decimal(o.quantity)),
            unit_price=Decimal(o.unit_price), discount=Decimal(o.discount),
            tax_rate=plain(Decimal(o.tax_rate)), net=t.net, tax=t.tax, total=t.total))
    return out


def _benefits_out(session: Session, version_id: int) -> list[BenefitOut]:
    rows = session.execute(
        select(ProposalBenefit, PlanEntry.text, PlanEntry.section)
        .outerjoin(PlanEntry, PlanEntry.id == ProposalBenefit.plan_entry_id)
        .where(ProposalBenefit.version_id == version_id)
        .order_by(ProposalBenefit.position, ProposalBenefit.id)).all()
    return [BenefitOut(id=b.id, text=b.text, plan_entry_id=b.plan_entry_id, plan_entry=text,
                       section=section) for b, text, section in rows]


def opportunities_of(session: Session, proposal_id: int) -> list[Opportunity]:
    return list(session.scalars(
        select(Opportunity).join(ProposalOpportunity,
                                 ProposalOpportunity.opportunity_id == Opportunity.id)
        .where(ProposalOpportunity.proposal_id == proposal_id).order_by(Opportunity.id)))


def proposal_out(
    session: Session, proposal: Proposal, account: Account, *, today: date,
    number: int | None = None, with_benchmarks: bool = True,
) -> ProposalOut:
    version = version_row(session, proposal, number)
    offers = offers_of(session, version.id)
    totals = rules.totals(as_line(o) for o in offers)
    currency = company_policy(session).currency
    status = rules.shown_status(proposal.status, proposal.valid_until, today)
    creator = session.get(User, proposal.created_by_id) if proposal.created_by_id else None
    versions = session.scalars(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id).order_by(ProposalVersion.number))
    current = version.number == proposal.current_version
    return ProposalOut(
        id=proposal.id, account_id=account.id, account=account.name, title=proposal.title,
        status=status, stored_status=proposal.status, valid_until=proposal.valid_until,
        current_version=proposal.current_version, total=totals.total, currency=currency,
        updated_at=proposal.updated_at, version=proposal.version, shown_version=version.number,
        read_only=not current or proposal.status in ("accepted", "declined"),
        sent_on=proposal.sent_on, decided_on=proposal.decided_on,
        created_by=creator.email if creator else None,
        versions=[VersionRef(number=v.number, created_at=v.created_at, sent_on=v.sent_on)
                  for v in versions],
        offers=_offers_out(session, offers), benefits=_benefits_out(session, version.id),
        totals=TotalsOut(gross=totals.gross, discount=totals.discount, net=totals.net,
                         tax=totals.tax, total=totals.total, currency=currency),
        opportunities=[OpportunityRef(id=o.id, title=o.title, stage=o.stage,
                                      value=Decimal(o.value))
                       for o in opportunities_of(session, proposal.id)],
        actions=[] if not current else [
            a for a in rules.actions(proposal.status)
            if not (a in rules.NEEDS_VALIDITY
                    and rules.is_expired(proposal.status, proposal.valid_until, today))],
        benchmarks=benchmarks(session, account, offered_lines(session, offers), today=today)
        if with_benchmarks else None)


def get_proposal(
    session: Session, user: User, proposal_id: int, *, today: date, number: int | None = None,
    with_benchmarks: bool = True,
) -> ProposalOut:
    """One proposal ``user`` sees; ``number`` an earlier version (read-only)."""
    proposal, account = visible_proposal(session, user, proposal_id)
    return proposal_out(session, proposal, account, today=today, number=number,
                        with_benchmarks=with_benchmarks)


def list_proposals(
    session: Session, user: User, *, account_id: int | None = None, today: date
) -> ProposalPage:
    """The proposals of one account (or of every account ``user`` sees), newest first, each
    with its shown status and the total of its current version."""
    conditions = [visible_accounts(user, Proposal.account_id)]
    if account_id is not None:
        get_visible_account(session, user, account_id)
        conditions.append(Proposal.account_id == account_id)
    base = select(Proposal, Account.name).join(Account, Account.id == Proposal.account_id) \
        .where(*conditions)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    rows = session.execute(base.order_by(Proposal.id.desc()).limit(MAX_LISTED)).all()
    ids = [p.id for p, _ in rows]
    lines: dict[int, list[rules.Line]] = {}
    if ids:
        offers = session.execute(
            select(ProposalVersion.proposal_id, ProposalOffer)
            .join(ProposalOffer, ProposalOffer.version_id == ProposalVersion.id)
            .join(Proposal, (Proposal.id == ProposalVersion.proposal_id)
                  & (Proposal.current_version == ProposalVersion.number))
            .where(ProposalVersion.proposal_id.in_(ids)))
        for pid, offer in offers:
            lines.setdefault(pid, []).append(as_line(offer))
    currency = company_policy(session).currency
    return ProposalPage(total=total, items=[ProposalSummary(
        id=p.id, account_id=p.account_id, account=name, title=p.title,
        status=rules.shown_status(p.status, p.valid_until, today), stored_status=p.status,
        valid_until=p.valid_until, current_version=p.current_version,
        total=rules.totals(lines.get(p.id, [])).total, currency=currency,
        updated_at=p.updated_at, version=p.version) for p, name in rows])


def form_choices(session: Session, user: User, account_id: int) -> dict[str, list[Any]]:
    """What the proposal forms offer for an account ``user`` sees: its open opportunities,
    the product lines, and the goals and pain points of its current plan."""
    from accord.plans.models import AccountPlan

    account = get_visible_account(session, user, account_id)
    opportunities = list(session.scalars(select(Opportunity).where(
        Opportunity.account_id == account_id, Opportunity.stage.in_(OPEN_STAGES))
        .order_by(Opportunity.id)))
    lines = [(str(i), n) for i, n in session.execute(
        select(ProductLine.id, ProductLine.name).order_by(ProductLine.position,
                                                          ProductLine.name))]
    entries = [(str(i), f"{'Goal' if s == 'goals' else 'Pain point'}: {t[:80]}")
               for i, s, t in session.execute(
                   select(PlanEntry.id, PlanEntry.section, PlanEntry.text)
                   .join(AccountPlan, AccountPlan.id == PlanEntry.plan_id)
                   .where(AccountPlan.account_id == account_id,
                          AccountPlan.is_current.is_(True),
                          PlanEntry.section.in_(("goals", "pain_points")))
                   .order_by(PlanEntry.section, PlanEntry.position, PlanEntry.id))]
    return {"opportunities": opportunities, "product_lines": lines, "plan_entries": entries,
            "account": [account.name]}


def plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and never in exponent form: 20.00 is 20 (not 2E+1),
    2.50 is 2.5."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
