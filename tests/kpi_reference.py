"""An independent reference implementation of docs/kpis.md, for the tests only.

Straightforward Python over a dictionary of monthly revenues; written from the contract and
sharing no code with ``accord.kpis``. Amounts are integer cents in, Decimal out; ratios are
Decimal rounded half-even to six places, ``None`` when the denominator is zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal

Monthly = dict[int, dict[int, int]]  # account id -> month index -> r_i(m) in cents

FIELDS = (
    "accounts_at_start", "starting_revenue", "churned_accounts", "churned_revenue",
    "contraction_revenue", "expansion_revenue", "grr", "nrr", "logo_churn_rate",
    "revenue_churn_rate", "expansion_rate", "contraction_rate", "new_revenue",
    "reactivated_revenue", "ending_revenue",
)


def _div(a: int, b: int) -> Decimal | None:
    if b == 0:
        return None
    return (Decimal(a) / Decimal(b)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)


def _eur(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def window_revenues(
    revenue: dict[int, int], as_of: int, window: int, basis: str
) -> tuple[int, int, int]:
    """(R(C), R(P), first month of P) for one account."""
    if basis == "point":
        current = revenue.get(as_of, 0)
        previous = revenue.get(as_of - window, 0)
        p_start = as_of - window
    else:
        current = sum(revenue.get(m, 0) for m in range(as_of - window + 1, as_of + 1))
        p_start = as_of - 2 * window + 1
        previous = sum(revenue.get(m, 0) for m in range(p_start, as_of - window + 1))
    return max(current, 0), max(previous, 0), p_start


def retention(
    monthly: Monthly, as_of: int, window: int = 12, basis: str = "trailing"
) -> dict[str, object]:
    base: list[tuple[int, int]] = []  # (R(P), R(C)) of the base cohort
    new = reactivated = ending = 0
    for revenue in monthly.values():
        current, previous, p_start = window_revenues(revenue, as_of, window, basis)
        ending += current
        if previous > 0:
            base.append((previous, current))
        else:
            earlier = any(amount > 0 for month, amount in revenue.items() if month < p_start)
            if earlier:
                reactivated += current
            else:
                new += current
    start = sum(p for p, _ in base)
    churned = [(p, c) for p, c in base if c == 0]
    churned_revenue = sum(p for p, _ in churned)
    contraction = sum(max(p - c, 0) for p, c in base if c != 0)
    expansion = sum(max(c - p, 0) for p, c in base)
    return {
        "accounts_at_start": len(base),
        "starting_revenue": _eur(start),
        "churned_accounts": len(churned),
        "churned_revenue": _eur(churned_revenue),
        "contraction_revenue": _eur(contraction),
        "expansion_revenue": _eur(expansion),
        "grr": _div(sum(min(c, p) for p, c in base), start),
        "nrr": _div(sum(c for _, c in base), start),
        "logo_churn_rate": _div(len(churned), len(base)),
        "revenue_churn_rate": _div(churned_revenue, start),
        "expansion_rate": _div(expansion, start),
        "contraction_rate": _div(contraction, start),
        "new_revenue": _eur(new),
        "reactivated_revenue": _eur(reactivated),
        "ending_revenue": _eur(ending),
    }


def concentration(
    monthly: Monthly, as_of: int, window: int = 12, basis: str = "trailing",
    cut_a: Decimal = Decimal("0.80"), cut_b: Decimal = Decimal("0.95"),
) -> dict[str, object]:
    current = {
        account: window_revenues(revenue, as_of, window, basis)[0]
        for account, revenue in monthly.items()
    }
    paying = sorted(((r, a) for a, r in current.items() if r > 0), key=lambda x: (-x[0], x[1]))
    n = len(paying)
    t = sum(r for r, _ in paying)
    classes = {"A": 0, "B": 0, "C": 0}
    running = 0
    for r, _ in paying:
        share = Decimal(running) / Decimal(t)
        classes["A" if share < cut_a else "B" if share < cut_b else "C"] += 1
        running += r
    top = sum(r for r, _ in paying[: math.ceil(Decimal(n) * Decimal("0.2"))])
    hhi = None if t == 0 else round(sum((r / t) ** 2 for r, _ in paying), 6)
    return {"accounts": n, "top20_share": _div(top, t), "hhi": hhi, "abc": classes}


def grouped(
    monthly: Monthly, group_of: Mapping[int, object], as_of: int, window: int = 12,
    basis: str = "trailing",
) -> dict[object, dict[str, object]]:
    groups: dict[object, Monthly] = {}
    for account, revenue in monthly.items():
        groups.setdefault(group_of[account], {})[account] = revenue
    return {g: retention(m, as_of, window, basis) for g, m in groups.items()}


# ---------------------------------------------------------------- arranging a database


def load(session, monthly: Monthly, groups: dict[int, tuple[int | None, str | None]]) -> None:
    """Write accounts (id -> (manager_id, segment)) and their monthly revenue (one line a
    month, through the loader, as an import would)."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    now = datetime(2025, 1, 1, tzinfo=UTC)
    for account, (manager_id, segment) in groups.items():
        session.execute(
            text("INSERT INTO accounts (id, kind, name, name_key, segment, status, manager_id, "
                 "created_at, updated_at) VALUES (:id, 'company', :name, :key, :segment, "
                 "'active', :manager, :now, :now)"),
            {"id": account, "name": f"Account {account}", "key": f"account {account}",
             "segment": segment, "manager": manager_id, "now": now},
        )
    # the monthly revenue as the importer keeps it: one line a month, through the loader
    from accord.revenue.load.importing import bulk_load_revenue
    from import_helpers import month_lines

    rows = [row for account, revenue in monthly.items()
            for row in month_lines(account, revenue)]
    if rows:
        bulk_load_revenue(session, rows)
