"""The relationship rubric's pure rules: evidence to scores, bands, stage × potential."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.core.errors import ValidationFailed
from accord.relationships import rubric
from accord.relationships.rubric import Decision, Evidence, Stage, StagePolicy

P = StagePolicy()


@pytest.mark.parametrize(
    ("total", "stage"),
    [
        (6, Stage.TACTICAL),
        (10, Stage.TACTICAL),
        (11, Stage.COOPERATIVE),
        (16, Stage.COOPERATIVE),
        (17, Stage.INTERDEPENDENT),
        (22, Stage.INTERDEPENDENT),
        (23, Stage.STRATEGIC),
        (24, Stage.STRATEGIC),
    ],
)
def test_the_rubric_total_falls_in_its_stage_band(total: int, stage: Stage) -> None:
    assert rubric.stage_for_total(total, P) is stage


@pytest.mark.parametrize("total", [5, 25])
def test_a_total_outside_6_to_24_is_refused(total: int) -> None:
    with pytest.raises(ValueError):
        rubric.stage_for_total(total, P)


TABLE = {
    ("Tactical", "low"): "maintain",
    ("Tactical", "medium"): "invest",
    ("Tactical", "high"): "invest",
    ("Cooperative", "low"): "maintain",
    ("Cooperative", "medium"): "maintain",
    ("Cooperative", "high"): "invest",
    ("Interdependent", "low"): "recalibrate",
    ("Interdependent", "medium"): "recalibrate",
    ("Interdependent", "high"): "maintain",
    ("Strategic", "low"): "recalibrate",
    ("Strategic", "medium"): "recalibrate",
    ("Strategic", "high"): "maintain",
}


@pytest.mark.parametrize(("stage", "potential"), sorted(TABLE))
def test_every_cell_of_stage_by_potential_gives_the_models_decision(
    stage: str, potential: str
) -> None:
    assert rubric.decide(stage, potential, P) is Decision(TABLE[(stage, potential)])
    words = rubric.reasoning(stage, potential, P)
    assert stage.lower() in words and potential in words and TABLE[(stage, potential)] in words


def test_the_decision_table_is_a_setting() -> None:
    custom = P.to_dict()
    custom["decisions"]["Tactical"]["low"] = "invest"
    policy = StagePolicy.from_dict(custom)
    assert rubric.decide("Tactical", "low", policy) is Decision.INVEST


def test_a_decision_table_with_a_hole_is_refused() -> None:
    custom = P.to_dict()
    del custom["decisions"]["Strategic"]
    with pytest.raises(ValidationFailed, match="Strategic"):
        StagePolicy.from_dict(custom)


@pytest.mark.parametrize(
    ("contacts", "functions", "executives", "score"),
    [
        (0, 0, 0, 1),
        (1, 1, 0, 1),
        (2, 1, 0, 2),
        (4, 3, 1, 2),
        (5, 1, 0, 2),
        (5, 2, 0, 3),
        (9, 3, 1, 3),
        (10, 3, 0, 3),
        (10, 3, 1, 4),
        (10, 1, 1, 2),
    ],
)
def test_contact_points_need_breadth_and_executives(
    contacts: int, functions: int, executives: int, score: int
) -> None:
    ev = Evidence(contacts_touched=contacts, functions=functions, executives=executives)
    assert rubric.score_contact_points(ev, P) == score


@pytest.mark.parametrize(
    ("share", "score"),
    [
        ("0", 1),
        ("0.2499", 1),
        ("0.25", 2),
        ("0.4999", 2),
        ("0.5", 3),
        ("0.8999", 3),
        ("0.9", 4),
        ("1.3", 4),
    ],
)
def test_supplier_position_follows_share_of_wallet(share: str, score: int) -> None:
    assert rubric.score_supplier_position(Evidence(share_of_wallet=Decimal(share)), P) == score


def test_without_a_spend_estimate_supplier_position_has_no_evidence_and_counts_as_1() -> None:
    scores = {c.criterion: c for c in rubric.assess(Evidence(), P)}
    assert scores["supplier_position"].computed is None
    assert scores["supplier_position"].score == 1
    assert scores["supplier_position"].source == "default"


TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("end", "score", "words"),
    [
        (date(2026, 11, 30), 1, "the contract ended on 2026-11-30"),
        (date(2026, 12, 6), 1, "the contract ended on 2026-12-06"),  # ends today: order by order
        (date(2026, 12, 7), 2, "the contract runs until 2026-12-07"),
        (date(2027, 12, 5), 2, "the contract runs until 2027-12-05"),
        (date(2027, 12, 6), 3, "the contract runs until 2027-12-06"),  # a year: 1–3 years
        (date(2029, 12, 5), 3, "the contract runs until 2029-12-05"),
        (date(2029, 12, 6), 4, "the contract runs until 2029-12-06"),  # three years or more
    ],
)
def test_forecast_horizon_follows_the_contract_end_date(end: date, score: int, words: str) -> None:
    ev = Evidence(contract_end_on=end, as_of=TODAY)
    assert rubric.score_forecast_horizon(ev) == score
    horizon = next(c for c in rubric.assess(ev, P) if c.criterion == "forecast_horizon")
    assert (horizon.computed, horizon.evidence, horizon.source) == (score, words, "data")


def test_without_a_contract_end_date_forecast_horizon_has_no_evidence() -> None:
    horizon = next(c for c in rubric.assess(Evidence(), P) if c.criterion == "forecast_horizon")
    assert (horizon.computed, horizon.score, horizon.source) == (None, 1, "default")
    assert horizon.evidence == "no contract end date recorded"


def test_a_leap_day_counts_whole_years() -> None:
    assert rubric.years_later(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert rubric.score_forecast_horizon(
        Evidence(contract_end_on=date(2029, 2, 28), as_of=date(2028, 2, 29))) == 3


@given(
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    days=st.integers(min_value=-3000, max_value=3000),
    more=st.integers(min_value=0, max_value=400),
)
def test_forecast_horizon_never_falls_as_the_contract_lengthens(
    today: date, days: int, more: int
) -> None:
    end = today + timedelta(days=days)
    score = rubric.score_forecast_horizon(Evidence(contract_end_on=end, as_of=today))
    later = rubric.score_forecast_horizon(
        Evidence(contract_end_on=end + timedelta(days=more), as_of=today))
    assert score is not None and later is not None and 1 <= score <= later <= 4
    assert (score == 1) == (end <= today)


@pytest.mark.parametrize(("reviews", "score"), [(0, 1), (1, 2), (2, 3), (3, 3), (4, 4)])
def test_governance_counts_business_reviews(reviews: int, score: int) -> None:
    assert rubric.score_governance(Evidence(business_reviews=reviews), P) == score


def test_an_override_replaces_the_evidence_and_keeps_its_reason() -> None:
    scores = rubric.assess(Evidence(), P, {"information_sharing": (4, "open-book since 2024")})
    info = next(c for c in scores if c.criterion == "information_sharing")
    assert (info.score, info.source, info.reason) == (4, "manager", "open-book since 2024")
    assert rubric.total(scores) == 5 + 4


def test_an_override_without_a_reason_or_out_of_range_is_refused() -> None:
    fields = [f for f, _ in rubric.validate_override("governance", 5, " ")]
    assert fields == ["score", "reason"]
    assert rubric.validate_override("mood", 2, "x")[0][0] == "criterion"


@given(st.lists(st.integers(1, 4), min_size=6, max_size=6))
def test_any_six_scores_give_a_stage_and_a_decision(scores: list[int]) -> None:
    stage = rubric.stage_for_total(sum(scores), P)
    for potential in ("low", "medium", "high"):
        assert rubric.decide(stage, potential, P) in set(Decision)
