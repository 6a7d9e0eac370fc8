"""Portfolio KPI formulas of docs/kpis.md as pure code: windows, movement, ratios, concentration.

No storage and no clock here. The database computes the per-account window revenues and sums
them (see ``queries.py``); this module defines what those sums mean and turns them into the
published figures. Amounts are integer cents; ratios are exact ``Decimal`` quotients rounded
to ``RATIO_PLACES`` decimals; a ratio whose denominator is zero is ``None``.

Definitions (``M`` the as-of month, ``W`` the window in months):

- trailing basis: current window C = M-W+1 .. M, previous window P = M-2W+1 .. M-W,
  R_i(C) = sum of r_i(m) over C (R_i(P) likewise);
- point basis: R_i(C) = r_i(M), R_i(P) = r_i(M-W);
- a window revenue below zero counts as zero;
- "revenue before P" means a month before the first month of P with positive revenue.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import ClassVar, NamedTuple

from accord.core.errors import FieldProblem
from accord.core.policy import Policy as BasePolicy
from accord.selection.rules import basis_points

RATIO_PLACES = 6
_RATIO_Q = Decimal(1).scaleb(-RATIO_PLACES)
_CENT = Decimal("0.01")


class Basis(StrEnum):
    TRAILING = "trailing"
    POINT = "point"


class Source(StrEnum):
    """What the engine reads as an account's monthly revenue r_i(m)."""

    INVOICES = "invoices"  # monthly_revenue: the sum of the month's invoice lines
    SUBSCRIPTIONS = "subscriptions"  # subscription_mrr: the month's recurring revenue


class Movement(StrEnum):
    """What happened to one account between the previous and the current window."""

    CHURNED = "churned"  # in the base cohort, nothing in the current window
    CONTRACTED = "contracted"  # in the base cohort, less than before (but not zero)
    EXPANDED = "expanded"  # in the base cohort, more than before
    RETAINED = "retained"  # in the base cohort, exactly the same
    NEW = "new"  # nothing in P, revenue in C, never any revenue before P
    REACTIVATED = "reactivated"  # nothing in P, revenue in C, some revenue before P


#: how the derived rows store a movement (0: no revenue in either window, not stored)
MOVE_CODE = {
    Movement.CHURNED: 1, Movement.CONTRACTED: 2, Movement.EXPANDED: 3, Movement.RETAINED: 4,
    Movement.NEW: 5, Movement.REACTIVATED: 6,
}
BREAKDOWNS = ("manager", "segment", "tier")
DEFAULT_WINDOW = 12
DEFAULT_ABC = (Decimal("0.80"), Decimal("0.95"))
MAX_WINDOW = 60


class Policy(BasePolicy):
    """The named choices behind every figure (stored as settings, overridable per request).

    ``abc_a``/``abc_b`` are the values of the one ABC setting, which the selection settings
    hold and judge (``selection.rules.SelectionPolicy``: 0 < A < B ≤ 1); they are here so
    that the figures carry the cut-offs they were classified with."""

    KIND: ClassVar[str] = "KPI"

    window_months: int = DEFAULT_WINDOW
    basis: Basis = Basis.TRAILING
    abc_a: Decimal = DEFAULT_ABC[0]
    abc_b: Decimal = DEFAULT_ABC[1]
    source: Source = Source.INVOICES

    def problems(self) -> list[FieldProblem]:
        found: list[FieldProblem] = []
        if not 1 <= self.window_months <= MAX_WINDOW:
            found.append(FieldProblem("window", f"must be between 1 and {MAX_WINDOW} months"))
        return found


@dataclass(frozen=True)
class Windows:
    """The months an as-of month and a policy look at, and the lookups that give them."""

    as_of: int
    window: int
    basis: Basis

    @property
    def current(self) -> tuple[int, int]:
        if self.basis is Basis.POINT:
            return (self.as_of, self.as_of)
        return (self.as_of - self.window + 1, self.as_of)

    @property
    def previous(self) -> tuple[int, int]:
        if self.basis is Basis.POINT:
            return (self.as_of - self.window, self.as_of - self.window)
        return (self.as_of - 2 * self.window + 1, self.as_of - self.window)


def first_series_month(first_data_month: int, window: int, basis: Basis) -> int:
    """The first as-of month whose previous window lies fully inside the data."""
    if basis is Basis.POINT:
        return first_data_month + window
    return first_data_month + 2 * window - 1


