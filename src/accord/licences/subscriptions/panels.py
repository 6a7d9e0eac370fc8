"""The subscription pages' own reads: the portfolio list (search, sort, pages) in a few
statements whatever its length, the renewals in their notice window, the pending requests,
and an account's MRR over the last months. Reads only; the rules stay in ``service``.

**In the notice window** (this module's rule, its SQL beside it): a trial or active
subscription whose notice deadline (``rules.notice_deadline``: end of term less the notice
days) falls within the next ``WINDOW_DAYS`` days or has passed, while the term has not ended.
The SQL says "days until the end − notice days ≤ window" so that no database adds a column
of days to a date; a range on ``end_on`` (indexed with the status) narrows the rows first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from accord.accounts.models import Account
from accord.accounts.search import ESCAPE, like_pattern
from accord.accounts.visibility import visible_accounts
from accord.core.database import days_until
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.money import from_cents
from accord.core.periods import format_month, month_index
from accord.growth.models import Sku
from accord.licences import rules
from accord.licences.models import QuantityRequest, Subscription, SubscriptionMrr, SubscriptionTerm
from accord.licences.signals.models import LicenceUsage
from accord.licences.subscriptions.reading import subscription_outs
from accord.licences.subscriptions.schemas import STATES, SubscriptionOut

#: the notice window: deadlines within this many days from today (or passed, term not over)
WINDOW_DAYS = 60
#: the states whose renewal is still to decide
RUNNING = ("trial", "active")
SORTS = ("account", "-account", "service", "-service", "end", "-end", "amount", "-amount")
MRR_MONTHS = 12
#: a subscription with its account's name, its service's name, code and billing period
Listed = Select[Subscription, str, str, str, str]


@dataclass(frozen=True)
class Listing:
    rows: list[SubscriptionOut]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class UsageRow:
    """A service's seat usage at an account, as last evaluated (``licence_usage``)."""

    account_id: int
    account_name: str
    sku_id: int
    service: str
    purchased: int
    assigned: int
    reported: int
    active: int
    allocation: Decimal | None
    adoption: Decimal | None
    utilisation: Decimal | None
    signal: str | None
    evaluated_on: date
    opportunity_id: int | None

    @property
    def bar(self) -> int:
        """The utilisation bar's width in per cent (0–100)."""
        return 0 if self.utilisation is None else max(0, min(100, int(self.utilisation * 100)))


@dataclass(frozen=True)
class PendingRequest:
    id: int
    quantity: int
    unit_price: Decimal | None
    effective_on: date
    reason: str
    requested_by: str | None
    requested_at: datetime


# ---------------------------------------------------------------- the notice window


def in_notice_window(end_on: date, notice_days: int, status: str, today: date) -> bool:
    """The pure rule: still to renew, its notice deadline within ``WINDOW_DAYS`` days or
    passed, and its term not over."""
    deadline = rules.notice_deadline(end_on, notice_days)
    return status in RUNNING and end_on >= today and (
        deadline <= today + timedelta(days=WINDOW_DAYS))


def window_condition(session: Session, today: date) -> ColumnElement[bool]:
    """``in_notice_window`` in SQL, over ``Subscription``."""
    return and_(
        Subscription.status.in_(RUNNING),
        Subscription.end_on >= today,
        Subscription.end_on <= today + timedelta(days=WINDOW_DAYS + rules.MAX_NOTICE_DAYS),
        days_until(session, today, Subscription.end_on) - Subscription.notice_days
        <= WINDOW_DAYS,
    )


# ---------------------------------------------------------------- rows


def _base(user: User) -> Listed:
    return (select(Subscription, Account.name, Sku.name, Sku.code, Sku.billing_period)
            .join(Account, Account.id == Subscription.account_id)
            .join(Sku, Sku.id == Subscription.sku_id)
            .where(visible_accounts(user, Subscription.account_id)))


