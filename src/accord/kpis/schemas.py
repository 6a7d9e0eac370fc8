"""Request and response shapes of the KPI API (amounts and ratios as JSON numbers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.kpis.formulas import MAX_WINDOW


class Retention(BaseModel):
    accounts_at_start: int
    starting_revenue: float
    churned_accounts: int
    churned_revenue: float
    contraction_revenue: float
    expansion_revenue: float
    grr: float | None
    nrr: float | None
    logo_churn_rate: float | None
    revenue_churn_rate: float | None
    expansion_rate: float | None
    contraction_rate: float | None
    new_revenue: float
    reactivated_revenue: float
    ending_revenue: float


class ManagerRow(Retention):
    manager: str | None


class SegmentRow(Retention):
    segment: str | None


class TierRow(Retention):
    tier: str | None


class SeriesRow(Retention):
    as_of: str


class ConcentrationOut(BaseModel):
    accounts: int
    top20_share: float | None
    hhi: float | None
    abc: dict[str, int]


class KpiDocument(BaseModel):
    as_of: str
    window_months: int
    basis: str
    source: str = Field(description="what r_i(m) is: invoices or subscriptions")
    abc_cutoffs: dict[str, float]
    current_window: list[str]
    previous_window: list[str]
    portfolio: Retention
    concentration: ConcentrationOut
    by_manager: list[ManagerRow] | None = None
    by_segment: list[SegmentRow] | None = None
    by_tier: list[TierRow] | None = None
    series: list[SeriesRow] | None = None


class MovementAccount(BaseModel):
    account_id: int
    name: str
    manager: str | None
    segment: str | None
    tier: str | None
    previous_revenue: float
    current_revenue: float
    change: float


class MovementPage(BaseModel):
    as_of: str
    window_months: int
    basis: str
    source: str
    movement: str
    total: int
    accounts: list[MovementAccount]


class KpiDefinition(BaseModel):
    slug: str
    label: str
    unit: str
    group: str
    description: str
    formula: str


class PolicyOut(BaseModel):
    window_months: int
    basis: str
    abc_a: float
    abc_b: float
    source: str = Field(description="invoices or subscriptions: what the engine reads")
    as_of: str | None = Field(description="pinned as-of month; null = last complete month")


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_months: Annotated[int, Field(strict=True, ge=1, le=MAX_WINDOW)] | None = None
    basis: Literal["trailing", "point"] | None = None
    abc_a: Annotated[Decimal, Field(gt=0, le=1, allow_inf_nan=False)] | None = None
    abc_b: Annotated[Decimal, Field(gt=0, le=1, allow_inf_nan=False)] | None = None
    source: Literal["invoices", "subscriptions"] | None = None
    as_of: Annotated[str, Field(pattern=r"^([0-9]{4}-[0-9]{2}|auto)$")] | None = Field(
        None, description="YYYY-MM to pin (a month with data), or 'auto' to unpin"
    )


def plain(value: Any) -> Any:
    """Decimals to JSON numbers (amounts are already rounded to cents, ratios to 6 places)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
