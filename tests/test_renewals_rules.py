"""Renewals' pure rules (notice deadline, reminder date, notice window, state) and their SQL
twin (``calendar.renewals.queries``), held equal on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from accord.accounts.models import Account
from accord.calendar.renewals import queries, rules
from accord.calendar.renewals.rules import RenewalsPolicy
from accord.core.errors import ValidationFailed

TWINS = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
notices = st.none() | st.integers(min_value=0, max_value=rules.MAX_NOTICE_DAYS)
leads = st.integers(min_value=0, max_value=rules.MAX_LEAD_DAYS)


def test_the_deadline_and_the_reminder_of_a_contract() -> None:
    end = date(2027, 6, 30)
    assert rules.notice_deadline(end, 90) == date(2027, 4, 1)
    assert rules.notice_deadline(end, None) == end  # no notice period: the end itself
    assert rules.reminder_on(end, 90, 30) == date(2027, 3, 2)
    assert rules.reminder_on(end, 0, 0) == end


@pytest.mark.parametrize(("today", "state", "window"), [
    (date(2027, 3, 1), "upcoming", False),
    (date(2027, 3, 2), "due", True),  # the reminder date
    (date(2027, 4, 1), "due", True),  # the notice deadline
    (date(2027, 4, 2), "notice_passed", True),
    (date(2027, 6, 30), "notice_passed", True),  # the contract end
    (date(2027, 7, 1), "ended", False),
])
def test_the_states_across_the_window(today: date, state: str, window: bool) -> None:
    end = date(2027, 6, 30)
    assert rules.state(end, 90, 30, today) == state
    assert rules.in_window(end, 90, 30, today) is window
    assert (state in rules.WINDOW_STATES) is window


def test_without_a_contract_end_there_is_no_renewal() -> None:
    assert rules.state(None, 90, 30, date(2027, 1, 1)) == "none"
    assert not rules.in_window(None, 90, 30, date(2027, 1, 1))


def test_the_titles() -> None:
    assert rules.opportunity_title(date(2027, 6, 30)) == "Renewal 2027-06-30"
    assert rules.follow_up_title(date(2027, 4, 1)) == "Renewal notice deadline 2027-04-01"


@pytest.mark.parametrize("bad", [{"lead_days": -1}, {"lead_days": 366}, {"lead_days": "30"},
                                 {"lead_days": 2.5}, {"colour": "red"}])
def test_the_policy_refuses_what_is_out_of_bounds(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        RenewalsPolicy.from_dict(bad)
    assert caught.value.problems[0].field in ("lead_days", "colour")
    assert RenewalsPolicy.from_dict({}).lead_days == 30


@given(end=days, notice=notices, lead=leads, today=days)
def test_the_window_is_reminder_to_end_and_the_states_partition_time(
    end: date, notice: int | None, lead: int, today: date
) -> None:
    state = rules.state(end, notice, lead, today)
    reminder = rules.reminder_on(end, notice, lead)
    deadline = rules.notice_deadline(end, notice)
    assert reminder <= deadline <= end
    assert rules.in_window(end, notice, lead, today) == (reminder <= today <= end)
    assert rules.in_window(end, notice, lead, today) == (state in rules.WINDOW_STATES)
    assert state == ("upcoming" if today < reminder else "due" if today <= deadline
                     else "notice_passed" if today <= end else "ended")
    # a longer lead never leaves the window earlier
    if rules.in_window(end, notice, lead, today) and lead < rules.MAX_LEAD_DAYS:
        assert rules.in_window(end, notice, lead + 1, today)


@TWINS
@given(contracts=st.lists(st.tuples(st.none() | days, notices), min_size=1, max_size=6),
       lead=leads, today=days)
@example(contracts=[(date(2027, 6, 30), 90)], lead=30, today=date(2027, 3, 2))
@example(contracts=[(date(2027, 6, 30), 90)], lead=30, today=date(2027, 3, 1))
@example(contracts=[(date(2027, 6, 30), None)], lead=0, today=date(2027, 6, 30))
@example(contracts=[(date(2027, 6, 30), 3650)], lead=365, today=date(2016, 7, 3))
def test_the_sql_window_equals_the_pure_rule(
    sessions, contracts: list[tuple[date | None, int | None]], lead: int, today: date
) -> None:
    with sessions() as s:
        ids = {}
        for i, (end, notice) in enumerate(contracts):
            row = Account(name=f"R{i}", name_key=f"r{i}", contract_end_on=end,
                          notice_days=notice)
            s.add(row)
            s.flush()
            ids[row.id] = (end, notice)
        q = queries.window_select(s, today, lead).where(Account.id.in_(ids))
        got = {a: bool(w) for a, w in s.execute(q)}
        order = [a for (a,) in s.execute(
            select(Account.id).where(Account.id.in_(ids), Account.contract_end_on.is_not(None))
            .order_by(queries.deadline_order(s, today), Account.id))]
        s.rollback()
    assert got == {a: rules.in_window(e, n, lead, today) for a, (e, n) in ids.items()}
    dated = {a: v for a, v in ids.items() if v[0] is not None}
    assert order == sorted(dated, key=lambda a: (
        rules.notice_deadline(dated[a][0], dated[a][1]), a))  # type: ignore[arg-type]


def test_the_window_range_covers_the_widest_notice_and_lead() -> None:
    widest = timedelta(days=rules.MAX_NOTICE_DAYS + rules.MAX_LEAD_DAYS)
    end = date(2040, 1, 1)
    assert rules.reminder_on(end, rules.MAX_NOTICE_DAYS, rules.MAX_LEAD_DAYS) == end - widest


@TWINS
@given(subs=st.lists(st.tuples(days, st.integers(0, rules.MAX_NOTICE_DAYS),
                               st.sampled_from(["trial", "active", "cancelled", "expired"])),
                     min_size=1, max_size=5),
       lead=leads, today=days)
@example(subs=[(date(2026, 4, 30), 60, "active")], lead=30, today=date(2026, 1, 31))
@example(subs=[(date(2026, 4, 30), 60, "active")], lead=30, today=date(2026, 1, 30))
@example(subs=[(date(2026, 4, 30), 0, "trial")], lead=0, today=date(2026, 4, 30))
def test_the_sql_window_of_subscriptions_equals_the_pure_rule(
    sessions, subs: list[tuple[date, int, str]], lead: int, today: date
) -> None:
    from accord.licences.models import Subscription
    from licence_helpers import make_sku

    with sessions() as s:
        account = Account(name="Subscriber", name_key="subscriber")
        s.add(account)
        s.flush()
        sku = make_sku(s)
        ids = {}
        for end, notice, status in subs:
            row = Subscription(account_id=account.id, sku_id=sku, status=status,
                               start_on=date(2000, 1, 1), term_months=12, end_on=end,
                               notice_days=notice, currency="EUR")
            s.add(row)
            s.flush()
            ids[row.id] = (end, notice, status)
        got = {i: bool(w) for i, w in s.execute(queries.subscription_window_select(
            s, today, lead).where(Subscription.id.in_(ids)))}
        order = [i for (i,) in s.execute(select(Subscription.id).where(
            Subscription.id.in_(ids)).order_by(
            queries.subscription_deadline_order(s, today), Subscription.id))]
        s.rollback()
    assert got == {i: rules.subscription_in_window(st_, e, n, lead, today)
                   for i, (e, n, st_) in ids.items()}
    assert order == sorted(ids, key=lambda i: (rules.notice_deadline(*ids[i][:2]), i))