def _rows(session: Session, query: Listed, today: date) -> list[SubscriptionOut]:
    """The subscriptions of ``query`` in its order, as the service shows them (their terms
    read in one statement: ``reading.subscription_outs``)."""
    return subscription_outs(session, [r[0] for r in session.execute(query)], today)


def _monthly_order(today: date) -> ColumnElement[Any]:
    """The monthly amount in force today (or at the start, not yet begun), for ORDER BY."""
    day = case((Subscription.start_on > today, Subscription.start_on), else_=literal(today))
    # a year's amount in ten-thousandths (exact integers, as licences.mrr): the monthly
    # amounts' order without a division or a float
    amount = (select(SubscriptionTerm.quantity
                     * cast(func.round(SubscriptionTerm.unit_price * 10000), BigInteger))
              .where(SubscriptionTerm.subscription_id == Subscription.id,
                     SubscriptionTerm.effective_on <= day)
              .order_by(SubscriptionTerm.effective_on.desc()).limit(1)
              .correlate(Subscription).scalar_subquery())
    per_year = case({p: 12 // m for p, m in rules.PERIOD_MONTHS.items()},
                    value=Sku.billing_period, else_=1)
    return amount * per_year


def _order(sort: str, today: date) -> list[Any]:
    key = sort.removeprefix("-")
    column: Any = {"account": Account.name_key, "service": Sku.name, "end": Subscription.end_on,
                   "amount": _monthly_order(today)}[key]
    first = column.desc() if sort.startswith("-") else column.asc()
    return [first, Account.name_key, Sku.name, Subscription.id]


def portfolio(session: Session, user: User, today: date, *, status: str | None = None,
              q: str | None = None, account_id: int | None = None, sort: str = "account",
              page: int = 1, page_size: int = 50) -> Listing:
    """The subscriptions in reach, filtered, sorted and cut into pages (three statements)."""
    problems = []
    if status is not None and status not in STATES:
        problems.append(FieldProblem("status", f"one of {', '.join(STATES)}, or all"))
    if sort not in SORTS:
        problems.append(FieldProblem("sort", f"one of {', '.join(SORTS)}"))
    if problems:
        raise ValidationFailed(problems)
    query = _base(user)
    if status is not None:
        query = query.where(Subscription.status == status)
    if account_id is not None:
        query = query.where(Subscription.account_id == account_id)
    if q and q.strip():
        query = query.where(Account.name_key.like(like_pattern(q), escape=ESCAPE))
    total = int(session.scalar(select(func.count()).select_from(
        query.with_only_columns(Subscription.id).subquery())) or 0)
    pages = max(1, -(-total // page_size))
    rows = _rows(session, query.order_by(*_order(sort, today))
                 .offset((min(page, pages) - 1) * page_size).limit(page_size), today)
    return Listing(rows, total, min(page, pages), pages)


def renewals(session: Session, user: User, today: date,
             limit: int = 50) -> tuple[list[SubscriptionOut], int]:
    """The subscriptions in reach in their notice window, by notice deadline; (some, all)."""
    query = _base(user).where(window_condition(session, today))
    total = int(session.scalar(select(func.count()).select_from(
        query.with_only_columns(Subscription.id).subquery())) or 0)
    if not total:
        return [], 0
    deadline = days_until(session, today, Subscription.end_on) - Subscription.notice_days
    return _rows(session, query.order_by(deadline, Account.name_key, Subscription.id)
                 .limit(limit), today), total


# ---------------------------------------------------------------- usage and signals


def _share(e4: int | None) -> Decimal | None:
    return None if e4 is None else Decimal(e4) / 10000


def _usage_query() -> Select[LicenceUsage, str, str]:
    return (select(LicenceUsage, Account.name, Sku.name)
            .join(Account, Account.id == LicenceUsage.account_id)
            .join(Sku, Sku.id == LicenceUsage.sku_id))


def _usage_rows(session: Session, query: Select[LicenceUsage, str, str]) -> list[UsageRow]:
    return [UsageRow(u.account_id, account, u.sku_id, service, u.purchased, u.assigned,
                     u.reported, u.active, _share(u.allocation_e4), _share(u.adoption_e4),
                     _share(u.utilisation_e4), u.signal, u.evaluated_on, u.opportunity_id)
            for u, account, service in session.execute(query)]


def usage_of(session: Session, rows: list[SubscriptionOut]) -> dict[tuple[int, int], UsageRow]:
    """The stored usage of the services of ``rows`` (subscriptions already in reach), by
    (account, service): one statement."""
    pairs = {(r.account_id, r.sku_id) for r in rows}
    if not pairs:
        return {}
    accounts = {a for a, _ in pairs}
    found = _usage_rows(session, _usage_query().where(LicenceUsage.account_id.in_(accounts)))
    return {(u.account_id, u.sku_id): u for u in found if (u.account_id, u.sku_id) in pairs}


def signal_list(session: Session, user: User, signal: str,
                limit: int = 20) -> tuple[list[UsageRow], int]:
    """The services in reach with ``signal`` (``upsell``: the fullest first; ``risk``: the
    least adopted first); (some, all)."""
    scope = [LicenceUsage.signal == signal, visible_accounts(user, LicenceUsage.account_id)]
    total = int(session.scalar(select(func.count()).select_from(LicenceUsage)
                               .where(*scope)) or 0)
    if not total:
        return [], 0
    first = (LicenceUsage.allocation_e4.desc() if signal == "upsell"
             else LicenceUsage.adoption_e4.asc())
    return _usage_rows(session, _usage_query().where(*scope).order_by(
        first, Account.name_key, Sku.name).limit(limit)), total


# ---------------------------------------------------------------- requests, MRR


def pending_count(session: Session, user: User) -> int:
    """Pending requests on the subscriptions in reach (billing: every one)."""
    return int(session.scalar(
        select(func.count()).select_from(QuantityRequest)
        .join(Subscription, Subscription.id == QuantityRequest.subscription_id)
        .where(QuantityRequest.status == "pending",
               visible_accounts(user, Subscription.account_id))) or 0)


def pending_of(session: Session, subscription_id: int) -> list[PendingRequest]:
    """The pending requests of a subscription the caller was shown (reach checked before)."""
    return [PendingRequest(r.id, r.quantity, r.unit_price, r.effective_on, r.reason, email,
                           r.requested_at)
            for r, email in session.execute(
                select(QuantityRequest, User.email)
                .outerjoin(User, User.id == QuantityRequest.requested_by_id)
                .where(QuantityRequest.subscription_id == subscription_id,
                       QuantityRequest.status == "pending")
                .order_by(QuantityRequest.requested_at, QuantityRequest.id))]


def account_mrr(session: Session, account_id: int, today: date) -> list[tuple[str, Decimal]]:
    """(month, MRR) of the last ``MRR_MONTHS`` months to today's, zero-filled; [] when the
    store holds none of them (the account was checked for reach before)."""
    last = month_index(today)
    first = last - MRR_MONTHS + 1
    stored: dict[int, int] = dict(session.execute(
        select(SubscriptionMrr.month, SubscriptionMrr.amount_cents)
        .where(SubscriptionMrr.account_id == account_id,
               SubscriptionMrr.month.between(first, last))).all())
    if not stored:
        return []
    return [(format_month(m), from_cents(stored.get(m, 0))) for m in range(first, last + 1)]


def sku_choices(session: Session) -> list[tuple[str, str]]:
    """The catalogue's services for the new-subscription form."""
    return [(str(i), f"{name} ({code}, per {period})") for i, code, name, period in
            session.execute(select(Sku.id, Sku.code, Sku.name, Sku.billing_period)
                            .order_by(Sku.name, Sku.code))]
