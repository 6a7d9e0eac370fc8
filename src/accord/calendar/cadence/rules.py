"""The contact cadence as pure rules: how often an account is touched and reviewed.

The policy (``CadencePolicy``, stored as the setting ``cadence``) gives a touch interval and a
business-review interval per tier, optionally per tier × relationship stage. An account's own
override (``calendar.models.CadenceOverride``) wins over both. Precedence:
account override > individual client (B2C: no cadence) > tier × stage > tier.

The state of an account follows the days since its last qualifying touch (``accounts.touches``)
against its touch interval: ``ok``, ``due`` from ``due_ratio`` × interval (0.8), ``overdue``
past 1 ×, ``neglected`` past ``neglected_ratio`` × (2) — and never touched counts as
neglected; ``none`` without a touch interval. These are cadence states, not lifecycle
statuses.

Standard library and the typed policy base only. Ratios compare as exact fractions, so the
SQL twin (``queries.py``) gives the same state on either database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field

from accord.core.errors import FieldProblem
from accord.core.policy import Policy

#: the selection tiers (``selection.rules.TIERS``) and relationship stages (``relationships.
#: rubric.STAGES``), by name: the policy is keyed by them
TIERS = ("Strategic", "Star", "Status", "Streamline", "not key")
NOT_KEY = "not key"
STAGES = ("Tactical", "Cooperative", "Interdependent", "Strategic")
STATES = ("none", "ok", "due", "overdue", "neglected")
SOURCES = ("override", "person", "tier_stage", "tier")
#: intervals are 1 to this many days (ten years), as the table's check constraints say
MAX_DAYS = 3660


class TierCadence(BaseModel):
    """A touch interval and a business-review interval in days (None: none)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    touch_days: int | None = None
    review_days: int | None = None


_DEFAULT_TIERS = {
    "Strategic": TierCadence(touch_days=14, review_days=91),
    "Star": TierCadence(touch_days=21, review_days=91),
    "Status": TierCadence(touch_days=30, review_days=182),
    "Streamline": TierCadence(touch_days=90, review_days=None),
    "not key": TierCadence(touch_days=90, review_days=None),
}


class CadencePolicy(Policy):
    """Touch and review intervals per tier (and per tier × stage), the state thresholds."""

    KIND: ClassVar[str] = "cadence"

    tiers: dict[str, TierCadence] = Field(default_factory=lambda: dict(_DEFAULT_TIERS))
    #: tier -> stage -> intervals that replace the tier's for accounts at that stage
    stages: dict[str, dict[str, TierCadence]] = Field(default_factory=dict)
    due_ratio: Decimal = Decimal("0.8")
    neglected_ratio: Decimal = Decimal("2")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """A tier not given keeps its default intervals (a tier given in part, the rest)."""
        given = dict(data)
        tiers = given.get("tiers")
        if isinstance(tiers, Mapping):
            merged: dict[str, Any] = {t: c.model_dump() for t, c in _DEFAULT_TIERS.items()}
            for name, spec in tiers.items():
                old = merged.get(name, {})
                merged[name] = {**old, **spec} if isinstance(spec, Mapping) else spec
            given["tiers"] = merged
        return super().from_dict(given)

    def problems(self) -> list[FieldProblem]:
        out = []
        for name, spec in self.tiers.items():
            if name not in TIERS:
                out.append(FieldProblem(f"tiers.{name}", f"not a tier ({', '.join(TIERS)})"))
            out += _interval_problems(f"tiers.{name}", spec)
        for tier_name, by_stage in self.stages.items():
            if tier_name not in TIERS:
                out.append(FieldProblem(f"stages.{tier_name}", "not a tier"))
            for stage, spec in by_stage.items():
                if stage not in STAGES:
                    out.append(FieldProblem(
                        f"stages.{tier_name}.{stage}", f"not a stage ({', '.join(STAGES)})"))
                out += _interval_problems(f"stages.{tier_name}.{stage}", spec)
        if not 0 < self.due_ratio < 1:
            out.append(FieldProblem("due_ratio", "between 0 and 1 (e.g. 0.8)"))
        if not 1 < self.neglected_ratio <= 100:
            out.append(FieldProblem("neglected_ratio", "above 1 and at most 100 (e.g. 2)"))
        for field in ("due_ratio", "neglected_ratio"):
            value: Decimal = getattr(self, field)
            if value != value.quantize(Decimal("0.01")):
                out.append(FieldProblem(field, "at most two decimals"))
        return out


