"""The selection matrix (McDonald, Rogers & Woodburn), as pure rules.

Scores are kept as integer tenths (``7.5`` -> ``75``) and weights as integers summing to 100,
so every weighted sum is an exact integer:

- attractiveness = Σ weight × score ÷ 100, i.e. ``Σ weight × tenths ÷ 1000``: the integer
  ``Σ weight × tenths`` *is* attractiveness in thousandths ("milli");
- relative strength = our weighted score ÷ the best competitor's, compared with the cut
  exactly (``us ≥ cut × them``), never through a rounded float.

A value exactly on a cut line counts as *high* (attractiveness 5.0 is high; strength 1.0,
"as good as the best competitor", is high). Potential follows attractiveness: below the
medium threshold low, from the high threshold high, medium in between.

Standard library and the typed policy base (``core.policy``) only; "today" is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, ClassVar

from accord.core.errors import FieldProblem
from accord.core.policy import Policy


class Quadrant(StrEnum):
    STRATEGIC = "Strategic"
    STAR = "Star"
    STATUS = "Status"
    STREAMLINE = "Streamline"


class Potential(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CriterionKind(StrEnum):
    ATTRACTIVENESS = "attractiveness"
    BUYING = "buying"


NOT_KEY = "not key"
TIERS = (
    Quadrant.STRATEGIC.value,
    Quadrant.STAR.value,
    Quadrant.STATUS.value,
    Quadrant.STREAMLINE.value,
    NOT_KEY,
)
#: Tiers (quadrants) that make an account a key account ("large is not key").
KEY_TIERS = (Quadrant.STRATEGIC.value, Quadrant.STAR.value)


class SelectionPolicy(Policy):
    """Every number of the selection matrix; stored as a setting, defaults in docs/kam_models.md.

    ``abc_a``/``abc_b`` are the one ABC setting of Accord (the KPI report and the matrix
    both classify with them; :func:`abc_class` is the rule)."""

    KIND: ClassVar[str] = "selection"

    attractiveness_cut: Decimal = Decimal("5.0")
    strength_cut: Decimal = Decimal("1.0")
    potential_medium_from: Decimal = Decimal("4")
    potential_high_from: Decimal = Decimal("7")
    min_criteria: int = 4
    max_criteria: int = 6
    key_count_min: int = 15
    key_count_max: int = 35
    key_count_too_many: int = 50
    manager_key_limit: int = 5
    rescore_months: int = 12
    window_months: int = 12
    abc_a: Decimal = Decimal("0.80")
    abc_b: Decimal = Decimal("0.95")

    def problems(self) -> list[FieldProblem]:
        return self._cut_problems() + self._count_problems() + self._abc_problems()

    def _cut_problems(self) -> list[FieldProblem]:
        """The matrix cuts and the potential bands."""
        out = []
        if not Decimal(0) <= self.attractiveness_cut <= Decimal(10):
            out.append(FieldProblem("attractiveness_cut", "between 0 and 10"))
        if not _places(self.attractiveness_cut, 3):
            out.append(FieldProblem("attractiveness_cut", "at most three decimals"))
        if not Decimal(0) < self.strength_cut <= Decimal(100):
            out.append(FieldProblem("strength_cut", "above 0"))
        if not _places(self.strength_cut, 4):
            out.append(FieldProblem("strength_cut", "at most four decimals"))
        if not Decimal(0) <= self.potential_medium_from <= self.potential_high_from <= Decimal(10):
            out.append(
                FieldProblem("potential_medium_from/potential_high_from", "0 ≤ medium ≤ high ≤ 10")
            )
        for name in ("potential_medium_from", "potential_high_from"):
            if not _places(getattr(self, name), 3):
                out.append(FieldProblem(name, "at most three decimals"))
        return out

    def _count_problems(self) -> list[FieldProblem]:
        """How many criteria, key accounts and months."""
        out = []
        if not 1 <= self.min_criteria <= self.max_criteria <= 20:
            out.append(FieldProblem("min_criteria/max_criteria", "1 ≤ min ≤ max ≤ 20"))
        if not 0 <= self.key_count_min <= self.key_count_max <= self.key_count_too_many:
            out.append(FieldProblem(
                "key_count_min/key_count_max/key_count_too_many", "min ≤ max ≤ too many"
            ))
        if self.manager_key_limit < 1:
            out.append(FieldProblem("manager_key_limit", "1 or more"))
        if not 1 <= self.rescore_months <= 120:
            out.append(FieldProblem("rescore_months", "between 1 and 120"))
        if not 1 <= self.window_months <= 36:
            out.append(FieldProblem("window_months", "between 1 and 36"))
        return out

    def _abc_problems(self) -> list[FieldProblem]:
        out = []
        if not Decimal(0) < self.abc_a < self.abc_b <= Decimal(1):
            out.append(FieldProblem("abc_a/abc_b", "0 < A < B ≤ 1"))
        for name in ("abc_a", "abc_b"):
            if not _places(getattr(self, name), 4):
                out.append(FieldProblem(name, "at most four decimals"))
        return out

    @property
    def attractiveness_cut_milli(self) -> int:
        return int(self.attractiveness_cut * 1000)

    @property
    def strength_cut_bp(self) -> int:
        """The strength cut in ten-thousandths (1.0 -> 10000)."""
        return int(self.strength_cut * 10000)


def _places(value: Decimal, places: int) -> bool:
    return value == value.quantize(Decimal(1).scaleb(-places))


def _decimal(raw: Any, name: str) -> Decimal:
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name}: not a number: {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"{name}: not a number: {raw!r}")
    return value


# ---------------------------------------------------------------- criteria and scores


@dataclass(frozen=True)
class CriterionDraft:
    name: str
    weight: int
    anchor_0: str = ""
    anchor_5: str = ""
    anchor_10: str = ""


def criteria_problems(
    kind: CriterionKind, criteria: Sequence[CriterionDraft], policy: SelectionPolicy
) -> list[tuple[str, str]]:
    """(field, message) for every problem in a proposed criteria set; empty when valid."""
    problems: list[tuple[str, str]] = []
    if kind is CriterionKind.ATTRACTIVENESS and not (
        policy.min_criteria <= len(criteria) <= policy.max_criteria
    ):
        problems.append(
            (
                "criteria",
                f"choose {policy.min_criteria}–{policy.max_criteria} "
                f"attractiveness criteria, not {len(criteria)}",
            )
        )
    if kind is CriterionKind.BUYING and not 1 <= len(criteria) <= 20:
        problems.append(("criteria", "give between 1 and 20 buying criteria"))
    seen: set[str] = set()
    for i, c in enumerate(criteria):
        if not c.name.strip():
            problems.append((f"criteria.{i}.name", "a criterion needs a name"))
        elif c.name.strip().lower() in seen:
            problems.append((f"criteria.{i}.name", f"{c.name!r} appears twice"))
        seen.add(c.name.strip().lower())
        if not 1 <= c.weight <= 100:
            problems.append((f"criteria.{i}.weight", "a weight is a whole number from 1 to 100"))
    total = sum(c.weight for c in criteria)
    if total != 100:
        problems.append(("weights", f"the weights must sum to 100; they sum to {total}"))
    return problems


def parse_score(raw: Any) -> int:
    """A score 0–10 with at most one decimal, as integer tenths; ValueError otherwise."""
    value = _decimal(raw, "score")
    if not Decimal(0) <= value <= Decimal(10):
        raise ValueError(f"a score is between 0 and 10, not {value}")
    if value != value.quantize(Decimal("0.1")):
        raise ValueError(f"a score has at most one decimal, not {value}")
    return int(value * 10)


def weighted(weights: Sequence[int], tenths: Sequence[int]) -> int:
    """Σ weight × score in tenths; with weights summing to 100 this is the score in thousandths."""
    if len(weights) != len(tenths):
        raise ValueError("one score per criterion")
    return sum(w * s for w, s in zip(weights, tenths, strict=True))


def from_milli(milli: int) -> Decimal:
    return (Decimal(milli) / 1000).quantize(Decimal("0.001"))


def strength_value(us: int, them: int) -> Decimal | None:
    """Our weighted score ÷ the competitor's, to four decimals (None when they score 0)."""
    if them <= 0:
        return None
    return (Decimal(us) / Decimal(them)).quantize(Decimal("0.0001"))


