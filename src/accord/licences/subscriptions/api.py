"""REST API of subscriptions (issue 15): list and add them, read one with its history,
change its quantity or price (billing), end it, request a change (managers), and billing's
queue of requests with approve and decline.

The doors only parse and answer: who may do what, the field checks and the conflicts are
the service's (``licences.subscriptions.service``), as for the pages and the CLI."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from accord.api.common import Caller, CallerToday, Db, IdPath, IdQuery, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core.schemas import PageNumber
from accord.licences.subscriptions import panels, service
from accord.licences.subscriptions.reading import MAX_PAGE_SIZE, REQUEST_STATES
from accord.licences.subscriptions.schemas import (
    STATES,
    ChangeIn,
    DecisionIn,
    EndIn,
    RequestOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPage,
)


class SignalPage(BaseModel):
    """Some of the services with a signal (``items``) and how many there are (``total``)."""

    items: list[panels.UsageRow]
    total: int

router = APIRouter(tags=["licences"])
#: the filters, as enumerations the OpenAPI document lists (anything else: 422)
SubscriptionState = StrEnum("SubscriptionState", [(s, s) for s in STATES])  # type: ignore[misc]
RequestState = StrEnum("RequestState", [(s, s) for s in REQUEST_STATES])  # type: ignore[misc]
Signal = StrEnum("Signal", [("upsell", "upsell"), ("risk", "risk")])
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
OnDay = Annotated[date | None, Query(
    description="The day whose term (quantity, price, monthly amount) is shown; default today")]
ETAG = "`ETag` carries the subscription's version (raised by each change and its end)."
BILLING_ONLY = ("Billing administrators and admins only: anyone else gets 403 (a manager "
                "requests a change instead).")


def _versioned(response: Response, out: SubscriptionOut) -> SubscriptionOut:
    set_etag(response, out.version)
    return out


@router.get("/subscriptions", response_model=SubscriptionPage, responses=problems(404),
            summary="The subscriptions on the accounts you see, by account and service",
            description="`account_id`: one account's (404 when you do not see it); `status`: "
            "trial, active, cancelled or expired. Quantity, price and monthly amount are "
            "those in force today.")
def list_subscriptions(
    db: Db, user: Caller, day: CallerToday, account_id: IdQuery = None,
    status: SubscriptionState | None = None, page: PageNumber = 1, page_size: PageSize = 50,
) -> SubscriptionPage:
    items, total = service.list_subscriptions(
        db, user, day, account_id=account_id, status=status.value if status else None,
        page=page, page_size=page_size)
    return SubscriptionPage(items=items, total=total, page=page, page_size=page_size)


@router.post("/subscriptions", status_code=201, response_model=SubscriptionOut,
             responses=problems(403, 404),
             summary="Add a subscription (billing)",
             description="Its first quantity and price are in force from `start_on`; the term "
             "ends `term_months` later (the day before). `currency`, when given, must be the "
             "company's (`/api/v1/company`); `reference` is unique per account. "
             + BILLING_ONLY + " " + ETAG)
def add_subscription(body: SubscriptionIn, db: Db, user: Caller, day: CallerToday,
                     response: Response) -> SubscriptionOut:
    out = service.add_subscription(db, user, body, day)
    response.headers["Location"] = f"/api/v1/subscriptions/{out.id}"
    return _versioned(response, out)


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut,
            responses=problems(404),
            summary="One subscription with its history of quantities and prices",
            description="`on`: the day whose term is shown (today by default). " + ETAG)
def get_subscription(subscription_id: IdPath, db: Db, user: Caller, day: CallerToday,
                     response: Response, on: OnDay = None) -> SubscriptionOut:
    return _versioned(response, service.get_subscription(db, user, subscription_id, on or day))


@router.post("/subscriptions/{subscription_id}/changes", response_model=SubscriptionOut,
             responses=problems(403, 404, 409),
             summary="Change the quantity (and price) from a day on (billing)",
             description="A new term beside the earlier ones, never an overwrite; `unit_price` "
             "left out keeps the price in force that day. A day before the start is a 422, a "
             "day that has a change already a 409. " + BILLING_ONLY)
def change_terms(subscription_id: IdPath, body: ChangeIn, db: Db, user: Caller,
                 day: CallerToday, response: Response, expected: IfMatch) -> SubscriptionOut:
    return _versioned(response, service.change_terms(db, user, subscription_id, body, day,
                                                     expected=expected))


@router.post("/subscriptions/{subscription_id}/end", response_model=SubscriptionOut,
             responses=problems(403, 404, 409),
             summary="Cancel it or record it expired, from a day on (billing)",
             description="MRR stops after `on`; one already ended is a 409. " + BILLING_ONLY)
def end_subscription(subscription_id: IdPath, body: EndIn, db: Db, user: Caller,
                     day: CallerToday, response: Response, expected: IfMatch) -> SubscriptionOut:
    return _versioned(response, service.end_subscription(db, user, subscription_id, body, day,
                                                         expected=expected))


@router.post("/subscriptions/{subscription_id}/requests", status_code=201,
             response_model=RequestOut, responses=problems(403, 404),
             summary="Request a change of quantity (and price) that billing decides",
             description="For whoever may change the account (managers, heads, admins); "
             "billing changes the quantity itself (`…/changes`, a 403 here).")
def request_change(subscription_id: IdPath, body: ChangeIn, db: Db, user: Caller,
                   day: CallerToday, response: Response) -> RequestOut:
    out = service.request_change(db, user, subscription_id, body, day)
    response.headers["Location"] = f"/api/v1/quantity-requests/{out.id}"
    return out


@router.get("/licences/signals", response_model=SignalPage, responses=problems(),
            summary="The services in reach that suggest an up-sell, or are a risk",
            description="`signal`: `upsell` (allocation and adoption high: the fullest first) or "
            "`risk` (adoption low: the least adopted first), as last evaluated (when seats, "
            "usage or quantities change, and daily); `limit` rows (1–200) and the `total`.")
def list_signals(db: Db, user: Caller, signal: Signal,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> SignalPage:
    items, total = panels.signal_list(db, user, signal.value, limit)
    return SignalPage(items=items, total=total)


@router.get("/quantity-requests", response_model=list[RequestOut], responses=problems(),
            summary="The requests for a change on the accounts you see, oldest first",
            description="`status`: pending (the default: billing's queue), approved, declined "
            "or all; the first 200.")
def list_requests(db: Db, user: Caller,
                  status: RequestState = RequestState("pending")) -> list[RequestOut]:
    return service.list_requests(db, user, status=status.value)


@router.get("/quantity-requests/{request_id}", response_model=RequestOut,
            responses=problems(404), summary="One request and its decision")
def get_request(request_id: IdPath, db: Db, user: Caller) -> RequestOut:
    return service.get_request(db, user, request_id)


@router.post("/quantity-requests/{request_id}/approve", response_model=RequestOut,
             responses=problems(403, 404, 409),
             summary="Approve a request (billing): its change is written as a term",
             description="The change is checked as billing's own (a day that has a change "
             "already: 409); a request decided already is a 409. " + BILLING_ONLY)
def approve_request(request_id: IdPath, db: Db, user: Caller, day: CallerToday,
                    body: DecisionIn | None = None) -> RequestOut:
    return service.decide_request(db, user, request_id, True, body or DecisionIn(), day)


@router.post("/quantity-requests/{request_id}/decline", response_model=RequestOut,
             responses=problems(403, 404, 409),
             summary="Decline a request (billing), with an optional note",
             description="A request decided already is a 409. " + BILLING_ONLY)
def decline_request(request_id: IdPath, db: Db, user: Caller, day: CallerToday,
                    body: DecisionIn | None = None) -> RequestOut:
    return service.decide_request(db, user, request_id, False, body or DecisionIn(), day)


@router.get("/accounts/{account_id}/subscriptions", response_model=list[SubscriptionOut],
            responses=problems(404),
            summary="The account's subscriptions, with the terms in force today",
            description="Every one of them, by service; an account you do not see is a 404.")
def account_subscriptions(account_id: IdPath, db: Db, user: Caller,
                          day: CallerToday) -> list[SubscriptionOut]:
    found: list[SubscriptionOut] = []
    page, total = 1, 1
    while len(found) < total:
        items, total = service.list_subscriptions(db, user, day, account_id=account_id,
                                                  page=page, page_size=MAX_PAGE_SIZE)
        if not items:
            break
        found += items
        page += 1
    return found
