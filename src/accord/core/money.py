"""Money: Decimal in Python, integer cents in the database. Never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

CENT = Decimal("0.01")


def parse_amount(text: str) -> Decimal:
    """Parse an amount such as ``1234.5`` or ``-12.00``; at most two decimals."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ValueError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    if value != value.quantize(CENT):
        raise ValueError(f"more than two decimals: {text!r}")
    return value


def to_cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_cents(cents: int | None) -> Decimal:
    if cents is None:
        return Decimal("0.00")
    return (Decimal(cents) / 100).quantize(CENT)


def format_money(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        value = from_cents(value)
    return f"{value:,.2f}"
