"""Opportunities as pure rules: kinds, stages and the moves between them, the stages policy
(probability per open stage), the bounds of value and probability, and the weighted value.

- Stages: ``identified`` → ``qualified`` → ``proposed`` → ``negotiation`` → ``won`` | ``lost``.
  An open stage may move forward or back to any other open stage, to ``won`` (from
  ``proposed`` or ``negotiation``: a deal that was never offered is not won) and to ``lost``
  (from any open stage, with a reason). ``won`` and ``lost`` are closed: no move leaves them.
- Probability: per cent, 0-100; an opportunity takes its stage's default (the stages policy)
  unless one is given; ``won`` is 100 and ``lost`` 0, whatever is given.
- Weighted value = value × probability ÷ 100, to the cent (half-even); a sum of them is
  rounded once, at the end.

Standard library, Decimal and pydantic (the typed policy) only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, ClassVar

from pydantic import Field

from accord.core.errors import FieldProblem
from accord.core.policy import Policy

KINDS = ("upsell", "cross_sell", "renewal", "new_vertical")
KIND_LABELS = {"upsell": "Up-sell", "cross_sell": "Cross-sell", "renewal": "Renewal",
               "new_vertical": "New vertical"}
STAGES = ("identified", "qualified", "proposed", "negotiation", "won", "lost")
OPEN_STAGES = ("identified", "qualified", "proposed", "negotiation")
CLOSED_STAGES = ("won", "lost")
STAGE_LABELS = {s: s.capitalize() for s in STAGES}
#: open stages from which a deal may be won
WINNABLE_FROM = ("proposed", "negotiation")
MAX_VALUE = Decimal("1000000000000")
MAX_TITLE = 200
MAX_TEXT = 2000
_CENT = Decimal("0.01")

Probability = Annotated[int, Field(strict=True, ge=0, le=100)]


class StagesPolicy(Policy):
    """The default probability (per cent) of each open stage (``opportunity_stages``)."""

    KIND: ClassVar[str] = "opportunity stages"

    identified: Probability = 10
    qualified: Probability = 25
    proposed: Probability = 50
    negotiation: Probability = 75

    def problems(self) -> list[FieldProblem]:
        values = [getattr(self, s) for s in OPEN_STAGES]
        if any(b < a for a, b in zip(values, values[1:], strict=False)):
            return [FieldProblem("negotiation", "the probabilities may not fall from one "
                                 "stage to the next (identified ≤ qualified ≤ proposed ≤ "
                                 "negotiation)")]
        return []

    def probability(self, stage: str) -> int:
        """The default probability of ``stage`` (won 100, lost 0)."""
        if stage == "won":
            return 100
        if stage == "lost":
            return 0
        return int(getattr(self, stage))


class RuleError(ValueError):
    """Input that breaks a rule; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def is_open(stage: str) -> bool:
    return stage in OPEN_STAGES


def allowed_moves(stage: str) -> tuple[str, ...]:
    """The stages an opportunity in ``stage`` may move to (none from a closed one)."""
    if stage not in OPEN_STAGES:
        return ()
    out = [s for s in OPEN_STAGES if s != stage]
    if stage in WINNABLE_FROM:
        out.append("won")
    out.append("lost")
    return tuple(out)


def check_move(stage: str, to: str, reason: str | None) -> None:
    """RuleError unless ``stage`` → ``to`` is allowed (``lost`` needs a reason)."""
    if to not in STAGES:
        raise RuleError("stage", "must be one of " + ", ".join(STAGES))
    if to == stage:
        raise RuleError("stage", f"the opportunity is already {stage}")
    if stage in CLOSED_STAGES:
        raise RuleError("stage", f"a {stage} opportunity is closed: it does not move")
    if to not in allowed_moves(stage):
        raise RuleError("stage", f"{stage} may move to " + ", ".join(allowed_moves(stage)))
    if to == "lost" and not (reason or "").strip():
        raise RuleError("reason", "say why the opportunity was lost")


def parse_kind(text: str | None) -> str:
    value = (text or "").strip()
    if value not in KINDS:
        raise RuleError("kind", "must be one of " + ", ".join(KINDS))
    return value


def parse_probability(raw: object) -> int | None:
    """A probability in per cent, 0-100 (None: the stage's default); RuleError otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise RuleError("probability", "must be a whole number from 0 to 100")
    try:
        value = Decimal(str(raw).strip().rstrip("%").strip())
    except InvalidOperation:
        raise RuleError("probability", "must be a whole number from 0 to 100") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise RuleError("probability", "must be a whole number from 0 to 100")
    if not 0 <= value <= 100:
        raise RuleError("probability", f"must be from 0 to 100 per cent, got {value}")
    return int(value)


def parse_value(raw: object) -> Decimal:
    """A value in the company's currency: 0 or more, at most 2 decimals and ``MAX_VALUE``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleError("value", "give the opportunity's value")
    if isinstance(raw, bool):
        raise RuleError("value", "must be an amount")
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise RuleError("value", "must be an amount such as 12500.00") from None
    if not value.is_finite():
        raise RuleError("value", "must be a finite amount")
    if value < 0:
        raise RuleError("value", "may not be below 0")
    if value > MAX_VALUE:
        raise RuleError("value", f"at most {MAX_VALUE:,}")
    if value != value.quantize(_CENT):
        raise RuleError("value", "at most 2 decimals")
    return value.quantize(_CENT)


def probability_for(policy: StagesPolicy, stage: str, given: int | None) -> int:
    """The probability an opportunity in ``stage`` holds: the given one while open, else the
    stage's default; won 100 and lost 0 always."""
    if stage in CLOSED_STAGES or given is None:
        return policy.probability(stage)
    return given


def weighted(value: Decimal, probability: int) -> Decimal:
    """Value × probability ÷ 100, to the cent."""
    return (Decimal(value) * Decimal(probability) / 100).quantize(_CENT, ROUND_HALF_EVEN)


def weighted_sum(items: list[tuple[Decimal, int]]) -> Decimal:
    """Σ value × probability ÷ 100, rounded once to the cent (half-even) at the end: the
    pipeline's figure, whose SQL twin sums ``value_cents × probability`` in integers."""
    return from_percent_cents(sum(int(Decimal(v) * 100) * p for v, p in items))


def from_percent_cents(total: int | None) -> Decimal:
    """A sum of cents × per cent (the SQL's exact integer) as money, half-even to the cent."""
    return (Decimal(total or 0) / 10000).quantize(_CENT, ROUND_HALF_EVEN)


def month_of(day: object) -> str | None:
    """``YYYY-MM`` of a date (None for None)."""
    if day is None:
        return None
    return f"{day.year:04d}-{day.month:02d}"  # type: ignore[attr-defined]
