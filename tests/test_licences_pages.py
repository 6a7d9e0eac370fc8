"""Subscription pages on both databases: billing adds a subscription through the form and
changes its quantity; the account's manager sees the Licences tab and requests a change,
which billing approves from the queue (the subscription page then shows the new term); an
outsider gets 404 on Acme's tab and subscription; a negative quantity and an effective date
before the start re-render the form with its message and write nothing; a manager may not
change a quantity (403). And the notice window's SQL is its pure rule."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accord.core.database import utcnow
from accord.core.models import User
from accord.licences.models import QuantityRequest, Subscription, SubscriptionTerm
from accord.licences.subscriptions import panels
from licence_helpers import make_sku
from page_helpers import sign_in


@pytest.fixture
def sku(sessions) -> int:
    with sessions.begin() as s:
        return make_sku(s)


def _count(db, model) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _signed_in(app, email: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, sign_in(client, email)


def _add(client: TestClient, csrf: str, account_id: int, sku: int, **over: str):
    return client.post("/subscriptions", data={
        "csrf_token": csrf, "account_id": str(account_id), "sku_id": str(sku),
        "start_on": "2026-01-01", "term_months": "12", "quantity": "100",
        "unit_price": "120.00", "notice_days": "60", "auto_renew": "true", **over},
        follow_redirects=False)


def test_billing_adds_and_changes_and_a_manager_requests(app, cast, sku, db) -> None:
    billing, b_csrf = _signed_in(app, "billing@accord.test")
    assert 'href="/licences"' in billing.get("/accounts").text
    tab = billing.get(f"/accounts/{cast.acme_id}/licences")
    assert tab.status_code == 200 and 'id="no-subscriptions"' in tab.text
    assert 'id="add-subscription"' in tab.text
    form = billing.get(f"/subscriptions/new?account_id={cast.acme_id}")
    assert form.status_code == 200 and "Microsoft 365 E3 (M365-E3, per year)" in form.text
    # a negative quantity: the form again with its message, nothing written
    bad = _add(billing, b_csrf, cast.acme_id, sku, quantity="-5")
    assert bad.status_code == 422 and 'id="sb-quantity-error"' in bad.text
    assert _count(db, Subscription) == 0
    made = _add(billing, b_csrf, cast.acme_id, sku)
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    page = billing.get(url)
    assert page.status_code == 200 and 'id="change-form"' in page.text
    assert 'id="request-form"' not in page.text  # billing changes it itself
    assert "1,000.00" in page.text  # 100 × 120.00 a year ÷ 12
    # an effective date before the start: the message, nothing written
    before = billing.post(f"{url}/changes", data={
        "csrf_token": b_csrf, "quantity": "110", "effective_on": "2025-12-01",
        "reason": "early"})
    assert before.status_code == 422 and 'id="ch-effective_on-error"' in before.text
    assert "before the subscription starts" in before.text
    negative = billing.post(f"{url}/changes", data={
        "csrf_token": b_csrf, "quantity": "-1", "effective_on": "2026-03-01", "reason": "x"})
    assert negative.status_code == 422 and 'id="ch-quantity-error"' in negative.text
    assert _count(db, SubscriptionTerm) == 1
    changed = billing.post(f"{url}/changes", data={
        "csrf_token": b_csrf, "quantity": "110", "effective_on": "2026-03-01",
        "reason": "new office"}, follow_redirects=False)
    assert changed.status_code == 303 and changed.headers["location"] == url
    page = billing.get(url).text
    assert 'id="term-2026-03-01"' in page and "new office" in page
    # a form shown before that change (version 1) is refused with the page as it is now
    stale = billing.post(f"{url}/changes", data={
        "csrf_token": b_csrf, "version": "1", "quantity": "120", "effective_on": "2026-04-01",
        "reason": "late"})
    assert stale.status_code == 409 and "changed by someone else meanwhile" in stale.text
    assert 'name="version" value="2"' in stale.text and _count(db, SubscriptionTerm) == 2
    # the manager: the tab, the page with the request form (no change form); a change is 403
    owner, o_csrf = _signed_in(app, "owner@accord.test")
    tab = owner.get(f"/accounts/{cast.acme_id}/licences")
    assert tab.status_code == 200 and "Microsoft 365 E3" in tab.text
    assert 'id="add-subscription"' not in tab.text and 'id="mrr-chart"' in tab.text
    page = owner.get(url).text
    assert 'id="request-form"' in page and 'id="change-form"' not in page
    refused = owner.post(f"{url}/changes", data={
        "csrf_token": o_csrf, "quantity": "130", "effective_on": "2026-09-01",
        "reason": "mine"})
    assert refused.status_code == 403
    assert owner.get(f"/subscriptions/new?account_id={cast.acme_id}").status_code == 403
    asked = owner.post(f"{url}/requests", data={
        "csrf_token": o_csrf, "quantity": "140", "effective_on": "2026-10-01",
        "reason": "new hires"}, follow_redirects=False)
    assert asked.status_code == 303
    assert 'id="no-pending"' not in owner.get(url).text
    queue = owner.get("/licences/requests").text
    assert "new hires" in queue and 'id="approve-' not in queue  # a manager does not decide
    # billing approves from the queue; the new term shows
    listing = billing.get("/licences").text
    assert re.search(r'id="pending-count">1<', listing)
    queue = billing.get("/licences/requests").text
    match = re.search(r'id="approve-(\d+)"', queue)
    assert match
    request_id = int(match.group(1))
    approved = billing.post(f"/licences/requests/{request_id}/approve",
                            data={"csrf_token": b_csrf, "note": "checked"},
                            follow_redirects=False)
    assert approved.status_code == 303 and approved.headers["location"] == "/licences/requests"
    db.rollback()
    assert db.scalar(select(QuantityRequest.status)) == "approved"
    page = billing.get(url).text
    assert 'id="term-2026-10-01"' in page and f"(request {request_id})" in page
    again = billing.post(f"/licences/requests/{request_id}/decline",
                         data={"csrf_token": b_csrf}, follow_redirects=False)
    assert again.status_code == 409
    assert 'id="no-requests"' in billing.get("/licences/requests").text
    # the outsider: 404 on Acme's tab and its subscription; the list shows none of it
    outsider, _ = _signed_in(app, "outsider@accord.test")
    assert outsider.get(f"/accounts/{cast.acme_id}/licences").status_code == 404
    assert outsider.get(url).status_code == 404
    theirs = outsider.get("/licences")
    assert theirs.status_code == 200 and "Microsoft 365 E3" not in theirs.text
    assert 'id="no-subscriptions"' in theirs.text


def test_the_portfolio_filters_sorts_and_pages(app, cast, sku, sessions) -> None:
    billing, csrf = _signed_in(app, "billing@accord.test")
    for account, quantity in ((cast.acme_id, "10"), (cast.globex_id, "500")):
        assert _add(billing, csrf, account, sku, quantity=quantity).status_code == 303
    def listed(query: str) -> str:
        return billing.get(f"/licences?{query}").text.split('id="subscriptions"')[1]

    assert listed("sort=-amount&status=active").index("Globex") < listed(
        "sort=-amount&status=active").index("Acme")
    assert listed("sort=amount").index("Acme") < listed("sort=amount").index("Globex")
    assert listed("sort=account").index("Acme") < listed("sort=account").index("Globex")
    assert listed("sort=-account").index("Globex") < listed("sort=-account").index("Acme")
    searched = billing.get("/licences?q=glob").text
    assert "Subscriptions (1)" in searched
    assert 'id="no-subscriptions"' in billing.get("/licences?status=expired").text
    assert billing.get("/licences?status=bogus").status_code == 422
    assert billing.get("/licences?sort=bogus").status_code == 422
    with sessions() as s:
        user = s.get(User, cast.billing.id)
        listing = panels.portfolio(s, user, date(2026, 2, 1), page=2, page_size=1)
        assert listing.total == 2 and listing.pages == 2 and len(listing.rows) == 1


def test_the_notice_window_in_sql_is_its_rule(sessions, cast, sku) -> None:
    today = date(2026, 6, 15)
    cases = []
    with sessions.begin() as s:
        for i, (end, notice, status) in enumerate([
                (today + timedelta(days=60), 0, "active"),    # deadline in 60 days: in
                (today + timedelta(days=61), 0, "active"),    # 61: out
                (today + timedelta(days=120), 60, "active"),  # deadline in 60: in
                (today + timedelta(days=10), 30, "trial"),    # deadline passed, not ended: in
                (today, 0, "active"),                         # ends today: in
                (today - timedelta(days=1), 0, "active"),     # ended: out
                (today + timedelta(days=5), 0, "cancelled"),  # not to renew: out
                (today + timedelta(days=3650), 3650, "active")]):
            now = utcnow()
            row = Subscription(account_id=cast.acme_id, sku_id=sku, status=status,
                               start_on=date(2020, 1, 1), term_months=12, end_on=end,
                               auto_renew=False, notice_days=notice, currency="EUR",
                               reference=f"R{i}", created_at=now, updated_at=now)
            s.add(row)
            s.flush()
            s.add(SubscriptionTerm(subscription_id=row.id, effective_on=row.start_on,
                                   quantity=1, unit_price=Decimal(1), changed_at=now))
            cases.append((row.id, end, notice, status))
    with sessions() as s:
        rows, total = panels.renewals(s, s.get(User, cast.billing.id), today)
        expected = {i for i, end, notice, status in cases
                    if panels.in_notice_window(end, notice, status, today)}
        assert {r.id for r in rows} == expected and total == len(expected) == 5
        deadlines = [r.notice_deadline for r in rows]
        assert deadlines == sorted(deadlines)
        assert panels.renewals(s, s.get(User, cast.outsider.id), today) == ([], 0)