def is_attractive(attr_milli: int, policy: SelectionPolicy) -> bool:
    return attr_milli >= policy.attractiveness_cut_milli


def is_strong(us: int, them: int, policy: SelectionPolicy) -> bool:
    # exact: us / them >= cut  <=>  us * 10000 >= cut_bp * them   (them > 0)
    return us * 10000 >= policy.strength_cut_bp * them


def quadrant(attr_milli: int, us: int, them: int, policy: SelectionPolicy) -> Quadrant:
    """The matrix quadrant; SQL twin ``queries.quadrant_sql``."""
    high = is_attractive(attr_milli, policy)
    strong = is_strong(us, them, policy)
    if high:
        return Quadrant.STRATEGIC if strong else Quadrant.STAR
    return Quadrant.STATUS if strong else Quadrant.STREAMLINE


def potential_cuts_milli(policy: SelectionPolicy) -> tuple[int, int]:
    """(medium from, high from) in thousandths of attractiveness."""
    return int(policy.potential_medium_from * 1000), int(policy.potential_high_from * 1000)


def potential(attr_milli: int, policy: SelectionPolicy, override: str | None = None) -> Potential:
    """The override if any, else from the attractiveness; SQL twin ``queries.potential_sql``."""
    if override:
        return Potential(override)
    medium, high = potential_cuts_milli(policy)
    if attr_milli >= high:
        return Potential.HIGH
    if attr_milli >= medium:
        return Potential.MEDIUM
    return Potential.LOW


