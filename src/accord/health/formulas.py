"""The health score: weighted measures, each mapped linearly onto 0–100, as pure rules.

A measure scores 100 at or beyond its "full" threshold and 0 at or beyond its "zero"
threshold, linearly in between; the direction follows from the thresholds (for contact
freshness lower is better: full at ≤ 1.0, zero at ≥ 2.0). A missing measure is left out and
the remaining weights re-normalised. The score is rounded half up to a whole number and the
band follows the rounded score (green ≥ 70, amber ≥ 40, red below; settings).

Standard library and the typed policy base (``core.policy``) only. Decimal arithmetic, so a
value exactly on a threshold scores exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Self

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.policy import Policy

MEASURES = (
    "revenue_trend",
    "licence_utilisation",
    "contact_freshness",
    "overdue_commitments",
    "sentiment",
)
LABELS = {
    "revenue_trend": "Revenue trend R(C) ÷ R(P)",
    "licence_utilisation": "Licence utilisation (active seats ÷ seats purchased)",
    "contact_freshness": "Contact freshness (days since the last qualifying touch ÷ the "
    "touch interval)",
    "overdue_commitments": "Overdue commitments (overdue follow-ups)",
    "sentiment": "Sentiment (latest rating, 0–10)",
}
#: Measures Accord cannot compute yet; always left out, and the page says so.
UNAVAILABLE = {
    "overdue_commitments": "no follow-ups connected (the account calendar)",
}

#: the note of a measure Accord computes when an account has no value for it
MISSING = {
    "licence_utilisation": "no subscriptions with seats on this account",
}


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class MeasureSpec:
    """One measure's weight and the thresholds where it scores 100 and 0."""

    weight: Decimal
    full: Decimal  # scores 100 at or beyond this
    zero: Decimal  # scores 0 at or beyond this


_DEFAULTS = {
    "revenue_trend": MeasureSpec(Decimal(30), Decimal("1.10"), Decimal("0.70")),
    "licence_utilisation": MeasureSpec(Decimal(20), Decimal("0.85"), Decimal("0.40")),
    "contact_freshness": MeasureSpec(Decimal(20), Decimal("1.0"), Decimal("2.0")),
    "overdue_commitments": MeasureSpec(Decimal(15), Decimal(0), Decimal(3)),
    "sentiment": MeasureSpec(Decimal(15), Decimal(9), Decimal(4)),
}
#: the touch cadence moved to the account rhythm (``calendar.cadence``, issue 13): a stored
#: document may still hold it; it is ignored here (the cadence policy reads it once)
LEGACY_FIELDS = ("cadence_days",)


class HealthPolicy(Policy):
    """Weights and thresholds of the measures and the bands (the touch interval that contact
    freshness divides by is the cadence's: ``health.rhythm``)."""

    KIND: ClassVar[str] = "health"

    measures: dict[str, MeasureSpec] = Field(default_factory=lambda: dict(_DEFAULTS))
    green_from: int = 70
    amber_from: int = 40

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: HealthPolicy | None = None) -> Self:
        """Parse a stored or submitted policy; missing parts come from ``base`` (or defaults):
        a measure given in part keeps the rest of its spec. A legacy ``cadence_days`` is
        ignored (the touch intervals are the cadence policy's)."""
        base = base or cls()
        document = base.to_dict()
        given = {k: v for k, v in data.items() if v is not None and k not in LEGACY_FIELDS}
        measures = given.pop("measures", None) or {}
        if isinstance(measures, Mapping):
            unknown = [FieldProblem(f"measures.{n}", "not a health measure")
                       for n in measures if n not in MEASURES]
            if unknown:
                raise ValidationFailed(unknown)
            for name, spec in measures.items():
                old = document["measures"].get(name, {})
                document["measures"][name] = (
                    {**old, **{k: v for k, v in spec.items() if v is not None}}
                    if isinstance(spec, Mapping)
                    else spec if spec is not None else old
                )
        else:
            document["measures"] = measures
        return super().from_dict({**document, **given})

    def problems(self) -> list[FieldProblem]:
        out = []
        for name, spec in self.measures.items():
            if name not in MEASURES:
                out.append(FieldProblem(f"measures.{name}", "not a health measure"))
                continue
            if spec.weight < 0:
                out.append(FieldProblem(f"measures.{name}.weight", "zero or more"))
            if spec.full == spec.zero:
                out.append(FieldProblem(
                    f"measures.{name}", "the 100 and 0 thresholds must differ"
                ))
        if sum((s.weight for s in self.measures.values()), Decimal(0)) <= 0:
            out.append(FieldProblem("measures", "at least one weight above zero"))
        if not 0 < self.amber_from <= self.green_from <= 100:
            out.append(FieldProblem("amber_from/green_from", "0 < amber ≤ green ≤ 100"))
        return out


