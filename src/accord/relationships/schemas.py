"""Request and response shapes of relationship stages and decisions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.core.schemas import SettingInt, SettingKey, SettingNumber

StageName = Literal["Tactical", "Cooperative", "Interdependent", "Strategic"]


class StageSettingsIn(BaseModel):
    """A change to the stage settings: only the fields given change. Wrong types are a 422
    here (B3); ``StagePolicy.from_dict`` judges the values."""

    model_config = ConfigDict(extra="forbid")

    contacts_for_2: SettingInt | None = None
    contacts_for_3: SettingInt | None = None
    contacts_for_4: SettingInt | None = None
    functions_for_3: SettingInt | None = None
    executives_for_4: SettingInt | None = None
    contact_lookback_days: SettingInt | None = None
    share_for_2: SettingNumber | None = None
    share_for_3: SettingNumber | None = None
    share_for_4: SettingNumber | None = None
    lines_for_2: SettingInt | None = None
    lines_for_3: SettingInt | None = None
    lines_for_4: SettingInt | None = None
    reviews_for_2: SettingInt | None = None
    reviews_for_3: SettingInt | None = None
    reviews_for_4: SettingInt | None = None
    review_lookback_days: SettingInt | None = None
    cooperative_from: SettingInt | None = None
    interdependent_from: SettingInt | None = None
    strategic_from: SettingInt | None = None
    #: stage -> potential (low, medium, high) -> invest, maintain or recalibrate
    decisions: dict[SettingKey, dict[SettingKey, SettingKey]] | None = None

    def given(self) -> dict[str, object]:
        """The fields given, as the settings document holds them (numbers as text)."""
        return self.model_dump(mode="json", exclude_unset=True)


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    score: Annotated[int, Field(ge=0, le=1000)]  # forms send text: not strict
    reason: Annotated[str, Field(max_length=2000)]


class AssessmentIn(BaseModel):
    """Record the stage: the suggested one unless ``stage`` says otherwise."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    stage: StageName | None = None
    comment: Annotated[str, Field(max_length=5000)] | None = None


class CriterionScoreOut(BaseModel):
    criterion: str
    label: str
    computed: int | None
    evidence: str
    override: int | None
    reason: str | None
    score: int
    source: str  # data | manager | default
    level: str  # the rubric's words for the score that counts


class AssessmentOut(BaseModel):
    id: int
    assessed_on: date
    assessed_by: str
    recorded_stage: str
    suggested_stage: str
    suggested_total: int
    comment: str | None


class StageOut(BaseModel):
    account_id: int
    criteria: list[CriterionScoreOut]
    suggested_total: int
    suggested_stage: str
    recorded_stage: str | None
    recorded_on: date | None
    potential: str | None
    decision: str | None
    decision_basis: str | None  # "recorded stage" | "suggested stage"
    reasoning: str | None
    history: list[AssessmentOut]


class DecisionRow(BaseModel):
    account_id: int
    name: str
    segment: str | None
    manager: str | None
    tier: str
    attractiveness: Decimal | None
    strength: Decimal | None
    potential: str | None
    stage: str | None
    stage_on: date | None
    decision: str | None
    health: int | None
    band: str | None
    revenue: Decimal
    abc: str | None
    scored_on: date | None
    flag: str | None  # large_not_key | key_not_large


class DecisionPage(BaseModel):
    items: list[DecisionRow]
    total: int
    page: int
    page_size: int
    pages: int
    sort: str
    as_of: str
    health_as_of: date | None = None
