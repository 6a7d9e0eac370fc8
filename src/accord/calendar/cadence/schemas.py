"""Request and response shapes of the contact cadence and the coverage KPI."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.core.schemas import SettingInt, SettingKey, SettingNumber

#: an interval as given (0 passes here: the rules refuse it with a clear message)
Days = Annotated[int, Field(ge=0, le=1_000_000)]
Reason = Annotated[str, Field(max_length=500)]
CoverageBy = Literal["manager", "segment", "tier"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IntervalIn(_In):
    """A touch and a review interval in days; null: none."""

    touch_days: SettingInt | None = None
    review_days: SettingInt | None = None


class CadenceSettingsIn(_In):
    """A change to the cadence policy: only the fields given change (a tier given in part
    keeps its other interval; a stage entry or a tier's stage table given as null is
    removed). Wrong types are a 422 here; ``CadencePolicy`` judges the values."""

    tiers: dict[SettingKey, IntervalIn] | None = None
    stages: dict[SettingKey, dict[SettingKey, IntervalIn | None] | None] | None = None
    due_ratio: SettingNumber | None = None
    neglected_ratio: SettingNumber | None = None

    def given(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_unset=True)


class OverrideIn(_In):
    """An account's own cadence: ``touch_days`` null means "reports only" (no touch
    interval); ``review_days`` null: no business reviews. The reason is required."""

    touch_days: Days | None = None
    review_days: Days | None = None
    reason: Reason


class OverrideOut(BaseModel):
    touch_days: int | None
    review_days: int | None
    reason: str
    set_by: str | None
    set_at: datetime


class AccountCadenceOut(BaseModel):
    account_id: int
    account_name: str
    kind: str
    tier: str
    stage: str | None
    touch_days: int | None
    review_days: int | None
    #: where the intervals come from: override, person, tier_stage or tier
    source: str
    last_touch_on: date | None
    days_since: int | None
    next_touch_on: date | None
    #: none, ok, due, overdue or neglected
    state: str
    override: OverrideOut | None


class CoverageRow(BaseModel):
    key: str | None
    label: str
    #: key accounts with a touch interval (the denominator)
    accounts: int
    #: of those, last qualifying touch within the interval
    covered: int
    #: covered ÷ accounts to four decimals; null without accounts
    share: Decimal | None
    #: key accounts left out: no touch interval ("reports only")
    reports_only: int


class CoverageOut(BaseModel):
    today: date
    by: str | None
    total: CoverageRow
    groups: list[CoverageRow]
