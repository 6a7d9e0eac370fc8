"""The pure helpers every capability leans on: integer months and exact money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.core.money import format_money, from_cents, parse_amount, to_cents
from accord.core.periods import first_day, format_month, month_index, parse_month


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_a_month_index_round_trips_through_its_text(day: date) -> None:
    index = month_index(day)
    assert parse_month(format_month(index)) == index
    assert first_day(index) == day.replace(day=1)


@given(st.dates(), st.integers(min_value=0, max_value=600))
def test_month_arithmetic_is_plain_addition(day: date, months: int) -> None:
    later = month_index(day) + months
    year, month0 = divmod(later, 12)
    expected_year = day.year + (day.month - 1 + months) // 12
    assert year == expected_year
    assert month0 + 1 == (day.month - 1 + months) % 12 + 1


@pytest.mark.parametrize("text", ["2025-13", "2025-1", "25-01", "", "2025/01"])
def test_it_refuses_a_malformed_month(text: str) -> None:
    with pytest.raises(ValueError):
        parse_month(text)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_cents_round_trip_exactly(cents: int) -> None:
    assert to_cents(from_cents(cents)) == cents
    assert to_cents(parse_amount(str(from_cents(cents)))) == cents


@pytest.mark.parametrize("text", ["1.234", "abc", "NaN", "Infinity", "1e400x", ""])
def test_it_refuses_an_amount_that_is_not_money(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_money_is_formatted_with_thousands_and_two_decimals() -> None:
    assert format_money(Decimal("1234567.5")) == "1,234,567.50"
    assert format_money(-1050) == "-10.50"
    assert format_money(None) == "—"
