"""Pure rules of account plans: progress, completeness, staleness, overdue actions,
plan ends and "reports to" loops; properties with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.core.errors import ValidationFailed
from accord.plans import rules
from accord.plans.rules import PlanFacts, PlansPolicy

figures = st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False,
                      allow_infinity=False)


def test_progress_is_the_share_of_the_way_from_baseline_to_target() -> None:
    assert rules.progress(Decimal(100), Decimal(200), Decimal(150)) == Decimal("0.5")
    assert rules.progress(Decimal(100), Decimal(200), Decimal(250)) == Decimal(1)
    assert rules.progress(Decimal(100), Decimal(200), Decimal(50)) == Decimal(0)
    # a target below the baseline (fewer complaints) works the other way round
    assert rules.progress(Decimal(10), Decimal(4), Decimal(7)) == Decimal("0.5")


def test_progress_is_unknown_without_a_way_to_go_or_a_value() -> None:
    assert rules.progress(Decimal(5), Decimal(5), Decimal(6)) is None
    assert rules.progress(Decimal(5), Decimal(8), None) is None
    assert rules.progress(None, Decimal(8), Decimal(6)) is None
    assert rules.progress(Decimal(5), None, Decimal(6)) is None


@given(figures, figures, figures)
def test_progress_clamps_to_0_1(baseline: Decimal, target: Decimal, current: Decimal) -> None:
    value = rules.progress(baseline, target, current)
    if target == baseline:
        assert value is None
    else:
        assert value is not None and Decimal(0) <= value <= Decimal(1)


@given(figures, figures, figures, figures)
def test_progress_is_monotone_in_the_current_value(
    baseline: Decimal, target: Decimal, a: Decimal, b: Decimal
) -> None:
    if target == baseline:
        return
    low, high = min(a, b), max(a, b)
    p_low, p_high = rules.progress(baseline, target, low), rules.progress(baseline, target, high)
    assert p_low is not None and p_high is not None
    if target > baseline:
        assert p_low <= p_high
    else:
        assert p_low >= p_high


@given(figures, figures)
def test_reaching_the_target_is_full_progress(baseline: Decimal, target: Decimal) -> None:
    if target != baseline:
        assert rules.progress(baseline, target, target) == Decimal(1)
        assert rules.progress(baseline, target, baseline) == Decimal(0)


facts = st.builds(
    PlanFacts,
    filled=st.frozensets(st.sampled_from(rules.SECTIONS)),
    objectives=st.integers(0, 50),
    objectives_with_target=st.integers(0, 50),
    actions=st.integers(0, 50),
    actions_with_owner=st.integers(0, 50),
)


@given(facts)
def test_completeness_is_a_share(f: PlanFacts) -> None:
    assert Decimal(0) <= rules.completeness(f) <= Decimal(1)


@given(st.integers(1, 50), st.integers(1, 50))
def test_a_plan_with_everything_filled_is_complete(objectives: int, actions: int) -> None:
    full = PlanFacts(frozenset(rules.SECTIONS), objectives, objectives, actions, actions)
    assert rules.completeness(full) == Decimal(1)


def test_completeness_counts_sections_targets_and_owners() -> None:
    assert rules.completeness(PlanFacts(frozenset())) == Decimal(0)
    assert rules.completeness(PlanFacts(frozenset({"business", "goals"}))) == Decimal("0.2")
    half = PlanFacts(frozenset(rules.SECTIONS), objectives=2, objectives_with_target=1,
                     actions=4, actions_with_owner=4)
    assert rules.completeness(half) == Decimal("0.95")


@given(facts, st.sampled_from(rules.SECTIONS))
def test_filling_a_section_never_lowers_completeness(f: PlanFacts, section: str) -> None:
    more = PlanFacts(f.filled | {section}, f.objectives, f.objectives_with_target, f.actions,
                     f.actions_with_owner)
    assert rules.completeness(more) >= rules.completeness(f)


def test_a_plan_is_stale_after_its_review_interval() -> None:
    day = date(2026, 3, 1)
    assert not rules.is_stale(day, 90, day + timedelta(days=90))
    assert rules.is_stale(day, 90, day + timedelta(days=91))


def test_only_open_actions_past_their_due_date_are_overdue() -> None:
    today = date(2026, 6, 10)
    assert rules.action_overdue("open", date(2026, 6, 9), today)
    assert not rules.action_overdue("open", today, today)
    assert not rules.action_overdue("done", date(2026, 6, 1), today)
    assert not rules.action_overdue("cancelled", date(2026, 6, 1), today)
    assert not rules.action_overdue("open", None, today)


def test_a_plan_ends_its_horizon_later() -> None:
    assert rules.plan_end(date(2026, 1, 15), 6) == date(2026, 7, 15)
    assert rules.plan_end(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert rules.plan_end(date(2026, 12, 1), 18) == date(2028, 6, 1)


def test_reports_to_loops_are_found() -> None:
    links = {1: None, 2: 1, 3: 2}
    assert rules.makes_cycle(links, 1, 3)
    assert rules.makes_cycle(links, 1, 1)
    assert not rules.makes_cycle(links, 3, 1)
    assert not rules.makes_cycle(links, 4, None)


def test_the_plans_policy_has_bounded_defaults() -> None:
    policy = PlansPolicy()
    assert (policy.review_interval_days, policy.share_link_days) == (90, 30)
    with pytest.raises(ValidationFailed) as refused:
        PlansPolicy.from_dict({"review_interval_days": 0, "share_link_days": 10_000})
    assert {p.field for p in refused.value.problems} == {"review_interval_days",
                                                         "share_link_days"}
