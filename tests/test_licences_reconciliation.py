"""The reconciliation (issue 15) on both databases: subscription MRR beside invoiced revenue
per account and month, the differences listed (threshold, search, sort, pages, totals, CSV),
only the accounts the caller sees, and bad filters refused with a 422 naming the field."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from accord.accounts.models import Account
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.periods import month_of
from accord.licences.models import Subscription
from accord.licences.reconciliation import reading
from conftest import api_client
from import_helpers import write_monthly
from licence_helpers import make_sku
from page_helpers import sign_in

JAN = month_of(2026, 1)
TODAY = date(2026, 7, 10)
URL = "/api/v1/licences/reconciliation"


def _arrange(sessions, cast) -> None:
    """Acme: invoiced 100.00 a month January to June 2026, subscriptions 100.00 except
    120.00 in March and none in June; Globex: subscriptions 50.00 in January, no invoice;
    Initech: invoiced, no subscription at all — not reconciled, never listed."""
    with sessions.begin() as s:
        sku = make_sku(s)
        for account in (cast.acme_id, cast.globex_id):
            s.add(Subscription(account_id=account, sku_id=sku, status="cancelled",
                               start_on=date(2026, 1, 1), term_months=12,
                               end_on=date(2026, 12, 31), auto_renew=False, notice_days=0,
                               currency="EUR", ended_on=date(2026, 5, 31)))
        initech = Account(name="Initech", name_key="initech", status="active", kind="company")
        s.add(initech)
        s.flush()
        write_monthly(s, initech.id, {JAN + m: 99_000 for m in range(6)})
        write_monthly(s, cast.acme_id, {JAN + m: 10_000 for m in range(6)})
        mrr = {(cast.acme_id, JAN + m): 10_000 for m in range(5)}
        mrr[(cast.acme_id, JAN + 2)] = 12_000
        mrr[(cast.globex_id, JAN)] = 5_000
        running: dict[int, int] = {}
        for (account, month), cents in sorted(mrr.items()):
            running[account] = running.get(account, 0) + cents
            s.execute(text("INSERT INTO subscription_mrr VALUES (:a, :m, :c, :r)"),
                      {"a": account, "m": month, "c": cents, "r": running[account]})


def _read(sessions, user, **kw):
    page = kw.pop("page", 1)
    with sessions() as s:
        f = reading.filters(TODAY, **kw)
        return reading.reconcile(s, s.merge(user), f, page=page, page_size=2)


def test_the_differences_are_listed_with_their_totals(sessions, cast) -> None:
    _arrange(sessions, cast)
    result = _read(sessions, cast.admin)  # default: 2025-07 to 2026-06, largest gap first
    listed = [(r.account_id, r.month, r.difference) for r in result.rows]
    assert (result.filters.first, result.filters.last) == (JAN - 6, JAN + 5)
    assert result.total == 3 and result.pages == 2
    assert listed == [(cast.acme_id, "2026-06", Decimal("-100.00")),
                      (cast.globex_id, "2026-01", Decimal("50.00"))]
    assert (result.subscriptions, result.invoiced, result.difference) == (
        Decimal("120.00") + Decimal("50.00"), Decimal("200.00"), Decimal("-30.00"))
    nxt = _read(sessions, cast.admin, page=2)
    assert [(r.month, r.subscriptions, r.invoiced) for r in nxt.rows] == [
        ("2026-03", Decimal("120.00"), Decimal("100.00"))]
    above = _read(sessions, cast.admin, first="2026-01", last="2026-06", min_difference="20",
                  sort="month")
    assert [(r.month, r.difference) for r in above.rows] == [
        ("2026-01", Decimal("50.00")), ("2026-06", Decimal("-100.00"))]
    found = _read(sessions, cast.admin, q="glob")
    assert [r.account_id for r in found.rows] == [cast.globex_id]


def test_each_user_sees_only_the_accounts_they_see(sessions, cast, app) -> None:
    _arrange(sessions, cast)
    assert {r.account_id for r in _read(sessions, cast.owner, page=1).rows} == {cast.acme_id}
    outsider = api_client(app, cast.token(sessions, "outsider")).get(URL, params={
        "from": "2026-01", "to": "2026-06"})
    assert outsider.status_code == 200, outsider.text
    assert [(i["account_id"], i["difference"]) for i in outsider.json()["items"]] == [
        (cast.globex_id, "50.00")]
    assert api_client(app, cast.token(sessions, "outsider")).get(
        URL, params={"account_id": cast.acme_id}).status_code == 404


def test_bad_filters_are_refused_naming_the_field(sessions, cast, app) -> None:
    client = api_client(app, cast.token(sessions, "admin"))
    for params, field in ((({"from": "2026-13"}), "from"), ({"to": "1850-01"}, "to"),
                          ({"from": "2026-06", "to": "2026-01"}, "from"),
                          ({"from": "2000-01", "to": "2026-01"}, "to"),
                          ({"min_difference": "-5"}, "min_difference"),
                          ({"min_difference": "1.001"}, "min_difference"),
                          ({"sort": "colour"}, "sort"), ({"q": "a\x01b"}, "q")):
        r = client.get(URL, params=params)
        assert r.status_code == 422, (params, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (params, r.text)
    assert client.get(URL, params={"page_size": 501}).status_code == 422


def test_the_page_its_csv_and_the_command(sessions, cast, app, database_url) -> None:
    _arrange(sessions, cast)
    browser = TestClient(app)
    sign_in(browser, "owner@accord.test")
    page = browser.get("/licences/reconciliation?from=2026-01&to=2026-06")
    assert page.status_code == 200
    assert f'id="diff-{cast.acme_id}-2026-03"' in page.text
    assert f'id="diff-{cast.globex_id}-2026-01"' not in page.text
    bad = browser.get("/licences/reconciliation?from=2026-99")
    assert bad.status_code == 422 and "from" in bad.text
    csv_text = browser.get("/licences/reconciliation/export.csv?from=2026-01&to=2026-06").text
    assert csv_text.splitlines()[0] == "account_id,account,month,subscriptions,invoiced,difference"
    assert f"{cast.acme_id},Acme" in csv_text and len(csv_text.splitlines()) == 3
    result = CliRunner().invoke(cli_app, hoist_global_options([
        "subscriptions", "reconcile", "--from", "2026-01", "--to", "2026-06", "--format", "json",
        "--database-url", database_url]))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["total"] == 3 and doc["totals"]["difference"] == "-30.00"
    refused = CliRunner().invoke(cli_app, hoist_global_options([
        "subscriptions", "reconcile", "--from", "2026-13", "--database-url", database_url]))
    assert refused.exit_code != 0 and "from" in refused.output
