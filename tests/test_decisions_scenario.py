"""From data to decision, with a named cast of accounts, on both databases.

- Bulk Buyers: a large transactional account — the most revenue, little potential, one
  contact, no reviews. Large but not key; maintain efficiently.
- Small Partner: a small strategic partner — little revenue, high attractiveness, we beat
  the competitor, deep relationship. Key but not large; Strategic stage; maintain.
- Rising Star: growing fast, attractive, but the competitor is stronger; re-scored a year on
  it moved from Streamline to Star; the relationship is still tactical: invest.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from accord.calendar.models import FollowUp
from accord.core.models import User
from accord.health import service as health
from accord.relationships import decisions
from accord.relationships import service as stages
from accord.relationships.decisions import DecisionFilter
from accord.relationships.schemas import AssessmentIn, OverrideIn
from accord.selection import matrix
from accord.selection import service as selection
from kam_helpers import (
    TODAY,
    add_contacts,
    add_revenue,
    interaction,
    make_account,
    reviews,
    scoring,
    steady,
)

EXECS = [("Ada Board", "executive board", "executive"), ("Ben Chief", "finance", "executive")]
TEAM = [
    (f"P{i}", f, "manager")
    for i, f in enumerate(
        ["purchasing", "operations", "it", "quality", "logistics", "engineering", "legal", "hr"]
    )
]


def _arrange(sessions, cast) -> dict[str, int]:
    with sessions.begin() as s:
        owner = cast.owner.id
        bulk = make_account(s, "Bulk Buyers", owner, spend_cents=10_000_000_000)
        partner = make_account(s, "Small Partner", owner, spend_cents=6_000_000)
        star = make_account(s, "Rising Star", owner, segment="Retail", spend_cents=300_000_000)
        add_revenue(s, bulk, steady(100_000_000))  # 1,000,000.00 a month, flat
        add_revenue(
            s,
            partner,
            steady(500_000),
            product_lines=("core", "support", "analytics", "training", "hosting"),
        )
        add_revenue(s, star, steady(2_000_000, growth=Decimal("1.08")))
        add_contacts(
            s,
            bulk,
            [("Pat Purchaser", "purchasing", "staff")],
            touched_on=TODAY - timedelta(days=100),
            sentiment=5,
        )
        for days_late in (1, 5, 30):  # three overdue follow-ups: overdue commitments 3 → 0
            s.add(FollowUp(account_id=bulk, title=f"Send the offer ({days_late})",
                           due_on=TODAY - timedelta(days=days_late), owner_id=owner))
        add_contacts(s, partner, EXECS + TEAM, touched_on=TODAY - timedelta(days=3), sentiment=9)
        reviews(s, partner, [20, 60, 110, 150])
        add_contacts(
            s,
            star,
            [("Sam Buyer", "purchasing", "manager"), ("Kim Ops", "operations", "director")],
            touched_on=TODAY - timedelta(days=10),
            sentiment=8,
        )
    return {"bulk": bulk, "partner": partner, "star": star}


def _head(sessions, cast) -> User:
    with sessions() as s:
        user = s.get(User, cast.head.id)
        s.expunge(user)
        return user


def test_the_chain_from_data_to_decision_for_the_named_cast(sessions, cast) -> None:
    ids = _arrange(sessions, cast)
    head = _head(sessions, cast)
    with sessions.begin() as s:
        selection.score_account(
            s,
            head,
            ids["bulk"],
            scoring(s, head, attractiveness="3.5", us="6", them="5"),
            today=TODAY,
        )
        selection.score_account(
            s,
            head,
            ids["partner"],
            scoring(s, head, attractiveness="8", us="6.5", them="5"),
            today=TODAY,
        )
        selection.score_account(
            s,
            head,
            ids["star"],
            scoring(s, head, attractiveness="4.5", us="4", them="5", scored_on=date(2025, 1, 10)),
            today=TODAY,
        )
        star = selection.score_account(
            s,
            head,
            ids["star"],
            scoring(s, head, attractiveness="7.5", us="4", them="5"),
            today=TODAY,
        )
    assert (star.attractiveness, star.strength, star.quadrant, star.potential) == (
        Decimal("7.500"),
        Decimal("0.8000"),
        "Star",
        "high",
    )

    with sessions.begin() as s:
        placed = {p.name: p for p in matrix.matrix(s, head, today=TODAY).points}
    assert placed["Bulk Buyers"].quadrant == "Status" and placed["Bulk Buyers"].abc == "A"
    assert placed["Bulk Buyers"].revenue == Decimal("12000000.00")
    assert placed["Small Partner"].quadrant == "Strategic" and placed["Small Partner"].abc == "C"
    assert placed["Rising Star"].quadrant == "Star" and placed["Rising Star"].abc == "B"
    assert placed["Rising Star"].previous_attractiveness == Decimal("4.500")
    assert placed["Bulk Buyers"].previous_attractiveness is None

    with sessions.begin() as s:
        checks = {c.code: c for c in matrix.portfolio_checks(s, head, today=TODAY)}
    assert [a["name"] for a in checks["large_not_key"].accounts] == ["Bulk Buyers"]
    assert {a["name"] for a in checks["key_not_large"].accounts} == {"Rising Star", "Small Partner"}
    assert checks["key_count"].severity == "warn"  # 2 key accounts, below 15

    with sessions.begin() as s:
        partner = stages.stage_view(s, head, ids["partner"], today=TODAY)
        by = {c.criterion: c for c in partner.criteria}
        assert (
            by["contact_points"].score,
            by["supplier_position"].score,
            by["switching_cost"].score,
            by["governance"].score,
        ) == (4, 4, 4, 4)
        assert "10 contacts touched" in by["contact_points"].evidence
        assert by["forecast_horizon"].source == "default"
        assert partner.suggested_total == 18 and partner.suggested_stage == "Interdependent"
        for criterion, reason in (
            ("forecast_horizon", "five-year framework agreement"),
            ("information_sharing", "joint planning, open book"),
        ):
            stages.set_override(
                s, head, ids["partner"], criterion, OverrideIn(score=4, reason=reason), today=TODAY
            )
        partner = stages.record_stage(s, head, ids["partner"], AssessmentIn(), today=TODAY)
        assert (partner.suggested_total, partner.recorded_stage) == (24, "Strategic")
        assert partner.reasoning is not None
        assert partner.decision == "maintain" and "strategic" in partner.reasoning

        bulk = stages.stage_view(s, head, ids["bulk"], today=TODAY)
        assert bulk.suggested_total == 6 and bulk.suggested_stage == "Tactical"
        stages.record_stage(s, head, ids["bulk"], AssessmentIn(), today=TODAY)
        star_stage = stages.record_stage(s, head, ids["star"], AssessmentIn(), today=TODAY)
        assert star_stage.recorded_stage == "Tactical" and star_stage.decision == "invest"

        health.recompute_all(s, head, today=TODAY)

    with sessions.begin() as s:
        page = decisions.list_decisions(s, head, today=TODAY, sort="name")
    rows = {r.name: r for r in page.items}
    assert set(rows) == {"Bulk Buyers", "Rising Star", "Small Partner"}
    assert (
        rows["Bulk Buyers"].tier,
        rows["Bulk Buyers"].potential,
        rows["Bulk Buyers"].stage,
        rows["Bulk Buyers"].decision,
        rows["Bulk Buyers"].flag,
    ) == ("Status", "low", "Tactical", "maintain", "large_not_key")
    assert (
        rows["Small Partner"].tier,
        rows["Small Partner"].decision,
        rows["Small Partner"].flag,
    ) == ("Strategic", "maintain", "key_not_large")
    assert (rows["Rising Star"].tier, rows["Rising Star"].decision) == ("Star", "invest")
    # Bulk Buyers: trend 1.0 → 75; 100 days since the last qualifying touch on a 30-day
    # cadence → 0; 3 overdue follow-ups → 0; sentiment 5 → 20
    # (30·75 + 20·0 + 15·0 + 15·20) ÷ 80 = 31.9 → 32, red
    assert (rows["Bulk Buyers"].health, rows["Bulk Buyers"].band) == (32, "red")
    assert rows["Small Partner"].band == "green"

    with sessions.begin() as s:
        live = health.account_health(s, head, ids["bulk"], today=TODAY)
    assert live.score == 32 and live.stored_score == 32
    assert live.left_out == ["licence_utilisation"]


def test_the_decision_changes_when_the_account_is_rescored(sessions, cast) -> None:
    ids = _arrange(sessions, cast)
    head = _head(sessions, cast)
    with sessions.begin() as s:
        selection.score_account(
            s, head, ids["bulk"], scoring(s, head, attractiveness="3.5", us="6"), today=TODAY
        )
        stages.record_stage(s, head, ids["bulk"], AssessmentIn(), today=TODAY)
    with sessions.begin() as s:
        before = decisions.list_decisions(s, head, today=TODAY, flt=DecisionFilter(q="bulk")).items[
            0
        ]
        selection.score_account(
            s, head, ids["bulk"], scoring(s, head, attractiveness="7", us="6"), today=TODAY
        )
    with sessions.begin() as s:
        after = decisions.list_decisions(s, head, today=TODAY, flt=DecisionFilter(q="bulk")).items[
            0
        ]
    assert (before.tier, before.potential, before.decision) == ("Status", "low", "maintain")
    assert (after.tier, after.potential, after.decision) == ("Strategic", "high", "invest")
    assert after.flag is None


def test_a_deselected_account_is_not_key_whatever_its_quadrant(sessions, cast) -> None:
    ids = _arrange(sessions, cast)
    head = _head(sessions, cast)
    with sessions.begin() as s:
        selection.score_account(
            s, head, ids["partner"], scoring(s, head, attractiveness="8", us="6"), today=TODAY
        )
        status = selection.deselect(s, head, ids["partner"], "the partner is being acquired")
        assert (status.tier, status.deselected) == ("not key", True)
        assert selection.tier_case(s) == {ids["partner"]: "not key"}
        status = selection.reselect(s, head, ids["partner"])
        assert status.tier == "Strategic"


def test_interactions_after_today_do_not_count_as_evidence(sessions, cast) -> None:
    ids = _arrange(sessions, cast)
    head = _head(sessions, cast)
    with sessions.begin() as s:
        interaction(s, ids["bulk"], TODAY + timedelta(days=5), kind="business_review")
        view = stages.stage_view(s, head, ids["bulk"], today=TODAY)
    assert next(c for c in view.criteria if c.criterion == "governance").score == 1