def interval_problem(field: str, days: int | None) -> FieldProblem | None:
    """The problem with an interval of ``days`` (None: no interval, allowed)."""
    if days is None:
        return None
    if days == 0:
        return FieldProblem(field, "0 is not an interval: 1 day or more (leave it empty for none)")
    if not 1 <= days <= MAX_DAYS:
        return FieldProblem(field, f"1 to {MAX_DAYS} days")
    return None


def _interval_problems(where: str, spec: TierCadence) -> list[FieldProblem]:
    found = [interval_problem(f"{where}.touch_days", spec.touch_days),
             interval_problem(f"{where}.review_days", spec.review_days)]
    return [p for p in found if p is not None]


class OverrideLike(Protocol):
    @property
    def touch_days(self) -> int | None: ...
    @property
    def review_days(self) -> int | None: ...


@dataclass(frozen=True)
class Interval:
    touch_days: int | None
    review_days: int | None
    source: str  # "override" | "person" | "tier_stage" | "tier"


def tier_of(policy: CadencePolicy, tier: str | None) -> TierCadence:
    """The tier's intervals; an unknown or missing tier is "not key"."""
    name = tier if tier in TIERS else NOT_KEY
    return policy.tiers.get(name) or _DEFAULT_TIERS[name]


def resolve(
    policy: CadencePolicy,
    tier: str | None,
    stage: str | None,
    override: OverrideLike | None,
    *,
    person: bool = False,
) -> Interval:
    """The account's intervals: its override, else none for an individual client (B2C), else
    its tier × stage entry, else its tier's."""
    if override is not None:
        return Interval(override.touch_days, override.review_days, "override")
    if person:
        return Interval(None, None, "person")
    name = tier if tier in TIERS else NOT_KEY
    entry = policy.stages.get(name, {}).get(stage or "")
    if entry is not None:
        return Interval(entry.touch_days, entry.review_days, "tier_stage")
    spec = tier_of(policy, name)
    return Interval(spec.touch_days, spec.review_days, "tier")


def state(
    last_touch: date | None,
    touch_days: int | None,
    today: date,
    *,
    due_ratio: Decimal = Decimal("0.8"),
    neglected_ratio: Decimal = Decimal("2"),
) -> str:
    """"none" without a touch interval; never touched is "neglected"; else by the days since
    the last touch: > neglected_ratio × interval "neglected", > 1 × "overdue",
    ≥ due_ratio × "due", else "ok"."""
    if touch_days is None:
        return "none"
    if last_touch is None:
        return "neglected"
    elapsed = max((today - last_touch).days, 0)
    n_num, n_den = neglected_ratio.as_integer_ratio()
    d_num, d_den = due_ratio.as_integer_ratio()
    if elapsed * n_den > n_num * touch_days:
        return "neglected"
    if elapsed > touch_days:
        return "overdue"
    if elapsed * d_den >= d_num * touch_days:
        return "due"
    return "ok"


def next_touch_on(last: date | None, days: int | None) -> date | None:
    """The date the next touch is due: the last qualifying touch + the interval (None without
    an interval or without any touch: never touched is due now)."""
    if last is None or days is None:
        return None
    return last + timedelta(days=days)


def covered(last_touch: date | None, touch_days: int | None, today: date) -> bool | None:
    """Coverage of one account: its last qualifying touch is within its interval (at most
    ``touch_days`` days ago); None (not counted) without a touch interval."""
    if touch_days is None:
        return None
    return last_touch is not None and (today - last_touch).days <= touch_days


def from_legacy_health(cadence_days: Mapping[str, Any]) -> dict[str, Any]:
    """The cadence document a stored health policy's old ``cadence_days`` (touch days per
    tier) stands for: those touch intervals, the default review intervals."""
    tiers: dict[str, Any] = {}
    for name, days in cadence_days.items():
        if name in TIERS and isinstance(days, int) and 1 <= days <= MAX_DAYS:
            tiers[name] = {"touch_days": days}
    return {"tiers": tiers}
