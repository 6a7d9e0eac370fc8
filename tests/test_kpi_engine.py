"""The KPI engine agrees with the independent reference of docs/kpis.md, on both databases."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

import kpi_reference as ref
from accord.cli.common import operator
from accord.kpis import models as _kpi_models  # noqa: F401 - tables for the schema check
from accord.kpis import service
from accord.kpis.formulas import RETENTION_FIELDS
from accord.revenue.load import bulk

B = 2024 * 12  # 2024-01
TODAY = date(2031, 1, 1)
ADMIN = operator()


def _reset(session) -> None:
    for table in ("kpi_account_windows", "kpi_variants", "kpi_account_groups", "kpi_groups",
                  "kpi_state", "kpi_policy", "monthly_revenue",
                  "revenue_lines", "account_members", "accounts"):
        session.execute(text(f"DELETE FROM {table}"))


def _arrange(sessions, monthly, groups=None):
    groups = groups or {a: (None, f"S{a % 3}") for a in monthly}
    with sessions.begin() as s:
        _reset(s)
        ref.load(s, monthly, groups)
        service.rebuild(s)


def _report(sessions, **kw):
    with sessions.begin() as s:
        return service.kpi_report(s, ADMIN, today=TODAY, **kw)


portfolios = st.dictionaries(
    keys=st.integers(1, 40),
    values=st.dictionaries(
        keys=st.integers(0, 29).map(lambda m: B + m),
        values=st.one_of(st.integers(-30_000, 90_000), st.just(0), st.integers(1, 5)),
        max_size=30,
    ),
    max_size=9,
)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(monthly=portfolios, window=st.integers(1, 7), basis=st.sampled_from(["trailing", "point"]),
       as_of=st.integers(0, 29).map(lambda m: B + m))
def test_it_agrees_with_the_reference_on_random_portfolios(
    sessions, monthly, window, basis, as_of
):
    monthly = {**monthly, 99: {B + 29: 0}}  # the data reaches the last month
    _arrange(sessions, monthly)
    doc = _report(sessions, as_of=f"{as_of // 12}-{as_of % 12 + 1:02d}", window=window,
                  basis=basis)
    assert doc["portfolio"] == ref.retention(monthly, as_of, window, basis)
    expected = ref.concentration(monthly, as_of, window, basis)
    got = doc["concentration"]
    assert (got["accounts"], got["top20_share"], got["abc"]) == (
        expected["accounts"], expected["top20_share"], expected["abc"])
    if expected["hhi"] is None:
        assert got["hhi"] is None
    else:
        assert got["hhi"] == pytest.approx(expected["hhi"], abs=2e-6)
    by_segment = ref.grouped(monthly, {a: f"S{a % 3}" for a in monthly}, as_of, window, basis)
    got_groups = {r["segment"]: {k: r[k] for k in RETENTION_FIELDS} for r in doc["by_segment"]}
    assert _moving(got_groups) == _moving(by_segment)


def _moving(groups):
    """Groups with any revenue in either window (groups without are not listed)."""
    return {g: f for g, f in groups.items() if f["starting_revenue"] or f["ending_revenue"]}


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(monthly=portfolios, window=st.integers(1, 7), basis=st.sampled_from(["trailing", "point"]))
def test_the_bridge_reconciles_to_the_cent_and_retention_is_bounded(
    sessions, monthly, window, basis
):
    monthly = {**monthly, 99: {B + 29: 0}}  # the data reaches the last month
    _arrange(sessions, monthly)
    doc = _report(sessions, as_of=f"{(B + 29) // 12}-{(B + 29) % 12 + 1:02d}", window=window,
                  basis=basis, series=True)
    for p in [doc["portfolio"], *doc["series"], *doc["by_segment"]]:
        assert p["ending_revenue"] == (
            p["starting_revenue"] + p["expansion_revenue"] - p["contraction_revenue"]
            - p["churned_revenue"] + p["new_revenue"] + p["reactivated_revenue"])
        if p["grr"] is None:
            assert p["starting_revenue"] == 0 and p["nrr"] is None
        else:
            assert Decimal(0) <= p["grr"] <= Decimal(1)
            assert p["nrr"] >= p["grr"]


def _month_text(m: int) -> str:
    return f"{m // 12}-{m % 12 + 1:02d}"


def test_it_does_not_depend_on_row_order(sessions):
    rng = random.Random(7)
    monthly = {a: {B + m: rng.randint(-2000, 9000) for m in range(30) if rng.random() < 0.7}
               for a in range(1, 30)}
    _arrange(sessions, monthly)
    first = _report(sessions, as_of=_month_text(B + 29), series=True)
    shuffled = dict(sorted(monthly.items(), key=lambda _: rng.random()))
    shuffled = {a: dict(sorted(r.items(), key=lambda _: rng.random())) for a, r in shuffled.items()}
    service.clear_cache()
    _arrange(sessions, shuffled)
    assert _report(sessions, as_of=_month_text(B + 29), series=True) == first


def test_it_does_not_depend_on_how_lines_are_split_within_a_month(sessions):
    rng = random.Random(3)
    monthly = {a: {B + m: rng.randint(-500, 4000) for m in range(30) if rng.random() < 0.6}
               for a in range(1, 12)}
    _arrange(sessions, {a: {} for a in monthly})

    def lines(split: int):
        n = 0
        for a, revenue in monthly.items():
            for m, amount in revenue.items():
                parts = [amount // split] * (split - 1)
                parts.append(amount - sum(parts))
                for i, part in enumerate(parts):
                    n += 1
                    yield (a, date(m // 12, m % 12 + 1, 1 + i), part, None, f"L{split}-{n}")

    results = []
    for split in (1, 3):
        with sessions.begin() as s:
            s.execute(text("DELETE FROM revenue_lines"))
            s.execute(text("DELETE FROM monthly_revenue"))
            bulk.bulk_load_revenue(s, list(lines(split)))
            service.refresh_after_import(s, list(monthly))
        service.clear_cache()
        results.append(_report(sessions, as_of=_month_text(B + 29)))
    assert results[0] == results[1]
    assert results[0]["portfolio"] == ref.retention(monthly, B + 29)


def test_an_empty_portfolio_gives_zeros_and_null_ratios(sessions):
    _arrange(sessions, {})
    doc = _report(sessions, as_of="2025-06")
    p = doc["portfolio"]
    assert p["starting_revenue"] == 0 and p["ending_revenue"] == 0
    assert p["grr"] is None and p["nrr"] is None and p["logo_churn_rate"] is None
    assert doc["concentration"] == {"accounts": 0, "top20_share": None, "hhi": None,
                                    "abc": {"A": 0, "B": 0, "C": 0}}


def test_a_single_account_with_credit_notes_churns_and_comes_back(sessions):
    # 2024: 1,200.00 in all; 2025: one credit note only (window sum below zero counts as zero)
    revenue = {B + m: 10_000 for m in range(12)}
    revenue[B + 15] = -5_000
    revenue[B + 23] = 0  # the data reaches 2025-12
    _arrange(sessions, {1: revenue})
    doc = _report(sessions, as_of="2025-12")
    p = doc["portfolio"]
    assert (p["accounts_at_start"], p["churned_accounts"]) == (1, 1)
    assert p["churned_revenue"] == Decimal("1200.00") and p["ending_revenue"] == 0
    assert p["grr"] == 0 and p["logo_churn_rate"] == 1
    # comes back in 2027 after a silent 2026: reactivated, not new
    revenue[B + 37] = 25_000
    revenue[B + 47] = 0
    _arrange(sessions, {1: revenue})
    doc = _report(sessions, as_of="2027-12")
    assert doc["portfolio"]["reactivated_revenue"] == Decimal("250.00")
    assert doc["portfolio"]["new_revenue"] == 0
    assert doc["portfolio"] == ref.retention({1: revenue}, B + 47)


def test_the_as_of_month_defaults_to_the_last_complete_month(sessions):
    _arrange(sessions, {1: {B + m: 100 for m in range(30)}})
    with sessions.begin() as s:
        assert service.kpi_report(s, ADMIN, today=date(2031, 1, 5))["as_of"] == "2026-06"
        assert service.kpi_report(s, ADMIN, today=date(2026, 6, 20))["as_of"] == "2026-05"


def test_it_refuses_an_as_of_month_after_the_data(sessions):
    from accord.core.errors import ValidationFailed

    _arrange(sessions, {1: {B: 100}})
    with sessions.begin() as s, pytest.raises(ValidationFailed, match="after the last month"):
        service.kpi_report(s, ADMIN, today=TODAY, as_of="2030-01")


# ---------------------------------------------------------------- the derived rows stay right


def _random_portfolio(seed: int, accounts: int = 40, months: int = 30):
    rng = random.Random(seed)
    return {a: {B + m: rng.choice([0, rng.randint(-3000, 20_000), rng.randint(1, 90_000)])
                for m in range(rng.randint(0, 12), months) if rng.random() < 0.6}
            for a in range(1, accounts + 1)}


def test_it_gives_identical_documents_on_sqlite_and_postgresql(sqlite_template, postgres_url,
                                                              tmp_path):
    import shutil

    from accord.core.database import make_engine, session_factory

    monthly = {**_random_portfolio(11, accounts=60), 99: {B + 29: 0}}
    docs = []
    path = tmp_path / "same.db"
    shutil.copy(sqlite_template, path)
    for url in (f"sqlite:///{path}", postgres_url):
        engine = make_engine(url)
        try:
            sessions = session_factory(engine)
            _arrange(sessions, monthly, {a: (None, f"S{a % 4}") for a in monthly})
            service.clear_cache()
            docs.append(_report(sessions, as_of=_month_text(B + 29), series=True))
            docs.append(_report(sessions, as_of=_month_text(B + 27), window=5, basis="point"))
        finally:
            engine.dispose()
    assert docs[0] == docs[2] and docs[1] == docs[3]
    assert docs[0]["portfolio"] == ref.retention(monthly, B + 29)


def test_the_derived_rows_stay_right_after_an_incremental_import(sessions):
    monthly = _random_portfolio(5)
    monthly[1] = {B + 29: 500}  # the data reaches the last month from the start
    _arrange(sessions, {a: {} for a in monthly})

    def lines(revenue, tag):
        for a, months in revenue.items():
            for m, amount in months.items():
                yield (a, date(m // 12, m % 12 + 1, 3), amount, None, f"{tag}-{a}-{m}")

    first = {a: r for a, r in monthly.items() if a % 2}
    with sessions.begin() as s:
        bulk.bulk_load_revenue(s, list(lines(first, "x")))
        service.refresh_after_import(s, list(first))
    _report(sessions, as_of=_month_text(B + 29), series=True)  # builds the policy's rows
    # a second import touches a few accounts, some known, some new, and adds to a month
    extra = {2: {B + 20: 7_000}, 3: monthly[3] or {B + 25: 1}, 4: {B + 29: 4_000}}
    with sessions.begin() as s:
        bulk.bulk_load_revenue(s, list(lines(extra, "y")))
        service.refresh_after_import(s, list(extra))
    expected = dict(first)
    for a, months in extra.items():
        merged = dict(expected.get(a, {}))
        for m, amount in months.items():
            merged[m] = merged.get(m, 0) + amount
        expected[a] = merged
    for as_of in (B + 29, B + 26):
        service.clear_cache()
        doc = _report(sessions, as_of=_month_text(as_of), series=True)
        assert doc["portfolio"] == ref.retention(expected, as_of)
        for row in doc["series"]:
            m = ref_month(row["as_of"])
            assert {k: row[k] for k in RETENTION_FIELDS} == ref.retention(expected, m)
    incremental = _report(sessions, as_of=_month_text(B + 29), series=True)
    with sessions.begin() as s:
        service.rebuild(s)
    service.clear_cache()
    assert _report(sessions, as_of=_month_text(B + 29), series=True) == incremental


def ref_month(text_month: str) -> int:
    year, month = text_month.split("-")
    return int(year) * 12 + int(month) - 1


def test_a_change_of_manager_moves_the_account_between_breakdown_rows(sessions):
    from accord.accounts.schemas import AccountPatch
    from accord.accounts.service import update_account
    from accord.users.service import create_user

    monthly = {1: {B + m: 1_000 for m in range(30)}, 2: {B + m: 3_000 for m in range(30)}}
    with sessions.begin() as s:
        ana = create_user(s, None, email="ana@example.com", name="Ana", role="manager",
                          password="correct horse battery")
        bo = create_user(s, None, email="bo@example.com", name="Bo", role="manager",
                         password="correct horse battery")
        ana_id, bo_id = ana.id, bo.id
    _arrange(sessions, monthly, {1: (ana_id, "Energy"), 2: (ana_id, "Energy")})
    before = _report(sessions, as_of=_month_text(B + 29))
    assert [r["manager"] for r in before["by_manager"]] == ["ana@example.com"]
    with sessions.begin() as s:
        update_account(s, ADMIN, 2, AccountPatch(manager_id=bo_id, segment="Retail"))
    after = _report(sessions, as_of=_month_text(B + 29))
    rows = {r["manager"]: r["ending_revenue"] for r in after["by_manager"]}
    assert rows == {"ana@example.com": Decimal("120.00"), "bo@example.com": Decimal("360.00")}
    assert {r["segment"] for r in after["by_segment"]} == {"Energy", "Retail"}
    assert after["portfolio"] == before["portfolio"]
    with sessions.begin() as s:  # a deleted account leaves the figures (deletions are queued)
        from accord.accounts.service import delete_account

        delete_account(s, ADMIN, 1)
    gone = _report(sessions, as_of=_month_text(B + 29))
    assert gone["portfolio"]["ending_revenue"] == Decimal("360.00")
    assert [r["manager"] for r in gone["by_manager"]] == ["bo@example.com"]


def test_other_windows_are_built_on_demand_and_only_a_few_are_kept(sessions):
    from accord.kpis.derived import MAX_VARIANTS
    from accord.kpis.models import KpiVariant

    monthly = _random_portfolio(21)
    monthly[77] = {B + 29: 0}
    _arrange(sessions, monthly)
    for window in range(1, MAX_VARIANTS + 3):
        for basis in ("trailing", "point"):
            doc = _report(sessions, as_of=_month_text(B + 29), window=window, basis=basis)
            assert doc["portfolio"] == ref.retention(monthly, B + 29, window, basis)
    with sessions.begin() as s:
        held = s.query(KpiVariant).count()
    assert held <= MAX_VARIANTS
    assert _report(sessions, as_of=_month_text(B + 29))["portfolio"] == ref.retention(
        monthly, B + 29)


@settings(max_examples=200, deadline=None)
@given(amounts=st.lists(st.integers(1, 10**12), max_size=60), width=st.integers(1, 4),
       cut_a=st.integers(1, 9998), cut_b=st.integers(2, 10000))
def test_the_bucketed_concentration_equals_a_full_ranking(amounts, width, cut_a, cut_b):
    from accord.kpis.formulas import Bucket, buckets_to_open, concentration_of

    if cut_a >= cut_b:
        cut_a, cut_b = cut_b - 1, cut_a if cut_a > cut_b else cut_a + 1
    abc = (Decimal(cut_a) / 10000, Decimal(cut_b) / 10000)
    # coarse buckets (a few leading digits), as the database computes them
    def key(x: int) -> int:
        s = str(x)
        return len(s) * 10**width + int(s[:width])
    groups: dict[int, list[int]] = {}
    for x in amounts:
        groups.setdefault(key(x), []).append(x)
    buckets = [Bucket(k, len(v), sum(v)) for k, v in groups.items()]
    opened = {k: list(groups[k]) for k in buckets_to_open(buckets, abc)}
    got = concentration_of(buckets, opened, sum(x * x for x in amounts), abc)
    monthly = {i: {B: x} for i, x in enumerate(amounts)}
    expected = ref.concentration(monthly, B, 1, "point", abc[0], abc[1])
    figures = got.figures()
    assert (figures["accounts"], figures["top20_share"], figures["abc"]) == (
        expected["accounts"], expected["top20_share"], expected["abc"])


@settings(max_examples=300, deadline=None)
@given(amounts=st.lists(st.integers(0, 2**41 - 1), max_size=50))
def test_both_split_sums_of_squares_are_exact(amounts):
    from accord.kpis.formulas import SPLIT, SPLIT_BITS, square_sum_of_products, sum_of_squares

    # the three parts SQLite sums and the two products PostgreSQL sums, as the SQL forms them
    hi = [x // SPLIT for x in amounts]
    lo = [x % SPLIT for x in amounts]
    assert all(x * (x >> SPLIT_BITS) < 2**63 and x * (x & (SPLIT - 1)) < 2**63 for x in amounts)
    exact = sum(x * x for x in amounts)
    hi_lo = sum(h * low for h, low in zip(hi, lo, strict=True))
    assert sum_of_squares(sum(h * h for h in hi), hi_lo, sum(low * low for low in lo)) == exact
    assert square_sum_of_products(sum(x * (x >> SPLIT_BITS) for x in amounts),
                                  sum(x * (x & (SPLIT - 1)) for x in amounts)) == exact
