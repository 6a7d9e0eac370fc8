"""Per-account window revenue and ABC class, in SQL over ``monthly_revenue``.

This is the one place the KAM models read revenue. The KPI engine (``accord.kpis``) computes
the same figures (KPIS.md: windows, "a window sum below zero counts as zero", ABC from the
cumulative share of the accounts ranked before, ties by account id); switch
:func:`revenue_windows` to it once it offers a selectable of the same shape.
"""

from __future__ import annotations

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.sql import Subquery

from accord.revenue.models import MonthlyRevenue


def window_sums(as_of: int, window: int) -> Select:  # type: ignore[type-arg]
    """(account_id, current_cents, previous_cents) for accounts with revenue in either window.

    Current window C = months as_of−W+1 … as_of; previous P = as_of−2W+1 … as_of−W (trailing).
    Negative sums count as zero.
    """
    mr = MonthlyRevenue
    in_current = mr.month > as_of - window
    cur = func.sum(case((in_current, mr.amount_cents), else_=0))
    prev = func.sum(case((in_current, 0), else_=mr.amount_cents))
    return (
        select(
            mr.account_id.label("account_id"),
            case((cur > 0, cur), else_=0).label("current_cents"),
            case((prev > 0, prev), else_=0).label("previous_cents"),
        )
        .where(mr.month > as_of - 2 * window, mr.month <= as_of)
        .group_by(mr.account_id)
    )


def revenue_windows(as_of: int, window: int, abc_a_bp: int, abc_b_bp: int) -> Subquery:
    """(account_id, current_cents, previous_cents, abc) — abc is 'A', 'B', 'C' or NULL (no
    current revenue). ``abc_*_bp`` are the cut-offs in ten-thousandths (0.80 -> 8000)."""
    sums = window_sums(as_of, window).subquery("sums")
    before = func.coalesce(
        func.sum(sums.c.current_cents).over(
            order_by=(sums.c.current_cents.desc(), sums.c.account_id.asc()),
            rows=(None, -1),
        ),
        0,
    )
    total = func.sum(sums.c.current_cents).over()
    ranked = (
        select(
            sums.c.account_id,
            sums.c.current_cents,
            sums.c.previous_cents,
            before.label("before_cents"),
            total.label("total_cents"),
        )
        .subquery("ranked")
    )
    abc = case(
        (ranked.c.current_cents <= 0, literal(None)),
        (ranked.c.before_cents * 10000 < ranked.c.total_cents * abc_a_bp, literal("A")),
        (ranked.c.before_cents * 10000 < ranked.c.total_cents * abc_b_bp, literal("B")),
        else_=literal("C"),
    )
    return select(
        ranked.c.account_id, ranked.c.current_cents, ranked.c.previous_cents, abc.label("abc")
    ).subquery("revenue")
