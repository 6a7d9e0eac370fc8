"""``product_line_revenue`` stays equal to a recomputation from the revenue lines after any
sequence of imports (hypothesis, SQLite and PostgreSQL), the whitespace "bought" cells equal
the window sums of those lines, and the peer medians' SQL equals ``rules.lower_median``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.database import utcnow
from accord.growth import rules, summary, whitespace
from accord.growth.models import (
    PeerMedian,
    ProductLine,
    ProductLineAlias,
    ProductLineRevenue,
)
from accord.plans.metrics import Window
from accord.revenue.load.importing import bulk_load_revenue
from accord.revenue.models import MonthlyRevenue, RevenueLine

PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
VALUES = ["Widgets", "Services", "Svc", "Unknown", None]
FIRST = 2024 * 12


def _account(s: Session, name: str, segment: str | None = "Retail",
             band: str | None = "large") -> int:
    now = utcnow()
    a = Account(name=name, name_key=name.lower(), kind="company", status="active",
                segment=segment, size_band=band, created_at=now, updated_at=now)
    s.add(a)
    s.flush()
    return a.id


def _catalogue(s: Session) -> dict[str, int]:
    widgets, services = ProductLine(name="Widgets"), ProductLine(name="Services")
    s.add_all([widgets, services])
    s.flush()
    s.add(ProductLineAlias(alias="Svc", product_line_id=services.id))
    s.flush()
    return {"Widgets": widgets.id, "Services": services.id, "Svc": services.id}


def _expected(s: Session, mapping: dict[str, int]) -> dict[tuple[int, int, int], tuple[int, int]]:
    out: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for a, month, cents, value in s.execute(select(
            RevenueLine.account_id, RevenueLine.month, RevenueLine.amount_cents,
            RevenueLine.product_line)):
        if value in mapping:
            cell = out[(a, mapping[value], month)]
            cell[0] += cents
            cell[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def _stored(s: Session) -> dict[tuple[int, int, int], tuple[int, int]]:
    return {(a, p, m): (c, n) for a, p, m, c, n in s.execute(select(
        ProductLineRevenue.account_id, ProductLineRevenue.product_line_id,
        ProductLineRevenue.month, ProductLineRevenue.amount_cents,
        ProductLineRevenue.line_count))}


line = st.tuples(st.integers(0, 1), st.integers(0, 14), st.integers(-50_000, 500_000),
                 st.sampled_from(VALUES), st.integers(0, 8))
imports = st.lists(st.lists(line, min_size=1, max_size=8), min_size=1, max_size=4)


@PROPERTY
@given(batches=imports, window=st.integers(1, 12))
def test_the_summary_equals_a_recomputation_after_any_imports(
    engine: Engine, batches: list[list[tuple[int, int, int, str | None, int]]], window: int
) -> None:
    with Session(engine) as s:
        accounts = [_account(s, "One"), _account(s, "Two")]
        mapping = _catalogue(s)
        for batch in batches:
            rows = []
            for who, month, cents, value, key in batch:
                year, m0 = divmod(FIRST + month, 12)
                rows.append((accounts[who], date(year, m0 + 1, 1 + key), cents, value,
                             f"L{who}-{key}"))
            stats = bulk_load_revenue(s, rows)
            summary.after_revenue_changed(s, stats.account_ids, stats.first_months)
            assert _stored(s) == _expected(s, mapping)
        # the whitespace "bought" cells: the window sums of the mapped lines
        as_of = FIRST + 14
        got = whitespace.cells(s, accounts, as_of, window)
        for a in accounts:
            for line_id in set(mapping.values()):
                want = sum(c for (acc, p, m), (c, _n) in _expected(s, mapping).items()
                           if acc == a and p == line_id and as_of - window < m <= as_of)
                cell = got.get((a, line_id), rules.Cell())
                assert cell.bought_cents == want
        s.rollback()


def test_a_new_alias_and_a_full_rebuild_map_the_unknown_value(engine: Engine) -> None:
    with Session(engine) as s:
        a = _account(s, "Solo")
        mapping = _catalogue(s)
        stats = bulk_load_revenue(s, [(a, date(2024, 3, 2), 1000, "Unknown", "x1"),
                                      (a, date(2024, 3, 3), 500, "Widgets", "x2")])
        summary.after_revenue_changed(s, stats.account_ids, stats.first_months)
        assert _stored(s) == _expected(s, mapping)
        unknown = ProductLine(name="Gadgets")
        s.add(unknown)
        s.flush()
        s.add(ProductLineAlias(alias="Unknown", product_line_id=unknown.id))
        s.flush()
        summary.rebuild(s, date(2024, 5, 1))
        assert _stored(s) == _expected(s, {**mapping, "Unknown": unknown.id})
        assert (a, unknown.id, FIRST + 2) in _stored(s)
        # the account's monthly revenue keeps every line, mapped or not
        assert s.scalar(select(MonthlyRevenue.amount_cents)
                        .where(MonthlyRevenue.account_id == a)) == 1500
        s.rollback()


spends = st.lists(st.integers(1, 10_000), min_size=1, max_size=12)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=spends)
def test_the_peer_median_sql_equals_the_lower_median(engine: Engine, values: list[int]) -> None:
    with Session(engine) as s:
        line_id = _catalogue(s)["Widgets"]
        for i, cents in enumerate(values):
            a = _account(s, f"Peer {i}")
            s.add(ProductLineRevenue(account_id=a, product_line_id=line_id, month=FIRST + 5,
                                     amount_cents=cents, line_count=1))
        s.flush()
        s.execute(delete(PeerMedian))
        summary.refresh_peers(s, Window(FIRST + 5, 3))
        row = s.execute(select(PeerMedian.peers, PeerMedian.median_cents)
                        .where(PeerMedian.product_line_id == line_id)).one()
        assert (row[0], row[1]) == (len(values), rules.lower_median(values))
        s.rollback()


def test_lower_median_and_the_five_peer_rule() -> None:
    assert rules.lower_median([]) is None
    assert rules.lower_median([4, 1, 3, 2]) == 2
    assert rules.lower_median([5, 1, 3]) == 3
    assert rules.shown_median([1, 2, 3, 4]) is None
    assert rules.shown_median([5, 4, 3, 2, 1]) == 3


def test_catalogue_changes_sum_again_only_what_they_remap(sessions, cast) -> None:
    """A new line, a rename, an alias added and removed through the catalogue's service: the
    summary equals a recomputation after each, and an account whose revenue carries none of
    the values concerned keeps its rows untouched."""
    from accord.core.models import User
    from accord.growth import catalogue
    from accord.growth.schemas import AliasIn, LineIn, LinePatch

    today = date(2024, 6, 1)
    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        assert admin is not None
        a, b = _account(s, "Remapped"), _account(s, "Untouched")
        stats = bulk_load_revenue(s, [
            (a, date(2024, 3, 2), 1000, "Gizmos", "g1"),
            (a, date(2024, 4, 2), 300, "Gadgets", "g2"),
            (b, date(2024, 3, 5), 700, "Widgets", "w1")])
        mapping = _catalogue(s)
        summary.after_revenue_changed(s, stats.account_ids, stats.first_months)
        untouched = {k: v for k, v in _stored(s).items() if k[0] == b}
        assert untouched and _stored(s) == _expected(s, mapping)

        gizmos = catalogue.add_line(s, admin, LineIn(name="Gizmos"), today=today)
        mapping["Gizmos"] = gizmos.id
        assert _stored(s) == _expected(s, mapping)
        alias = catalogue.add_alias(s, admin, AliasIn(alias="Gadgets", product_line_id=gizmos.id),
                                    today=today)
        mapping["Gadgets"] = gizmos.id
        assert _stored(s) == _expected(s, mapping)
        catalogue.update_line(s, admin, gizmos.id, LinePatch(name="Gizmo range"), today=today)
        del mapping["Gizmos"]
        assert _stored(s) == _expected(s, mapping)
        catalogue.delete_alias(s, admin, alias.id, today=today)
        del mapping["Gadgets"]
        assert _stored(s) == _expected(s, mapping)
        assert {k: v for k, v in _stored(s).items() if k[0] == b} == untouched
        s.rollback()
