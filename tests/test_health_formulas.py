"""The health score's pure rules: interpolation, re-normalisation, bands."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.health import formulas
from accord.health.formulas import HealthPolicy, MeasureSpec

P = HealthPolicy()
D = Decimal


@pytest.mark.parametrize(
    ("measure", "value", "score"),
    [
        ("revenue_trend", "1.10", 100),
        ("revenue_trend", "1.50", 100),
        ("revenue_trend", "0.70", 0),
        ("revenue_trend", "0.50", 0),
        ("revenue_trend", "0.90", 50),
        ("contact_freshness", "1.0", 100),
        ("contact_freshness", "0.5", 100),
        ("contact_freshness", "2.0", 0),
        ("contact_freshness", "1.5", 50),
        ("sentiment", "9", 100),
        ("sentiment", "4", 0),
        ("sentiment", "6.5", 50),
        ("licence_utilisation", "0.85", 100),
        ("licence_utilisation", "0.40", 0),
        ("overdue_commitments", "0", 100),
        ("overdue_commitments", "3", 0),
        ("overdue_commitments", "1.5", 50),
    ],
)
def test_each_measure_is_linear_between_its_thresholds(
    measure: str, value: str, score: int
) -> None:
    assert formulas.measure_score(D(value), P.measures[measure]) == score


def test_with_every_measure_present_the_default_weights_apply() -> None:
    result = formulas.health(
        {
            "revenue_trend": D("1.10"),
            "licence_utilisation": D("0.40"),
            "contact_freshness": D("1.0"),
            "overdue_commitments": D(3),
            "sentiment": D(9),
        },
        P,
    )
    # 30·100 + 20·0 + 20·100 + 15·0 + 15·100 = 6500 over 100
    assert result.score == 65 and result.band == "amber" and result.left_out == []


def test_missing_measures_are_left_out_and_the_other_weights_renormalised() -> None:
    result = formulas.health(
        {"revenue_trend": D("1.10"), "contact_freshness": D("2.0"), "sentiment": D(9)}, P
    )
    # (30·100 + 20·0 + 15·100) ÷ 65 = 69.23… → 69
    assert result.score == 69 and result.band == "amber"
    assert result.left_out == ["licence_utilisation", "overdue_commitments"]
    weights = {m.measure: m.effective_weight for m in result.measures}
    assert weights["revenue_trend"] == D(30) * 100 / 65
    assert weights["licence_utilisation"] == 0
    assert sum(weights.values()) == 100
    assert "no subscriptions" in next(
        m.note for m in result.measures if m.measure == "licence_utilisation"
    )


def test_with_no_measure_at_all_there_is_no_score() -> None:
    result = formulas.health({}, P)
    assert result.score is None and result.band is None


@pytest.mark.parametrize(
    ("score", "band"),
    [(100, "green"), (70, "green"), (69, "amber"), (40, "amber"), (39, "red"), (0, "red")],
)
def test_bands_at_their_edges(score: int, band: str) -> None:
    assert formulas.band(score, P) == band


def test_the_score_rounds_half_up() -> None:
    # sentiment 6.75 → 55 exactly; trend 0.902 → 50.5 → 51 with equal weights
    policy = HealthPolicy.from_dict(
        {
            "measures": {
                "revenue_trend": {"weight": "1"},
                "sentiment": {"weight": "1"},
                "contact_freshness": {"weight": "0"},
            }
        }
    )
    result = formulas.health({"revenue_trend": D("0.902")}, policy)
    assert result.score == 51


def test_a_segment_may_weigh_and_cut_differently() -> None:
    segment = HealthPolicy.from_dict(
        {"measures": {"sentiment": {"weight": "60", "full": "8"}}, "green_from": 80}, P
    )
    values = {"revenue_trend": D("0.70"), "sentiment": D(8)}
    assert formulas.health(values, P).score == 0 * 30 // 45 + round(15 * 80 / 45)  # 27
    result = formulas.health(values, segment)
    assert result.score == 67 and result.band == "amber"


def test_revenue_trend_needs_a_previous_window_and_counts_negative_sums_as_zero() -> None:
    assert formulas.revenue_trend(100, 0) is None
    assert formulas.revenue_trend(-50, 100) == 0
    assert formulas.revenue_trend(110, 100) == D("1.1")


def test_freshness_is_missing_without_a_cadence_and_worst_when_never_touched() -> None:
    assert formulas.freshness(10, None) is None
    never = formulas.freshness(None, 14)
    assert never is not None
    assert formulas.measure_score(never, P.measures["contact_freshness"]) == 0
    assert formulas.freshness(28, 14) == 2


@given(
    st.decimals(min_value=-5, max_value=5, places=3),
    st.decimals(min_value=-5, max_value=5, places=3),
    st.decimals(min_value=-5, max_value=5, places=3),
)
def test_a_measure_score_stays_in_0_to_100_and_moves_toward_full(
    value: Decimal, full: Decimal, zero: Decimal
) -> None:
    if full == zero:
        return
    spec = MeasureSpec(D(1), full, zero)
    score = formulas.measure_score(value, spec)
    assert 0 <= score <= 100
    nearer = value + (full - value) / 2
    assert formulas.measure_score(nearer, spec) >= score


@given(
    st.dictionaries(
        st.sampled_from(formulas.MEASURES),
        st.decimals(min_value=0, max_value=10, places=2),
        max_size=5,
    )
)
def test_the_score_is_a_weighted_mean_of_the_present_measures(values: dict[str, Decimal]) -> None:
    result = formulas.health(values, P)
    present = [m for m in result.measures if m.score is not None]
    if not present:
        assert result.score is None
        return
    scores = [m.score for m in present if m.score is not None]
    assert result.score is not None
    assert min(scores) - 1 <= result.score <= max(scores) + 1
