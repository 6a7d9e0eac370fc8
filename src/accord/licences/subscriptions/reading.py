"""Reading subscriptions and requests, within the caller's reach (reads only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account
from accord.accounts.visibility import get_visible_account, visible_accounts
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.core.money import from_cents
from accord.core.schemas import MAX_ID
from accord.growth.models import Sku
from accord.licences import rules
from accord.licences.models import QuantityRequest, Subscription, SubscriptionTerm
from accord.licences.subscriptions.schemas import (
    STATES,
    RequestOut,
    SubscriptionOut,
    TermOut,
)

ENTITY = "subscription"
REQUEST_ENTITY = "quantity_request"
MAX_PAGE_SIZE = 200
REQUEST_STATES = ("pending", "approved", "declined", "all")


def visible_subscription(session: Session, user: User, subscription_id: int) -> Subscription:
    """The subscription if its account is in reach; else ``no subscription N`` (404)."""
    if not 1 <= subscription_id <= MAX_ID:
        raise NotFound(f"no subscription {subscription_id}")
    found = session.scalar(select(Subscription).where(
        Subscription.id == subscription_id, visible_accounts(user, Subscription.account_id)))
    if found is None:
        raise NotFound(f"no subscription {subscription_id}")
    return found


def terms_of(session: Session, subscription_id: int) -> list[rules.Term]:
    return [rules.Term(t.effective_on, t.quantity, t.unit_price) for t in session.scalars(
        select(SubscriptionTerm).where(SubscriptionTerm.subscription_id == subscription_id)
        .order_by(SubscriptionTerm.effective_on))]


def subscription_outs(session: Session, rows: Sequence[Subscription],
                      today: date) -> list[SubscriptionOut]:
    """The subscriptions with their account, service and history: three statements for any
    number of rows."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    names = dict(session.execute(select(Account.id, Account.name).where(
        Account.id.in_({r.account_id for r in rows}))).all())
    skus = {k.id: k for k in session.scalars(select(Sku).where(
        Sku.id.in_({r.sku_id for r in rows})))}
    changer = aliased(User)
    history: dict[int, list[tuple[SubscriptionTerm, str | None]]] = {i: [] for i in ids}
    for term, email in session.execute(
            select(SubscriptionTerm, changer.email)
            .outerjoin(changer, changer.id == SubscriptionTerm.changed_by_id)
            .where(SubscriptionTerm.subscription_id.in_(ids))
            .order_by(SubscriptionTerm.subscription_id, SubscriptionTerm.effective_on)):
        history[term.subscription_id].append((term, email))
    return [_out(row, names[row.account_id], skus[row.sku_id], history[row.id], today)
            for row in rows]


def _out(row: Subscription, account_name: str, sku: Sku,
         history: list[tuple[SubscriptionTerm, str | None]], today: date) -> SubscriptionOut:
    terms = [rules.Term(t.effective_on, t.quantity, t.unit_price) for t, _ in history]
    now = rules.term_in_force(terms, max(today, row.start_on)) or terms[0]
    return SubscriptionOut(
        id=row.id, account_id=row.account_id, account_name=account_name, sku_id=sku.id,
        sku_code=sku.code, service=sku.name, billing_period=sku.billing_period,
        status=row.status, start_on=row.start_on, term_months=row.term_months,
        end_on=row.end_on, notice_deadline=rules.notice_deadline(row.end_on, row.notice_days),
        auto_renew=row.auto_renew, notice_days=row.notice_days, currency=row.currency,
        reference=row.reference, ended_on=row.ended_on, quantity=now.quantity,
        unit_price=now.unit_price,
        monthly_amount=from_cents(rules.monthly_cents(now.quantity, now.unit_price,
                                                      sku.billing_period)),
        terms=[TermOut(effective_on=t.effective_on, quantity=t.quantity,
                       unit_price=t.unit_price, reason=t.reason, changed_by=email,
                       changed_at=t.changed_at, request_id=t.request_id)
               for t, email in history],
        version=row.version)


def subscription_out(session: Session, row: Subscription, today: date) -> SubscriptionOut:
    return subscription_outs(session, [row], today)[0]


