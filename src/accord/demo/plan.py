"""The shape of one demo account's business over time: size, lifecycle, product lines.

Pure and deterministic: ``plan_for(spec, index)`` depends only on the seed and the index, so the
accounts pass and the revenue pass of the loader can each recompute it without keeping every
plan in memory. Amounts are whole cents (integers); floats only shape random draws.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from accord.core.periods import month_index
from accord.demo.names import CONSUMER, CONSUMER_PRODUCT_LINES, PRODUCT_LINES, SEGMENTS

#: share of accounts that are individual (B2C) clients
PERSON_SHARE = 0.35
#: Pareto shape for company sizes (about 80 % of revenue from 20 % of companies)
PARETO_ALPHA = 1.16
COMPANY_MIN_ANNUAL_CENTS = 12_000_00
COMPANY_MAX_ANNUAL_CENTS = 40_000_000_00
#: months without revenue after which an account is lapsed, and churned
LAPSED_AFTER = 3
CHURNED_AFTER = 12
#: the last months in which a first invoice makes a new account "onboarding"
ONBOARDING_MONTHS = 3
#: invoice lines of companies: typical line size, and lines per product line and month
#: (calibrated so that 100,000 accounts over 36 months give about 25 million lines)
TICKET_MIN = 15_000
TICKET_SPREAD = 45_000
MIN_LINES = (1, 2, 3, 4, 5, 8)
MAX_LINES = 40

@dataclass(frozen=True)
class DemoSpec:
    """What to generate. ``today`` is passed in; revenue ends with the last complete month."""

    accounts: int = 2000
    months: int = 36
    seed: int = 42
    today: date = date(2026, 1, 1)

    @property
    def end_month(self) -> int:
        """Month index of the last complete month before ``today``."""
        return month_index(self.today) - 1

    @property
    def first_month(self) -> int:
        return self.end_month - self.months + 1


@dataclass(frozen=True, slots=True)
class Plan:
    index: int
    kind: str  # company / person
    segment: str
    annual_cents: int  # yearly revenue at the start of the window (nominal size)
    #: bit t set = the account has revenue in relative month t (0 = first month of the window)
    active_mask: int
    existing: bool  # a client before the window started
    start: int | None  # relative month of the first revenue (None for prospects)
    churn: int | None  # relative month from which revenue stops
    reactivate: int | None  # relative month from which revenue resumes
    growth: float  # yearly multiplier (>1 expanding, <1 contracting)
    product_lines: tuple[str, ...]
    weights: tuple[float, ...]
    added: tuple[str, int] | None  # product line added at a relative month (expansion)
    dropped: tuple[int, int] | None  # (product line position, relative month) (contraction)
    ticket_cents: int  # typical invoice line; bigger months are split into several lines
    min_lines: int  # lines per product line and month at least (deliveries, usage)
    max_lines: int  # lines per product line and month at most

    @property
    def prospect(self) -> bool:
        return self.active_mask == 0


def stream_seed(seed: int, index: int, stream: int) -> int:
    """An independent integer seed per (demo seed, account, purpose)."""
    return (seed * 1_000_003 + index) * 8 + stream


def size_band(annual_cents: int, kind: str) -> str:
    if kind == "person" or annual_cents < 50_000_00:
        return "small"
    if annual_cents < 250_000_00:
        return "medium"
    if annual_cents < 1_000_000_00:
        return "large"
    return "enterprise"


def lifecycle_status(active_mask: int, months: int, existing: bool) -> str:
    """Status consistent with revenue: prospects have none, churned none in the last year."""
    if active_mask == 0:
        return "prospect"
    last = active_mask.bit_length() - 1
    first = (active_mask & -active_mask).bit_length() - 1
    since = (months - 1) - last
    if since >= CHURNED_AFTER:
        return "churned"
    if since >= LAPSED_AFTER:
        return "lapsed"
    if not existing and first >= months - ONBOARDING_MONTHS:
        return "onboarding"
    return "active"


def _company_annual(rng: random.Random) -> int:
    u = 1.0 - rng.random()  # (0, 1]
    value = COMPANY_MIN_ANNUAL_CENTS / u ** (1.0 / PARETO_ALPHA)
    return int(min(value, COMPANY_MAX_ANNUAL_CENTS))


def _person_annual(rng: random.Random) -> int:
    return int(min(60_000 * math.exp(rng.gauss(0.0, 0.8)), 2_000_000))


def plan_for(spec: DemoSpec, index: int) -> Plan:
    # every step draws from the one generator in this order: keep it, or the demo changes
    rng = random.Random(stream_seed(spec.seed, index, 0))
    months = spec.months
    person = rng.random() < PERSON_SHARE
    segment = CONSUMER if person else SEGMENTS[rng.randrange(len(SEGMENTS))]
    annual = _person_annual(rng) if person else _company_annual(rng)
    existing, start, churn, reactivate = _lifecycle(rng, person, months)
    growth = math.exp(rng.gauss(0.04, 0.22))
    lines = _product_lines(rng, person, annual)
    raw = [0.3 + rng.random() for _ in lines]
    total = sum(raw)
    weights = tuple(w / total for w in raw)
    added: tuple[str, int] | None = None
    dropped: tuple[int, int] | None = None
    if not person and start is not None:
        added, dropped = _line_changes(rng, lines, start, months)
    mask = _active_mask(rng, person, months, start, churn, reactivate)
    ticket, min_lines, max_lines = _invoice_lines(rng, person)
    return Plan(
        index=index, kind="person" if person else "company", segment=segment,
        annual_cents=annual, active_mask=mask,
        existing=existing, start=start, churn=churn, reactivate=reactivate, growth=growth,
        product_lines=lines, weights=weights, added=added, dropped=dropped,
        ticket_cents=ticket, min_lines=min_lines, max_lines=max_lines,
    )


def _lifecycle(
    rng: random.Random, person: bool, months: int
) -> tuple[bool, int | None, int | None, int | None]:
    """Prospect, existing client or new within the window; churn; win-back.

    Returns (existing, start, churn, reactivate); a prospect has no start."""
    prospect = rng.random() < (0.05 if person else 0.08)
    existing = not prospect and rng.random() < 0.62
    if prospect:
        return existing, None, None, None
    start = 0 if existing else rng.randrange(1, months) if months > 1 else 0
    churn: int | None = None
    reactivate: int | None = None
    if rng.random() < (0.30 if person else 0.16):
        churn = start + 2 + rng.randrange(max(1, 2 * months))
        if churn < months and rng.random() < 0.3:
            reactivate = churn + 3 + rng.randrange(12)
    return existing, start, churn, reactivate


def _product_lines(rng: random.Random, person: bool, annual: int) -> tuple[str, ...]:
    """Bigger accounts buy more of the catalogue; people one or two consumer lines."""
    if person:
        lines: tuple[str, ...] = (CONSUMER_PRODUCT_LINES[rng.randrange(3)],)
        if rng.random() < 0.2:
            other = CONSUMER_PRODUCT_LINES[rng.randrange(3)]
            if other not in lines:
                lines = (*lines, other)
        return lines
    wanted = 1 + min(3, int(math.log10(max(annual, 1) / COMPANY_MIN_ANNUAL_CENTS) * 1.6))
    wanted = max(1, min(4, wanted + rng.choice((-1, 0, 0, 1))))
    return tuple(rng.sample(PRODUCT_LINES, wanted))


def _line_changes(
    rng: random.Random, lines: tuple[str, ...], start: int, months: int
) -> tuple[tuple[str, int] | None, tuple[int, int] | None]:
    """A company's expansion (a line added) and contraction (a line dropped), if any."""
    added: tuple[str, int] | None = None
    dropped: tuple[int, int] | None = None
    spare = [p for p in PRODUCT_LINES if p not in lines]
    if spare and rng.random() < 0.25:
        added = (spare[rng.randrange(len(spare))], start + 1 + rng.randrange(months))
    if len(lines) > 1 and rng.random() < 0.15:
        dropped = (rng.randrange(len(lines)), start + 1 + rng.randrange(months))
    return added, dropped


def _active_mask(
    rng: random.Random, person: bool, months: int,
    start: int | None, churn: int | None, reactivate: int | None,
) -> int:
    """Which months carry revenue: companies every month of their lifecycle, people now and then."""
    buy_rate = 0.2 + 0.7 * rng.random() if person else 1.0
    mask = 0
    if start is None:
        return mask
    for t in range(start, months):
        if churn is not None and t >= churn and (reactivate is None or t < reactivate):
            continue
        if person and rng.random() >= buy_rate:
            continue
        mask |= 1 << t
    return mask


def _invoice_lines(rng: random.Random, person: bool) -> tuple[int, int, int]:
    """(typical invoice line in cents, fewest and most lines per product line and month)."""
    if person:
        return 4_000 + rng.randrange(8_000), 1, 3
    ticket = TICKET_MIN + rng.randrange(TICKET_SPREAD)
    return ticket, MIN_LINES[rng.randrange(len(MIN_LINES))], MAX_LINES
