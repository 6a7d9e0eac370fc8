"""Proposals (issue 12) on SQLite and PostgreSQL: created from an account's opportunities, bad
input refused with nothing written, versions after sending, expiry computed on read, accepting
wins the opportunities, benchmarks never shown on fewer than 5 accounts, visibility."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accord.accounts.models import Account
from accord.core.database import utcnow
from accord.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.periods import month_index
from accord.growth.models import ProductLine, ProductLineRevenue
from accord.growth.opportunities.models import Opportunity
from accord.plans import service as plans
from accord.plans.models import PlanEntry
from accord.plans.schemas import PlanStart
from accord.proposals import service
from accord.proposals.models import Proposal, ProposalOffer, ProposalVersion
from accord.proposals.schemas import BenefitIn, OfferIn, ProposalEdit, ProposalIn
from accord.revenue.models import MonthlyRevenue

TODAY = date(2026, 6, 15)


def _user(db, who) -> User:
    u = db.get(User, who.id)
    assert u is not None
    return u


def _opportunity(db, account_id: int, value: str = "12000", stage: str = "proposed",
                 title: str = "Pumps for plant 2") -> int:
    row = Opportunity(account_id=account_id, title=title, kind="cross_sell", stage=stage,
                      value=Decimal(value), probability=50, next_step="",
                      created_at=utcnow(), updated_at=utcnow())
    db.add(row)
    db.flush()
    return row.id


def _line(db, name: str = "Pumps") -> int:
    row = ProductLine(name=name, description="", position=0, created_at=utcnow())
    db.add(row)
    db.flush()
    return row.id


def _count(db, model=Proposal) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _offer(**kw) -> OfferIn:
    return OfferIn.model_validate({"description": "Pumps", "quantity": "2",
                                   "unit_price": "1000.00", "tax_rate": "20", **kw})


def _new(db, cast, offers=None, **kw):
    owner = _user(db, cast.owner)
    opp = _opportunity(db, cast.acme_id)
    data = ProposalIn(title="Second plant", opportunity_ids=[opp], offers=offers, **kw)
    return service.create_proposal(db, owner, cast.acme_id, data, today=TODAY), opp


def test_a_proposal_from_opportunities_has_one_offer_each_and_is_audited(db, cast) -> None:
    owner = _user(db, cast.owner)
    line = _line(db)
    first = _opportunity(db, cast.acme_id, "12000.50")
    second = _opportunity(db, cast.acme_id, "800", title="Service")
    out = service.create_proposal(db, owner, cast.acme_id, ProposalIn(
        title="Growth", opportunity_ids=[first, second]), today=TODAY)
    assert out.status == "draft" and out.current_version == 1
    assert [o.description for o in out.offers] == ["Pumps for plant 2", "Service"]
    assert out.totals.total == Decimal("12800.50") and out.totals.currency == "EUR"
    assert out.valid_until == TODAY + timedelta(days=30)
    assert {o.id for o in out.opportunities} == {first, second}
    assert line  # a catalogue line does not get in the way
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity == "proposal"))
    assert entry is not None and entry.action == "create" and entry.account_id == cast.acme_id


def test_offer_totals_discount_and_tax(db, cast) -> None:
    out, _ = _new(db, cast, offers=[_offer(discount="100"),
                                    _offer(quantity="1", unit_price="99.99", tax_rate="0")])
    assert out.offers[0].net == Decimal("1800.00") and out.offers[0].tax == Decimal("360.00")
    assert out.totals.discount == Decimal("200.00")
    assert out.totals.total == Decimal("2259.99")


def test_a_discount_above_the_price_is_refused_and_nothing_written(db, cast) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _new(db, cast, offers=[_offer(), _offer(discount="1000.01")])
    assert [p.field for p in exc.value.problems] == ["offers.1.discount"]
    assert _count(db) == 0 and _count(db, ProposalOffer) == 0


def test_an_unknown_product_line_and_a_foreign_opportunity_are_named(db, cast) -> None:
    owner = _user(db, cast.owner)
    theirs = _opportunity(db, cast.globex_id)
    with pytest.raises(ValidationFailed) as exc:
        service.create_proposal(db, owner, cast.acme_id, ProposalIn(
            title="x", opportunity_ids=[theirs]), today=TODAY)
    assert exc.value.problems[0].field == "opportunity_ids.0"
    with pytest.raises(ValidationFailed) as exc:
        _new(db, cast, offers=[_offer(product_line_id=999_999)])
    assert exc.value.problems[0].field == "offers.0.product_line_id"
    assert _count(db) == 0


def test_a_proposal_with_no_offer_cannot_be_sent(db, cast) -> None:
    out, _ = _new(db, cast, offers=[])
    owner = _user(db, cast.owner)
    with pytest.raises(ValidationFailed) as exc:
        service.send(db, owner, out.id, today=TODAY)
    assert exc.value.problems[0].field == "offers"
    assert db.get(Proposal, out.id).status == "draft"


def test_an_account_out_of_reach_is_a_404_and_nothing_is_written(db, cast) -> None:
    outsider = _user(db, cast.outsider)
    opp = _opportunity(db, cast.acme_id)
    with pytest.raises(NotFound):
        service.create_proposal(db, outsider, cast.acme_id, ProposalIn(
            title="x", opportunity_ids=[opp]), today=TODAY)
    out, _ = _new(db, cast)
    for call in (lambda: service.get_proposal(db, outsider, out.id, today=TODAY),
                 lambda: service.send(db, outsider, out.id, today=TODAY),
                 lambda: service.edit_proposal(db, outsider, out.id, ProposalEdit(title="y"),
                                               today=TODAY)):
        with pytest.raises(NotFound):
            call()
    assert _count(db) == 1
    viewer = _user(db, cast.viewer)
    assert service.get_proposal(db, viewer, out.id, today=TODAY).id == out.id
    with pytest.raises(Forbidden):
        service.send(db, viewer, out.id, today=TODAY)


def test_an_edit_after_sending_makes_a_new_version_and_keeps_the_first(db, cast) -> None:
    owner = _user(db, cast.owner)
    out, _ = _new(db, cast, offers=[_offer()])
    draft_edit = service.edit_proposal(db, owner, out.id, ProposalEdit(title="Plant 2"),
                                       today=TODAY)
    assert draft_edit.current_version == 1 and draft_edit.title == "Plant 2"
    sent = service.send(db, owner, out.id, today=TODAY)
    assert sent.status == "sent" and sent.actions == ["edit", "accept", "decline"]
    edited = service.edit_proposal(db, owner, out.id, ProposalEdit(
        offers=[_offer(unit_price="900.00")]), today=TODAY)
    assert edited.current_version == 2 and edited.status == "draft"
    assert edited.totals.net == Decimal("1800.00")
    first = service.get_proposal(db, owner, out.id, today=TODAY, number=1)
    assert first.read_only and first.totals.net == Decimal("2000.00") and first.actions == []
    assert _count(db, ProposalVersion) == 2
    with pytest.raises(NotFound):
        service.get_proposal(db, owner, out.id, today=TODAY, number=3)


def test_expired_is_computed_on_read_and_never_written(db, cast) -> None:
    owner = _user(db, cast.owner)
    out, _ = _new(db, cast, offers=[_offer()], valid_until=TODAY + timedelta(days=5))
    service.send(db, owner, out.id, today=TODAY)
    later = TODAY + timedelta(days=6)
    read = service.get_proposal(db, owner, out.id, today=later)
    assert read.status == "expired" and read.stored_status == "sent"
    assert "accept" not in read.actions
    assert db.get(Proposal, out.id).status == "sent"
    assert service.list_proposals(db, owner, account_id=cast.acme_id,
                                  today=later).items[0].status == "expired"
    with pytest.raises(Conflict, match="expired"):
        service.accept(db, owner, out.id, today=later)
    # a new validity date (a new version) brings it back
    again = service.edit_proposal(db, owner, out.id, ProposalEdit(
        valid_until=later + timedelta(days=30)), today=later)
    assert again.status == "draft" and again.current_version == 2


def test_accepting_marks_its_opportunities_won(db, cast) -> None:
    owner = _user(db, cast.owner)
    out, opp = _new(db, cast, offers=[_offer()])
    with pytest.raises(Conflict):
        service.accept(db, owner, out.id, today=TODAY)  # a draft is not accepted
    service.send(db, owner, out.id, today=TODAY)
    done = service.accept(db, owner, out.id, today=TODAY)
    assert done.status == "accepted" and done.read_only
    row = db.get(Opportunity, opp)
    db.refresh(row)
    assert row.stage == "won" and row.closed_on == TODAY
    with pytest.raises(Conflict):
        service.edit_proposal(db, owner, out.id, ProposalEdit(title="late"), today=TODAY)


def test_declining(db, cast) -> None:
    owner = _user(db, cast.owner)
    out, opp = _new(db, cast, offers=[_offer()])
    service.send(db, owner, out.id, today=TODAY)
    assert service.decline(db, owner, out.id, today=TODAY).status == "declined"
    assert db.get(Opportunity, opp).stage == "proposed"


def test_benefits_are_tied_to_the_plans_goals(db, cast) -> None:
    owner = _user(db, cast.owner)
    plan = plans.start_plan(db, owner, cast.acme_id, PlanStart(horizon_months=12), today=TODAY)
    goal = PlanEntry(plan_id=plan.id, section="goals", text="Halve downtime", position=0)
    risk = PlanEntry(plan_id=plan.id, section="risks", text="Budget", position=0)
    db.add_all([goal, risk])
    db.flush()
    out, _ = _new(db, cast, benefits=[BenefitIn(text="Less downtime", plan_entry_id=goal.id)])
    assert out.benefits[0].plan_entry == "Halve downtime" and out.benefits[0].section == "goals"
    with pytest.raises(ValidationFailed) as exc:
        _new(db, cast, benefits=[BenefitIn(text="x", plan_entry_id=risk.id)])
    assert exc.value.problems[0].field == "benefits.0.plan_entry_id"


def _peer(db, n: int, line: int, start: int, before: int, after: int) -> None:
    now = utcnow()
    a = Account(name=f"Peer {n}", name_key=f"peer {n}", external_id=f"PEER{n}", kind="company",
                status="active", segment="Manufacturing", size_band="large",
                created_at=now, updated_at=now)
    db.add(a)
    db.flush()
    for m in range(start - 12, start + 12):
        amount = before if m < start else after
        db.add(MonthlyRevenue(account_id=a.id, month=m, amount_cents=amount,
                              cumulative_cents=0, line_count=1))
    db.add(ProductLineRevenue(account_id=a.id, product_line_id=line, month=start,
                              amount_cents=after - before, line_count=1))
    db.flush()


def test_benchmarks_need_five_similar_accounts(db, cast) -> None:
    line = _line(db)
    acme = db.get(Account, cast.acme_id)
    acme.size_band = "large"
    db.add(MonthlyRevenue(account_id=acme.id, month=month_index(date(2025, 3, 1)),
                          amount_cents=150_000, cumulative_cents=150_000, line_count=1))
    start = month_index(TODAY) - 24
    for n in range(4):
        _peer(db, n, line, start, 10_000, 10_000 + 1_000 * (n + 1))
    out, _ = _new(db, cast, offers=[_offer(product_line_id=line)])
    assert out.benchmarks is not None
    bench = out.benchmarks.lines[0]
    assert bench.accounts == 4 and not bench.shown and bench.median_change is None
    assert [(y.year, y.revenue) for y in out.benchmarks.history] == [(2025, Decimal("1500"))]
    _peer(db, 4, line, start, 10_000, 15_000)
    _peer(db, 5, line, month_index(TODAY) - 6, 10_000, 20_000)  # not 12 months yet
    owner = _user(db, cast.owner)
    again = service.get_proposal(db, owner, out.id, today=TODAY).benchmarks
    assert again is not None
    bench = again.lines[0]
    # changes 10 %, 20 %, 30 %, 40 %, 50 %: lower median 30 %; NRR 150000/120000... per year
    assert bench.shown and bench.accounts == 5
    assert bench.median_change == Decimal("0.3000")
    assert bench.nrr == Decimal(12 * (11_000 + 12_000 + 13_000 + 14_000 + 15_000)) / Decimal(
        12 * 50_000)


def test_the_demo_writes_proposals_in_every_status(db, cast) -> None:
    from accord.proposals.demo import seed_demo

    assert seed_demo(db, seed=1, today=TODAY) == 0  # no opportunities: nothing
    now = utcnow()
    for n in range(6):
        a = Account(name=f"Demo {n}", name_key=f"demo {n}", external_id=f"D{n}",
                    kind="company", status="active", segment="Energy",
                    manager_id=cast.owner.id, created_at=now, updated_at=now)
        db.add(a)
        db.flush()
        _opportunity(db, a.id, "10000")
    assert seed_demo(db, seed=1, today=TODAY) == 6
    owner = _user(db, cast.owner)
    shown = {p.status for p in service.list_proposals(db, owner, today=TODAY).items}
    assert shown == {"draft", "sent", "accepted", "declined", "expired"}
    assert max(p.current_version for p in service.list_proposals(db, owner,
                                                                 today=TODAY).items) == 2
