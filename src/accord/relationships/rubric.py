"""Relationship stages (Millman & Wilson; Woodburn & McDonald) as pure rules.

Six criteria, each 1–4. Where Accord holds evidence the score is computed from it; the
manager may override any criterion with a reason. The total (6–24) gives the stage; the stage
with the account's potential gives the decision: invest, maintain or recalibrate.

Every threshold is a field of :class:`StagePolicy` (a setting; defaults in docs/kam_models.md).
Standard library and the typed policy base (``core.policy``) only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import Field

from accord.core.errors import FieldProblem
from accord.core.policy import Policy


class Stage(StrEnum):
    TACTICAL = "Tactical"
    COOPERATIVE = "Cooperative"
    INTERDEPENDENT = "Interdependent"
    STRATEGIC = "Strategic"


class Decision(StrEnum):
    INVEST = "invest"
    MAINTAIN = "maintain"
    RECALIBRATE = "recalibrate"


STAGES = tuple(Stage)
POTENTIALS = ("low", "medium", "high")
DecisionName = Literal["invest", "maintain", "recalibrate"]

CRITERIA = (
    "contact_points",
    "supplier_position",
    "switching_cost",
    "forecast_horizon",
    "information_sharing",
    "governance",
)
LABELS = {
    "contact_points": "Contact points",
    "supplier_position": "Supplier position",
    "switching_cost": "Switching cost",
    "forecast_horizon": "Forecast horizon",
    "information_sharing": "Information sharing",
    "governance": "Governance",
}
LEVELS = {
    "contact_points": (
        "one person each side",
        "2–4 contacts",
        "5–9 across functions",
        "10 or more incl. executives",
    ),
    "supplier_position": ("one of many", "preferred, one of a few", "primary", "sole"),
    "switching_cost": ("none", "low", "significant", "high"),
    "forecast_horizon": ("order by order", "up to 1 year", "1–3 years", "3 years or more"),
    "information_sharing": (
        "price and spec",
        "operational",
        "plans and forecasts",
        "strategy, open book",
    ),
    "governance": (
        "contract only",
        "occasional reviews",
        "regular business reviews",
        "joint steering",
    ),
}
DECISION_MEANING = {
    Decision.INVEST: (
        "move the relationship up a stage: more contact points, a plan, more resources"
    ),
    Decision.MAINTAIN: "keep the relationship where it is and serve it efficiently",
    Decision.RECALIBRATE: (
        "the cost of the relationship exceeds what the account can return: "
        "review the investments made"
    ),
}

_DEFAULT_TABLE: dict[str, dict[str, DecisionName]] = {
    "Tactical": {"low": "maintain", "medium": "invest", "high": "invest"},
    "Cooperative": {"low": "maintain", "medium": "maintain", "high": "invest"},
    "Interdependent": {"low": "recalibrate", "medium": "recalibrate", "high": "maintain"},
    "Strategic": {"low": "recalibrate", "medium": "recalibrate", "high": "maintain"},
}


class StagePolicy(Policy):
    """Thresholds of the rubric, the stage bands and the stage × potential table."""

    KIND: ClassVar[str] = "stage"

    #: contacts touched in the lookback: 2 from this many, 3 from ..., 4 from ...
    contacts_for_2: int = 2
    contacts_for_3: int = 5
    contacts_for_4: int = 10
    functions_for_3: int = 2  # "across functions"
    executives_for_4: int = 1  # "incl. executives"
    contact_lookback_days: int = 365
    #: share of wallet (our 12-month revenue ÷ the client's category spend)
    share_for_2: Decimal = Decimal("0.25")
    share_for_3: Decimal = Decimal("0.50")
    share_for_4: Decimal = Decimal("0.90")
    #: product lines bought in the lookback
    lines_for_2: int = 2
    lines_for_3: int = 3
    lines_for_4: int = 5
    #: business reviews held in the governance lookback
    reviews_for_2: int = 1
    reviews_for_3: int = 2
    reviews_for_4: int = 4
    review_lookback_days: int = 183
    #: lowest total of each stage above Tactical
    cooperative_from: int = 11
    interdependent_from: int = 17
    strategic_from: int = 23
    #: stage -> potential (low, medium, high) -> decision
    decisions: dict[str, dict[str, DecisionName]] = Field(
        default_factory=lambda: {s: dict(row) for s, row in _DEFAULT_TABLE.items()}
    )

    def problems(self) -> list[FieldProblem]:
        return self._threshold_problems() + self._decision_problems()

    def _threshold_problems(self) -> list[FieldProblem]:
        out = []
        for prefix in ("contacts", "lines", "reviews"):
            a, b, c = (getattr(self, f"{prefix}_for_{n}") for n in (2, 3, 4))
            if not 0 <= a <= b <= c:
                out.append(FieldProblem(f"{prefix}_for_2/3/4", "increasing whole numbers"))
        if not Decimal(0) <= self.share_for_2 <= self.share_for_3 <= self.share_for_4 <= Decimal(1):
            out.append(FieldProblem("share_for_2/3/4", "increasing shares between 0 and 1"))
        if not 7 <= self.cooperative_from <= self.interdependent_from <= self.strategic_from <= 24:
            out.append(FieldProblem(
                "cooperative_from/interdependent_from/strategic_from", "7 ≤ … ≤ 24, increasing"
            ))
        if self.contact_lookback_days < 1:
            out.append(FieldProblem("contact_lookback_days", "1 or more"))
        if self.review_lookback_days < 1:
            out.append(FieldProblem("review_lookback_days", "1 or more"))
        return out

    def _decision_problems(self) -> list[FieldProblem]:
        """The stage × potential table: one row per stage, one decision per potential."""
        out = []
        for extra in sorted(set(self.decisions) - {s.value for s in STAGES}):
            out.append(FieldProblem(f"decisions.{extra}", "not a stage"))
        for stage in STAGES:
            row = self.decisions.get(stage.value)
            if row is None:
                out.append(FieldProblem(f"decisions.{stage.value}", "the row is missing"))
                continue
            for extra in sorted(set(row) - set(POTENTIALS)):
                out.append(FieldProblem(f"decisions.{stage.value}.{extra}", "not a potential"))
            for pot in POTENTIALS:
                if pot not in row:
                    out.append(FieldProblem(
                        f"decisions.{stage.value}.{pot}", "invest, maintain or recalibrate"
                    ))
        return out


# ---------------------------------------------------------------- evidence → scores


@dataclass(frozen=True)
class Evidence:
    """What the data says about one account (None: Accord holds no such data)."""

    contacts_touched: int = 0
    functions: int = 0
    executives: int = 0
    share_of_wallet: Decimal | None = None
    product_lines: int | None = 0
    business_reviews: int = 0
    #: the account's active subscriptions (licences; None: not connected)
    active_subscriptions: int | None = None
    #: the client contract's end date (``Account.contract_end_on``) and the day asked
    contract_end_on: date | None = None
    as_of: date | None = None


@dataclass(frozen=True)
class CriterionScore:
    criterion: str
    computed: int | None  # from evidence; None when there is none
    evidence: str
    override: int | None = None
    reason: str | None = None

    @property
    def score(self) -> int:
        """The score that counts: the override, else the computed score, else 1 (lowest)."""
        if self.override is not None:
            return self.override
        return self.computed if self.computed is not None else 1

    @property
    def source(self) -> str:
        if self.override is not None:
            return "manager"
        return "data" if self.computed is not None else "default"


def _step(
    value: int | Decimal, for2: int | Decimal, for3: int | Decimal, for4: int | Decimal
) -> int:
    if value >= for4:
        return 4
    if value >= for3:
        return 3
    if value >= for2:
        return 2
    return 1


def score_contact_points(ev: Evidence, p: StagePolicy) -> int:
    score = _step(ev.contacts_touched, p.contacts_for_2, p.contacts_for_3, p.contacts_for_4)
    if score == 4 and ev.executives < p.executives_for_4:
        score = 3
    if score >= 3 and ev.functions < p.functions_for_3:
        score = 2  # 3 and 4 both mean contacts "across functions"
    return score


def score_supplier_position(ev: Evidence, p: StagePolicy) -> int | None:
    if ev.share_of_wallet is None:
        return None
    return _step(ev.share_of_wallet, p.share_for_2, p.share_for_3, p.share_for_4)


def switching_count(ev: Evidence) -> int | None:
    """What the client would have to switch: the product lines bought in the last 12 months
    and the active subscriptions; None when neither is known."""
    if ev.product_lines is None and ev.active_subscriptions is None:
        return None
    return (ev.product_lines or 0) + (ev.active_subscriptions or 0)


def score_switching_cost(ev: Evidence, p: StagePolicy) -> int | None:
    count = switching_count(ev)
    if count is None:
        return None
    return _step(count, p.lines_for_2, p.lines_for_3, p.lines_for_4)


def _switching_words(ev: Evidence) -> str:
    parts = []
    if ev.product_lines is not None:
        parts.append(f"{ev.product_lines} product lines bought in the last 12 months")
    if ev.active_subscriptions is not None:
        n = ev.active_subscriptions
        parts.append(f"{n} active subscription{'s' if n != 1 else ''}")
    return ", ".join(parts) or "no product lines recorded"


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def score_forecast_horizon(ev: Evidence) -> int | None:
    """How far the contract commits the client: ended or ending today 1 ("order by order"),
    less than a year 2, one to three years 3, three years or more 4; None without a contract
    end date. The levels name the years, so the bounds are not settings."""
    if ev.contract_end_on is None or ev.as_of is None:
        return None
    end, today = ev.contract_end_on, ev.as_of
    if end <= today:
        return 1
    if end < years_later(today, 1):
        return 2
    if end < years_later(today, 3):
        return 3
    return 4


def _horizon_words(ev: Evidence) -> str:
    if ev.contract_end_on is None or ev.as_of is None:
        return "no contract end date recorded"
    if ev.contract_end_on <= ev.as_of:
        return f"the contract ended on {ev.contract_end_on.isoformat()}"
    return f"the contract runs until {ev.contract_end_on.isoformat()}"


def score_governance(ev: Evidence, p: StagePolicy) -> int:
    return _step(ev.business_reviews, p.reviews_for_2, p.reviews_for_3, p.reviews_for_4)


def assess(
    ev: Evidence, p: StagePolicy, overrides: Mapping[str, tuple[int, str]] | None = None
) -> list[CriterionScore]:
    """The six criteria with their computed score, evidence in words and any override."""
    overrides = overrides or {}
    months = round(p.review_lookback_days / 30.5)
    share = (
        f"share of wallet {ev.share_of_wallet * 100:.0f} %"
        if ev.share_of_wallet is not None
        else "no estimate of the client's category spend"
    )
    computed: dict[str, tuple[int | None, str]] = {
        "contact_points": (
            score_contact_points(ev, p),
            f"{ev.contacts_touched} contacts touched in the last {p.contact_lookback_days} days, "
            f"{ev.functions} functions, {ev.executives} executives",
        ),
        "supplier_position": (score_supplier_position(ev, p), share),
        "switching_cost": (
            score_switching_cost(ev, p),
            _switching_words(ev),
        ),
        "forecast_horizon": (score_forecast_horizon(ev), _horizon_words(ev)),
        "information_sharing": (None, "set by the manager"),
        "governance": (
            score_governance(ev, p),
            f"{ev.business_reviews} business reviews in the last {months} months",
        ),
    }
    out = []
    for name in CRITERIA:
        score, words = computed[name]
        ov = overrides.get(name)
        out.append(CriterionScore(name, score, words, ov[0] if ov else None, ov[1] if ov else None))
    return out


def total(scores: Sequence[CriterionScore] | Sequence[int]) -> int:
    return sum(s if isinstance(s, int) else s.score for s in scores)


def stage_for_total(points: int, p: StagePolicy) -> Stage:
    if not 6 <= points <= 24:
        raise ValueError(f"a rubric total is between 6 and 24, not {points}")
    if points >= p.strategic_from:
        return Stage.STRATEGIC
    if points >= p.interdependent_from:
        return Stage.INTERDEPENDENT
    if points >= p.cooperative_from:
        return Stage.COOPERATIVE
    return Stage.TACTICAL


def decide(stage: Stage | str, potential: str, p: StagePolicy) -> Decision:
    return Decision(p.decisions[Stage(stage).value][potential])


def reasoning(stage: Stage | str, potential: str, p: StagePolicy) -> str:
    """The decision in words, for the account page."""
    decision = decide(stage, potential, p)
    return (
        f"The relationship is {Stage(stage).value.lower()} and the account's potential is "
        f"{potential}, so: {decision.value} — {DECISION_MEANING[decision]}."
    )


def validate_override(criterion: str, score: int, reason: str | None) -> list[tuple[str, str]]:
    problems = []
    if criterion not in CRITERIA:
        problems.append(("criterion", f"one of {', '.join(CRITERIA)}"))
    if not 1 <= score <= 4:
        problems.append(("score", "a rubric score is 1, 2, 3 or 4"))
    if not reason or not reason.strip():
        problems.append(("reason", "an override needs a reason"))
    return problems
