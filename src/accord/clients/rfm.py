"""RFM: recency, frequency and monetary value scored 1..5 by rank, and named segments.

Each measure is scored in quintiles by rank over the clients scored together: a client's
score is 1 + floor(5 k / n), k being the number of clients strictly WORSE than them and
n the number of clients. Tied values therefore share one score, and it is the LOWER one
their positions would span: when most clients bought once, every one-time buyer gets the
frequency score of the worst of them (1), not a spread of 1s, 2s and 3s. Recency is scored
with ``higher_is_better=False`` on the days since the last purchase (or True on the date),
so that the most recent clients score 5.

Segments are data: a name and inclusive ranges of the R score and of the FM score (the
mean of F and M rounded half up); the first segment that matches wins. The default table
is the common R x FM grid; it covers each of the 25 (R, FM) pairs exactly once.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SCORES = range(1, 6)
UNSEGMENTED = "unsegmented"


@dataclass(frozen=True)
class Segment:
    """A named rectangle of the R x FM grid; ``r`` and ``fm`` are inclusive (low, high)."""

    name: str
    r: tuple[int, int]
    fm: tuple[int, int]

    def matches(self, r: int, fm: int) -> bool:
        return self.r[0] <= r <= self.r[1] and self.fm[0] <= fm <= self.fm[1]


DEFAULT_SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", r=(5, 5), fm=(4, 5)),
    Segment("loyal", r=(3, 4), fm=(4, 5)),
    Segment("potential loyalist", r=(4, 5), fm=(2, 3)),
    Segment("new", r=(5, 5), fm=(1, 1)),
    Segment("promising", r=(4, 4), fm=(1, 1)),
    Segment("need attention", r=(3, 3), fm=(3, 3)),
    Segment("about to sleep", r=(3, 3), fm=(1, 2)),
    Segment("at risk", r=(1, 2), fm=(3, 4)),
    Segment("cannot lose", r=(1, 2), fm=(5, 5)),
    Segment("hibernating", r=(2, 2), fm=(1, 2)),
    Segment("lost", r=(1, 1), fm=(1, 2)),
)


def quintile_scores(values: Sequence[float | int], higher_is_better: bool = True) -> list[int]:
    """Scores 1..5 by rank, in the order of ``values``; ties share the same, LOWER score.

    score = 1 + floor(5 k / n) with k the number of values strictly worse. The best value
    scores 5 once there are at least 5 values; a single value scores 1.
    """
    n = len(values)
    ordered = sorted(values)
    if higher_is_better:
        worse = [bisect_left(ordered, v) for v in values]
    else:
        worse = [n - bisect_right(ordered, v) for v in values]
    return [1 + (5 * k) // n for k in worse]


def fm_score(f: int, m: int) -> int:
    """The FM score: the mean of the F and M scores, rounded half up."""
    return (f + m + 1) // 2


def segment_of(r: int, fm: int, segments: Iterable[Segment] = DEFAULT_SEGMENTS) -> str:
    """The name of the first segment that holds (r, fm); ``UNSEGMENTED`` if none does."""
    for segment in segments:
        if segment.matches(r, fm):
            return segment.name
    return UNSEGMENTED


def uncovered(segments: Iterable[Segment]) -> list[tuple[int, int]]:
    """The (r, fm) pairs of 1..5 x 1..5 that no segment holds (a settings check)."""
    listed = tuple(segments)
    return [
        (r, fm) for r in SCORES for fm in SCORES if not any(s.matches(r, fm) for s in listed)
    ]


def check_segments(segments: Iterable[Segment]) -> list[str]:
    """Problems of a segment table, in words: bad ranges, repeated names, gaps."""
    listed = tuple(segments)
    problems: list[str] = []
    names = [s.name for s in listed]
    for segment in listed:
        if not segment.name.strip():
            problems.append("a segment has no name")
        for label, (low, high) in (("R", segment.r), ("FM", segment.fm)):
            if not 1 <= low <= high <= 5:
                problems.append(f"{segment.name}: {label} range {low}..{high} is not within 1..5")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(f"repeated segment names: {', '.join(repeated)}")
    gaps = uncovered(listed)
    if gaps:
        problems.append(
            "no segment for (R, FM) " + ", ".join(f"({r}, {fm})" for r, fm in gaps)
        )
    return problems
