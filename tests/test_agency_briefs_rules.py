"""Briefs' pure rules: the transition table and ``allowed_actions`` agree, every state's
moves, and (hypothesis) a due date check against any department calendar — the default due
date always passes, a day off is refused naming working days around it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.agency import rules as agency_rules
from accord.agency.briefs import rules
from accord.core.workdays import WorkCalendar, is_working_day

calendars = st.builds(
    lambda days, holidays: WorkCalendar(weekdays=frozenset(days) or frozenset({0}),
                                        holidays=frozenset(holidays)),
    st.sets(st.integers(0, 6), min_size=1),
    st.sets(st.dates(date(2027, 1, 1), date(2027, 12, 31)), max_size=20))


def test_allowed_actions_follow_the_table() -> None:
    for status in rules.STATES:
        for side in rules.SIDES:
            for proposal in (False, True):
                for action in rules.allowed_actions(status, side, proposal):
                    assert rules.check_move(action, status, proposal) == rules.target(
                        action, status)
    assert rules.allowed_actions("sent", "department", False) == ["accept"]
    assert rules.allowed_actions("accepted", "account", True) == [
        "agree_date", "decline_date", "cancel"]
    assert rules.allowed_actions("approved", "account", False) == []
    with pytest.raises(rules.MoveRefused, match="closed"):
        rules.check_move("cancel", "approved")
    with pytest.raises(rules.MoveRefused, match="proposed no other"):
        rules.check_move("agree_date", "accepted", False)


@given(calendars, st.dates(date(2027, 1, 1), date(2027, 12, 31)), st.integers(1, 40))
def test_the_default_due_date_always_passes_the_check(cal, today, turnaround) -> None:
    due = agency_rules.default_due(cal, today, turnaround)
    assert rules.check_due("due_on", due, today, cal, "Creative") == due


@given(calendars, st.dates(date(2027, 1, 1), date(2027, 12, 31)))
def test_a_day_off_is_refused_naming_working_days(cal, day) -> None:
    if is_working_day(cal, day):
        assert rules.check_due("due_on", day, day, cal, "Creative") == day
        return
    with pytest.raises(rules.RuleError) as caught:
        rules.check_due("due_on", day, day - timedelta(days=30), cal, "Creative")
    before, after = agency_rules.nearest_working_days(cal, day)
    assert after.isoformat() in str(caught.value) and caught.value.field == "due_on"
    assert is_working_day(cal, before) and is_working_day(cal, after) and before < day < after


@given(st.decimals(min_value=Decimal("-5"), max_value=Decimal("20000"), places=3,
                   allow_nan=False, allow_infinity=False))
def test_hours_are_above_zero_at_most_ten_thousand_two_decimals(hours) -> None:
    fits = Decimal(0) < hours <= Decimal(10000) and hours == hours.quantize(Decimal("0.01"))
    if fits:
        assert rules.check_hours("h", hours) == hours.quantize(Decimal("0.01"))
    else:
        with pytest.raises(rules.RuleError):
            rules.check_hours("h", hours)
