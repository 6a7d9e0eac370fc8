"""Response shapes of the reconciliation (amounts as decimal strings, exact to the cent)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field


class ReconciliationRow(BaseModel):
    account_id: int
    account_name: str
    month: str = Field(description="YYYY-MM")
    subscriptions: Decimal = Field(description="the month's subscription MRR")
    invoiced: Decimal = Field(description="the month's invoiced revenue")
    difference: Decimal = Field(description="subscriptions − invoiced")


class ReconciliationTotals(BaseModel):
    subscriptions: Decimal
    invoiced: Decimal
    difference: Decimal


class ReconciliationPage(BaseModel):
    from_: str = Field(alias="from", description="first month (YYYY-MM)")
    to: str = Field(description="last month (YYYY-MM)")
    min_difference: Decimal = Field(description="rows listed: |difference| above this")
    q: str | None
    account_id: int | None
    sort: str
    total: int = Field(description="rows listed over every page")
    page: int
    pages: int
    page_size: int
    totals: ReconciliationTotals = Field(description="over every row listed")
    items: list[ReconciliationRow]

    model_config = {"populate_by_name": True}