def tier(q: Quadrant | None, deselected: bool) -> str:
    return NOT_KEY if q is None or deselected else q.value


def is_key(tier_name: str) -> bool:
    """A key account's tier; SQL twin ``queries.key_tier_sql``."""
    return tier_name in KEY_TIERS


# ---------------------------------------------------------------- ABC class


def basis_points(cutoff: Decimal) -> int:
    """A cut-off such as 0.80 as integer ten-thousandths (8000), for exact comparisons."""
    return int(cutoff * 10000)


def abc_class(revenue_before: int, total_revenue: int, abc_a: Decimal, abc_b: Decimal) -> str:
    """The ABC class of a paying account from the revenue of the accounts ranked before it
    (by revenue, largest first, ties by account id): A while that share of the total is below
    ``abc_a``, B while below ``abc_b``, else C. Exact in integers. The one rule: the KPI
    report and the KAM matrix classify in SQL with ``kam_revenue.abc_sql``, held equal to this
    by tests/test_abc_rule.py on both databases."""
    if revenue_before * 10000 < basis_points(abc_a) * total_revenue:
        return "A"
    if revenue_before * 10000 < basis_points(abc_b) * total_revenue:
        return "B"
    return "C"


# ---------------------------------------------------------------- portfolio checks


@dataclass(frozen=True)
class CheckResult:
    code: str
    severity: str  # "ok" | "warn"
    message: str
    account_ids: tuple[int, ...] = ()


def key_count_check(key_count: int, policy: SelectionPolicy) -> CheckResult:
    lo, hi, many = policy.key_count_min, policy.key_count_max, policy.key_count_too_many
    if key_count > many:
        return CheckResult(
            "key_count",
            "warn",
            f"{key_count} key accounts: more than {many} is too many to manage as key",
        )
    if key_count > hi or key_count < lo:
        return CheckResult(
            "key_count", "warn", f"{key_count} key accounts, outside the usual {lo}–{hi}"
        )
    return CheckResult("key_count", "ok", f"{key_count} key accounts, within the usual {lo}–{hi}")


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later`` (a day short of a month counts as zero)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return months


def needs_rescoring(scored_on: date, today: date, policy: SelectionPolicy) -> bool:
    return months_between(scored_on, today) >= policy.rescore_months and scored_on < today


def rescore_before(today: date, policy: SelectionPolicy) -> date:
    """Scorings made on or before this day are due for re-scoring."""
    months = today.year * 12 + today.month - 1 - policy.rescore_months
    year, month0 = divmod(months, 12)
    day = today.day
    while True:
        try:
            return date(year, month0 + 1, day)
        except ValueError:
            day -= 1
