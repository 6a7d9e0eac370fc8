"""Reading one account's revenue: monthly figures with running totals, and its lines."""

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


def monthly(session: Session, user: User, account_id: int) -> list[MonthlyRevenueRow]:
    get_visible_account(session, user, account_id)
    m = MonthlyRevenue.__table__.c
    return [
        MonthlyRevenueRow(month=format_month(month), amount=from_cents(amount),
                          cumulative=from_cents(cumulative), line_count=count)
        for month, amount, cumulative, count in session.execute(
            select(m.month, m.amount_cents, m.cumulative_cents, m.line_count)
            .where(m.account_id == account_id).order_by(m.month)
        )
    ]


def lines(
    session: Session, user: User, account_id: int, *, page: int = 1, page_size: int = 100
) -> RevenueLinePage:
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
