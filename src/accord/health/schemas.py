"""Response shapes of the health score."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from accord.core.schemas import SettingInt, SettingKey, SettingNumber
from accord.health.formulas import HealthPolicy


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MeasureSettingIn(_In):
    weight: SettingNumber | None = None
    full: SettingNumber | None = None
    zero: SettingNumber | None = None


class HealthSettingsIn(_In):
    """A change to the health settings (defaults or a segment's): only the fields given change.
    Wrong types are a 422 here (B3); ``HealthPolicy.from_dict`` judges the values."""

    measures: dict[SettingKey, MeasureSettingIn | None] | None = None
    green_from: SettingInt | None = None
    amber_from: SettingInt | None = None

    def given(self) -> dict[str, object]:
        """The fields given, as the settings document holds them (numbers as text)."""
        return self.model_dump(mode="json", exclude_unset=True)


class HealthSettingsOut(BaseModel):
    """The default health policy and every segment's own (a segment without one follows the
    default)."""

    default: HealthPolicy
    segments: dict[str, HealthPolicy]


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
