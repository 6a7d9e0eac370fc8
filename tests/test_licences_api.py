"""Subscriptions through the REST API on both databases (issue 15): billing adds and changes
one, a manager gets a 403 on a change and requests it instead, billing approves (the new
term shows) or declines (a second decision is a 409), an outsider finds nothing, and bad
input — a negative quantity, a change before the start, another currency, a day that has a
change already, ids out of range, an unknown filter — is refused and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.core.models import AuditEntry
from accord.licences.models import QuantityRequest, Subscription, SubscriptionTerm
from conftest import api_client
from licence_helpers import make_sku

API = "/api/v1"
NEW = {"start_on": "2026-01-01", "term_months": 12, "quantity": 100, "unit_price": "120.00",
       "auto_renew": True, "notice_days": 60}


@pytest.fixture
def sku(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as s:
        return make_sku(s)


@pytest.fixture
def as_(app, cast, sessions):
    clients: dict[str, Any] = {}

    def client(who: str):
        if who not in clients:
            clients[who] = api_client(app, cast.token(sessions, who))
        return clients[who]

    return client


def _counts(db: Session) -> tuple[int, ...]:
    db.rollback()
    return tuple(int(db.scalar(select(func.count()).select_from(m)) or 0) for m in (
        Subscription, SubscriptionTerm, QuantityRequest, AuditEntry))


def _fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def _add(as_: Any, cast: Any, sku: int) -> dict[str, Any]:
    made = as_("billing").post(f"{API}/subscriptions",
                               json={**NEW, "account_id": cast.acme_id, "sku_id": sku})
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_billing_changes_a_manager_requests_and_billing_decides(as_, cast, sku) -> None:
    billing, owner = as_("billing"), as_("owner")
    made = _add(as_, cast, sku)
    sub = f"{API}/subscriptions/{made['id']}"
    assert made["service"] == "Microsoft 365 E3" and made["currency"] == "EUR"
    assert made["notice_deadline"] == "2026-11-01"  # 60 days before 2026-12-31
    read = billing.get(sub)
    assert read.status_code == 200 and read.headers["etag"] == f'"{made["version"]}"'

    changed = billing.post(f"{sub}/changes", json={"quantity": 150, "effective_on": "2026-04-01",
                                                    "reason": "new office"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == made["version"] + 1
    assert [(t["effective_on"], t["quantity"]) for t in changed.json()["terms"]] == [
        ("2026-01-01", 100), ("2026-04-01", 150)]
    assert changed.headers["etag"] == f'"{made["version"] + 1}"'
    # a change started from the version before it is refused (If-Match), nothing written
    stale = billing.post(f"{sub}/changes", headers={"If-Match": f'"{made["version"]}"'},
                         json={"quantity": 90, "effective_on": "2026-05-01", "reason": "x"})
    assert stale.status_code == 409 and "changed by someone else" in stale.text, stale.text
    assert len(billing.get(sub).json()["terms"]) == 2
    assert billing.get(f"{sub}?on=2026-03-31").json()["quantity"] == 100
    on_may = billing.get(f"{sub}?on=2026-05-01").json()
    assert on_may["quantity"] == 150 and on_may["monthly_amount"] == "1500.00"

    # the manager may not change it: they ask billing
    refused = owner.post(f"{sub}/changes", json={"quantity": 180, "effective_on": "2026-07-01",
                                                  "reason": "hires"})
    assert refused.status_code == 403, refused.text
    asked = owner.post(f"{sub}/requests", json={"quantity": 180, "effective_on": "2026-07-01",
                                                 "reason": "hires"})
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "pending" and request["requested_by"] == "owner@accord.test"
    assert asked.headers["location"] == f"{API}/quantity-requests/{request['id']}"
    assert [r["id"] for r in billing.get(f"{API}/quantity-requests").json()] == [request["id"]]
    assert billing.post(f"{sub}/requests", json={"quantity": 1, "effective_on": "2026-07-01",
                                                  "reason": "x"}).status_code == 403

    decided = billing.post(f"{API}/quantity-requests/{request['id']}/approve",
                           json={"note": "checked"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"
    assert decided.json()["decided_by"] == "billing@accord.test"
    on_july = billing.get(f"{sub}?on=2026-07-01").json()
    assert on_july["quantity"] == 180 and on_july["unit_price"] == "120.0000"
    assert on_july["terms"][-1]["request_id"] == request["id"]
    again = billing.post(f"{API}/quantity-requests/{request['id']}/approve")
    assert again.status_code == 409, again.text
    assert owner.get(f"{API}/quantity-requests/{request['id']}").json()["status"] == "approved"

    other = owner.post(f"{sub}/requests", json={"quantity": 300, "effective_on": "2026-09-01",
                                                 "reason": "a second site"}).json()
    assert owner.post(f"{API}/quantity-requests/{other['id']}/decline").status_code == 403
    declined = billing.post(f"{API}/quantity-requests/{other['id']}/decline",
                            json={"note": "not this year"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert declined.json()["decision_note"] == "not this year"
    assert billing.post(f"{API}/quantity-requests/{other['id']}/approve").status_code == 409
    assert len(billing.get(f"{sub}?on=2026-10-01").json()["terms"]) == 3  # nothing written
    assert [r["id"] for r in billing.get(f"{API}/quantity-requests?status=declined").json()] \
        == [other["id"]]
    assert len(billing.get(f"{API}/quantity-requests?status=all").json()) == 2
    assert billing.get(f"{API}/quantity-requests").json() == []

    listed = as_("viewer").get(f"{API}/subscriptions?status=active&account_id={cast.acme_id}")
    assert listed.status_code == 200
    assert (listed.json()["total"], listed.json()["page_size"]) == (1, 50)
    assert [s["id"] for s in owner.get(f"{API}/accounts/{cast.acme_id}/subscriptions").json()] \
        == [made["id"]]

    ended = billing.post(f"{sub}/end", json={"status": "cancelled", "on": "2026-12-31",
                                             "reason": "moved to a reseller"})
    assert ended.status_code == 200 and ended.json()["status"] == "cancelled"
    assert billing.post(f"{sub}/end", json={"status": "expired", "on": "2026-12-31",
                                            "reason": "again"}).status_code == 409
    assert billing.get(f"{API}/subscriptions?status=active").json()["total"] == 0


def test_an_outsider_finds_nothing_of_acme(as_, cast, sku) -> None:
    made = _add(as_, cast, sku)
    request = as_("owner").post(f"{API}/subscriptions/{made['id']}/requests", json={
        "quantity": 120, "effective_on": "2026-06-01", "reason": "hires"}).json()
    outsider = as_("outsider")
    for url in (f"{API}/subscriptions/{made['id']}", f"{API}/quantity-requests/{request['id']}",
                f"{API}/accounts/{cast.acme_id}/subscriptions",
                f"{API}/subscriptions?account_id={cast.acme_id}"):
        answer = outsider.get(url)
        assert answer.status_code == 404, (url, answer.text)
        assert "Acme" not in answer.text
    assert outsider.post(f"{API}/subscriptions/{made['id']}/requests", json={
        "quantity": 1, "effective_on": "2026-06-01", "reason": "x"}).status_code == 404
    listed = outsider.get(f"{API}/subscriptions").json()
    assert (listed["items"], listed["total"]) == ([], 0)
    assert outsider.get(f"{API}/quantity-requests?status=all").json() == []
    assert as_("billing").get(f"{API}/accounts/987654/subscriptions").status_code == 404


def test_bad_input_is_refused_and_writes_nothing(as_, cast, sku, db) -> None:
    billing, owner = as_("billing"), as_("owner")  # their tokens are written before counting
    made = _add(as_, cast, sku)
    sub = f"{API}/subscriptions/{made['id']}"
    before = _counts(db)
    new = {**NEW, "account_id": cast.acme_id, "sku_id": sku}
    cases = [
        (billing.post(f"{API}/subscriptions", json={**new, "quantity": -1}), "quantity"),
        (billing.post(f"{API}/subscriptions", json={**new, "currency": "USD"}), "currency"),
        (billing.post(f"{API}/subscriptions", json={**new, "unit_price": "1.23456"}),
         "unit_price"),
        (billing.post(f"{sub}/changes", json={"quantity": 5, "effective_on": "2025-12-31",
                                              "reason": "too early"}), "effective_on"),
        (billing.post(f"{sub}/changes", json={"quantity": -5, "effective_on": "2026-02-01",
                                              "reason": "fewer"}), "quantity"),
        (owner.post(f"{sub}/requests", json={"quantity": 5, "effective_on": "2025-12-31",
                                                    "reason": "too early"}), "effective_on"),
        (billing.post(f"{sub}/end", json={"status": "paused", "on": "2026-06-30",
                                          "reason": "x"}), "status"),
        (billing.get(f"{API}/subscriptions?status=zombie"), "status"),
        (billing.get(f"{API}/subscriptions?page_size=201"), "page_size"),
        (billing.get(f"{API}/quantity-requests?status=maybe"), "status"),
    ]
    for answer, field in cases:
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in _fields(answer), (field, answer.text)
    # the start day has its term already
    same_day = billing.post(f"{sub}/changes", json={"quantity": 5, "effective_on": "2026-01-01",
                                                    "reason": "again"})
    assert same_day.status_code == 409, same_day.text
    for url, status in ((f"{API}/subscriptions/abc", 422), (f"{API}/subscriptions/0", 422),
                        (f"{API}/subscriptions/2147483648", 422),
                        (f"{API}/subscriptions/2147483647", 404),
                        (f"{API}/quantity-requests/2147483648", 422),
                        (f"{API}/quantity-requests/2147483647", 404),
                        (f"{API}/subscriptions/{made['id']}?on=2026-13-01", 422)):
        assert billing.get(url).status_code == status, url
    assert _counts(db) == before
