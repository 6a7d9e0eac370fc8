"""The lifecycle status a client's model figures give, with the reason in words.

- churned: no purchase for MORE than ``churned_after_days`` days, whatever the model says;
- lapsed: otherwise, P(alive) below ``lapsed_below``;
- active: otherwise.

Pure: today's date is the caller's business (``recency_days`` is counted from it). A
status set by hand wins over this one; that is decided where statuses are stored.
"""

from __future__ import annotations

from decimal import Decimal

STATUSES: tuple[str, ...] = ("active", "lapsed", "churned")


def status_for(
    p_alive: float,
    recency_days: int,
    *,
    lapsed_below: float | Decimal,
    churned_after_days: int,
) -> tuple[str, str]:
    """("active" | "lapsed" | "churned", reason), e.g. ("lapsed", "P(alive) 0.18 below 0.30").

    ValueError on a P(alive) outside 0..1, a negative recency or threshold.
    """
    p = float(p_alive)
    threshold = float(lapsed_below)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"P(alive) {p_alive} is not a probability")
    if recency_days < 0 or churned_after_days < 0:
        raise ValueError("days must be >= 0")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"the lapsed threshold {lapsed_below} is not a probability")
    if recency_days > churned_after_days:
        return (
            "churned",
            f"no purchase for {recency_days} days (churned after {churned_after_days})",
        )
    shown, limit = _two_figures(p, threshold)
    if p < threshold:
        return "lapsed", f"P(alive) {shown} below {limit}"
    return "active", f"P(alive) {shown} at or above {limit}"


def _two_figures(p: float, threshold: float) -> tuple[str, str]:
    """Both to 2 decimals, or to as many as it takes (up to 6) for them to differ."""
    for places in range(2, 7):
        shown, limit = f"{p:.{places}f}", f"{threshold:.{places}f}"
        if shown != limit or p == threshold:
            break
    return shown, f"{threshold:.2f}" if p == threshold else limit
