"""The cadence rules (``calendar.cadence.rules``) and the qualifying touch, pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.accounts.touches import QUALIFYING_KINDS, is_qualifying
from accord.calendar.cadence import rules
from accord.calendar.cadence.rules import CadencePolicy, resolve, state
from accord.core.errors import ValidationFailed

TODAY = date(2026, 3, 1)


@dataclass
class Own:
    touch_days: int | None
    review_days: int | None


def test_a_qualifying_touch_is_a_call_meeting_email_or_review_with_a_client_contact() -> None:
    assert QUALIFYING_KINDS == {"call", "meeting", "email", "business_review"}
    for kind in QUALIFYING_KINDS:
        assert is_qualifying(kind, True)
        assert not is_qualifying(kind, False)  # internal: no client contact
    assert not is_qualifying("note", True)


def test_the_defaults_are_the_tier_table() -> None:
    p = CadencePolicy()
    got = {t: (p.tiers[t].touch_days, p.tiers[t].review_days) for t in rules.TIERS}
    assert got == {"Strategic": (14, 91), "Star": (21, 91), "Status": (30, 182),
                   "Streamline": (90, None), "not key": (90, None)}
    assert (p.due_ratio, p.neglected_ratio) == (Decimal("0.8"), Decimal(2))


def test_precedence_override_then_person_then_tier_by_stage_then_tier() -> None:
    p = CadencePolicy.from_dict({"stages": {"Star": {"Strategic": {"touch_days": 7,
                                                                   "review_days": 30}}}})
    assert resolve(p, "Star", None, None) == rules.Interval(21, 91, "tier")
    assert resolve(p, "Star", "Tactical", None) == rules.Interval(21, 91, "tier")
    assert resolve(p, "Star", "Strategic", None) == rules.Interval(7, 30, "tier_stage")
    assert resolve(p, "Star", "Strategic", None, person=True) == rules.Interval(None, None,
                                                                                "person")
    own = Own(1, None)
    assert resolve(p, "Star", "Strategic", own, person=True) == rules.Interval(1, None,
                                                                               "override")
    assert resolve(p, "Star", "Strategic", Own(None, 365)).touch_days is None  # reports only
    assert resolve(p, "weird", None, None) == rules.Interval(90, None, "tier")  # as not key


def test_states_at_the_thresholds() -> None:
    last = TODAY - timedelta(days=0)
    assert state(last, None, TODAY) == "none"
    assert state(None, 10, TODAY) == "neglected"  # never touched
    cases = {0: "ok", 7: "ok", 8: "due", 10: "due", 11: "overdue", 20: "overdue",
             21: "neglected"}
    for days, expected in cases.items():
        assert state(TODAY - timedelta(days=days), 10, TODAY) == expected, days
    # on a 14-day interval 0.8 × 14 = 11.2: due from day 12; neglected past 28
    assert state(TODAY - timedelta(days=11), 14, TODAY) == "ok"
    assert state(TODAY - timedelta(days=12), 14, TODAY) == "due"
    assert state(TODAY - timedelta(days=28), 14, TODAY) == "overdue"
    assert state(TODAY - timedelta(days=29), 14, TODAY) == "neglected"


def test_next_touch_and_covered() -> None:
    assert rules.next_touch_on(date(2026, 12, 20), 14) == date(2027, 1, 3)  # over the year end
    assert rules.next_touch_on(None, 14) is None
    assert rules.next_touch_on(TODAY, None) is None
    assert rules.covered(TODAY - timedelta(days=14), 14, TODAY) is True
    assert rules.covered(TODAY - timedelta(days=15), 14, TODAY) is False
    assert rules.covered(None, 14, TODAY) is False
    assert rules.covered(TODAY, None, TODAY) is None


@pytest.mark.parametrize("document, field", [
    ({"tiers": {"Star": {"touch_days": 0}}}, "tiers.Star.touch_days"),
    ({"tiers": {"Star": {"review_days": 0}}}, "tiers.Star.review_days"),
    ({"tiers": {"Gold": {"touch_days": 5}}}, "tiers.Gold"),
    ({"stages": {"Star": {"Friendly": {"touch_days": 5}}}}, "stages.Star.Friendly"),
    ({"stages": {"Star": {"Tactical": {"touch_days": 0}}}}, "stages.Star.Tactical.touch_days"),
    ({"due_ratio": "1.2"}, "due_ratio"),
    ({"neglected_ratio": "1"}, "neglected_ratio"),
    ({"due_ratio": "0.805"}, "due_ratio"),
    ({"tiers": {"Star": {"touch_days": 4000}}}, "tiers.Star.touch_days"),
])
def test_bad_policies_are_refused_naming_the_field(document, field) -> None:
    with pytest.raises(ValidationFailed) as caught:
        CadencePolicy.from_dict(document)
    assert field in [p.field for p in caught.value.problems]


def test_an_interval_of_zero_says_so() -> None:
    problem = rules.interval_problem("touch_days", 0)
    assert problem is not None and "0 is not an interval" in problem.message


def test_a_tier_given_in_part_keeps_its_other_interval() -> None:
    p = CadencePolicy.from_dict({"tiers": {"Star": {"touch_days": 10}}})
    assert (p.tiers["Star"].touch_days, p.tiers["Star"].review_days) == (10, 91)
    assert p.tiers["Strategic"].touch_days == 14


def test_the_legacy_health_cadence_days_become_touch_intervals() -> None:
    doc = rules.from_legacy_health({"Strategic": 7, "Star": 0, "Gold": 3, "not key": 120})
    p = CadencePolicy.from_dict(doc)
    assert p.tiers["Strategic"].touch_days == 7 and p.tiers["Strategic"].review_days == 91
    assert p.tiers["Star"].touch_days == 21  # an invalid legacy value is not taken
    assert p.tiers["not key"].touch_days == 120


@given(days=st.integers(1, 400), elapsed=st.integers(0, 2000),
       due=st.sampled_from(["0.5", "0.8", "0.75", "0.95"]),
       neglected=st.sampled_from(["1.5", "2", "2.25", "3"]))
def test_the_state_grows_with_the_days_since_the_touch(days, elapsed, due, neglected) -> None:
    order = ["ok", "due", "overdue", "neglected"]
    kw = {"due_ratio": Decimal(due), "neglected_ratio": Decimal(neglected)}
    now = state(TODAY - timedelta(days=elapsed), days, TODAY, **kw)
    later = state(TODAY - timedelta(days=elapsed + 1), days, TODAY, **kw)
    assert order.index(later) >= order.index(now)
    assert (now in ("ok", "due")) == rules.covered(TODAY - timedelta(days=elapsed), days, TODAY)
    assert (now == "ok") == (elapsed < Decimal(due) * days)
