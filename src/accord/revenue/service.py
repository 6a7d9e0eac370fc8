"""Reading one account's revenue: its monthly figures and its lines (the API, the account
page and ``accord accounts show`` all read them here)."""

from __future__ import annotations

import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.visibility import get_visible_account
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.money import from_cents
from accord.core.periods import format_month
from accord.revenue.models import MonthlyRevenue, RevenueLine
from accord.revenue.schemas import MonthlyRevenueRow, RevenueLineOut, RevenueLinePage

MAX_PAGE_SIZE = 500


def monthly_revenue(
    session: Session,
    user: User,
    account_id: int,
    *,
    first: int | None = None,
    last: int | None = None,
) -> list[MonthlyRevenueRow]:
    """One account's monthly revenue, oldest first: each month's amount, the running total
    since its first revenue and its number of lines.

    Without a window, the months that have revenue. With one (``first`` and ``last``, month
    indexes), every month of it: a month without revenue has 0, no lines and the running
    total of the month before."""
    if (first is None) != (last is None):
        raise ValueError("a window needs both its first and its last month")
    get_visible_account(session, user, account_id)
    m = MonthlyRevenue.__table__.c
    query = select(m.month, m.amount_cents, m.cumulative_cents, m.line_count).where(
        m.account_id == account_id
    )
    if last is not None:
        query = query.where(m.month <= last)
    stored = session.execute(query.order_by(m.month)).all()
    if first is None or last is None:
        return [_row(*row) for row in stored]
    by_month = {row.month: row for row in stored if row.month >= first}
    running = next((row.cumulative_cents for row in reversed(stored) if row.month < first), 0)
    months = []
    for month in range(first, last + 1):
        row = by_month.get(month)
        if row is not None:
            running = row.cumulative_cents
            months.append(_row(*row))
        else:
            months.append(_row(month, 0, running, 0))
    return months


def _row(
    month: int, amount_cents: int, cumulative_cents: int, line_count: int
) -> MonthlyRevenueRow:
    return MonthlyRevenueRow(
        month=format_month(month),
        amount=from_cents(amount_cents),
        cumulative=from_cents(cumulative_cents),
        line_count=line_count,
    )


def revenue_lines(
    session: Session, user: User, account_id: int, *, page: int = 1, page_size: int = 100
) -> RevenueLinePage:
    """One account's revenue lines, newest first, a page at a time."""
    get_visible_account(session, user, account_id)
    if page < 1:
        raise ValidationFailed([FieldProblem("page", "must be 1 or more")])
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed([FieldProblem("page_size", f"between 1 and {MAX_PAGE_SIZE}")])
    r = RevenueLine.__table__.c
    total = session.scalar(select(func.count()).where(r.account_id == account_id)) or 0
    rows = session.execute(
        select(r.line_key, r.date, r.amount_cents, r.product_line, r.line_id)
        .where(r.account_id == account_id)
        .order_by(r.date.desc(), r.line_key)
        .limit(page_size).offset((page - 1) * page_size)
    )
    return RevenueLinePage(
        items=[RevenueLineOut(key=k, date=d, amount=from_cents(c), product_line=p, line_id=lid)
               for k, d, c, p, lid in rows],
        total=total, page=page, page_size=page_size, pages=max(1, math.ceil(total / page_size)),
    )
