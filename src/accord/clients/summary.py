"""A client's purchase history as the (x, t_x, T) summary the buy-till-you-die models read.

A purchase is a distinct day (several lines on one day are one purchase). Over a
calibration period that ends on a given day (inclusive), a client whose first purchase
was on ``first`` and last on ``last``, with ``purchase_days`` distinct purchase days, has:

- ``x``   = purchase_days - 1, the number of REPEAT purchases;
- ``t_x`` = (last - first) in days, converted to the unit: the time of the last repeat
  purchase measured from the first purchase (0 when x = 0);
- ``T``   = (calibration_end - first) in days, converted: the client's age.

Days are converted to the unit by division, never rounded (week = days / 7,
month = days / 30.4375, the mean Gregorian month). Pure: no storage, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.4375}
UNITS: tuple[str, ...] = tuple(UNIT_DAYS)


@dataclass(frozen=True)
class Summary:
    """One client's repeat purchases ``x``, last repeat time ``t_x`` and age ``t`` (T)."""

    x: int
    t_x: float
    t: float


def unit_days(unit: str) -> float:
    """The length of ``unit`` in days; ValueError naming the units on an unknown one."""
    try:
        return UNIT_DAYS[unit]
    except KeyError:
        raise ValueError(f"unknown unit {unit!r}: use one of {', '.join(UNITS)}") from None


def summarise(
    first: date, last: date, purchase_days: int, calibration_end: date, unit: str
) -> Summary:
    """The (x, t_x, T) summary of one client over a calibration period ending on a day.

    ``purchase_days`` counts the distinct days with a purchase from ``first`` to ``last``
    (both inclusive, both within the calibration period). ValueError on an unknown unit,
    ``last`` before ``first``, ``calibration_end`` before ``last``, or a count of purchase
    days that the two dates cannot hold.
    """
    days = unit_days(unit)
    if last < first:
        raise ValueError(f"last purchase {last} is before the first {first}")
    if calibration_end < last:
        raise ValueError(f"calibration end {calibration_end} is before the last purchase {last}")
    span = (last - first).days
    if purchase_days < 1 or purchase_days > span + 1:
        raise ValueError(
            f"{purchase_days} purchase days do not fit between {first} and {last}"
        )
    if purchase_days == 1 and span:
        raise ValueError("one purchase day cannot have a last purchase after the first")
    if purchase_days > 1 and not span:
        raise ValueError("several purchase days need a last purchase after the first")
    return Summary(
        x=purchase_days - 1,
        t_x=span / days,
        t=(calibration_end - first).days / days,
    )


def to_unit(days: npt.ArrayLike, unit: str) -> FloatArray:
    """Days (any array-like of numbers) converted to ``unit``, as float64, not rounded."""
    return np.asarray(days, dtype=np.float64) / unit_days(unit)


def triples(
    x: npt.ArrayLike, t_x: npt.ArrayLike, t: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The DISTINCT (x, t_x, T) rows with their counts as weights (the weights sum to n).

    The fits read these instead of one row per client: the likelihood of a client depends
    on nothing else, so identical clients are one row counted ``weight`` times.
    """
    xs = np.asarray(x, dtype=np.float64).ravel()
    txs = np.asarray(t_x, dtype=np.float64).ravel()
    ts = np.asarray(t, dtype=np.float64).ravel()
    if not xs.size == txs.size == ts.size:
        raise ValueError("x, t_x and T must have the same length")
    if not xs.size:
        empty = np.zeros(0, dtype=np.float64)
        return empty, empty.copy(), empty.copy(), empty.copy()
    order = np.lexsort((ts, txs, xs))
    xs, txs, ts = xs[order], txs[order], ts[order]
    new = np.empty(xs.size, dtype=bool)
    new[0] = True
    new[1:] = (xs[1:] != xs[:-1]) | (txs[1:] != txs[:-1]) | (ts[1:] != ts[:-1])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, xs.size)).astype(np.float64)
    return xs[starts], txs[starts], ts[starts], counts
