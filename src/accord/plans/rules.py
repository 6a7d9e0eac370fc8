"""Account plans as pure rules: sections, metrics, progress, completeness, staleness.

- **Progress** of an objective is where its current value stands between baseline and
  target, ``(current − baseline) ÷ (target − baseline)`` clamped to 0..1: a target below the
  baseline (fewer days overdue, lower churn) works the same way round. Unknown when the
  current value, baseline or target is unknown, or target equals baseline.
- **Completeness** of a plan is the share of ten items: each of the eight sections filled,
  the share of objectives with a target and the share of actions with an owner (an item
  with no objectives or no actions counts as not filled).
- A plan is **stale** when its last review (or its start, never reviewed) is more than the
  review interval ago; an **open action** past its due date is overdue.

Standard library and the typed policy base (``core.policy``) only; "today" is passed in.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, ClassVar

from pydantic import Field

from accord.core.policy import Policy

#: The sections of a plan: what ``shared_sections`` names and completeness counts.
SECTIONS = (
    "business",
    "value_to_us",
    "goals",
    "pain_points",
    "swot",
    "key_people",
    "risks",
    "objectives",
)
SECTION_LABELS = {
    "business": "The client's business",
    "value_to_us": "Their value to us",
    "goals": "Goals",
    "pain_points": "Pain points",
    "swot": "SWOT",
    "key_people": "Key people",
    "risks": "Risks",
    "objectives": "Objectives",
}
#: The four SWOT lists.
SWOT = ("strengths", "weaknesses", "opportunities", "threats")
#: The list sections held as ``plan_entries`` rows (``section`` column).
ENTRY_SECTIONS = ("goals", "pain_points", *SWOT, "risks")
HORIZONS = (6, 12, 18)
#: Metrics computed from Accord's own figures (``plans.metrics``), then the manual one.
TIED_METRICS = ("revenue_12m", "nrr", "share_of_wallet", "health", "key_people_touched")
MANUAL = "manual"
METRICS = (*TIED_METRICS, MANUAL)
METRIC_LABELS = {
    "revenue_12m": "Revenue, last 12 months",
    "nrr": "Net revenue retention",
    "share_of_wallet": "Share of wallet",
    "health": "Health score",
    "key_people_touched": "Key people touched in 90 days",
    "manual": "Updated by hand",
}
ACTION_STATUSES = ("open", "done", "cancelled")

#: Bounds of the plans policy (docs/settings.md).
REVIEW_DAYS = (7, 730)
SHARE_DAYS = (1, 365)

_PLACES = Decimal("0.0001")


class PlansPolicy(Policy):
    """How often a plan is reviewed, how long a link shared with the client lasts."""

    KIND: ClassVar[str] = "plans"

    review_interval_days: Annotated[int, Field(ge=REVIEW_DAYS[0], le=REVIEW_DAYS[1])] = 90
    share_link_days: Annotated[int, Field(ge=SHARE_DAYS[0], le=SHARE_DAYS[1])] = 30


@dataclass(frozen=True)
class PlanFacts:
    """What completeness looks at: the sections filled and the counts behind the shares."""

    filled: frozenset[str]
    objectives: int = 0
    objectives_with_target: int = 0
    actions: int = 0
    actions_with_owner: int = 0


def progress(
    baseline: Decimal | None, target: Decimal | None, current: Decimal | None
) -> Decimal | None:
    """Where ``current`` stands from ``baseline`` (0) to ``target`` (1), clamped to 0..1,
    to four places; None when it cannot be told."""
    if baseline is None or target is None or current is None or target == baseline:
        return None
    share = (current - baseline) / (target - baseline)
    share = min(Decimal(1), max(Decimal(0), share))
    return share.quantize(_PLACES, rounding=ROUND_HALF_EVEN)


def _share(part: int, whole: int) -> Decimal:
    return Decimal(min(part, whole)) / Decimal(whole) if whole > 0 else Decimal(0)


def completeness(facts: PlanFacts) -> Decimal:
    """The share (0..1, four places) of the ten completeness items a plan fills."""
    sections = sum(1 for name in SECTIONS if name in facts.filled)
    total = (
        Decimal(sections)
        + _share(facts.objectives_with_target, facts.objectives)
        + _share(facts.actions_with_owner, facts.actions)
    )
    return (total / Decimal(len(SECTIONS) + 2)).quantize(_PLACES, rounding=ROUND_HALF_EVEN)


def is_stale(reviewed_or_started: date, review_interval_days: int, today: date) -> bool:
    """More than ``review_interval_days`` since the last review (or the start)."""
    return (today - reviewed_or_started).days > review_interval_days


def action_overdue(status: str, due_on: date | None, today: date) -> bool:
    """An open action whose due date has passed."""
    return status == "open" and due_on is not None and due_on < today


def plan_end(starts_on: date, horizon_months: int) -> date:
    """The day a plan starting on ``starts_on`` ends: ``horizon_months`` later (the last day
    of a shorter month when the day does not exist there)."""
    months = starts_on.month - 1 + horizon_months
    year, month = starts_on.year + months // 12, months % 12 + 1
    day = min(starts_on.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def makes_cycle(reports_to: Mapping[int, int | None], person: int, boss: int | None) -> bool:
    """Whether ``person`` reporting to ``boss`` closes a loop in the "reports to" links
    (``reports_to``: each key person's current boss, by contact id)."""
    seen = {person}
    step = boss
    while step is not None:
        if step in seen:
            return True
        seen.add(step)
        step = reports_to.get(step)
    return False


def unknown_sections(names: list[str]) -> list[str]:
    """The names that are not plan sections."""
    return [name for name in names if name not in SECTIONS]