def get_subscription(session: Session, user: User, subscription_id: int,
                     today: date) -> SubscriptionOut:
    return subscription_out(session, visible_subscription(session, user, subscription_id),
                            today)


def list_subscriptions(session: Session, user: User, today: date, *,
                       account_id: int | None = None, status: str | None = None,
                       page: int = 1, page_size: int = 50) -> tuple[list[SubscriptionOut], int]:
    """The subscriptions in reach, by account name and service; ``(page, total)``."""
    problems = []
    if status is not None and status not in STATES:
        problems.append(FieldProblem("status", f"one of {', '.join(STATES)}"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"1 to {MAX_PAGE_SIZE}"))
    if not 1 <= page <= MAX_ID:
        problems.append(FieldProblem("page", "1 or more"))
    if problems:
        raise ValidationFailed(problems)
    query = (select(Subscription).join(Account, Account.id == Subscription.account_id)
             .join(Sku, Sku.id == Subscription.sku_id)
             .where(visible_accounts(user, Subscription.account_id)))
    if account_id is not None:
        if not 1 <= account_id <= MAX_ID:
            raise NotFound(f"no account {account_id}")
        get_visible_account(session, user, account_id)
        query = query.where(Subscription.account_id == account_id)
    if status is not None:
        query = query.where(Subscription.status == status)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(query.order_by(Account.name, Sku.name, Subscription.id)
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return subscription_outs(session, rows, today), total


def request_outs(session: Session, requests: Sequence[QuantityRequest]) -> list[RequestOut]:
    """The requests with their account, service and people: one statement for any number."""
    if not requests:
        return []
    asker, decider = aliased(User), aliased(User)
    found = {r[0]: r[1:] for r in session.execute(
        select(QuantityRequest.id, Subscription.account_id, Account.name, Sku.name,
               asker.email, decider.email)
        .join(Subscription, Subscription.id == QuantityRequest.subscription_id)
        .join(Account, Account.id == Subscription.account_id)
        .join(Sku, Sku.id == Subscription.sku_id)
        .outerjoin(asker, asker.id == QuantityRequest.requested_by_id)
        .outerjoin(decider, decider.id == QuantityRequest.decided_by_id)
        .where(QuantityRequest.id.in_([r.id for r in requests]))).all()}
    return [RequestOut(
        id=r.id, subscription_id=r.subscription_id, account_id=found[r.id][0],
        account_name=found[r.id][1], service=found[r.id][2], quantity=r.quantity,
        unit_price=r.unit_price, effective_on=r.effective_on, reason=r.reason,
        status=r.status, requested_by=found[r.id][3], requested_at=r.requested_at,
        decided_by=found[r.id][4], decided_at=r.decided_at, decision_note=r.decision_note)
        for r in requests]


def request_out(session: Session, request: QuantityRequest) -> RequestOut:
    return request_outs(session, [request])[0]


def get_request(session: Session, user: User, request_id: int) -> RequestOut:
    if not 1 <= request_id <= MAX_ID:
        raise NotFound(f"no request {request_id}")
    request = session.get(QuantityRequest, request_id)
    if request is None:
        raise NotFound(f"no request {request_id}")
    try:
        visible_subscription(session, user, request.subscription_id)
    except NotFound:
        raise NotFound(f"no request {request_id}") from None
    return request_out(session, request)


def list_requests(session: Session, user: User, *, status: str = "pending",
                  limit: int = 200) -> list[RequestOut]:
    """The requests in reach (billing's queue: every account), oldest first."""
    if status not in REQUEST_STATES:
        raise ValidationFailed([FieldProblem("status", f"one of {', '.join(REQUEST_STATES)}")])
    query = (select(QuantityRequest)
             .join(Subscription, Subscription.id == QuantityRequest.subscription_id)
             .where(visible_accounts(user, Subscription.account_id)))
    if status != "all":
        query = query.where(QuantityRequest.status == status)
    rows = session.scalars(query.order_by(QuantityRequest.requested_at, QuantityRequest.id)
                           .limit(limit)).all()
    return request_outs(session, rows)
