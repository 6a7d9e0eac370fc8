"""Request and response shapes of the selection matrix (API, pages, CLI)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.core.schemas import Id, SettingInt, SettingNumber


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CriterionIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    weight: Annotated[int, Field(ge=0, le=1000)]  # forms send text: not strict
    anchor_0: Annotated[str, Field(max_length=2000)] = ""
    anchor_5: Annotated[str, Field(max_length=2000)] = ""
    anchor_10: Annotated[str, Field(max_length=2000)] = ""


class CriteriaSetIn(_In):
    criteria: list[CriterionIn]


class CriterionOut(BaseModel):
    id: int
    kind: str
    name: str
    weight: int
    anchor_0: str
    anchor_5: str
    anchor_10: str
    position: int


class CriteriaOut(BaseModel):
    attractiveness: list[CriterionOut]
    buying: list[CriterionOut]


class AttractivenessScoreIn(_In):
    criterion_id: Id
    score: Decimal


class BuyingScoreIn(_In):
    criterion_id: Id
    us: Decimal
    competitor: Decimal


class ScoringIn(_In):
    attractiveness: list[AttractivenessScoreIn]
    buying: list[BuyingScoreIn]
    competitor_name: Annotated[str, Field(min_length=1, max_length=200)]
    comment: Annotated[str, Field(max_length=5000)] | None = None
    potential_override: Literal["low", "medium", "high"] | None = None
    scored_on: date | None = None


class ScoringOut(BaseModel):
    id: int
    account_id: int
    scored_on: date
    scored_by: str
    competitor_name: str
    comment: str | None
    attractiveness: Decimal
    strength: Decimal | None
    quadrant: str
    potential: str
    potential_override: str | None
    detail: dict[str, object]


class SelectionSettingsIn(_In):
    """A change to the selection settings: only the fields given change. Wrong types are a
    422 here (B3); ``SelectionPolicy.from_dict`` judges the values."""

    model_config = ConfigDict(extra="forbid")

    attractiveness_cut: SettingNumber | None = None
    strength_cut: SettingNumber | None = None
    potential_medium_from: SettingNumber | None = None
    potential_high_from: SettingNumber | None = None
    min_criteria: SettingInt | None = None
    max_criteria: SettingInt | None = None
    key_count_min: SettingInt | None = None
    key_count_max: SettingInt | None = None
    key_count_too_many: SettingInt | None = None
    manager_key_limit: SettingInt | None = None
    rescore_months: SettingInt | None = None
    window_months: SettingInt | None = None
    #: the one ABC setting (the KPI policy's cut-offs too)
    abc_a: SettingNumber | None = None
    abc_b: SettingNumber | None = None

    def given(self) -> dict[str, object]:
        """The fields given, as the settings document holds them (numbers as text)."""
        return self.model_dump(mode="json", exclude_unset=True)


class DeselectIn(_In):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class SelectionStatusOut(BaseModel):
    account_id: int
    tier: str
    deselected: bool
    reason: str | None = None


class MatrixPoint(BaseModel):
    account_id: int
    name: str
    segment: str | None
    manager: str | None
    attractiveness: Decimal
    strength: Decimal | None
    quadrant: str
    tier: str
    potential: str
    scored_on: date
    revenue: Decimal
    abc: str | None
    previous_attractiveness: Decimal | None = None
    previous_strength: Decimal | None = None
    previous_scored_on: date | None = None


class CheckOut(BaseModel):
    code: str
    severity: str
    message: str
    accounts: list[dict[str, object]] = []


class MatrixOut(BaseModel):
    as_of: str
    window_months: int
    attractiveness_cut: Decimal
    strength_cut: Decimal
    points: list[MatrixPoint]
    counts: dict[str, int]
    checks: list[CheckOut]
    revenue_as_of: date | None = None
