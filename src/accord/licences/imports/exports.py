"""The licences' exports, of the accounts the user may see, as of a day: subscriptions (in
the columns of their import, so an export re-imports unchanged), seats (every assignment,
held or past) and utilisation (per account × service: purchased, assigned, active and the
shares of KPIS.md, as percentages with two decimals).

Streamed from the database (Core, ``yield_per``); counted in SQL for the utilisation (one
statement for the seats whatever the portfolio), never a query per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import visible_accounts
from accord.core.models import User
from accord.growth.models import Sku
from accord.licences import rules
from accord.licences import settings as licence_settings
from accord.licences.models import (
    LicenceUser,
    SeatActivity,
    SeatAssignment,
    SkuService,
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


def _purchased(session: Session, user: User, day: date) -> dict[tuple[int, int], int]:
    """Seats bought per (account, service) on ``day`` (``rules.provides_seats_on``)."""
    subs = session.execute(
        select(Subscription.id, Subscription.account_id, Subscription.sku_id,
               Subscription.status, Subscription.start_on, Subscription.end_on,
               Subscription.auto_renew, Subscription.ended_on)
        .join(Account, Account.id == Subscription.account_id)
        .where(visible_accounts(user), Subscription.start_on <= day)).all()
    providing = {s.id: (s.account_id, s.sku_id) for s in subs if rules.provides_seats_on(
        rules.Cover(s.status, s.start_on, s.end_on, s.auto_renew, s.ended_on), day)}
    in_force: dict[int, tuple[date, int]] = {}
    t = SubscriptionTerm.__table__
    ids = sorted(providing)
    for at in range(0, len(ids), CHUNK):
        for sub_id, effective, quantity in session.execute(
                select(t.c.subscription_id, t.c.effective_on, t.c.quantity).where(
                    t.c.subscription_id.in_(ids[at:at + CHUNK]), t.c.effective_on <= day)):
            if sub_id not in in_force or effective > in_force[sub_id][0]:
                in_force[sub_id] = (effective, quantity)
    bought: dict[tuple[int, int], int] = defaultdict(int)
    for sub_id, key in providing.items():
        bought[key] += in_force[sub_id][1] if sub_id in in_force else 0
    return bought


def _seat_counts(session: Session, user: User, day: date, active_days: int
                 ) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(assigned, reported, active) per (account, service) held on ``day``: a seat is
    reported when a usage report covered its holder, active when a workload of its product
    (any, when the product lists none) was used within ``active_days`` up to ``day``."""
    a = SeatAssignment.__table__
    act, work = SeatActivity.__table__, SkuService.__table__
    lists_none = ~exists().where(work.c.sku_id == a.c.sku_id)
    last = (select(func.max(act.c.last_active_on))
            .where(act.c.licence_user_id == a.c.licence_user_id,
                   or_(lists_none, act.c.service.in_(
                       select(work.c.service).where(work.c.sku_id == a.c.sku_id))))
            .scalar_subquery())
    reported = exists().where(act.c.licence_user_id == a.c.licence_user_id)
    cutoff = day - timedelta(days=active_days)
    query = (
        select(a.c.account_id, a.c.sku_id, func.count(),
               func.sum(case((reported, 1), else_=0)),
               func.sum(case((and_(last > cutoff, last <= day), 1), else_=0)))
        .join(Account, Account.id == a.c.account_id)
        .where(visible_accounts(user), a.c.from_on <= day,
               or_(a.c.to_on.is_(None), a.c.to_on >= day))
        .group_by(a.c.account_id, a.c.sku_id))
    return {(acc, sku): (int(n), int(rep or 0), int(act_ or 0))
            for acc, sku, n, rep, act_ in session.execute(query)}


def _percent(part: int, whole: int) -> Decimal | None:
    return None if whole <= 0 else (Decimal(100 * part) / Decimal(whole)).quantize(
        Decimal("0.01"))


def utilisation(session: Session, user: User, today: date) -> Iterator[list[Any]]:
    """Per account × service on ``today``: purchased, assigned, reported, active and the
    allocation, adoption and utilisation (KPIS.md; ``rules.usage``) in percent."""
    active_days = licence_settings.policy(session).active_days
    bought = _purchased(session, user, today)
    counts = _seat_counts(session, user, today, active_days)
    keys = set(bought) | set(counts)
    if not keys:
        return
    accounts = {i: (e, n, k) for i, e, n, k in session.execute(
        select(Account.id, Account.external_id, Account.name, Account.name_key).where(
            Account.id.in_({k[0] for k in keys})))}
    skus = {i: (c, n) for i, c, n in session.execute(
        select(Sku.id, Sku.code, Sku.name).where(Sku.id.in_({k[1] for k in keys})))}
    for acc, sku in sorted(keys, key=lambda k: (accounts[k[0]][2], k[0], skus[k[1]][0])):
        purchased = bought.get((acc, sku), 0)
        assigned, reported, active = counts.get((acc, sku), (0, 0, 0))
        used = active if reported else assigned
        yield [accounts[acc][0], accounts[acc][1], skus[sku][0], skus[sku][1], purchased,
               assigned, reported, active, _percent(assigned, purchased),
               _percent(active, reported), _percent(used, purchased)]
