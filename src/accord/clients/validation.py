"""Checking a fit before trusting it: predicted against actual in a holdout period.

The model is fitted on a calibration period; for the clients first seen in it, it then
predicts what they do next, and the figures are set against what they did:

- ``by_purchases``: mean repeat purchases per client in the holdout period, predicted
  (conditional expectation given their calibration history) and actual, grouped by
  their number of calibration repeat purchases 0, 1, ..., cap-1 and "cap+" (Fader, Hardie
  and Lee 2005, figure 4);
- ``cumulative``: total repeat purchases, week by week, from the start of the data through
  calibration and holdout, predicted (the sum over clients of E[X(age)], their age at the
  end of the week) and actual (figure 2 of the paper);
- ``errors``: the mean absolute error of such rows and the percentage error of the total.

Pure: numpy and scipy (through ``accord.clients.bgnbd``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from accord.clients.bgnbd import Fit, expected_new, expected_purchases
from accord.clients.summary import unit_days

FloatArray = npt.NDArray[np.float64]
WEEK_DAYS = 7


def by_purchases(
    fit: Fit,
    x_cal: npt.ArrayLike,
    t_x_cal: npt.ArrayLike,
    t_cal: npt.ArrayLike,
    x_holdout: npt.ArrayLike,
    holdout_length: float,
    cap: int = 7,
) -> list[dict[str, Any]]:
    """Rows {"purchases", "clients", "actual", "predicted"} per calibration repeat count.

    ``purchases`` is 0 .. cap-1, then the string "cap+"; ``actual`` and ``predicted`` are
    means per client of the repeat purchases in the holdout period (``holdout_length`` in
    the fit's unit; ``x_holdout`` the purchase days each client had in it). Groups without
    clients are left out.
    """
    if cap < 1:
        raise ValueError("cap must be at least 1")
    x = np.ravel(np.asarray(x_cal, dtype=np.float64))
    actual = np.ravel(np.asarray(x_holdout, dtype=np.float64))
    if actual.size != x.size:
        raise ValueError("x_holdout must have one value per client")
    predicted = np.ravel(expected_purchases(fit, holdout_length, x, t_x_cal, t_cal))
    group = np.minimum(x, cap).astype(np.int64)
    clients = np.bincount(group, minlength=cap + 1)
    actual_sum = np.bincount(group, weights=actual, minlength=cap + 1)
    predicted_sum = np.bincount(group, weights=predicted, minlength=cap + 1)
    rows: list[dict[str, Any]] = []
    for k in range(cap + 1):
        if clients[k]:
            rows.append(
                {
                    "purchases": k if k < cap else f"{cap}+",
                    "clients": int(clients[k]),
                    "actual": float(actual_sum[k] / clients[k]),
                    "predicted": float(predicted_sum[k] / clients[k]),
                }
            )
    return rows


def weekly_counts(repeat_days: npt.ArrayLike, weeks: int) -> FloatArray:
    """Repeat purchases per week 1..weeks, from the day (0 = the first day of week 1) of
    each repeat purchase; days outside the weeks are left out."""
    days = np.ravel(np.asarray(repeat_days, dtype=np.int64))
    week = days // WEEK_DAYS
    inside = (days >= 0) & (week < weeks)
    return np.bincount(week[inside], minlength=weeks)[:weeks].astype(np.float64)


def cumulative(
    fit: Fit,
    first_days: npt.ArrayLike,
    weekly_repeats: npt.ArrayLike,
    unit: str = "week",
    calibration_weeks: int | None = None,
) -> list[dict[str, Any]]:
    """Rows {"week", "actual", "predicted", "holdout"}: cumulative repeat purchases by week.

    Day 0 is the first day of week 1; ``first_days`` is each client's first purchase day
    in those terms, ``weekly_repeats`` the actual repeat purchases in each week (see
    ``weekly_counts``), ``unit`` the unit the fit was made in. At the end of week i (day
    7i - 1) a client first seen on day d is 7i - 1 - d days old, the same convention as
    T; the prediction is the sum over clients of E[X(that age)], 0 before their first
    purchase. ``holdout`` marks the weeks after ``calibration_weeks``.
    """
    firsts = np.ravel(np.asarray(first_days, dtype=np.float64))
    actual = np.cumsum(np.ravel(np.asarray(weekly_repeats, dtype=np.float64)))
    weeks = np.arange(1, actual.size + 1)
    if not firsts.size:
        predicted = np.zeros(actual.size)
    else:
        starts, counts = np.unique(firsts, return_counts=True)
        ages = np.maximum(WEEK_DAYS * weeks[:, None] - 1.0 - starts[None, :], 0.0)
        distinct, where = np.unique(ages, return_inverse=True)
        each = expected_new(fit, distinct / unit_days(unit))[where].reshape(ages.shape)
        predicted = each @ counts.astype(np.float64)
    return [
        {
            "week": int(week),
            "actual": float(done),
            "predicted": float(expected),
            "holdout": calibration_weeks is not None and int(week) > calibration_weeks,
        }
        for week, done, expected in zip(weeks, actual, predicted, strict=True)
    ]


def errors(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Mean absolute error of predicted against actual, and the error of the total.

    The total is the sum over groups of clients x mean for ``by_purchases`` rows (they
    have "clients"), the last row for ``cumulative`` rows. The percentage error is
    100 (predicted - actual) / actual, None when the actual total is 0.
    """
    if not rows:
        return {
            "mean_absolute_error": None,
            "total_actual": 0.0,
            "total_predicted": 0.0,
            "total_percent_error": None,
        }
    gaps = [abs(float(row["predicted"]) - float(row["actual"])) for row in rows]
    if all("clients" in row for row in rows):
        total_actual = sum(row["clients"] * float(row["actual"]) for row in rows)
        total_predicted = sum(row["clients"] * float(row["predicted"]) for row in rows)
    else:
        total_actual, total_predicted = float(rows[-1]["actual"]), float(rows[-1]["predicted"])
    percent = (
        100.0 * (total_predicted - total_actual) / total_actual if total_actual else None
    )
    return {
        "mean_absolute_error": sum(gaps) / len(gaps),
        "total_actual": float(total_actual),
        "total_predicted": float(total_predicted),
        "total_percent_error": percent,
    }
