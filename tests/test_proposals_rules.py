"""The pure rules of proposals: totals in Decimal rounded to cents (property tests), the
status transitions, expiry, the lower median."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.proposals import rules

prices = st.decimals(min_value=0, max_value=Decimal("1000000"), places=2)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("10000"), places=4)
rates = st.decimals(min_value=0, max_value=100, places=4)


@st.composite
def lines(draw) -> rules.Line:
    price = draw(prices)
    discount = draw(st.decimals(min_value=0, max_value=price, places=2))
    return rules.Line(draw(quantities), price, discount, draw(rates))


@given(st.lists(lines(), max_size=30))
def test_totals_are_the_sums_of_the_rounded_lines(items) -> None:
    totals = rules.totals(items)
    each = [rules.line_total(line) for line in items]
    assert totals.total == sum((t.total for t in each), Decimal(0))
    assert totals.net == totals.gross - totals.discount
    assert totals.total == totals.net + totals.tax
    for t in (totals.gross, totals.discount, totals.net, totals.tax, totals.total):
        assert t == t.quantize(rules.CENT)


@given(lines())
def test_a_line_is_never_negative_and_tax_follows_the_rate(line) -> None:
    t = rules.line_total(line)
    assert rules.line_problems(line) == {}
    assert Decimal(0) <= t.net <= t.gross
    assert t.tax >= 0 and abs(t.tax - t.net * line.tax_rate / 100) <= Decimal("0.005")
    assert abs(t.net - line.quantity * (line.unit_price - line.discount)) <= Decimal("0.01")


def test_rounding_is_half_up_to_cents() -> None:
    t = rules.line_total(rules.Line(Decimal(1), Decimal("0.05"), Decimal(0), Decimal(10)))
    assert t.tax == Decimal("0.01")  # 0.005 -> 0.01
    t = rules.line_total(rules.Line(Decimal("3"), Decimal("33.33"), Decimal("3.33"),
                                    Decimal("19.6")))
    assert (t.gross, t.discount, t.net, t.tax, t.total) == (
        Decimal("99.99"), Decimal("9.99"), Decimal("90.00"), Decimal("17.64"),
        Decimal("107.64"))


def test_a_discount_above_the_price_and_other_bad_lines_are_named() -> None:
    assert "discount" in rules.line_problems(rules.Line(Decimal(1), Decimal(10), Decimal(11)))
    assert set(rules.line_problems(rules.Line(Decimal(0), Decimal("1.001"), Decimal(-1),
                                              Decimal(101)))) == {
        "quantity", "unit_price", "discount", "tax_rate"}


def test_statuses_and_expiry() -> None:
    day = date(2027, 3, 1)
    assert rules.next_status("draft", "send", day, day) == "sent"
    assert rules.next_status("sent", "edit", day, day) == "draft"
    assert rules.next_status("sent", "accept", day, day) == "accepted"
    with pytest.raises(rules.TransitionError):
        rules.next_status("draft", "accept", day, day)
    with pytest.raises(rules.TransitionError):
        rules.next_status("accepted", "edit", day, day)
    with pytest.raises(rules.TransitionError, match="expired"):
        rules.next_status("sent", "accept", date(2027, 2, 28), day)
    assert rules.next_status("sent", "decline", date(2027, 2, 28), day) == "declined"
    assert rules.is_expired("sent", date(2027, 2, 28), day)
    assert not rules.is_expired("sent", day, day)
    assert not rules.is_expired("accepted", date(2020, 1, 1), day)
    assert rules.shown_status("draft", date(2027, 2, 1), day) == "expired"


def test_lower_median_and_change() -> None:
    assert rules.lower_median([]) is None
    assert rules.lower_median([Decimal(3), Decimal(1), Decimal(2), Decimal(4)]) == 2
    assert rules.change(100, 125) == Decimal("0.25")
    assert rules.change(0, 10) is None


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=4,
                   allow_nan=False, allow_infinity=False))
def test_a_shown_quantity_or_tax_rate_is_plain_and_equal(value: Decimal) -> None:
    """20.00 shows as 20, never 2E+1 (the PDF printed "2E+1 %" as a tax rate)."""
    from accord.proposals.view import plain

    shown = str(plain(value))
    assert "E" not in shown and Decimal(shown) == value
    assert plain(Decimal("20.00")) == Decimal("20") and str(plain(Decimal("100"))) == "100"
