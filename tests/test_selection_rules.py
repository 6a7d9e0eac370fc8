"""The selection matrix's pure rules: cut lines, weights, potential, checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.core.errors import ValidationFailed
from accord.selection import rules
from accord.selection.rules import (
    CriterionDraft,
    CriterionKind,
    Potential,
    Quadrant,
    SelectionPolicy,
)

P = SelectionPolicy()


def test_an_account_exactly_on_both_cut_lines_is_strategic() -> None:
    # attractiveness 5.000 (5000 milli) and strength exactly 1.0 (us == them)
    assert rules.quadrant(5000, 600, 600, P) is Quadrant.STRATEGIC


def test_a_hair_below_the_attractiveness_cut_is_status_not_strategic() -> None:
    assert rules.quadrant(4999, 600, 600, P) is Quadrant.STATUS


def test_a_hair_below_the_strength_cut_is_star_not_strategic() -> None:
    assert rules.quadrant(5000, 599, 600, P) is Quadrant.STAR
    assert rules.quadrant(4999, 599, 600, P) is Quadrant.STREAMLINE


def test_the_strength_cut_is_compared_exactly_not_through_a_rounded_ratio() -> None:
    # 2/3 and 1/3 of a rounding unit: 6667/10000 vs 0.6667 cut — exact comparison decides
    policy = SelectionPolicy(strength_cut=Decimal("0.6667"))
    assert rules.quadrant(9000, 2, 3, policy) is Quadrant.STAR  # 0.66666… < 0.6667
    assert rules.quadrant(9000, 6667, 10000, policy) is Quadrant.STRATEGIC


def test_cut_lines_are_settings() -> None:
    policy = SelectionPolicy(attractiveness_cut=Decimal("6.5"), strength_cut=Decimal("1.2"))
    assert rules.quadrant(6000, 130, 100, policy) is Quadrant.STATUS
    assert rules.quadrant(6500, 120, 100, policy) is Quadrant.STRATEGIC


@pytest.mark.parametrize(
    ("milli", "expected"),
    [
        (0, Potential.LOW),
        (3999, Potential.LOW),
        (4000, Potential.MEDIUM),
        (6999, Potential.MEDIUM),
        (7000, Potential.HIGH),
        (10000, Potential.HIGH),
    ],
)
def test_potential_follows_attractiveness_at_its_thresholds(
    milli: int, expected: Potential
) -> None:
    assert rules.potential(milli, P) is expected


def test_potential_set_by_hand_wins() -> None:
    assert rules.potential(9000, P, "low") is Potential.LOW


def _drafts(*weights: int) -> list[CriterionDraft]:
    return [CriterionDraft(f"c{i}", w) for i, w in enumerate(weights)]


def test_weights_summing_to_100_are_accepted() -> None:
    assert (
        rules.criteria_problems(CriterionKind.ATTRACTIVENESS, _drafts(25, 25, 20, 15, 15), P) == []
    )


def test_weights_not_summing_to_100_are_refused_with_the_sum() -> None:
    problems = rules.criteria_problems(CriterionKind.ATTRACTIVENESS, _drafts(25, 25, 20, 15, 10), P)
    assert ("weights", "the weights must sum to 100; they sum to 95") in problems


def test_an_attractiveness_set_needs_four_to_six_criteria() -> None:
    problems = rules.criteria_problems(CriterionKind.ATTRACTIVENESS, _drafts(50, 50), P)
    assert any(f == "criteria" and "4–6" in m for f, m in problems)
    assert rules.criteria_problems(CriterionKind.BUYING, _drafts(50, 50), P) == []


def test_zero_weights_and_duplicate_names_are_refused() -> None:
    drafts = [CriterionDraft("Price", 0), CriterionDraft("price", 100)]
    fields = [f for f, _ in rules.criteria_problems(CriterionKind.BUYING, drafts, P)]
    assert "criteria.0.weight" in fields and "criteria.1.name" in fields


@pytest.mark.parametrize("raw", ["-1", "10.1", "7.25", "abc", "NaN"])
def test_bad_scores_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        rules.parse_score(raw)


def test_scores_are_kept_as_exact_tenths() -> None:
    assert rules.parse_score("7.5") == 75
    assert rules.parse_score(10) == 100


@st.composite
def weights_and_scores(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    n = draw(st.integers(1, 8))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 100]
    weights = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
    scores = draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
    return weights, scores


@given(weights_and_scores())
def test_attractiveness_is_the_exact_weighted_mean_and_stays_within_0_and_10(
    ws: tuple[list[int], list[int]],
) -> None:
    weights, tenths = ws
    milli = rules.weighted(weights, tenths)
    value = rules.from_milli(milli)
    expected = (
        sum(Decimal(w) * Decimal(s) / 10 for w, s in zip(weights, tenths, strict=False)) / 100
    )
    assert value == expected
    assert Decimal(0) <= value <= Decimal(10)
    assert min(tenths) * 100 <= milli <= max(tenths) * 100


@given(st.integers(0, 10000), st.integers(0, 1000), st.integers(1, 1000))
def test_the_quadrant_agrees_with_the_definition(attr: int, us: int, them: int) -> None:
    high = Decimal(attr) / 1000 >= P.attractiveness_cut
    strong = Decimal(us) / Decimal(them) >= P.strength_cut
    expected = {
        (True, True): Quadrant.STRATEGIC,
        (True, False): Quadrant.STAR,
        (False, True): Quadrant.STATUS,
        (False, False): Quadrant.STREAMLINE,
    }
    assert rules.quadrant(attr, us, them, P) is expected[(high, strong)]


@pytest.mark.parametrize(
    ("count", "severity"), [(14, "warn"), (15, "ok"), (35, "ok"), (36, "warn"), (51, "warn")]
)
def test_the_key_account_count_check_warns_outside_15_to_35(count: int, severity: str) -> None:
    assert rules.key_count_check(count, P).severity == severity
    if count > 50:
        assert "too many" in rules.key_count_check(count, P).message


def test_a_scoring_is_due_again_after_twelve_months() -> None:
    today = date(2026, 3, 15)
    assert rules.rescore_before(today, P) == date(2025, 3, 15)
    assert rules.needs_rescoring(date(2025, 3, 15), today, P)
    assert not rules.needs_rescoring(date(2025, 3, 16), today, P)
    assert rules.rescore_before(date(2025, 2, 28), SelectionPolicy(rescore_months=12)) == date(
        2024, 2, 28
    )


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.integers(min_value=1, max_value=120),
)
def test_the_rescoring_cut_off_the_matrix_queries_with_is_needs_rescoring(
    scored_on: date, today: date, months: int
) -> None:
    # the matrix asks SQL for scored_on <= rescore_before(today); needs_rescoring is its rule
    policy = SelectionPolicy(rescore_months=months)
    assert rules.needs_rescoring(scored_on, today, policy) == (
        scored_on <= rules.rescore_before(today, policy)
    )


def test_bad_settings_are_refused_with_the_field_named() -> None:
    with pytest.raises(ValidationFailed, match="potential_medium_from"):
        SelectionPolicy.from_dict({"potential_medium_from": "8", "potential_high_from": "7"})
    with pytest.raises(ValidationFailed, match="nonsense"):
        SelectionPolicy.from_dict({"nonsense": 1})
    assert SelectionPolicy.from_dict(P.to_dict()) == P
