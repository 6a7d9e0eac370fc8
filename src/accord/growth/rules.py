"""The growth rules, pure: the lower median of peers' spend, when a peer figure may be shown,
what a whitespace cell is, the need categories and the limits of what is typed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

N = TypeVar("N", int, Decimal)

#: a peer figure rests on at least this many accounts, so no single client can be read off
MIN_PEERS = 5
NEED_CATEGORIES = ("operations", "growth", "cost", "risk", "compliance", "technology",
                   "people", "other")
MAX_NAME = 120
MAX_ALIAS = 100
MAX_REASON = 500
MAX_NEED = 2000


def lower_median(values: Sequence[N]) -> N | None:
    """The value at position ⌊(n−1)/2⌋ of the sorted values (None when there are none);
    SQL twin ``summary.peer_select``; the proposals' benchmarks use it too."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def shown_median(values: Sequence[int]) -> int | None:
    """The lower median, only when it rests on at least ``MIN_PEERS`` accounts."""
    return lower_median(values) if len(values) >= MIN_PEERS else None


@dataclass(frozen=True)
class Cell:
    """One unit × product line: what applies of bought, open opportunities, won, not
    relevant; whitespace when none does."""

    bought_cents: int = 0
    open_count: int = 0
    open_value_cents: int = 0
    won_count: int = 0
    not_relevant: str | None = None

    @property
    def whitespace(self) -> bool:
        return (self.bought_cents <= 0 and self.open_count == 0 and self.won_count == 0
                and self.not_relevant is None)

    @property
    def state(self) -> str:
        if self.not_relevant is not None:
            return "not_relevant"
        if self.bought_cents > 0:
            return "bought"
        if self.won_count:
            return "won"
        if self.open_count:
            return "open"
        return "whitespace"


def window_months(as_of: int, window: int) -> tuple[int, int]:
    """The months (low, high] of the KPI window ending at ``as_of``."""
    return as_of - window, as_of
