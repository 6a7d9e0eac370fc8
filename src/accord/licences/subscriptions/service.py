"""Subscriptions: add one, change its quantity or price from a date on, end it; a manager's
request for a change and billing's decision on it.

Who may: whoever sees the account reads its subscriptions (billing and admins see every
account). Quantities, prices, new and ended subscriptions are billing's (and admins'): anyone
else gets a 403 saying a manager requests a change instead. A request is made by whoever may
change the account (managers, heads, admins); billing approves it (which writes the term) or
declines it. A subscription or request out of reach answers like a missing one (404).

Every change is audited (``subscription``, ``quantity_request``) and rebuilds the account's
MRR store (``licences.mrr``) in the same transaction, through ``HORIZON_MONTHS`` past
today's month: a read never writes it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.visibility import get_visible_account, get_writable_account
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.periods import month_index
from accord.core.schemas import MAX_ID
from accord.growth.models import Sku
from accord.licences import mrr, rules
from accord.licences import settings as licence_settings
from accord.licences.models import QuantityRequest, Subscription, SubscriptionTerm
from accord.licences.signals import service as signals
from accord.licences.subscriptions.reading import (
    ENTITY,
    REQUEST_ENTITY,
    get_request,
    get_subscription,
    list_requests,
    list_subscriptions,
    request_out,
    subscription_out,
    terms_of,
    visible_subscription,
)
from accord.licences.subscriptions.schemas import (
    ChangeIn,
    DecisionIn,
    EndIn,
    RequestOut,
    SubscriptionIn,
    SubscriptionOut,
)

__all__ = ["add_subscription", "change_terms", "decide_request", "end_subscription",
           "get_request", "get_subscription", "list_requests", "list_subscriptions",
           "request_change", "require_billing"]

#: the MRR store is kept this many months past today's (future-dated changes included)
HORIZON_MONTHS = 12
BILLING = frozenset({Role.ADMIN, Role.BILLING})


def require_billing(user: User, what: str) -> None:
    """403 unless billing or admin (the doors ask first, before reading a form)."""
    if user.role not in BILLING:
        raise Forbidden(f"only billing administrators and admins {what}; a manager requests "
                        "a change, which billing approves")


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationFailed([FieldProblem(k, v) for k, v in problems.items()])


def _rebuild(session: Session, account_id: int, today: date) -> None:
    """What follows a subscription's change: the account's MRR (and its KPI rows) and its
    licence signals (quantities change the allocation)."""
    mrr.rebuild(session, through=month_index(today) + HORIZON_MONTHS, accounts=[account_id])
    signals.refresh(session, [account_id], today)


def _locked(session: Session, user: User, subscription_id: int) -> Subscription:
    found = visible_subscription(session, user, subscription_id)
    session.refresh(found, with_for_update=True)
    return found


def add_subscription(session: Session, user: User, data: SubscriptionIn,
                     today: date) -> SubscriptionOut:
    """A new subscription with its first term from its start; audited."""
    require_billing(user, "add subscriptions")
    get_visible_account(session, user, data.account_id)
    problems: dict[str, str] = {}
    if session.get(Sku, data.sku_id) is None:
        problems["sku_id"] = f"no service {data.sku_id} in the catalogue"
    company = licence_settings.currency(session)
    if data.currency is not None and data.currency != company:
        problems["currency"] = (f"subscriptions are in {company}, the company's currency "
                                f"(set on /admin/company): {data.currency} is refused")
    problems.update({k: v for k, v in rules.check_change(
        data.start_on, data.start_on, data.quantity, data.unit_price).items()
        if k != "effective_on"})
    if data.reference and session.scalar(select(Subscription.id).where(
            Subscription.account_id == data.account_id,
            Subscription.reference == data.reference)):
        problems["reference"] = f"the account has a subscription {data.reference} already"
    _refuse(problems)
    now = utcnow()
    row = Subscription(account_id=data.account_id, sku_id=data.sku_id, status=data.status,
                       start_on=data.start_on, term_months=data.term_months,
                       end_on=rules.term_end(data.start_on, data.term_months),
                       auto_renew=data.auto_renew, notice_days=data.notice_days,
                       currency=company, reference=data.reference or None,
                       created_by_id=user.id, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    session.add(SubscriptionTerm(subscription_id=row.id, effective_on=data.start_on,
                                 quantity=data.quantity, unit_price=data.unit_price,
                                 reason=data.reason or "new subscription",
                                 changed_by_id=user.id, changed_at=now))
    session.flush()
    audit.record(session, user, "create", ENTITY, row.id, account_id=row.account_id,
                 after={"sku_id": row.sku_id, "status": row.status,
                        "start_on": row.start_on.isoformat(), "term_months": row.term_months,
                        "quantity": data.quantity, "unit_price": str(data.unit_price),
                        "currency": row.currency})
    _rebuild(session, row.account_id, today)
    return subscription_out(session, row, today)


def change_terms(session: Session, user: User, subscription_id: int, change: ChangeIn,
                 today: date, *, request_id: int | None = None,
                 expected: versions.Expected | None = None) -> SubscriptionOut:
    """A new quantity (and price) from ``effective_on`` on, kept beside the earlier ones;
    refused (409) when ``expected`` names a version the subscription has moved past."""
    require_billing(user, "change quantities and prices")
    row = _locked(session, user, subscription_id)
    versions.check(session, row, expected, f"subscription {row.id}")
    problems = rules.check_change(row.start_on, change.effective_on, change.quantity,
                                  change.unit_price)
    stop = rules.covered_until(rules.Cover(row.status, row.start_on, row.end_on,
                                           row.auto_renew, row.ended_on))
    if row.status in ("cancelled", "expired") and stop and change.effective_on > stop:
        problems.setdefault("effective_on", f"the subscription ended on {stop.isoformat()}")
    _refuse(problems)
    terms = terms_of(session, row.id)
    if any(t.effective_on == change.effective_on for t in terms):
        raise Conflict(f"subscription {row.id} has a change effective on "
                       f"{change.effective_on.isoformat()} already: choose another day")
    in_force = rules.term_in_force(terms, change.effective_on)
    price = change.unit_price if change.unit_price is not None else (
        in_force.unit_price if in_force else Decimal(0))
    session.add(SubscriptionTerm(subscription_id=row.id, effective_on=change.effective_on,
                                 quantity=change.quantity, unit_price=price,
                                 reason=change.reason, changed_by_id=user.id,
                                 changed_at=utcnow(), request_id=request_id))
    row.updated_at = utcnow()
    row.version = row.version + 1
    session.flush()
    audit.record(session, user, "change", ENTITY, row.id, account_id=row.account_id,
                 before=None if in_force is None else {
                     "quantity": in_force.quantity, "unit_price": str(in_force.unit_price)},
                 after={"effective_on": change.effective_on.isoformat(),
                        "quantity": change.quantity, "unit_price": str(price)},
                 note=change.reason)
    _rebuild(session, row.account_id, today)
    return subscription_out(session, row, today)


def end_subscription(session: Session, user: User, subscription_id: int, data: EndIn,
                     today: date, *, expected: versions.Expected | None = None
                     ) -> SubscriptionOut:
    """Cancelled or expired from a day on: MRR stops after it; audited (409 on a stale
    ``expected`` version, as for a change)."""
    require_billing(user, "end subscriptions")
    row = _locked(session, user, subscription_id)
    versions.check(session, row, expected, f"subscription {row.id}")
    if row.status in ("cancelled", "expired"):
        raise Conflict(f"subscription {row.id} is {row.status} already")
    if data.on < row.start_on:
        _refuse({"on": f"{data.on.isoformat()} is before the subscription starts "
                       f"({row.start_on.isoformat()})"})
    before = {"status": row.status, "ended_on": None}
    row.status, row.ended_on = data.status, data.on
    row.updated_at = utcnow()
    row.version = row.version + 1
    session.flush()
    audit.record(session, user, data.status, ENTITY, row.id, account_id=row.account_id,
                 before=before, after={"status": row.status, "ended_on": data.on.isoformat()},
                 note=data.reason)
    _rebuild(session, row.account_id, today)
    return subscription_out(session, row, today)


def request_change(session: Session, user: User, subscription_id: int, change: ChangeIn,
                   today: date) -> RequestOut:
    """A manager's request; billing decides. Refused for who may not change the account."""
    row = visible_subscription(session, user, subscription_id)
    if user.role in BILLING and user.role != Role.ADMIN:
        raise Forbidden("billing changes the quantity itself: POST …/changes")
    get_writable_account(session, user, row.account_id)
    _refuse(rules.check_change(row.start_on, change.effective_on, change.quantity,
                               change.unit_price))
    request = QuantityRequest(subscription_id=row.id, quantity=change.quantity,
                              unit_price=change.unit_price, effective_on=change.effective_on,
                              reason=change.reason, requested_by_id=user.id,
                              requested_at=utcnow())
    session.add(request)
    session.flush()
    audit.record(session, user, "request", REQUEST_ENTITY, request.id,
                 account_id=row.account_id, note=change.reason,
                 after={"subscription_id": row.id, "quantity": change.quantity,
                        "unit_price": None if change.unit_price is None
                        else str(change.unit_price),
                        "effective_on": change.effective_on.isoformat()})
    return request_out(session, request)


