"""RFM quintile scores (ties share the lower score) and the segments as data."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clients.rfm import (
    DEFAULT_SEGMENTS,
    UNSEGMENTED,
    Segment,
    check_segments,
    fm_score,
    quintile_scores,
    segment_of,
    uncovered,
)


def test_ties_get_the_same_lower_score() -> None:
    # most clients buy once: the 60 one-time buyers all get the score of the lowest of them
    frequencies = [1] * 60 + [2] * 20 + [3] * 15 + [9] * 5
    scores = quintile_scores(frequencies)
    assert set(scores[:60]) == {1}
    assert set(scores[60:80]) == {4}  # 60 below them: 1 + floor(5 * 60 / 100)
    assert set(scores[80:95]) == {5} and set(scores[95:]) == {5}
    assert quintile_scores([7] * 10) == [1] * 10


def test_distinct_values_fill_the_quintiles_and_recent_is_five() -> None:
    assert quintile_scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    days_since_last = [400, 3, 90, 30, 365]
    assert quintile_scores(days_since_last, higher_is_better=False) == [1, 5, 3, 4, 2]
    assert quintile_scores([]) == [] and quintile_scores([5.0]) == [1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=80), st.booleans())
def test_scores_follow_the_ranks(values: list[int], higher_is_better: bool) -> None:
    scores = quintile_scores(values, higher_is_better)
    n = len(values)
    for value, score in zip(values, scores, strict=True):
        worse = sum(1 for v in values if (v < value if higher_is_better else v > value))
        assert score == 1 + 5 * worse // n  # the lowest position its ties hold
        assert 1 <= score <= 5
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            better = a > b if higher_is_better else a < b
            if a == b:
                assert scores[i] == scores[j]
            elif better:
                assert scores[i] >= scores[j]


def test_fm_is_the_mean_rounded_half_up() -> None:
    assert [fm_score(1, 2), fm_score(4, 5), fm_score(3, 3), fm_score(1, 5)] == [2, 5, 3, 3]


def test_default_segments_cover_every_pair_once() -> None:
    assert uncovered(DEFAULT_SEGMENTS) == []
    assert check_segments(DEFAULT_SEGMENTS) == []
    for r in range(1, 6):
        for fm in range(1, 6):
            assert sum(s.matches(r, fm) for s in DEFAULT_SEGMENTS) == 1
    names = [s.name for s in DEFAULT_SEGMENTS]
    assert names == [
        "champions", "loyal", "potential loyalist", "new", "promising", "need attention",
        "about to sleep", "at risk", "cannot lose", "hibernating", "lost",
    ]
    assert segment_of(5, 5, DEFAULT_SEGMENTS) == "champions"
    assert segment_of(1, 5, DEFAULT_SEGMENTS) == "cannot lose"
    assert segment_of(2, 4, DEFAULT_SEGMENTS) == "at risk"
    assert segment_of(1, 1, DEFAULT_SEGMENTS) == "lost"
    assert segment_of(5, 1, DEFAULT_SEGMENTS) == "new"


def test_segments_are_data_first_match_wins_and_gaps_are_named() -> None:
    table = (Segment("everyone recent", r=(4, 5), fm=(1, 5)), Segment("best", r=(5, 5), fm=(5, 5)))
    assert segment_of(5, 5, table) == "everyone recent"
    assert segment_of(1, 1, table) == UNSEGMENTED
    assert (1, 1) in uncovered(table)
    problems = check_segments((*table, Segment("best", r=(0, 6), fm=(3, 2))))
    assert any("not within 1..5" in p for p in problems)
    assert any("repeated segment names: best" in p for p in problems)
    assert any(p.startswith("no segment for (R, FM) (1, 1)") for p in problems)
