"""REST: one account's revenue (monthly figures and lines). Imports and exports are
``accord.exchange.api``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from accord.core.models import User
from accord.core.schemas import MAX_ID, Id
from accord.revenue import service
from accord.revenue.schemas import MonthlyRevenueRow, RevenueLinePage
from accord.web.deps import Db, api_user

router = APIRouter(tags=["import, export and revenue"])
ApiUser = Annotated[User, Depends(api_user)]


@router.get("/accounts/{account_id}/revenue/monthly", response_model=list[MonthlyRevenueRow])
def get_monthly(account_id: Id, user: ApiUser, db: Db) -> list[MonthlyRevenueRow]:
    """Monthly revenue of one account with the running total and line count."""
    return service.monthly_revenue(db, user, account_id)


@router.get("/accounts/{account_id}/revenue/lines", response_model=RevenueLinePage)
def get_lines(
    account_id: Id, user: ApiUser, db: Db,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 100,
) -> RevenueLinePage:
    """One account's revenue lines, newest first, a page at a time."""
    return service.revenue_lines(db, user, account_id, page=page, page_size=page_size)