def decide_request(session: Session, user: User, request_id: int, approve: bool,
                   decision: DecisionIn, today: date) -> RequestOut:
    """Approve (the change is written as a term tied to the request) or decline."""
    require_billing(user, "decide requests")
    if not 1 <= request_id <= MAX_ID:
        raise NotFound(f"no request {request_id}")
    request = session.get(QuantityRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound(f"no request {request_id}")
    visible_subscription(session, user, request.subscription_id)
    if request.status != "pending":
        raise Conflict(f"request {request.id} is {request.status} already")
    if approve:
        note = f" — {decision.note}" if decision.note else ""
        change_terms(session, user, request.subscription_id, ChangeIn(
            quantity=request.quantity, unit_price=request.unit_price,
            effective_on=request.effective_on,
            reason=f"request {request.id}: {request.reason}{note}"[:2000]), today,
            request_id=request.id)
    request.status = "approved" if approve else "declined"
    request.decided_by_id, request.decided_at = user.id, utcnow()
    request.decision_note = decision.note or None
    session.flush()
    after: dict[str, Any] = {"status": request.status}
    audit.record(session, user, request.status, REQUEST_ENTITY, request.id,
                 before={"status": "pending"}, after=after, note=decision.note or None,
                 account_id=session.scalar(select(Subscription.account_id).where(
                     Subscription.id == request.subscription_id)))
    return request_out(session, request)
