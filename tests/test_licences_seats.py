"""Seats through their service (issue 15): a manager assigns seats until the purchased
quantity and the next is refused with nothing written; a seat taken back frees it; the grid
shows allocation, adoption and utilisation from the recorded activity (both databases)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.licences.models import SeatActivity, SeatAssignment, SkuService
from accord.licences.seats import service as seats
from accord.licences.subscriptions import service as subscriptions
from accord.licences.subscriptions.schemas import ChangeIn, SubscriptionIn
from licence_helpers import make_sku

DAY = date(2026, 3, 10)


def _as(s: Session, who: Any) -> User:
    user = s.get(User, who.id)
    assert user is not None
    return user


@pytest.fixture
def world(sessions: sessionmaker[Session], cast: Any) -> dict[str, int]:
    with sessions.begin() as s:
        sku_id = make_sku(s)
        s.add_all([SkuService(sku_id=sku_id, service="exchange"),
                   SkuService(sku_id=sku_id, service="teams")])
        sub = subscriptions.add_subscription(s, _as(s, cast.billing), SubscriptionIn(
            account_id=cast.acme_id, sku_id=sku_id, start_on=date(2026, 1, 1), quantity=3,
            unit_price=Decimal("432")), DAY)
        owner = _as(s, cast.owner)
        for n in range(5):
            seats.add_licence_user(s, owner, cast.acme_id, f"P{n}@Acme.test", f"Person {n}")
        return {"sku": sku_id, "subscription": sub.id}


def _held(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(SeatAssignment).where(
        SeatAssignment.to_on.is_(None))) or 0)


def test_a_manager_assigns_until_the_limit_then_is_refused(
        sessions: sessionmaker[Session], cast: Any, world: dict[str, int]) -> None:
    sku = world["sku"]
    with sessions.begin() as s:
        for n in range(3):
            seats.assign(s, _as(s, cast.owner), cast.acme_id, f"p{n}@acme.test", sku, DAY)
    with sessions() as s:
        audits = s.scalar(select(func.count()).select_from(AuditEntry))
    with sessions.begin() as s, pytest.raises(Conflict, match="all 3 seats of Microsoft 365 "
                                              "E3 are assigned"):
        seats.assign(s, _as(s, cast.owner), cast.acme_id, "p3@acme.test", sku, DAY)
    with sessions() as s:
        assert _held(s) == 3
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audits
    with sessions.begin() as s, pytest.raises(Conflict, match="already"):
        seats.assign(s, _as(s, cast.owner), cast.acme_id, "p0@acme.test", sku, DAY)
    # taken back today: free today; billing raises the quantity: one more fits
    with sessions.begin() as s:
        seats.remove(s, _as(s, cast.owner), cast.acme_id, "p0@acme.test", sku, DAY)
        seats.assign(s, _as(s, cast.owner), cast.acme_id, "p3@acme.test", sku, DAY)
        subscriptions.change_terms(s, _as(s, cast.billing), world["subscription"], ChangeIn(
            quantity=4, effective_on=DAY, reason="one more"), DAY)
        seats.assign(s, _as(s, cast.owner), cast.acme_id, "p4@acme.test", sku, DAY)
    with sessions() as s:
        assert _held(s) == 4


def test_the_grid_measures_the_use(sessions: sessionmaker[Session], cast: Any,
                                   world: dict[str, int]) -> None:
    sku = world["sku"]
    with sessions.begin() as s:
        for n in range(3):
            seats.assign(s, _as(s, cast.billing), cast.acme_id, f"p{n}@acme.test", sku, DAY)
        ids = dict(s.execute(select(SeatAssignment.id, SeatAssignment.licence_user_id)).all())
        people = sorted(ids.values())
        s.add_all([SeatActivity(licence_user_id=people[0], service="teams",
                                last_active_on=date(2026, 3, 1), reported_on=DAY),
                   SeatActivity(licence_user_id=people[1], service="yammer",  # not E3's
                                last_active_on=date(2026, 3, 9), reported_on=DAY),
                   SeatActivity(licence_user_id=people[2], service="exchange",
                                last_active_on=date(2026, 1, 2), reported_on=DAY)])
    with sessions() as s:
        grid = seats.seat_grid(s, _as(s, cast.owner), cast.acme_id, DAY)
    assert len(grid.people) == 5
    (e3,) = grid.services
    assert (e3.usage.purchased, e3.usage.assigned, e3.usage.reported, e3.usage.active) == (
        3, 3, 3, 1)
    assert (e3.usage.allocation, e3.usage.adoption, e3.usage.utilisation) == (
        Decimal("1.0000"), Decimal("0.3333"), Decimal("0.3333"))
    assert e3.signal == "risk"


def test_who_may_and_bad_input(sessions: sessionmaker[Session], cast: Any,
                               world: dict[str, int]) -> None:
    sku = world["sku"]
    with sessions.begin() as s, pytest.raises(Forbidden):
        seats.assign(s, _as(s, cast.viewer), cast.acme_id, "p0@acme.test", sku, DAY)
    with sessions.begin() as s, pytest.raises(NotFound):
        seats.assign(s, _as(s, cast.outsider), cast.acme_id, "p0@acme.test", sku, DAY)
    with sessions.begin() as s, pytest.raises(ValidationFailed, match="no licence user"):
        seats.assign(s, _as(s, cast.owner), cast.acme_id, "nobody@acme.test", sku, DAY)
    with sessions.begin() as s, pytest.raises(ValidationFailed, match="principal"):
        seats.add_licence_user(s, _as(s, cast.owner), cast.acme_id, "not a name")
    with sessions.begin() as s, pytest.raises(Conflict, match="already"):
        seats.add_licence_user(s, _as(s, cast.owner), cast.acme_id, "P1@ACME.TEST")
    with sessions() as s:
        assert _held(s) == 0


def test_domains_tie_a_tenant_to_its_account(sessions: sessionmaker[Session],
                                             cast: Any) -> None:
    from accord.licences.seats import tenants

    with sessions.begin() as s:
        assert tenants.add_domain(s, _as(s, cast.owner), cast.acme_id, "@Acme.TEST") == \
            "acme.test"
        tenants.add_domain(s, _as(s, cast.billing), cast.globex_id, "globex.test")
    with sessions.begin() as s, pytest.raises(Conflict, match="another account"):
        tenants.add_domain(s, _as(s, cast.owner), cast.acme_id, "globex.test")
    with sessions.begin() as s, pytest.raises(ValidationFailed, match="not a domain"):
        tenants.add_domain(s, _as(s, cast.owner), cast.acme_id, "acme")
    with sessions.begin() as s, pytest.raises(NotFound):
        tenants.add_domain(s, _as(s, cast.outsider), cast.acme_id, "acme.example")
    with sessions() as s:
        assert tenants.tenant_account(s, ["a@acme.test", "b@acme.test", "c@globex.test",
                                          "d@gmail.com"]) == cast.acme_id
        assert tenants.tenant_account(s, ["x@unknown.test"]) is None
        assert tenants.domains_of(s, _as(s, cast.head), cast.acme_id) == ["acme.test"]
    with sessions.begin() as s:
        tenants.remove_domain(s, _as(s, cast.owner), cast.acme_id, "acme.test")
    with sessions.begin() as s, pytest.raises(NotFound):
        tenants.remove_domain(s, _as(s, cast.owner), cast.acme_id, "globex.test")