def last_complete_month(last_data_month: int | None, today_month: int) -> int:
    """Default as-of month: the last month in the data that has ended by ``today``."""
    if last_data_month is None:
        return today_month - 1
    return min(last_data_month, today_month - 1)


@dataclass(frozen=True)
class Sums:
    """Additive per-group sums (integer cents and counts); groups roll up by addition."""

    accounts_at_start: int = 0
    starting: int = 0
    churned_accounts: int = 0
    churned: int = 0
    contraction: int = 0
    expansion: int = 0
    new: int = 0
    reactivated: int = 0
    ending: int = 0
    new_accounts: int = 0
    reactivated_accounts: int = 0
    paying_accounts: int = 0  # accounts with R_i(C) > 0

    def __add__(self, other: Sums) -> Sums:
        return Sums(*[getattr(self, n) + getattr(other, n) for n in _SUMS_FIELDS])

    @classmethod
    def of_movement(cls, code: int, accounts: int, previous: int, current: int) -> Sums:
        """The sums of ``accounts`` accounts sharing one movement (by its stored code), whose
        clamped window revenues add up to ``previous`` and ``current``."""
        move = _MOVE_OF_CODE.get(code)
        if move is None:
            return cls()
        in_base = move in (Movement.CHURNED, Movement.CONTRACTED, Movement.EXPANDED,
                           Movement.RETAINED)
        return cls(
            accounts_at_start=accounts if in_base else 0,
            starting=previous if in_base else 0,
            churned_accounts=accounts if move is Movement.CHURNED else 0,
            churned=previous if move is Movement.CHURNED else 0,
            contraction=previous - current if move is Movement.CONTRACTED else 0,
            expansion=current - previous if move is Movement.EXPANDED else 0,
            new=current if move is Movement.NEW else 0,
            reactivated=current if move is Movement.REACTIVATED else 0,
            ending=current,
            new_accounts=accounts if move is Movement.NEW else 0,
            reactivated_accounts=accounts if move is Movement.REACTIVATED else 0,
            paying_accounts=0 if move is Movement.CHURNED else accounts,
        )


_SUMS_FIELDS = tuple(f.name for f in fields(Sums))
_MOVE_OF_CODE = {c: m for m, c in MOVE_CODE.items()}


def total(groups: list[Sums]) -> Sums:
    result = Sums()
    for g in groups:
        result = result + g
    return result


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator rounded half-even; None (never 0, never an error) when undefined."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(_RATIO_Q, rounding=ROUND_HALF_EVEN)


def money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(_CENT)


#: The retention and movement fields of docs/kpis.md, in the published order.
RETENTION_FIELDS = (
    "accounts_at_start", "starting_revenue", "churned_accounts", "churned_revenue",
    "contraction_revenue", "expansion_revenue", "grr", "nrr", "logo_churn_rate",
    "revenue_churn_rate", "expansion_rate", "contraction_rate", "new_revenue",
    "reactivated_revenue", "ending_revenue",
)


def retention(s: Sums) -> dict[str, int | Decimal | None]:
    """Every retention and movement field of docs/kpis.md from one group's sums."""
    kept = s.starting - s.churned - s.contraction  # sum over B of min(R(C), R(P))
    return {
        "accounts_at_start": s.accounts_at_start,
        "starting_revenue": money(s.starting),
        "churned_accounts": s.churned_accounts,
        "churned_revenue": money(s.churned),
        "contraction_revenue": money(s.contraction),
        "expansion_revenue": money(s.expansion),
        "grr": ratio(kept, s.starting),
        "nrr": ratio(kept + s.expansion, s.starting),
        "logo_churn_rate": ratio(s.churned_accounts, s.accounts_at_start),
        "revenue_churn_rate": ratio(s.churned, s.starting),
        "expansion_rate": ratio(s.expansion, s.starting),
        "contraction_rate": ratio(s.contraction, s.starting),
        "new_revenue": money(s.new),
        "reactivated_revenue": money(s.reactivated),
        "ending_revenue": money(s.ending),
    }


# ---------------------------------------------------------------- concentration


def top_count(paying_accounts: int) -> int:
    """The number of accounts in the top 20 %: ceil(0.2 n), in integers."""
    return (paying_accounts + 4) // 5


