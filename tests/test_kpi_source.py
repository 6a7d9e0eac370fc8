"""The KPI source (issue 15): the engine reads invoices or subscription MRR, on both databases.

Fed the same monthly amounts, the two sources give the same document (hypothesis, built and
then refreshed incrementally); an account with subscriptions only shows in the subscriptions
source; switching the setting rebuilds nothing; ``accord kpi --source``."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from typer.testing import CliRunner

import kpi_reference as ref
from accord.app.commands import app, hoist_global_options
from accord.cli.common import operator
from accord.core.periods import format_month
from accord.kpis import derived, service
from accord.kpis.formulas import Source
from accord.kpis.models import KpiState
from accord.licences import mrr
from accord.licences.subscriptions import service as subscriptions
from accord.licences.subscriptions.schemas import SubscriptionIn
from import_helpers import write_monthly
from licence_helpers import make_sku

B = 2024 * 12  # 2024-01
TODAY = date(2031, 1, 1)
ADMIN = operator()
runner = CliRunner()

amounts = st.dictionaries(
    keys=st.integers(0, 23).map(lambda m: B + m),
    values=st.one_of(st.integers(-20_000, 90_000), st.just(0)), max_size=24)
portfolios = st.dictionaries(keys=st.integers(1, 12), values=amounts, max_size=6)


def _reset(s) -> None:
    for table in ("kpi_account_windows", "kpi_variants", "kpi_account_groups", "kpi_groups",
                  "kpi_state", "kpi_policy", "subscription_mrr", "monthly_revenue",
                  "revenue_lines", "account_members", "accounts"):
        s.execute(text(f"DELETE FROM {table}"))


def _write_mrr(s, monthly: dict[int, dict[int, int]]) -> None:
    """The same amounts as subscription MRR, with the running totals (as mrr.rebuild keeps)."""
    rows = []
    for account, revenue in monthly.items():
        running = 0
        for month in sorted(revenue):
            running += revenue[month]
            rows.append({"a": account, "m": month, "c": revenue[month], "r": running})
    if rows:
        s.execute(text("INSERT INTO subscription_mrr (account_id, month, amount_cents, "
                       "cumulative_cents) VALUES (:a, :m, :c, :r)"), rows)


def _report(sessions, **kw):
    with sessions.begin() as s:
        return service.kpi_report(s, ADMIN, today=TODAY, **kw)


def _both(sessions, **kw) -> tuple[dict, dict]:
    invoices = dict(_report(sessions, source="invoices", **kw))  # not the cached document
    subs = dict(_report(sessions, source="subscriptions", **kw))
    assert (invoices.pop("source"), subs.pop("source")) == ("invoices", "subscriptions")
    return invoices, subs


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(monthly=portfolios, later=portfolios, window=st.integers(1, 4),
       basis=st.sampled_from(["trailing", "point"]), as_of=st.integers(8, 23))
def test_both_sources_give_the_same_figures_on_the_same_amounts(
    sessions, monthly, later, window, basis, as_of
):
    monthly = {**monthly, 99: {B + 23: 0}}  # the data reaches the last month
    service.clear_cache()
    with sessions.begin() as s:
        _reset(s)
        ref.load(s, monthly | later, {a: (None, f"S{a % 2}") for a in monthly | later})
        _write_mrr(s, monthly)
        service.rebuild(s)
        derived.refresh_source(s, Source.SUBSCRIPTIONS, mrr.mrr_table, None)
    kw = {"as_of": format_month(as_of), "window": window, "basis": basis, "series": True}
    invoices, subs = _both(sessions, **kw)
    assert subs == invoices
    assert invoices["portfolio"] == ref.retention(monthly, as_of, window, basis)
    # later amounts for some accounts, written to both and refreshed incrementally
    changed = {a: {m: monthly.get(a, {}).get(m, 0) + v for m, v in r.items()}
               for a, r in later.items()}
    with sessions.begin() as s:
        for account, revenue in later.items():
            write_monthly(s, account, {m: v for m, v in revenue.items() if v})
            s.execute(text("DELETE FROM subscription_mrr WHERE account_id = :a"), {"a": account})
        _write_mrr(s, {a: monthly.get(a, {}) | changed[a] for a in later})
        derived.refresh_after_import(s, list(later))
        derived.refresh_source(s, Source.SUBSCRIPTIONS, mrr.mrr_table, list(later))
    invoices, subs = _both(sessions, **kw)
    assert subs == invoices
    merged = {a: monthly.get(a, {}) | changed.get(a, {}) for a in monthly | later}
    assert subs["portfolio"] == ref.retention(merged, as_of, window, basis)


def _subscription_only(sessions, cast) -> None:
    """Acme has invoices; Globex has only a subscription (from 2025-01, 10 seats at 120.00 a
    year: 100.00 a month), added through the licences service."""
    service.clear_cache()
    with sessions.begin() as s:
        write_monthly(s, cast.acme_id, {B + m: 10_000 for m in range(24)})
        service.rebuild(s)
        sku = make_sku(s)
        subscriptions.add_subscription(s, s.merge(cast.billing), SubscriptionIn(
            account_id=cast.globex_id, sku_id=sku, start_on=date(2025, 1, 1), quantity=10,
            unit_price=Decimal("120.00"), auto_renew=True), today=date(2025, 12, 15))


def test_an_account_with_subscriptions_only_shows_in_the_subscriptions_source(sessions, cast):
    _subscription_only(sessions, cast)
    invoices = _report(sessions, as_of="2025-12")
    subs = _report(sessions, as_of="2025-12", source="subscriptions")
    assert (invoices["source"], subs["source"]) == ("invoices", "subscriptions")
    assert invoices["portfolio"]["ending_revenue"] == 1200  # Acme's invoices, unchanged
    assert invoices["portfolio"]["new_revenue"] == 0
    assert subs["portfolio"]["new_revenue"] == subs["portfolio"]["ending_revenue"] == 1200
    with sessions.begin() as s:
        page = service.account_movements(s, ADMIN, movement="new", today=TODAY, as_of="2025-12",
                                         source="subscriptions")
    assert [a["account_id"] for a in page["accounts"]] == [cast.globex_id]


def test_switching_the_setting_reads_the_other_source_without_a_rebuild(sessions, cast):
    _subscription_only(sessions, cast)
    before = _report(sessions, as_of="2025-12")
    with sessions.begin() as s:
        versions = dict(s.execute(select(KpiState.id, KpiState.version)).all())
        rows = s.scalar(text("SELECT count(*) FROM kpi_account_windows"))
        settings_ = service.update_policy(s, ADMIN, source="subscriptions", today=TODAY)
    assert settings_.as_dict()["source"] == "subscriptions"
    assert _report(sessions, as_of="2025-12")["portfolio"]["new_revenue"] == 1200
    overridden = _report(sessions, as_of="2025-12", source="invoices")
    assert overridden["portfolio"] == before["portfolio"]
    with sessions.begin() as s:
        assert dict(s.execute(select(KpiState.id, KpiState.version)).all()) == versions
        assert s.scalar(text("SELECT count(*) FROM kpi_account_windows")) == rows


def test_kpi_source_on_the_command_line(sessions, cast, database_url):
    _subscription_only(sessions, cast)

    def run(*args: str):
        return runner.invoke(app, hoist_global_options(
            ["kpi", "--as-of", "2025-12", "--format", "json", *args,
             "--database-url", database_url]))

    result = run("--source", "subscriptions")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["source"] == "subscriptions" and doc["portfolio"]["new_revenue"] == 1200.0
    assert json.loads(run("--source", "invoices").output)["portfolio"]["new_revenue"] == 0
    refused = run("--source", "orders")
    assert refused.exit_code != 0 and "source" in refused.output
