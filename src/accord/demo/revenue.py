"""Monthly invoice lines of the demo portfolio, generated lazily (constant memory).

Each row is ``(account_id, date, amount_cents, product_line, line_id)``, the shape the
revenue importer's fast path takes. Amounts are whole cents; a month's product-line amount is
split into lines whose cents add up exactly. Pure: no storage, no clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date

from accord.core.periods import first_day
from accord.demo.plan import DemoSpec, Plan, plan_for, stream_seed

RevenueRow = tuple[int, date, int, str, str]

#: calendar-month seasonality (January first): a busy December, a quiet August
SEASON = (0.92, 0.95, 1.02, 1.0, 1.0, 0.97, 0.93, 0.86, 1.04, 1.06, 1.08, 1.17)
#: chance that an account-month carries a credit note, and its size against one line
CREDIT_NOTE_RATE = 0.012
#: a win-back starts smaller than the business that was lost
REACTIVATED_LEVEL = 0.6
#: an added product line's size against the account's monthly level
ADDED_LINE_SHARE = 0.35
#: the day (index 0..27) of each of ``n`` lines in a month, spread over the month
SPREAD = [[int(i * 28 / n) % 28 for i in range(n)] if n else [] for n in range(0, 65)]


def month_days(spec: DemoSpec) -> list[list[date]]:
    """Days 1..28 of every month of the window, made once and shared by all accounts."""
    out = []
    for t in range(spec.months):
        start = first_day(spec.first_month + t)
        out.append([start.replace(day=d) for d in range(1, 29)])
    return out


def account_revenue(
    spec: DemoSpec, plan: Plan, account_id: int, days: list[list[date]]
) -> Iterator[RevenueRow]:
    """Every invoice line (and credit note) of one account over the window."""
    if plan.active_mask == 0:
        return
    rng = random.Random(stream_seed(spec.seed, plan.index, 2))
    mask = plan.active_mask
    base = plan.annual_cents / 12.0
    invoice_day = rng.randrange(28)
    prefix = f"D{plan.index + 1}-"
    seq = 0
    first_calendar = spec.first_month % 12
    ticket = plan.ticket_cents
    max_lines = plan.max_lines
    min_lines = plan.min_lines
    uniform = rng.random
    for t in range(spec.months):
        if not (mask >> t) & 1:
            continue
        level = base * plan.growth ** (t / 12.0) * SEASON[(first_calendar + t) % 12]
        if plan.reactivate is not None and t >= plan.reactivate:
            level *= REACTIVATED_LEVEL
        level *= 0.85 + 0.3 * uniform()
        month = days[t]
        parts: list[tuple[str, int]] = []
        for j, product_line in enumerate(plan.product_lines):
            if plan.dropped is not None and plan.dropped[0] == j and t >= plan.dropped[1]:
                continue
            parts.append((product_line, int(level * plan.weights[j])))
        if plan.added is not None and t >= plan.added[1]:
            parts.append((plan.added[0], int(level * ADDED_LINE_SHARE)))
        for product_line, amount in parts:
            amount = max(amount, 100)
            count = max(min_lines, min(max_lines, amount // ticket))
            if count == 1:
                seq += 1
                yield (account_id, month[invoice_day], amount, product_line, f"{prefix}{seq}")
            else:
                shares = [0.5 + uniform() for _ in range(count)]
                scale = amount / sum(shares)
                cents = [int(s * scale) for s in shares]
                cents[-1] += amount - sum(cents)
                spread = SPREAD[count]
                yield from [
                    (account_id, month[spread[i]], c, product_line, f"{prefix}{seq + i + 1}")
                    for i, c in enumerate(cents)
                ]
                seq += count
            if uniform() < CREDIT_NOTE_RATE:
                credit = -max(1, int(amount / count * (0.1 + 0.4 * uniform())))
                seq += 1
                yield (account_id, month[27], credit, product_line, f"{prefix}{seq}")


def revenue_rows(
    spec: DemoSpec, first_account_id: int, done: Callable[[int], None] | None = None
) -> Iterator[RevenueRow]:
    """All revenue lines of the portfolio, account by account; ids are ``first + index``.
    ``done(n)`` is called after the n-th account's lines (progress)."""
    days = month_days(spec)
    for index in range(spec.accounts):
        yield from account_revenue(spec, plan_for(spec, index), first_account_id + index, days)
        if done is not None:
            done(index + 1)
