"""The demo portfolio's segments of issues 14 and 15, from one demo load.

- Agency: departments with specialists, briefs in every status (some late, some with rounds
  of changes), client inputs being chased (some escalated), and agency work on the first
  manager's key accounts, whom a new user of the demo logs in as.
- Software: a licence catalogue with export names, subscriptions in every status with
  quantity changes over time, requests waiting for billing, the MRR store built, and a
  subscription on the first manager's accounts; tenants with seats and usage, filled and
  used so that some clients suggest an up-sell and some are at risk."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.accounts.models import Account
from accord.agency.models import Brief, Department, InputChase, InputRequest
from accord.agency.rules import is_late
from accord.core.models import User
from accord.demo.loader import load_demo
from accord.demo.plan import DemoSpec
from accord.licences.models import (
    AccountDomain,
    ProductName,
    QuantityRequest,
    Subscription,
    SubscriptionMrr,
    SubscriptionTerm,
)
from accord.licences.seats.service import seat_grid

SPEC = DemoSpec(accounts=1000, months=24, seed=5, today=date(2026, 3, 18))
STATES = {"draft", "sent", "accepted", "in_progress", "delivered", "approved", "cancelled"}


def test_the_demo_has_agency_and_software_segments_alive_enough_for_the_pages(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        load_demo(s, SPEC)
    with sessions() as s:
        assert (s.scalar(select(func.count()).select_from(Department)) or 0) >= 5
        assert s.scalar(select(func.count()).select_from(User).where(
            User.role == "specialist"))
        briefs = list(s.scalars(select(Brief)))
        assert {b.status for b in briefs} == STATES
        assert any(b.rounds > 0 for b in briefs), "no brief with a round of changes"
        late = [b for b in briefs if is_late(b.status, b.due_on, SPEC.today)]
        assert late, "no late brief"
        assert s.scalar(select(func.count()).select_from(InputRequest).where(
            InputRequest.status == "open")), "no client input waiting"
        assert s.scalar(select(func.count()).select_from(InputChase)), "no chase"
        assert s.scalar(select(func.count()).select_from(InputRequest).where(
            InputRequest.escalated_on.is_not(None))), "no escalated input"
        first = s.scalar(select(func.min(User.id)).where(User.role == "manager"))
        assert s.scalar(select(User.email).where(User.id == first)) == "manager1@accord.demo"
        assert s.scalar(select(func.count()).select_from(Brief).join(
            Account, Account.id == Brief.account_id).where(Account.manager_id == first)), (
            "the first manager's key accounts have no agency work")
        subscriptions = list(s.scalars(select(Subscription)))
        assert {x.status for x in subscriptions} == {"trial", "active", "cancelled", "expired"}
        terms = s.scalar(select(func.count()).select_from(SubscriptionTerm)) or 0
        assert terms > len(subscriptions), "no quantity changed over time"
        assert s.scalar(select(func.count()).select_from(QuantityRequest).where(
            QuantityRequest.status == "pending")), "no request waiting for billing"
        assert s.scalar(select(func.count()).select_from(ProductName).where(
            ProductName.key == "ENTERPRISE MOBILITY + SECURITY E5"))
        assert s.scalar(select(func.count()).select_from(SubscriptionMrr)), "no MRR built"
        assert s.scalar(select(func.count()).select_from(Subscription).join(
            Account, Account.id == Subscription.account_id).where(Account.manager_id == first))
        admin = s.scalar(select(User).where(User.role == "admin"))
        assert admin is not None
        tenants = list(s.scalars(select(AccountDomain.account_id)))
        assert tenants, "no tenant tied to an account by its domain"
        signals = {service.signal for account in tenants
                   for service in seat_grid(s, admin, account, SPEC.today).services}
        assert {"upsell", "risk", None} <= signals, signals
