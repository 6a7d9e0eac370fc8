"""Client inputs' pure rules: validation, the chase interval's precedence, the chase schedule
(property: every chase on a working day, exactly ``chase_days`` working days after the one
before), the escalation decision, overdue, the drafted e-mail and its ``mailto:`` link."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.agency.inputs import rules
from accord.core.workdays import WorkCalendar, count_working_days, is_working_day

MONDAY = date(2027, 3, 1)
CAL = WorkCalendar()


def test_titles_reasons_and_intervals_are_bounded() -> None:
    assert rules.check_title("  Brand book ") == "Brand book"
    for bad in ("", "   ", "x" * 201, "two\nlines"):
        with pytest.raises(rules.RuleError) as caught:
            rules.check_title(bad)
        assert caught.value.field == "title"
    assert rules.check_text("reason", "x" * 2000) == "x" * 2000
    with pytest.raises(rules.RuleError):
        rules.check_text("reason", "x" * 2001)
    assert rules.check_chase_days(None) is None
    assert rules.check_chase_days(1) == 1 and rules.check_chase_days(260) == 260
    for days in (0, -1, 261, True):
        with pytest.raises(rules.RuleError) as refused:
            rules.check_chase_days(days)
        assert refused.value.field == "chase_days"


def test_a_due_date_before_today_is_refused() -> None:
    assert rules.check_due(MONDAY, MONDAY) == MONDAY
    with pytest.raises(rules.RuleError) as caught:
        rules.check_due(MONDAY - timedelta(days=1), MONDAY)
    assert caught.value.field == "due_on" and "before today" in str(caught.value)
    with pytest.raises(rules.RuleError):
        rules.check_due(date(2200, 1, 1), MONDAY)


def test_the_day_it_came_is_between_the_request_and_today() -> None:
    assert rules.check_closed_on(MONDAY, MONDAY, MONDAY) == MONDAY
    with pytest.raises(rules.RuleError):
        rules.check_closed_on(MONDAY - timedelta(days=1), MONDAY, MONDAY + timedelta(days=3))
    with pytest.raises(rules.RuleError):
        rules.check_closed_on(MONDAY + timedelta(days=1), MONDAY, MONDAY)


def test_the_interval_is_the_requests_then_the_accounts_then_the_settings() -> None:
    assert rules.resolve_chase_days(2, 5, 3) == 2
    assert rules.resolve_chase_days(None, 5, 3) == 5
    assert rules.resolve_chase_days(None, None, 3) == 3
    assert [rules.chase_source(2, 5), rules.chase_source(None, 5),
            rules.chase_source(None, None)] == ["request", "account", "setting"]


def test_chases_skip_weekends_and_holidays() -> None:
    friday = date(2027, 3, 5)
    assert rules.first_chase_on(CAL, friday, 1) == date(2027, 3, 8)  # Monday
    holiday = WorkCalendar(holidays=frozenset({date(2027, 3, 8)}))
    assert rules.first_chase_on(holiday, friday, 1) == date(2027, 3, 9)
    assert rules.next_chase_on(CAL, MONDAY, 3) == date(2027, 3, 4)
    assert rules.schedule(CAL, MONDAY, 2, 3) == [date(2027, 3, 3), date(2027, 3, 5),
                                                date(2027, 3, 9)]


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
       days=st.integers(min_value=1, max_value=30),
       count=st.integers(min_value=1, max_value=8),
       weekdays=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
       holidays=st.sets(st.integers(min_value=0, max_value=400), max_size=20))
def test_chases_fall_on_working_days_exactly_the_interval_apart(
        start, days, count, weekdays, holidays) -> None:
    cal = WorkCalendar(weekdays=frozenset(weekdays),
                       holidays=frozenset(start + timedelta(days=h) for h in holidays))
    chases = rules.schedule(cal, start, days, count)
    previous = start
    for day in chases:
        assert is_working_day(cal, day)
        assert count_working_days(cal, previous, day) == days
        assert rules.next_chase_on(cal, previous, days) == day
        previous = day
    assert chases[0] == rules.first_chase_on(cal, start, days)


@given(st.integers(min_value=0, max_value=30), st.integers(min_value=1, max_value=20))
def test_the_n_plus_first_chase_is_escalated(chases, n) -> None:
    assert rules.decide(chases, n) == ("chase" if chases < n else "escalate")


def test_escalation_with_three() -> None:
    assert [rules.decide(k, 3) for k in range(5)] == ["chase", "chase", "chase", "escalate",
                                                      "escalate"]


def test_overdue_is_open_and_due_before_today() -> None:
    assert rules.is_overdue("open", MONDAY - timedelta(days=1), MONDAY)
    assert not rules.is_overdue("open", MONDAY, MONDAY)
    assert not rules.is_overdue("received", MONDAY - timedelta(days=9), MONDAY)


def test_the_drafted_email_is_polite_and_names_what_when_and_why() -> None:
    draft = rules.draft_email(title="Brand book", due_on=date(2027, 3, 10), number=2,
                              contact_name="Carla Client", brief_title="Spring campaign",
                              reason="the creatives need the colours", sender_name="Olivia",
                              account_name="Acme")
    assert draft.subject == "Reminder: Brand book (due 2027-03-10) — 2nd reminder"
    assert draft.body.startswith("Dear Carla Client,")
    for words in ("Brand book", "2027-03-10", "Spring campaign", "(2nd)", "Thank you",
                  "Olivia", "the creatives need the colours"):
        assert words in draft.body
    first = rules.draft_email(title="Logo", due_on=date(2027, 3, 10), number=1,
                              contact_name=None, brief_title=None, reason="",
                              sender_name=None, account_name="Acme")
    assert first.body.startswith("Hello,") and first.subject == "Reminder: Logo (due 2027-03-10)"


def test_mailto_is_percent_encoded_as_rfc_6068_says() -> None:
    body = "Dear Ann,\nA & B? 100% — ok #1"
    url = rules.mailto_url("ann+x@example.com", "Brand book & logo?", body)
    parts = urlsplit(url)
    assert parts.scheme == "mailto" and unquote(parts.path) == "ann+x@example.com"
    assert " " not in url and "\n" not in url and "+" not in url.split("?", 1)[1]
    assert "%0D%0A" in url and "%26" in url and "%E2%80%94" in url
    query = parse_qs(parts.query)
    assert query["subject"] == ["Brand book & logo?"]
    assert query["body"] == [body.replace("\n", "\r\n")]
    assert rules.mailto_url(None, "s", "b") == "mailto:?subject=s&body=b"
