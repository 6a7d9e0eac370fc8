"""Subscriptions' pure rules (issue 15): the term in force on a day, the months a
subscription covers, and its monthly recurring revenue.

- A subscription's **unit price is per billing period** of its service (``month``,
  ``quarter``, ``year``): its monthly amount is quantity × unit price ÷ the period's months
  (annual ÷ 12, quarterly ÷ 3), in cents rounded half to even, per subscription.
- **MRR of a month** is read on the month's last day: the subscription counts when it has
  started by then, is not a trial, and is still covered that day (see ``covered_until``);
  the quantity and price are the term in force that day (the latest term effective on or
  before it).
- An account's MRR of a month is the sum over its subscriptions; the store keeps the months
  where it is not zero, with the running total per account (as ``monthly_revenue``).

``accord.licences.mrr`` computes the same in SQL for a whole portfolio;
``tests/test_licences_mrr.py`` holds the two equal (hypothesis, both databases).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from accord.core.periods import notice_deadline  # noqa: F401  (re-exported: the rule)

PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
#: the largest quantity of one subscription (a tenant of ten million seats is not a client)
MAX_QUANTITY = 10_000_000
MAX_TERM_MONTHS = 120
MAX_NOTICE_DAYS = 3650
#: a unit price above this is refused (it keeps quantity × price in 64-bit integers in SQL)
MAX_UNIT_PRICE = Decimal("10000000")
PRICE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Term:
    effective_on: date
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class Cover:
    """What decides whether a subscription counts on a day."""

    status: str
    start_on: date
    end_on: date
    auto_renew: bool
    ended_on: date | None


def month_end(index: int) -> date:
    """The last day of the month ``index`` (``core.periods``: year × 12 + month − 1)."""
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def term_end(start_on: date, term_months: int) -> date:
    """The last day of a term of ``term_months`` from ``start_on``: the day before the same
    day ``term_months`` later (clamped to the month's end: 31 Jan + 1 month ends 28 Feb)."""
    months = start_on.month - 1 + term_months
    year, month = start_on.year + months // 12, months % 12 + 1
    day = min(start_on.day, calendar.monthrange(year, month)[1])
    return date.fromordinal(date(year, month, day).toordinal() - 1)


def term_in_force(terms: Iterable[Term], day: date) -> Term | None:
    """The latest term effective on or before ``day``; None before the first."""
    found: Term | None = None
    for term in terms:
        if term.effective_on <= day and (found is None or term.effective_on > found.effective_on):
            found = term
    return found


def covered_until(cover: Cover) -> date | None:
    """The last day the subscription is paid for: the day it was cancelled or expired when
    recorded; else the end of its term unless it renews itself (None: open)."""
    if cover.ended_on is not None:
        return cover.ended_on
    if cover.status in ("cancelled", "expired") or not cover.auto_renew:
        return cover.end_on
    return None


def counts_on(cover: Cover, day: date) -> bool:
    """Does the subscription bring recurring revenue on ``day``? Not a trial, started, and
    covered that day."""
    if cover.status == "trial" or cover.start_on > day:
        return False
    until = covered_until(cover)
    return until is None or until >= day


def half_even_div(numerator: int, denominator: int) -> int:
    """``numerator ÷ denominator`` rounded half to even (both ≥ 0, denominator > 0): the
    integer form the SQL uses too."""
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        return quotient + 1
    return quotient


def price_units(unit_price: Decimal) -> int:
    """The unit price in ten-thousandths (the column keeps four decimals)."""
    return int((unit_price / PRICE_PLACES).to_integral_value(rounding=ROUND_HALF_EVEN))


def monthly_cents(quantity: int, unit_price: Decimal, billing_period: str) -> int:
    """Quantity × unit price ÷ the period's months, in cents, rounded half to even."""
    months = PERIOD_MONTHS[billing_period]
    return half_even_div(quantity * price_units(unit_price), 100 * months)


def mrr_cents(cover: Cover, terms: Sequence[Term], billing_period: str, month: int) -> int:
    """One subscription's MRR for ``month`` (read on its last day); 0 when it does not
    count or no term is in force yet."""
    day = month_end(month)
    if not counts_on(cover, day):
        return 0
    term = term_in_force(terms, day)
    return 0 if term is None else monthly_cents(term.quantity, term.unit_price, billing_period)


def running_totals(amounts: dict[int, int]) -> list[tuple[int, int, int]]:
    """(month, amount, cumulative) for the non-zero months in order."""
    rows, total = [], 0
    for month in sorted(amounts):
        if amounts[month]:
            total += amounts[month]
            rows.append((month, amounts[month], total))
    return rows


def check_change(start_on: date, effective_on: date, quantity: int,
                 unit_price: Decimal | None) -> dict[str, str]:
    """A quantity or price change's errors by field (empty: fine)."""
    errors: dict[str, str] = {}
    if effective_on < start_on:
        errors["effective_on"] = (f"{effective_on.isoformat()} is before the subscription "
                                  f"starts ({start_on.isoformat()})")
    if quantity < 0:
        errors["quantity"] = "a quantity cannot be negative"
    elif quantity > MAX_QUANTITY:
        errors["quantity"] = f"at most {MAX_QUANTITY:,}"
    if unit_price is not None:
        if unit_price < 0:
            errors["unit_price"] = "a price cannot be negative"
        elif unit_price > MAX_UNIT_PRICE:
            errors["unit_price"] = f"at most {MAX_UNIT_PRICE:,}"
        elif unit_price != unit_price.quantize(PRICE_PLACES):
            errors["unit_price"] = "at most four decimals"
    return errors


# ---------------------------------------------------------------- seats (KPIS.md, "Other KPIs")


@dataclass(frozen=True)
class Seat:
    """One assignment of a service to a person, and what is known of their activity."""

    from_on: date
    to_on: date | None
    #: the last day any workload of the service's product was used; None: never seen used
    last_active_on: date | None
    #: whether a usage report covers this person (activity known)
    reported: bool


def holds_on(seat: Seat, day: date) -> bool:
    return seat.from_on <= day and (seat.to_on is None or seat.to_on >= day)


def is_active(seat: Seat, day: date, active_days: int) -> bool:
    """Used within the last ``active_days`` days up to ``day``: ``day − active_days`` <
    last activity ≤ ``day``."""
    last = seat.last_active_on
    return last is not None and day.toordinal() - active_days < last.toordinal() <= day.toordinal()


@dataclass(frozen=True)
class Usage:
    purchased: int
    assigned: int
    #: assigned seats whose activity a report covers
    reported: int
    active: int
    allocation: Decimal | None
    adoption: Decimal | None
    utilisation: Decimal | None


def _share(part: int, whole: int) -> Decimal | None:
    return None if whole <= 0 else (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def usage(purchased: int, seats: Iterable[Seat], day: date, active_days: int) -> Usage:
    """Allocation = assigned ÷ purchased; adoption = active ÷ assigned where activity is
    known; utilisation = active ÷ purchased, or assigned ÷ purchased where no activity is
    known (KPIS.md). Shares to four decimals; None when the divisor is 0."""
    held = [s for s in seats if holds_on(s, day)]
    reported = [s for s in held if s.reported]
    active = sum(1 for s in reported if is_active(s, day, active_days))
    utilised = active if reported else len(held)
    return Usage(purchased, len(held), len(reported), active, _share(len(held), purchased),
                 _share(active, len(reported)), _share(utilised, purchased))


def seat_refusal(purchased: int, assigned: int, service: str) -> str | None:
    """Why one more seat may not be assigned by hand, or None."""
    if assigned + 1 > purchased:
        return (f"all {purchased} seats of {service} are assigned: free one or raise the "
                "quantity (billing)")
    return None


def signal(u: Usage, upsell_allocation: Decimal, upsell_adoption: Decimal,
           risk_adoption: Decimal) -> str | None:
    """``upsell`` (allocation and adoption high), ``risk`` (adoption low) or None."""
    if u.adoption is not None and u.adoption <= risk_adoption:
        return "risk"
    if (u.allocation is not None and u.allocation >= upsell_allocation
            and u.adoption is not None and u.adoption >= upsell_adoption):
        return "upsell"
    return None


def provides_seats_on(cover: Cover, day: date) -> bool:
    """A subscription's quantity can be assigned on ``day``: started and covered that day
    (a trial's seats too, unlike its revenue)."""
    if cover.start_on > day:
        return False
    until = covered_until(cover)
    return until is None or until >= day