# ---------------------------------------------------------------- the score, exactly
#
# Every step is exact integer arithmetic, so the SQL twins in ``bulk.py`` (which score every
# account at once) give the same score on SQLite and PostgreSQL, ties included:
# - a ratio measure (revenue trend, contact freshness) is kept to four decimals, half up
#   (as relative strength is; more would overflow 64 bits for a window of 5·10¹² cents);
# - a measure's score is kept in millionths of a point, rounded down;
# - the weighted mean of the scores is rounded half up to a whole number.

#: ratio measures are kept to four decimals (in ten-thousandths)
RATIO_PLACES = 4
RATIO_SCALE = 10**RATIO_PLACES
#: a measure's score is kept in millionths of a point (0 … 100 × SCORE_SCALE)
SCORE_SCALE = 1_000_000
#: never touched counts as this far overdue (times the cadence)
NEVER_TOUCHED = 999


def half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up (numerator ≥ 0, denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def ratio(numerator: int, denominator: int) -> Decimal:
    """numerator ÷ denominator to four decimals, half up (numerator ≥ 0, denominator > 0)."""
    return Decimal(half_up(numerator * RATIO_SCALE, denominator)) / RATIO_SCALE


def measure_score(value: Decimal, spec: MeasureSpec) -> Decimal:
    """Linear between the thresholds, clamped to 0–100, in millionths of a point (down)."""
    above_zero, scale = (value - spec.zero).as_integer_ratio()
    span, span_scale = (spec.full - spec.zero).as_integer_ratio()
    # fraction = above_zero / scale ÷ (span / span_scale), sign carried by the span
    numerator, denominator = above_zero * span_scale, span * scale
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    if numerator <= 0:
        return Decimal(0)
    if numerator >= denominator:
        return Decimal(100)
    return Decimal(numerator * 100 * SCORE_SCALE // denominator) / SCORE_SCALE


def weighted_score(scored: list[tuple[Decimal, Decimal]]) -> int | None:
    """The weighted mean of (weight, score) pairs rounded half up; None without weight."""
    counted = sum((w for w, _ in scored), Decimal(0))
    if counted <= 0:
        return None
    weighted = sum((w * s for w, s in scored), Decimal(0))
    top, top_scale = weighted.as_integer_ratio()
    bottom, bottom_scale = counted.as_integer_ratio()
    return half_up(top * bottom_scale, bottom * top_scale)


def band(score: int, policy: HealthPolicy) -> str:
    if score >= policy.green_from:
        return "green"
    if score >= policy.amber_from:
        return "amber"
    return "red"


@dataclass(frozen=True)
class MeasureResult:
    measure: str
    value: Decimal | None
    score: Decimal | None
    weight: Decimal
    effective_weight: Decimal  # after re-normalisation (percent of the total); 0 when left out
    note: str


@dataclass(frozen=True)
class HealthResult:
    score: int | None
    band: str | None
    measures: tuple[MeasureResult, ...]

    @property
    def left_out(self) -> list[str]:
        return [m.measure for m in self.measures if m.score is None]


def health(
    values: Mapping[str, Decimal | None],
    policy: HealthPolicy,
    notes: Mapping[str, str] | None = None,
) -> HealthResult:
    """Score an account from its measure values (None or absent: missing, left out)."""
    notes = notes or {}
    scored: list[tuple[str, Decimal | None, Decimal | None, Decimal, str]] = []
    for name in MEASURES:
        spec = policy.measures[name]
        value = values.get(name)
        if name in UNAVAILABLE and value is None:
            note = notes.get(name) or UNAVAILABLE[name]
        else:
            note = notes.get(name, "" if value is not None else MISSING.get(name, "no data"))
        s = measure_score(value, spec) if value is not None and spec.weight > 0 else None
        if value is not None and spec.weight == 0:
            note = "weight 0 in this segment"
        scored.append((name, value, s, spec.weight, note))
    counted = sum((w for _, _, s, w, _ in scored if s is not None), Decimal(0))
    total = weighted_score([(w, s) for _, _, s, w, _ in scored if s is not None])
    results = tuple(
        MeasureResult(
            n, v, s, w, (w * 100 / counted) if (s is not None and counted) else Decimal(0), note
        )
        for n, v, s, w, note in scored
    )
    return HealthResult(total, band(total, policy) if total is not None else None, results)


def revenue_trend(current_cents: int, previous_cents: int) -> Decimal | None:
    """R(C) ÷ R(P) to four decimals (negative window sums count as zero); None without a
    previous window."""
    current, previous = max(current_cents, 0), max(previous_cents, 0)
    if previous == 0:
        return None
    return ratio(current, previous)


def licence_utilisation(utilised: int, purchased: int) -> Decimal | None:
    """Seats used ÷ seats purchased to four decimals, half up (above 1 when over-assigned);
    None without seats purchased."""
    if purchased <= 0:
        return None
    return ratio(max(utilised, 0), purchased)


def freshness(days_since_touch: int | None, cadence_days: int | None) -> Decimal | None:
    """Days since the last touch ÷ the cadence interval, to four decimals; never touched
    counts as far overdue."""
    if cadence_days is None:
        return None
    if days_since_touch is None:
        return Decimal(NEVER_TOUCHED)
    return ratio(max(days_since_touch, 0), cadence_days)