#: R(C) is split as hi * SPLIT + lo so that the database sums hi*hi, hi*lo and lo*lo in 64-bit
#: integers (exact for R(C) below 2**41 cents and a million accounts); Python joins them.
SPLIT_BITS = 20
SPLIT = 1 << SPLIT_BITS


def sum_of_squares(hi_hi: int, hi_lo: int, lo_lo: int) -> int:
    """The exact sum of R(C)**2 from the three partial sums (see ``SPLIT``)."""
    return hi_hi * SPLIT * SPLIT + 2 * hi_lo * SPLIT + lo_lo


def square_sum_of_products(x_hi: int, x_lo: int) -> int:
    """The exact sum of R(C)**2 from the sums of R(C) * hi and R(C) * lo (each product fits in
    64 bits for R(C) below 2**41 cents; their sums need a database that sums 64-bit integers
    without overflow, as PostgreSQL does)."""
    return x_hi * SPLIT + x_lo


class Bucket(NamedTuple):
    """Accounts whose R(C) share a bucket key (larger keys hold larger amounts). A named
    tuple: a histogram has a few thousand of them per report, built straight from rows."""

    key: int
    accounts: int
    revenue: int


def _ordered(buckets: list[Bucket]) -> list[Bucket]:
    return sorted(buckets, key=lambda b: -b.key)


def buckets_to_open(buckets: list[Bucket], abc: tuple[Decimal, Decimal]) -> list[int]:
    """The (at most three) buckets whose individual amounts decide the top-20 % revenue and
    the A and B cut-offs; every other bucket lies wholly on one side of each cut."""
    n = sum(b.accounts for b in buckets)
    t = sum(b.revenue for b in buckets)
    k = top_count(n)
    limits = [basis_points(c) * t for c in abc]
    keys: list[int] = []
    count = before = 0
    for b in _ordered(buckets):
        if count < k < count + b.accounts:
            keys.append(b.key)
        low, high = before * 10000, (before + b.revenue) * 10000
        for x in limits:
            if low < x <= high:
                keys.append(b.key)
        count += b.accounts
        before += b.revenue
    return sorted(set(keys), reverse=True)


def concentration_of(
    buckets: list[Bucket], amounts: dict[int, list[int]], squares: int,
    abc: tuple[Decimal, Decimal],
) -> Concentration:
    """Top-20 % revenue and ABC counts from the histogram and the amounts of the buckets
    ``buckets_to_open`` named (each list in any order)."""
    n = sum(b.accounts for b in buckets)
    t = sum(b.revenue for b in buckets)
    if n == 0:
        return Concentration(0, 0, 0, 0, 0, 0, 0)
    k = top_count(n)
    limits = [basis_points(c) * t for c in abc]
    top = 0
    counts = [0, 0]
    count = before = 0
    for b in _ordered(buckets):
        inside = sorted(amounts[b.key], reverse=True) if b.key in amounts else None
        if count + b.accounts <= k:
            top += b.revenue
        elif count < k:
            assert inside is not None
            top += sum(inside[: k - count])
        for i, limit in enumerate(limits):
            if (before + b.revenue) * 10000 < limit:
                counts[i] += b.accounts  # even the last account here starts below the cut
            elif before * 10000 < limit:
                assert inside is not None
                running = before
                for amount in inside:
                    if running * 10000 < limit:
                        counts[i] += 1
                    running += amount
        count += b.accounts
        before += b.revenue
    a, ab = counts
    return Concentration(n, t, top, squares, a, ab - a, n - ab)


@dataclass(frozen=True)
class Concentration:
    accounts: int
    total: int
    top_revenue: int
    sum_of_squares: int  # sum of R_i(C)^2 in cents^2, exact
    a_count: int
    b_count: int
    c_count: int

    def figures(self) -> dict[str, object]:
        hhi = None
        if self.total > 0:
            exact = Decimal(self.sum_of_squares) / Decimal(self.total * self.total)
            hhi = float(exact.quantize(_RATIO_Q, rounding=ROUND_HALF_EVEN))
        return {
            "accounts": self.accounts,
            "top20_share": ratio(self.top_revenue, self.total),
            "hhi": hhi,
            "abc": {"A": self.a_count, "B": self.b_count, "C": self.c_count},
        }
