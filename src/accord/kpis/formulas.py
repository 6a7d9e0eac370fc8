"""Portfolio KPI formulas of docs/KPIS.md as pure code: windows, movement, ratios, concentration.

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

RATIO_PLACES = 6
_RATIO_Q = Decimal(1).scaleb(-RATIO_PLACES)
_CENT = Decimal("0.01")


class Basis(StrEnum):
    TRAILING = "trailing"
    POINT = "point"


class Movement(StrEnum):
    """What happened to one account between the previous and the current window."""

    CHURNED = "churned"  # in the base cohort, nothing in the current window
    CONTRACTED = "contracted"  # in the base cohort, less than before (but not zero)
    EXPANDED = "expanded"  # in the base cohort, more than before
    RETAINED = "retained"  # in the base cohort, exactly the same
    NEW = "new"  # nothing in P, revenue in C, never any revenue before P
    REACTIVATED = "reactivated"  # nothing in P, revenue in C, some revenue before P


BREAKDOWNS = ("manager", "segment", "tier")
DEFAULT_WINDOW = 12
DEFAULT_ABC = (Decimal("0.80"), Decimal("0.95"))
MAX_WINDOW = 60


@dataclass(frozen=True)
class Policy:
    """The named choices behind every figure (stored as settings, overridable per request)."""

    window_months: int = DEFAULT_WINDOW
    basis: Basis = Basis.TRAILING
    abc_a: Decimal = DEFAULT_ABC[0]
    abc_b: Decimal = DEFAULT_ABC[1]

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if not 1 <= self.window_months <= MAX_WINDOW:
            found.append(("window", f"must be between 1 and {MAX_WINDOW} months"))
        if not (Decimal(0) < self.abc_a < self.abc_b <= Decimal(1)):
            found.append(("abc", "cut-offs must satisfy 0 < A < B <= 1"))
        for name, value in (("abc_a", self.abc_a), ("abc_b", self.abc_b)):
            if value != value.quantize(Decimal("0.0001")):
                found.append((name, "at most four decimals"))
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

    @property
    def before_previous(self) -> int:
        """Revenue in a month strictly before this one makes an entering account reactivated."""
        return self.previous[0]


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


def clamp(cents: int) -> int:
    """A window revenue below zero counts as zero."""
    return cents if cents > 0 else 0


def classify(previous: int, current: int, revenue_before_previous: bool) -> Movement | None:
    """The movement of one account from its two (clamped) window revenues."""
    if previous > 0:
        if current == 0:
            return Movement.CHURNED
        if current < previous:
            return Movement.CONTRACTED
        if current > previous:
            return Movement.EXPANDED
        return Movement.RETAINED
    if current > 0:
        return Movement.REACTIVATED if revenue_before_previous else Movement.NEW
    return None


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
        return Sums(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                       for f in fields(self)})

    @classmethod
    def of_account(cls, previous: int, current: int, revenue_before_previous: bool) -> Sums:
        """The sums for a single account (used to explain and to test the SQL)."""
        move = classify(previous, current, revenue_before_previous)
        return cls(
            accounts_at_start=int(previous > 0),
            starting=previous,
            churned_accounts=int(move is Movement.CHURNED),
            churned=previous if move is Movement.CHURNED else 0,
            contraction=previous - current if move is Movement.CONTRACTED else 0,
            expansion=current - previous if move is Movement.EXPANDED else 0,
            new=current if move is Movement.NEW else 0,
            reactivated=current if move is Movement.REACTIVATED else 0,
            ending=current,
            new_accounts=int(move is Movement.NEW),
            reactivated_accounts=int(move is Movement.REACTIVATED),
            paying_accounts=int(current > 0),
        )

    def reconciles(self) -> bool:
        """ending = starting + expansion - contraction - churned + new + reactivated."""
        return self.ending == (
            self.starting + self.expansion - self.contraction - self.churned
            + self.new + self.reactivated
        )


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


#: The retention and movement fields of KPIS.md, in the published order.
RETENTION_FIELDS = (
    "accounts_at_start", "starting_revenue", "churned_accounts", "churned_revenue",
    "contraction_revenue", "expansion_revenue", "grr", "nrr", "logo_churn_rate",
    "revenue_churn_rate", "expansion_rate", "contraction_rate", "new_revenue",
    "reactivated_revenue", "ending_revenue",
)


def retention(s: Sums) -> dict[str, int | Decimal | None]:
    """Every retention and movement field of KPIS.md from one group's sums."""
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


def basis_points(cutoff: Decimal) -> int:
    """A cut-off such as 0.80 as integer ten-thousandths (8000), for exact comparisons."""
    return int(cutoff * 10000)


def abc_class(revenue_before: int, total_revenue: int, abc_a: Decimal, abc_b: Decimal) -> str:
    """Class from the cumulative share of the accounts ranked before this one."""
    if revenue_before * 10000 < basis_points(abc_a) * total_revenue:
        return "A"
    if revenue_before * 10000 < basis_points(abc_b) * total_revenue:
        return "B"
    return "C"


@dataclass(frozen=True)
class Concentration:
    accounts: int
    total: int
    top_revenue: int
    sum_of_squares: float  # sum of R_i(C)^2 in cents^2 (floating point: only for HHI)
    a_count: int
    b_count: int
    c_count: int

    def figures(self) -> dict[str, object]:
        hhi = None
        if self.total > 0:
            hhi = round(self.sum_of_squares / (float(self.total) ** 2), RATIO_PLACES)
        return {
            "accounts": self.accounts,
            "top20_share": ratio(self.top_revenue, self.total),
            "hhi": hhi,
            "abc": {"A": self.a_count, "B": self.b_count, "C": self.c_count},
        }
