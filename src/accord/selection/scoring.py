"""Checking a scoring against the current criteria, as a pure rule.

A scoring gives every current attractiveness criterion a score and every buying criterion
our score and the best competitor's, each 0–10 with at most one decimal (``rules.parse_score``).
A criterion that is not current, scored twice or left out is a problem, named by its field;
so is a scoring dated in the future, and a competitor scoring 0 on every buying criterion
(relative strength is our score ÷ theirs). All problems of the entries are reported at once.

Standard library only; "today" is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from accord.selection import rules

ATTRACTIVENESS = ("score",)
BUYING = ("us", "competitor")
NO_COMPETITOR = (
    "the best competitor must score above 0 on some criterion; "
    "relative strength is our score ÷ theirs"
)


class Criterion(Protocol):
    """What the rule needs of a criterion (a stored ``SelectionCriterion`` will do)."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def weight(self) -> int: ...


#: criterion id -> side ("score", "us", "competitor") -> score in tenths
Scores = dict[int, dict[str, int]]


@dataclass(frozen=True)
class CheckedScoring:
    """The problems (field, message), or the scores in tenths and the weighted sums."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    attractiveness: Scores = field(default_factory=dict)
    buying: Scores = field(default_factory=dict)
    attractiveness_milli: int = 0
    us: int = 0
    them: int = 0


def entry_problems(
    entries: Sequence[Any], criteria: Sequence[Criterion], field_name: str, sides: tuple[str, ...]
) -> tuple[Scores, list[tuple[str, str]]]:
    """The scores of one criteria set (``entries`` have ``criterion_id`` and the ``sides``),
    and (field, message) for every entry that is not current, scored twice or not a score,
    and for the criteria left without one."""
    known = {c.id for c in criteria}
    problems: list[tuple[str, str]] = []
    got: Scores = {}
    for i, entry in enumerate(entries):
        if entry.criterion_id not in known:
            problems.append(
                (
                    f"{field_name}.{i}.criterion_id",
                    f"{entry.criterion_id} is not a current {field_name} criterion",
                )
            )
            continue
        if entry.criterion_id in got:
            problems.append((f"{field_name}.{i}.criterion_id", "scored twice"))
            continue
        got[entry.criterion_id] = {}
        for side in sides:
            try:
                got[entry.criterion_id][side] = rules.parse_score(getattr(entry, side))
            except ValueError as exc:
                problems.append((f"{field_name}.{i}.{side}", str(exc)))
    missing = [c.name for c in criteria if c.id not in got]
    if missing:
        problems.append(
            (field_name, "every criterion needs a score; missing: " + ", ".join(missing))
        )
    return got, problems


def check_scoring(
    scored_on: date,
    today: date,
    attractiveness: Sequence[Any],
    buying: Sequence[Any],
    attractiveness_criteria: Sequence[Criterion],
    buying_criteria: Sequence[Criterion],
) -> CheckedScoring:
    """Every problem of a scoring at once; without any, its scores and weighted sums."""
    problems: list[tuple[str, str]] = []
    if scored_on > today:
        problems.append(("scored_on", "a scoring cannot be dated in the future"))
    a_scores, a_problems = entry_problems(
        attractiveness, attractiveness_criteria, "attractiveness", ATTRACTIVENESS
    )
    b_scores, b_problems = entry_problems(buying, buying_criteria, "buying", BUYING)
    problems += a_problems + b_problems
    if problems:
        return CheckedScoring(problems)
    weights = [c.weight for c in buying_criteria]
    them = rules.weighted(weights, [b_scores[c.id]["competitor"] for c in buying_criteria])
    if them <= 0:
        return CheckedScoring([("buying", NO_COMPETITOR)])
    return CheckedScoring(
        attractiveness=a_scores,
        buying=b_scores,
        attractiveness_milli=rules.weighted(
            [c.weight for c in attractiveness_criteria],
            [a_scores[c.id]["score"] for c in attractiveness_criteria],
        ),
        us=rules.weighted(weights, [b_scores[c.id]["us"] for c in buying_criteria]),
        them=them,
    )
