"""The tier breakdown follows the selection matrix, on both databases.

Scored accounts are in the quadrant of their latest scoring under the current cut lines, the
others (and deselected ones) "not key". A new scoring, a changed cut line or a deselection
queues the account for the KPI engine (a trigger), and the next report moves it to its new
tier without a rebuild; the figures of every tier equal the independent reference of docs/kpis.md.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, select

import kpi_reference as ref
from accord.cli.common import operator
from accord.kpis import models as kpi_models
from accord.kpis import service
from accord.kpis.formulas import RETENTION_FIELDS
from accord.selection import models as _selection_models  # noqa: F401 - tables known
from accord.selection import service as selection
from kam_helpers import scoring

B = 2024 * 12  # 2024-01
AS_OF = B + 23  # 2025-12
TODAY = date(2026, 1, 15)
ADMIN = operator()
#: (attractiveness, our score, theirs) that place an account in each quadrant (cut lines
#: 5.0 and 1.0 by default)
STRATEGIC = ("8", "6", "5")
STAR = ("8", "4", "5")
STATUS = ("3", "6", "5")
STREAMLINE = ("3", "4", "5")


def _portfolio() -> ref.Monthly:
    rng = random.Random(17)
    monthly = {
        a: {B + m: rng.choice([0, rng.randint(-2_000, 9_000), rng.randint(1, 60_000)])
            for m in range(rng.randint(0, 8), 24) if rng.random() < 0.7}
        for a in range(1, 16)
    }
    monthly[1] = {B + m: 10_000 + 500 * m for m in range(24)}  # steady, in both windows
    monthly[3] = {B + m: 7_000 for m in range(24)}
    monthly[16] = {AS_OF: 0}  # the data reaches the as-of month
    return monthly


def _arrange(sessions, monthly):
    service.clear_cache()
    with sessions.begin() as s:
        ref.load(s, monthly, {a: (None, f"S{a % 3}") for a in monthly})
        service.rebuild(s)


def _score(sessions, account_id: int, place: tuple[str, str, str], on: date) -> None:
    attractiveness, us, them = place
    with sessions.begin() as s:
        selection.score_account(
            s, ADMIN, account_id,
            scoring(s, ADMIN, attractiveness=attractiveness, us=us, them=them, scored_on=on),
            today=TODAY,
        )


def _report(sessions):
    with sessions.begin() as s:
        return service.kpi_report(s, ADMIN, today=TODAY, as_of="2025-12")


def _by_tier(doc):
    return {r["tier"]: {k: r[k] for k in RETENTION_FIELDS} for r in doc["by_tier"]}


def _expected(monthly, tiers: dict[int, str]):
    tier_of = {a: tiers.get(a, "not key") for a in monthly}
    groups = ref.grouped(monthly, tier_of, AS_OF)
    # groups with no revenue in either window have no derived rows and are not listed
    return {t: f for t, f in groups.items() if f["starting_revenue"] or f["ending_revenue"]}


def _stored_tier(sessions, account_id: int) -> str:
    g, ag = kpi_models.KpiGroup, kpi_models.KpiAccountGroup
    with sessions() as s:
        return s.scalar(
            select(g.tier).join(ag, ag.gid == g.gid).where(ag.account_id == account_id)
        )


def test_the_tier_breakdown_follows_scorings_cut_lines_and_deselection(sessions):
    monthly = _portfolio()
    _arrange(sessions, monthly)
    assert set(_by_tier(_report(sessions))) == {"not key"}

    early = date(2025, 3, 1)
    tiers = {1: "Strategic", 2: "Strategic", 3: "Star", 4: "Status", 5: "Streamline",
             6: "Star"}
    for account, place in ((1, STRATEGIC), (2, STRATEGIC), (3, STAR), (4, STATUS),
                           (5, STREAMLINE), (6, STAR)):
        _score(sessions, account, place, early)
    doc = _report(sessions)
    assert _by_tier(doc) == _expected(monthly, tiers)
    assert doc["portfolio"] == ref.retention(monthly, AS_OF)
    assert _stored_tier(sessions, 3) == "Star" and _stored_tier(sessions, 9) == "not key"

    # a new scoring: account 3 moves from Star to Strategic, account 9 enters as Status
    _score(sessions, 3, STRATEGIC, date(2026, 1, 10))
    _score(sessions, 9, STATUS, date(2026, 1, 10))
    tiers |= {3: "Strategic", 9: "Status"}
    doc = _report(sessions)
    assert _by_tier(doc) == _expected(monthly, tiers)
    strategic = next(r for r in doc["by_tier"] if r["tier"] == "Strategic")
    assert strategic["ending_revenue"] == ref.retention(
        {a: monthly[a] for a in (1, 2, 3)}, AS_OF)["ending_revenue"]

    # a cut line moves: attractiveness 8 is no longer high, so Strategic -> Status and
    # Star -> Streamline, without re-scoring and without a rebuild
    with sessions.begin() as s:
        selection.update_policy(s, ADMIN, {"attractiveness_cut": "8.5"})
    tiers = {a: {"Strategic": "Status", "Star": "Streamline"}.get(t, t) for a, t in tiers.items()}
    doc = _report(sessions)
    assert _by_tier(doc) == _expected(monthly, tiers)
    assert "Strategic" not in _by_tier(doc) and "Star" not in _by_tier(doc)

    # a deselection takes the account out of the programme ("not key"); reselection brings
    # it back to its quadrant
    with sessions.begin() as s:
        selection.deselect(s, ADMIN, 1, "bought by a competitor")
    doc = _report(sessions)
    assert _by_tier(doc) == _expected(monthly, {**tiers, 1: "not key"})
    assert _stored_tier(sessions, 1) == "not key"
    with sessions.begin() as s:
        selection.reselect(s, ADMIN, 1)
    assert _by_tier(_report(sessions)) == _expected(monthly, tiers)

    # the incremental state equals a rebuild from scratch, and the drill-down shows the tier
    incremental = _report(sessions)
    with sessions.begin() as s:
        service.rebuild(s)
    service.clear_cache()
    assert _report(sessions) == incremental
    with sessions.begin() as s:
        moves = service.account_movements(s, ADMIN, movement="expanded", today=TODAY,
                                          as_of="2025-12")
    assert {a["account_id"]: a["tier"] for a in moves["accounts"]}[1] == "Status"


def test_every_account_has_exactly_one_stored_group_with_its_tier(sessions):
    monthly = _portfolio()
    _arrange(sessions, monthly)
    _score(sessions, 2, STAR, date(2025, 6, 1))
    _report(sessions)
    with sessions() as s:
        ag = kpi_models.KpiAccountGroup
        per_account = s.execute(select(ag.account_id, func.count()).group_by(ag.account_id))
        assert {a: n for a, n in per_account} == {a: 1 for a in monthly}
    assert _stored_tier(sessions, 2) == "Star"


def test_the_demo_portfolio_reports_the_tiers_of_its_selection_matrix(sessions):
    """The demo builds the KPI data, then scores accounts (queued group changes): the first
    report follows the scorings without a rebuild."""
    from accord.demo.loader import load_demo
    from accord.demo.plan import DemoSpec
    from accord.revenue.models import MonthlyRevenue

    today = date(2026, 3, 18)
    service.clear_cache()
    with sessions.begin() as s:
        load_demo(s, DemoSpec(accounts=60, months=13, seed=7, today=today))
    with sessions.begin() as s:
        doc = service.kpi_report(s, ADMIN, today=today)
        tiers = selection.tier_case(s)
        monthly: ref.Monthly = {}
        for account, month, amount in s.execute(
            select(MonthlyRevenue.account_id, MonthlyRevenue.month, MonthlyRevenue.amount_cents)
        ):
            monthly.setdefault(account, {})[month] = amount
    assert set(tiers.values()) - {"not key"}, "the demo scores some accounts into quadrants"
    as_of = 2026 * 12 + 1  # 2026-02, the last complete month before today
    assert doc["as_of"] == "2026-02"
    tier_of = {a: tiers.get(a, "not key") for a in monthly}
    expected = ref.grouped(monthly, tier_of, as_of)
    expected = {t: f for t, f in expected.items() if f["starting_revenue"] or f["ending_revenue"]}
    assert _by_tier(doc) == expected
