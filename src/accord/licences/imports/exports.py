"""The licences' exports, of the accounts the user may see, as of a day: subscriptions (in
the columns of their import, so an export re-imports unchanged), seats (every assignment,
held or past) and utilisation (per account × service: purchased, assigned, active and the
shares of KPIS.md, as percentages with two decimals).

Streamed from the database (Core, ``yield_per``); counted in SQL for the utilisation (one
statement for the seats whatever the portfolio), never a query per row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import visible_accounts
from accord.core.models import User
from accord.growth.models import Sku
from accord.licences import settings as licence_settings
from accord.licences import usage as usage_sql
from accord.licences.models import (
    LicenceUser,
    SeatAssignment,
    Subscription,
    SubscriptionTerm,
)

CHUNK = 5000
SEATS_HEADER = ["account_external_id", "account_name", "principal", "display_name",
                "department", "sku_code", "service", "from_on", "to_on", "source", "left_on"]
UTILISATION_HEADER = ["account_external_id", "account_name", "sku_code", "service",
                      "purchased", "assigned", "reported", "active", "allocation_percent",
                      "adoption_percent", "utilisation_percent"]


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def subscriptions(session: Session, user: User, _today: date) -> Iterator[list[Any]]:
    """One row per subscription with its latest term (and the day it took effect)."""
    t = SubscriptionTerm.__table__
    latest = (select(t.c.subscription_id, func.max(t.c.effective_on).label("day"))
              .group_by(t.c.subscription_id).subquery())
    query = (
        select(Account.external_id, Sku.code, Subscription.start_on, Subscription.term_months,
               t.c.quantity, t.c.unit_price, Subscription.auto_renew,
               Subscription.notice_days, Subscription.status, Subscription.reference,
               t.c.effective_on)
        .join(Account, Account.id == Subscription.account_id)
        .join(Sku, Sku.id == Subscription.sku_id)
        .join(latest, latest.c.subscription_id == Subscription.id)
        .join(t, and_(t.c.subscription_id == Subscription.id, t.c.effective_on == latest.c.day))
        .where(visible_accounts(user))
        .order_by(Account.name_key, Account.id, Sku.code, Subscription.id))
    for (ext, code, start, term, quantity, price, renew, notice, status, reference,
         effective) in session.execute(query.execution_options(yield_per=CHUNK)):
        yield [ext, code, start.isoformat(), str(term), str(quantity), Decimal(price),
               "true" if renew else "false", str(notice), status, reference,
               effective.isoformat()]


def seats(session: Session, user: User, _today: date) -> Iterator[list[Any]]:
    """Every seat assignment of the accounts you see, held or past."""
    a = SeatAssignment.__table__
    query = (
        select(Account.external_id, Account.name, LicenceUser.principal,
               LicenceUser.display_name, LicenceUser.department, Sku.code, Sku.name,
               a.c.from_on, a.c.to_on, a.c.source, LicenceUser.left_on)
        .join(LicenceUser, LicenceUser.id == a.c.licence_user_id)
        .join(Account, Account.id == a.c.account_id)
        .join(Sku, Sku.id == a.c.sku_id)
        .where(visible_accounts(user))
        .order_by(Account.name_key, Account.id, LicenceUser.principal, Sku.code, a.c.from_on))
    for row in session.execute(query.execution_options(yield_per=CHUNK)):
        yield [*row[:7], _iso(row[7]), _iso(row[8]), row[9], _iso(row[10])]


def _percent(part: int, whole: int) -> Decimal | None:
    return None if whole <= 0 else (Decimal(100 * part) / Decimal(whole)).quantize(
        Decimal("0.01"))


def utilisation(session: Session, user: User, today: date) -> Iterator[list[Any]]:
    """Per account × service on ``today``: purchased, assigned, reported, active and the
    allocation, adoption and utilisation (kpis.md; ``rules.usage``) in percent, counted
    by ``accord.licences.usage`` (the one SQL form of the rule)."""
    active_days = licence_settings.policy(session).active_days
    seen = select(Account.id).where(visible_accounts(user))
    counted = {(int(acc), int(sku)): (int(p or 0), int(a or 0), int(r or 0), int(n or 0))
               for acc, sku, p, a, r, n in session.execute(
                   usage_sql.usage_select(today, active_days, seen))}
    keys = set(counted)
    if not keys:
        return
    accounts = {i: (e, n, k) for i, e, n, k in session.execute(
        select(Account.id, Account.external_id, Account.name, Account.name_key).where(
            Account.id.in_({k[0] for k in keys})))}
    skus = {i: (c, n) for i, c, n in session.execute(
        select(Sku.id, Sku.code, Sku.name).where(Sku.id.in_({k[1] for k in keys})))}
    for acc, sku in sorted(keys, key=lambda k: (accounts[k[0]][2], k[0], skus[k[1]][0])):
        purchased, assigned, reported, active = counted[(acc, sku)]
        used = active if reported else assigned
        yield [accounts[acc][0], accounts[acc][1], skus[sku][0], skus[sku][1], purchased,
               assigned, reported, active, _percent(assigned, purchased),
               _percent(active, reported), _percent(used, purchased)]
