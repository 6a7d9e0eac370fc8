"""Shapes of the revenue read models (API, pages, CLI); the import reports are
``exchange.schemas``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


#: one month of one account's revenue (``revenue.service.monthly_revenue``): the API's
#: body, the account page's chart, ``accord accounts show``
class MonthlyRevenueRow(BaseModel):
    month: str
    amount: Decimal
    #: the running total since the account's first revenue, this month included
    cumulative: Decimal
    line_count: int


class RevenueLineOut(BaseModel):
    #: the line's identity within its account: ``#<line_id>``, else ``<date>|<product_line>``
    key: str
    date: date
    amount: Decimal
    product_line: str | None
    line_id: str | None


class RevenueLinePage(BaseModel):
    items: list[RevenueLineOut]
    total: int
    page: int
    page_size: int
    pages: int
