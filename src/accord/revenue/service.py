"""Reading revenue for one account (the account page chart, the API, the CLI)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.schemas import MonthlyRevenueOut
from accord.accounts.visibility import get_visible_account
from accord.core.models import User
from accord.core.money import from_cents
from accord.core.periods import format_month
from accord.revenue.models import MonthlyRevenue


def monthly_revenue(
    session: Session,
    user: User,
    account_id: int,
    *,
    first: int | None = None,
    last: int | None = None,
) -> list[MonthlyRevenueOut]:
    """Monthly revenue of one account, every month from ``first`` to ``last`` (gaps as zero)."""
    get_visible_account(session, user, account_id)
    rows = dict(
        session.execute(
            select(MonthlyRevenue.month, MonthlyRevenue.amount_cents)
            .where(MonthlyRevenue.account_id == account_id)
            .order_by(MonthlyRevenue.month)
        ).all()
    )
    if not rows and (first is None or last is None):
        return []
    start = first if first is not None else min(rows)
    end = last if last is not None else max(rows)
    return [
        MonthlyRevenueOut(month=format_month(m), amount=from_cents(rows.get(m, 0)))
        for m in range(start, end + 1)
    ]
