"""Response shapes of the health score."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class MeasureOut(BaseModel):
    measure: str
    label: str
    value: Decimal | None
    score: Decimal | None
    weight: Decimal
    effective_weight: Decimal
    note: str


class HealthPoint(BaseModel):
    computed_on: date
    score: int | None
    band: str | None


class HealthOut(BaseModel):
    account_id: int
    segment: str | None
    tier: str
    score: int | None
    band: str | None
    measures: list[MeasureOut]
    left_out: list[str]
    history: list[HealthPoint]
    stored_score: int | None = None
    stored_on: date | None = None


class HealthRow(BaseModel):
    account_id: int
    name: str
    segment: str | None
    score: int | None
    band: str | None
    computed_on: date | None
    revenue_trend: float | None
    contact_freshness: float | None
    sentiment: int | None


class RecomputeOut(BaseModel):
    accounts: int
    computed_on: date
    green: int
    amber: int
    red: int
    unscored: int
