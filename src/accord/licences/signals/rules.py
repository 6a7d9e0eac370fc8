"""The licence signals' pure rules: usage from the counts the SQL gives, the up-sell's
estimate and words, and when a new up-sell opportunity is opened.

- ``usage_of``: ``licences.rules.usage`` from counts (purchased, assigned, reported,
  active) instead of seats: the same shares (four decimals; None when the divisor is 0).
- **An up-sell opportunity** is opened when a service's signal is ``upsell`` and no
  opportunity it opened is still open, and either the signal has just turned on (it was
  not ``upsell`` at the last evaluation) or none was opened for it yet: one open at a time
  per account and service, and a lost one is not reopened while the signal stays on.
- **Its value**: ``UPSELL_SHARE`` more seats (at least one) at the average unit price in
  force, for a year (the manager corrects it in the pipeline).

Standard library and ``licences.rules`` only.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from accord.licences import rules

#: the share of more seats an up-sell suggests
UPSELL_SHARE = Decimal("0.10")
SCALE = Decimal("0.0001")


def share(part: int, whole: int) -> Decimal | None:
    return None if whole <= 0 else (Decimal(part) / Decimal(whole)).quantize(SCALE)


def usage_of(purchased: int, assigned: int, reported: int, active: int) -> rules.Usage:
    """``rules.usage`` from the counts (utilisation: active ÷ purchased where a report
    covers the seats, assigned ÷ purchased where none does)."""
    utilised = active if reported else assigned
    return rules.Usage(purchased, assigned, reported, active, share(assigned, purchased),
                       share(active, reported), share(utilised, purchased))


def e4(value: Decimal | None) -> int | None:
    """A share in ten-thousandths (as stored)."""
    return None if value is None else int(value / SCALE)


def opens_upsell(signal: str | None, previous_signal: str | None,
                 linked_opportunity: int | None, linked_is_open: bool) -> bool:
    """Whether to open a new up-sell opportunity (see the module)."""
    if signal != "upsell" or (linked_opportunity is not None and linked_is_open):
        return False
    return previous_signal != "upsell" or linked_opportunity is None


def extra_seats(purchased: int) -> int:
    return max(1, int((Decimal(purchased) * UPSELL_SHARE).to_integral_value(ROUND_CEILING)))


def upsell_value(purchased: int, terms: list[tuple[int, Decimal]], billing_period: str,
                 cap: Decimal) -> Decimal:
    """``extra_seats`` at the average unit price in force (weighted by quantity), a year."""
    quantity = sum(q for q, _ in terms)
    if quantity <= 0:
        return Decimal(0)
    per_period = sum((q * p for q, p in terms), Decimal(0)) / quantity
    per_year = per_period * 12 / rules.PERIOD_MONTHS.get(billing_period, 12)
    value = (per_year * extra_seats(purchased)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return min(max(value, Decimal(0)), cap)


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('1'), ROUND_HALF_UP)} %"


def upsell_title(service: str, usage: rules.Usage) -> str:
    return (f"Up-sell {service[:120]}: {usage.assigned} of {usage.purchased} seats assigned, "
            f"{percent(usage.adoption)} active")


def upsell_note(service: str, usage: rules.Usage, extra: int) -> str:
    return (f"Licence signal on {service}: allocation {percent(usage.allocation)} "
            f"({usage.assigned} of {usage.purchased} seats), adoption "
            f"{percent(usage.adoption)} ({usage.active} of {usage.reported} reported seats "
            f"active). Suggest {extra} more seat{'s' if extra != 1 else ''}.")
