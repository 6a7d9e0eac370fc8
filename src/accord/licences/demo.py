"""The demo portfolio's software segment (issue 15): a licence catalogue of Microsoft 365
services with the product names the admin centre's exports use, and subscriptions for the
key accounts of the Technology team (and of the first manager, whom a new user logs in as
first) — grown or cut over time as effective-dated terms, some renewing, a trial, a
cancelled one, and managers' requests waiting for billing. Then the tenants' seats and
usage (``demo_seats``); the MRR store is built and the licence signals evaluated at the end.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.database import utcnow
from accord.core.models import User
from accord.core.periods import month_index
from accord.growth.models import Offering, ProductLine, Sku
from accord.licences import mrr, rules
from accord.licences.demo_seats import seed_seats
from accord.licences.models import (
    ProductName,
    QuantityRequest,
    Subscription,
    SubscriptionTerm,
)
from accord.licences.settings import currency
from accord.licences.signals import service as signals
from accord.licences.subscriptions.service import HORIZON_MONTHS
from accord.plans.demo import key_accounts

SOFTWARE_SEGMENTS = ("Technology",)
#: code, name, billing period, unit price per period, add-on of (code), export names
SERVICES: tuple[tuple[str, str, str, str, str | None, tuple[str, ...]], ...] = (
    ("M365-E3", "Microsoft 365 E3", "year", "432.00", None, ("Microsoft 365 E3",)),
    ("M365-E5", "Microsoft 365 E5", "year", "684.00", None, ("Microsoft 365 E5",)),
    ("EMS-E5", "Enterprise Mobility + Security E5", "year", "196.80", None,
     ("ENTERPRISE MOBILITY + SECURITY E5",)),
    ("TEAMS-PHONE", "Teams Phone Standard", "month", "8.00", "M365-E3",
     ("Microsoft Teams Phone Standard",)),
    ("M365-BP", "Microsoft 365 Business Premium", "month", "22.00", None,
     ("Microsoft 365 Business Premium",)),
)
REASONS = ("new starters in the sales team", "a new office opened", "contractors left",
           "consolidated two tenants", "price list of the new year", "pilot extended to IT")


def _catalogue(session: Session) -> dict[str, Sku]:
    line = ProductLine(name="Software licences", description="Licences resold to clients",
                       position=90)
    session.add(line)
    session.flush()
    offering = Offering(product_line_id=line.id, name="Microsoft 365")
    session.add(offering)
    session.flush()
    skus: dict[str, Sku] = {}
    for code, name, period, price, addon, names in SERVICES:
        sku = Sku(offering_id=offering.id, code=code, name=name, unit="seat",
                  list_price=Decimal(price), billing_period=period,
                  addon_of_id=skus[addon].id if addon else None)
        session.add(sku)
        session.flush()
        skus[code] = sku
        for shown in names:
            session.add(ProductName(name=shown, key=" ".join(shown.upper().split()),
                                    sku_id=sku.id))
    return skus


def _clients(session: Session, accounts: int) -> list[tuple[int, int | None]]:
    keys = key_accounts(session, accounts)
    first = session.scalar(select(func.min(User.id)).where(User.role == "manager"))
    rows = session.execute(
        select(Account.id, Account.manager_id).where(
            Account.id.in_(keys),
            Account.segment.in_(SOFTWARE_SEGMENTS) | (Account.manager_id == first))
        .order_by(Account.id)).all()
    return [(int(a), int(m) if m is not None else None) for a, m in rows]


def _terms(session: Session, rng: random.Random, row: Subscription, sku: Sku, today: date,
           now: datetime) -> int:
    """The first term and a few changes over time; returns the quantity in force now."""
    quantity = rng.choice((10, 25, 50, 120, 300, 800))
    price = sku.list_price or Decimal(0)
    day = row.start_on
    session.add(SubscriptionTerm(subscription_id=row.id, effective_on=day, quantity=quantity,
                                 unit_price=price, reason="new subscription", changed_at=now))
    for _ in range(rng.randint(0, 3)):
        day = day + timedelta(days=rng.randint(45, 200))
        if day > today or (row.ended_on and day > row.ended_on):
            break
        quantity = max(1, int(quantity * rng.choice((0.8, 1.1, 1.2, 1.5))))
        if rng.random() < 0.2:
            price = (price * Decimal("1.05")).quantize(Decimal("0.01"))
        session.add(SubscriptionTerm(subscription_id=row.id, effective_on=day,
                                     quantity=quantity, unit_price=price,
                                     reason=rng.choice(REASONS), changed_at=now))
    return quantity


def _subscription(rng: random.Random, account: int, sku: Sku, today: date, now: datetime,
                  *, trial: bool, cancel: bool, company_currency: str) -> Subscription:
    start = today - timedelta(days=rng.randint(60, 900))
    term = rng.choice((12, 12, 12, 36))
    if trial:  # a month's trial, started lately
        start, term = today - timedelta(days=rng.randint(3, 20)), 1
    row = Subscription(account_id=account, sku_id=sku.id, status="trial" if trial else "active",
                       start_on=start, term_months=term, end_on=rules.term_end(start, term),
                       auto_renew=not trial and rng.random() < 0.7,
                       notice_days=rng.choice((30, 60, 90)), currency=company_currency,
                       reference=f"MS-{account:05d}-{sku.code}", created_at=now,
                       updated_at=now)
    while row.auto_renew and row.end_on < today:  # renewed: the current term
        row.end_on = rules.term_end(row.end_on + timedelta(days=1), term)
    if not trial and not row.auto_renew and row.end_on < today:
        row.status, row.ended_on = "expired", row.end_on
    elif cancel:
        row.status = "cancelled"
        row.ended_on = today - timedelta(days=rng.randint(5, 50))
    return row


def seed_demo(session: Session, *, seed: int, today: date, accounts: int) -> int:
    """Write the software segment; returns how many subscriptions (0 when some exist)."""
    if session.scalar(select(func.count()).select_from(Subscription)):
        return 0
    clients = _clients(session, accounts)
    if not clients:
        return 0
    rng = random.Random(seed * 7907 + 15)
    skus = _catalogue(session)
    now = utcnow()
    money = currency(session)
    made = 0
    for n, (account, manager) in enumerate(clients):
        codes = rng.sample(list(skus), k=rng.randint(1, 3))
        for code in codes:
            row = _subscription(rng, account, skus[code], today, now,
                                trial=n % 9 == 4 and code == codes[0],
                                cancel=n % 11 == 7 and code == codes[-1],
                                company_currency=money)
            session.add(row)
            session.flush()
            made += 1
            quantity = _terms(session, rng, row, skus[code], today, now)
            if row.status == "active" and rng.random() < 0.3:
                session.add(QuantityRequest(
                    subscription_id=row.id, quantity=quantity + rng.choice((5, 10, 25)),
                    effective_on=today + timedelta(days=rng.randint(7, 40)),
                    reason=rng.choice(REASONS), requested_by_id=manager,
                    requested_at=now - timedelta(days=rng.randint(0, 6))))
    session.flush()
    seed_seats(session, seed=seed, today=today)
    mrr.rebuild(session, through=month_index(today) + HORIZON_MONTHS)
    signals.refresh_all(session, today)  # the up-sell opportunities, the risk list
    return made
