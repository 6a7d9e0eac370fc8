"""What the data says about one relationship: the evidence behind the rubric (SQL reads).

The switching cost also counts the account's active subscriptions, which the licences (above
this package) provide: ``connect_subscriptions`` registers a function giving, for an account
and a day, a scalar subquery of that count (``accord.licences.signals.health_link``, connected
by ``accord.app.wiring``); with nothing connected the count is unknown (None).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, null, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, Contact, Interaction, InteractionContact
from accord.core.periods import month_index
from accord.relationships.rubric import Evidence, StagePolicy
from accord.revenue.models import MonthlyRevenue, RevenueLine

#: (account id, today) -> a scalar subquery: the account's active subscriptions that day
SubscriptionsSql = Callable[[int, date], Any]
_subscriptions: list[SubscriptionsSql] = []


def connect_subscriptions(sql: SubscriptionsSql) -> None:
    """Register the count of active subscriptions (the last connected answers)."""
    _subscriptions[:] = [sql]


def disconnect() -> None:
    """Forget the provider (tests)."""
    _subscriptions.clear()


def _trailing_revenue_sql(account_id: int, today: date, months: int = 12) -> Any:
    """The revenue of the last ``months`` complete months (a scalar subquery; the sum)."""
    last = month_index(today) - 1
    return (
        select(func.coalesce(func.sum(MonthlyRevenue.amount_cents), 0))
        .where(MonthlyRevenue.account_id == account_id, MonthlyRevenue.month > last - months,
               MonthlyRevenue.month <= last)
        .scalar_subquery()
    )


def gather(session: Session, account_id: int, today: date, policy: StagePolicy) -> Evidence:
    """The evidence, in one statement (the account page reads it on every view)."""
    since = today - timedelta(days=policy.contact_lookback_days)
    touched = (
        select(Contact.id, Contact.function, Contact.seniority)
        .join(InteractionContact, InteractionContact.contact_id == Contact.id)
        .join(Interaction, Interaction.id == InteractionContact.interaction_id)
        .where(
            Interaction.account_id == account_id,
            Interaction.occurred_on > since,
            Interaction.occurred_on <= today,
        )
        .distinct()
        .subquery()
    )
    contacts = (
        select(
            func.count(touched.c.id).label("contacts"),
            func.count(func.distinct(func.lower(touched.c.function))).label("functions"),
            func.count(touched.c.id).filter(touched.c.seniority == "executive")
            .label("executives"),
        )
        .subquery("contacts")
    )
    spend = (select(Account.estimated_spend_cents).where(Account.id == account_id)
             .scalar_subquery())
    contract_end = (select(Account.contract_end_on).where(Account.id == account_id)
                    .scalar_subquery())
    year_ago = today - timedelta(days=365)
    lines = (
        select(func.count(func.distinct(RevenueLine.product_line)))
        .where(
            RevenueLine.account_id == account_id,
            RevenueLine.date > year_ago,
            RevenueLine.date <= today,
            RevenueLine.product_line.is_not(None),
            RevenueLine.amount_cents > 0,
        )
        .scalar_subquery()
    )
    review_since = today - timedelta(days=policy.review_lookback_days)
    reviews = (
        select(func.count())
        .select_from(Interaction)
        .where(
            and_(
                Interaction.account_id == account_id,
                Interaction.kind == "business_review",
                Interaction.occurred_on > review_since,
                Interaction.occurred_on <= today,
            )
        )
        .scalar_subquery()
    )
    subscriptions = _subscriptions[0](account_id, today) if _subscriptions else null()
    row = session.execute(
        select(contacts.c.contacts, contacts.c.functions, contacts.c.executives,
               spend.label("spend"), _trailing_revenue_sql(account_id, today).label("revenue"),
               lines.label("lines"), reviews.label("reviews"),
               contract_end.label("contract_end"), subscriptions.label("subscriptions"))
        .select_from(contacts)
    ).one()
    share = None
    if row.spend:
        share = Decimal(max(int(row.revenue or 0), 0)) / Decimal(row.spend)
    return Evidence(
        contacts_touched=int(row.contacts or 0),
        functions=int(row.functions or 0),
        executives=int(row.executives or 0),
        share_of_wallet=share,
        product_lines=int(row.lines or 0),
        business_reviews=int(row.reviews or 0),
        active_subscriptions=(int(row.subscriptions or 0) if _subscriptions else None),
        contract_end_on=_as_date(row.contract_end),
        as_of=today,
    )


def _as_date(value: Any) -> date | None:
    """A date read through a scalar subquery (SQLite may hand back its text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
