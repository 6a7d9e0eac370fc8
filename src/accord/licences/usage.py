"""Seat usage in SQL for many accounts at once: per account and service (SKU) on a day, the
seats purchased, assigned, reported and active — the counts behind ``rules.usage``. The one
SQL form of the rule: the signals (every account), the account's Licences tab and API
(``seats.reading.usage``: one account) and the utilisation export (the accounts a user
sees) all count here.

- **purchased**: the quantities in force that day (the latest term effective on or before
  it) of the subscriptions that provide seats that day (``rules.provides_seats_on``:
  started, covered; trials too);
- **assigned**: the seats held that day (from ≤ day ≤ to, or no end);
- **reported**: held seats whose person a usage report covered (any ``seat_activity`` row);
- **active**: held seats whose last use of a workload of the product (``sku_services``;
  every workload when the product lists none) lies in (day − active_days, day].

``tests/test_licences_signals.py`` and ``tests/test_licences_seats_doors.py`` hold these
counts equal to the seat grid's (``seats.service.seat_grid``, the pure rules) on both
databases.

``account_ids`` narrows any of them: a list of ids, or a SELECT of ids (the accounts a user
sees).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.sql import Select

from accord.licences.models import (
    SeatActivity,
    SeatAssignment,
    SkuService,
    Subscription,
    SubscriptionTerm,
)

#: accounts to count: their ids, or a SELECT of them
Ids = Sequence[int] | Select[Any]


def provides_seats(day: date) -> Any:
    """``rules.provides_seats_on`` over ``Subscription``."""
    return and_(
        Subscription.start_on <= day,
        or_(
            and_(Subscription.ended_on.is_not(None), Subscription.ended_on >= day),
            and_(Subscription.ended_on.is_(None),
                 or_(and_(Subscription.status.in_(("trial", "active")),
                          Subscription.auto_renew.is_(True)),
                     Subscription.end_on >= day)),
        ),
    )


def purchased_select(day: date, account_ids: Ids | None = None) -> Select:
    """(account_id, sku_id, purchased) of the pairs with a subscription providing seats."""
    rank = func.row_number().over(partition_by=SubscriptionTerm.subscription_id,
                                  order_by=SubscriptionTerm.effective_on.desc())
    ranked = (select(Subscription.account_id, Subscription.sku_id, SubscriptionTerm.quantity,
                     rank.label("rn"))
              .join(SubscriptionTerm, SubscriptionTerm.subscription_id == Subscription.id)
              .where(provides_seats(day), SubscriptionTerm.effective_on <= day))
    if account_ids is not None:
        ranked = ranked.where(Subscription.account_id.in_(account_ids))
    terms = ranked.subquery("in_force")
    return (select(terms.c.account_id, terms.c.sku_id,
                   func.sum(terms.c.quantity).label("purchased"))
            .where(terms.c.rn == 1).group_by(terms.c.account_id, terms.c.sku_id))


def holding(day: date) -> Any:
    return and_(SeatAssignment.from_on <= day,
                or_(SeatAssignment.to_on.is_(None), SeatAssignment.to_on >= day))


def seats_select(day: date, active_days: int,
                 account_ids: Ids | None = None) -> Select:
    """(account_id, sku_id, assigned, reported, active) of the pairs with seats held."""
    cutoff = day - timedelta(days=active_days)
    # the seat's own product's workloads (correlated to the seat two levels up: without it
    # the subquery would read every product's workloads)
    workloads = (select(SkuService.service).where(SkuService.sku_id == SeatAssignment.sku_id)
                 .correlate(SeatAssignment))
    reported = exists().where(SeatActivity.licence_user_id == SeatAssignment.licence_user_id)
    last_use = (select(func.max(SeatActivity.last_active_on))
                .where(SeatActivity.licence_user_id == SeatAssignment.licence_user_id,
                       or_(SeatActivity.service.in_(workloads), ~workloads.exists()))
                .scalar_subquery())
    active = and_(last_use > cutoff, last_use <= day)
    query = (select(SeatAssignment.account_id, SeatAssignment.sku_id,
                    func.count().label("assigned"),
                    func.sum(case((reported, 1), else_=0)).label("reported"),
                    func.sum(case((active, 1), else_=0)).label("active"))
             .where(holding(day))
             .group_by(SeatAssignment.account_id, SeatAssignment.sku_id))
    if account_ids is not None:
        query = query.where(SeatAssignment.account_id.in_(account_ids))
    return query


def usage_select(day: date, active_days: int,
                 account_ids: Ids | None = None) -> Select:
    """(account_id, sku_id, purchased, assigned, reported, active) of every pair with a
    subscription providing seats or seats held that day."""
    bought = purchased_select(day, account_ids).subquery("bought")
    held = seats_select(day, active_days, account_ids).subquery("held")
    zero = literal(0)
    both = union_all(
        select(bought.c.account_id, bought.c.sku_id, bought.c.purchased.label("purchased"),
               zero.label("assigned"), zero.label("reported"), zero.label("active")),
        select(held.c.account_id, held.c.sku_id, zero, held.c.assigned, held.c.reported,
               held.c.active),
    ).subquery("pairs")
    return (select(both.c.account_id, both.c.sku_id,
                   func.sum(both.c.purchased).label("purchased"),
                   func.sum(both.c.assigned).label("assigned"),
                   func.sum(both.c.reported).label("reported"),
                   func.sum(both.c.active).label("active"))
            .group_by(both.c.account_id, both.c.sku_id))


def price_in_force(day: date, account_id: int, sku_id: int) -> Select:
    """(quantity, unit_price) of the terms in force of an account's subscriptions to a
    service that provide seats (the up-sell's value)."""
    rank = func.row_number().over(partition_by=SubscriptionTerm.subscription_id,
                                  order_by=SubscriptionTerm.effective_on.desc())
    ranked = (select(SubscriptionTerm.quantity, SubscriptionTerm.unit_price, rank.label("rn"))
              .join(Subscription, Subscription.id == SubscriptionTerm.subscription_id)
              .where(Subscription.account_id == account_id, Subscription.sku_id == sku_id,
                     provides_seats(day), SubscriptionTerm.effective_on <= day)
              .subquery("terms"))
    return select(ranked.c.quantity, ranked.c.unit_price).where(ranked.c.rn == 1)


def counts(day: date) -> Any:
    """``rules.counts_on`` over ``Subscription``: not a trial, started, covered that day."""
    return and_(Subscription.status != "trial", provides_seats(day))


def active_subscriptions(account_id: int, day: date) -> Any:
    """The account's subscriptions that count that day, as a scalar subquery."""
    return (select(func.count()).select_from(Subscription)
            .where(Subscription.account_id == account_id, counts(day)).scalar_subquery())
