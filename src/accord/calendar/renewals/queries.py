"""Renewals in SQL: the notice window of ``rules.in_window`` and the notice-deadline order,
for every account at once (held equal to the pure rule by a hypothesis test on both
databases), and the accounts whose reminder is due and not yet recorded.

The same for subscriptions (``subscription_*``): the end of the current term and the
subscription's notice days, running subscriptions only.

Reminder date ≤ today ≤ contract end is written as 0 ≤ days until the contract end ≤ notice
days + lead days, so that no database has to add a column of days to a date; a range on
``contract_end_on`` (indexed) narrows the rows first.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from accord.accounts.models import Account
from accord.calendar.models import RenewalReminder
from accord.calendar.renewals.models import SubscriptionReminder
from accord.calendar.renewals.rules import MAX_LEAD_DAYS, MAX_NOTICE_DAYS, RUNNING
from accord.core.database import days_until
from accord.core.periods import month_index
from accord.growth.models import Sku
from accord.licences.models import Subscription
from accord.revenue.models import MonthlyRevenue


def notice(column: Any = Account.notice_days) -> ColumnElement[int]:
    return func.coalesce(column, 0)


def window_condition(session: Session, today: date, lead_days: int) -> ColumnElement[bool]:
    """The account's contract is in its notice window on ``today``."""
    left = days_until(session, today, Account.contract_end_on)
    return and_(
        Account.contract_end_on.is_not(None),
        Account.contract_end_on >= today,
        Account.contract_end_on <= today + timedelta(days=MAX_NOTICE_DAYS + MAX_LEAD_DAYS),
        left <= notice() + lead_days,
    )


def deadline_order(session: Session, today: date) -> ColumnElement[int]:
    """Days from today to the notice deadline: sorting by it sorts by notice deadline."""
    return days_until(session, today, Account.contract_end_on) - notice()


def window_select(session: Session, today: date, lead_days: int) -> Select[Any]:
    """(account_id, in_window) of every account: the SQL twin of ``rules.in_window``."""
    return select(Account.id.label("account_id"),
                  case((window_condition(session, today, lead_days), True), else_=False)
                  .label("in_window"))


def due_reminders(session: Session, today: date, lead_days: int) -> Select:
    """(account_id, contract_end_on, notice_days, manager_id) of the accounts in their notice
    window whose reminder for this contract end is not yet recorded, by notice deadline."""
    return (
        select(Account.id, Account.contract_end_on, Account.notice_days, Account.manager_id)
        .outerjoin(RenewalReminder, and_(RenewalReminder.account_id == Account.id,
                                         RenewalReminder.contract_end_on
                                         == Account.contract_end_on))
        .where(window_condition(session, today, lead_days),
               Account.status.notin_(("churned", "lapsed", "prospect")),
               RenewalReminder.account_id.is_(None))
        .order_by(deadline_order(session, today), Account.id)
    )


def trailing_revenue(account_ids: list[int], today: date, months: int = 12) -> Select:
    """(account_id, cents) of the last ``months`` complete months' revenue of each account."""
    last = month_index(today) - 1
    return (
        select(MonthlyRevenue.account_id, func.sum(MonthlyRevenue.amount_cents))
        .where(MonthlyRevenue.account_id.in_(account_ids), MonthlyRevenue.month > last - months,
               MonthlyRevenue.month <= last)
        .group_by(MonthlyRevenue.account_id)
    )


# ---------------------------------------------------------------- subscriptions


def subscription_window_condition(session: Session, today: date,
                                  lead_days: int) -> ColumnElement[bool]:
    """``rules.subscription_in_window`` over ``Subscription``."""
    return and_(
        Subscription.status.in_(RUNNING),
        Subscription.end_on >= today,
        Subscription.end_on <= today + timedelta(days=MAX_NOTICE_DAYS + MAX_LEAD_DAYS),
        days_until(session, today, Subscription.end_on) <= Subscription.notice_days + lead_days,
    )


def subscription_deadline_order(session: Session, today: date) -> ColumnElement[int]:
    """Days from today to the subscription's notice deadline."""
    return days_until(session, today, Subscription.end_on) - Subscription.notice_days


def subscription_window_select(session: Session, today: date, lead_days: int) -> Select[Any]:
    """(subscription_id, in_window) of every subscription: the twin of the rule."""
    return select(Subscription.id.label("subscription_id"),
                  case((subscription_window_condition(session, today, lead_days), True),
                       else_=False).label("in_window"))


def due_subscription_reminders(session: Session, today: date, lead_days: int) -> Select:
    """(subscription_id, account_id, service, end_on, notice_days, manager_id) of the
    running subscriptions in their notice window whose reminder for this end of term is not
    yet recorded, by notice deadline."""
    return (
        select(Subscription.id, Subscription.account_id, Sku.name, Subscription.end_on,
               Subscription.notice_days, Account.manager_id)
        .join(Account, Account.id == Subscription.account_id)
        .join(Sku, Sku.id == Subscription.sku_id)
        .outerjoin(SubscriptionReminder, and_(
            SubscriptionReminder.subscription_id == Subscription.id,
            SubscriptionReminder.end_on == Subscription.end_on))
        .where(subscription_window_condition(session, today, lead_days),
               Account.status.notin_(("churned", "lapsed", "prospect")),
               SubscriptionReminder.subscription_id.is_(None))
        .order_by(subscription_deadline_order(session, today), Subscription.id)
    )
