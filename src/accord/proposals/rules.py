"""The rules of proposals, pure: offer line totals, discounts, tax and the proposal's totals in
Decimal (every amount rounded ROUND_HALF_UP to cents, line by line, so the totals are the sums
of what the lines print), the statuses and their transitions, expiry, and the benchmark
figures (the lower median and the smallest cohort shown are growth's: ``growth.rules``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from accord.growth.rules import MIN_PEERS
from accord.growth.rules import lower_median as lower_median  # the benchmarks read it here

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
#: bounds of what an offer line may hold
MAX_QUANTITY = Decimal("1000000000")
MAX_PRICE = Decimal("1000000000000")
MAX_LINES = 200
MAX_BENEFITS = 50
#: a benchmark resting on fewer accounts is never shown (no single client can be read off)
MIN_COHORT = MIN_PEERS  # the same rule as the whitespace estimate (growth.rules)
#: days a new proposal stays valid unless told otherwise
DEFAULT_VALID_DAYS = 30

STATUSES = ("draft", "sent", "accepted", "declined")
SHOWN_STATUSES = (*STATUSES, "expired")
#: (from, action) -> to: the one table of what may happen to a proposal
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "edit"): "draft",
    ("draft", "send"): "sent",
    ("sent", "edit"): "draft",  # a new version, to be sent again
    ("sent", "accept"): "accepted",
    ("sent", "decline"): "declined",
}
#: the actions refused once the validity date has passed
NEEDS_VALIDITY = frozenset({"send", "accept"})


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = ZERO
    tax_rate: Decimal = ZERO


@dataclass(frozen=True)
class LineTotal:
    gross: Decimal  # quantity × unit price
    discount: Decimal  # quantity × discount per unit
    net: Decimal  # gross − discount
    tax: Decimal  # net × rate
    total: Decimal  # net + tax


@dataclass(frozen=True)
class Totals:
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def line_problems(line: Line) -> dict[str, str]:
    """What is wrong with one offer line, by field (empty: nothing)."""
    found: dict[str, str] = {}
    if not ZERO < line.quantity <= MAX_QUANTITY:
        found["quantity"] = f"above 0, at most {MAX_QUANTITY:,}"
    elif line.quantity != line.quantity.quantize(Decimal("0.0001")):
        found["quantity"] = "at most 4 decimals"
    if not ZERO <= line.unit_price <= MAX_PRICE:
        found["unit_price"] = f"from 0 to {MAX_PRICE:,}"
    elif line.unit_price != cents(line.unit_price):
        found["unit_price"] = "at most 2 decimals (cents)"
    if line.discount < ZERO:
        found["discount"] = "not below 0"
    elif line.discount != cents(line.discount):
        found["discount"] = "at most 2 decimals (cents)"
    elif line.discount > line.unit_price:
        found["discount"] = "an amount off the unit price: not above the price"
    if not ZERO <= line.tax_rate <= HUNDRED:
        found["tax_rate"] = "a percentage from 0 to 100"
    elif line.tax_rate != line.tax_rate.quantize(Decimal("0.0001")):
        found["tax_rate"] = "at most 4 decimals"
    return found


def line_total(line: Line) -> LineTotal:
    gross = cents(line.quantity * line.unit_price)
    discount = cents(line.quantity * line.discount)
    net = gross - discount
    tax = cents(net * line.tax_rate / HUNDRED)
    return LineTotal(gross, discount, net, tax, net + tax)


def totals(lines: Iterable[Line]) -> Totals:
    """The proposal's totals: the sums of its lines' rounded amounts."""
    each = [line_total(line) for line in lines]
    return Totals(
        gross=sum((t.gross for t in each), ZERO), discount=sum((t.discount for t in each), ZERO),
        net=sum((t.net for t in each), ZERO), tax=sum((t.tax for t in each), ZERO),
        total=sum((t.total for t in each), ZERO))


# ---------------------------------------------------------------- statuses


def is_expired(status: str, valid_until: date, today: date) -> bool:
    """A draft or sent proposal is expired once its validity date has passed; an accepted or
    declined one keeps its status."""
    return status in ("draft", "sent") and today > valid_until


def shown_status(status: str, valid_until: date, today: date) -> str:
    return "expired" if is_expired(status, valid_until, today) else status


class TransitionError(ValueError):
    pass


def next_status(status: str, action: str, valid_until: date, today: date) -> str:
    """The stored status after ``action``; TransitionError says why it may not happen."""
    to = TRANSITIONS.get((status, action))
    if to is None:
        raise TransitionError(f"a {status} proposal cannot be {_past(action)}")
    if action in NEEDS_VALIDITY and is_expired(status, valid_until, today):
        raise TransitionError(f"the proposal expired on {valid_until.isoformat()}: change its "
                              f"validity date before it is {_past(action)}")
    return to


def _past(action: str) -> str:
    return {"edit": "edited", "send": "sent", "accept": "accepted",
            "decline": "declined"}.get(action, action)


def actions(status: str) -> list[str]:
    return [action for (start, action) in TRANSITIONS if start == status]


# ---------------------------------------------------------------- benchmarks


def change(before: int, after: int) -> Decimal | None:
    """The relative change from ``before`` to ``after`` (0.25: +25 %); None without a base."""
    if before <= 0:
        return None
    return (Decimal(after - before) / Decimal(before)).quantize(Decimal("0.0001"),
                                                                 rounding=ROUND_HALF_UP)
