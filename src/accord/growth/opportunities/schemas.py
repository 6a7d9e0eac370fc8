"""Request and response shapes of opportunities and the pipeline (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import UserRef
from accord.growth.opportunities.rules import MAX_TEXT, MAX_TITLE, Probability

Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1000000000000"), decimal_places=2,
                                 allow_inf_nan=False)]
LineIds = Annotated[list[Annotated[int, Field(strict=True, ge=1, le=2_147_483_647)]],
                    Field(max_length=50)]


class OpportunityIn(BaseModel):
    """A new opportunity on an account."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    kind: Annotated[str, Field(max_length=20,
                               description="upsell, cross_sell, renewal or new_vertical")]
    value: Annotated[Money, Field(description="In the company's currency")]
    stage: Annotated[str, Field(max_length=20, description="An open stage")] = "identified"
    probability: Annotated[int | None, Field(
        ge=0, le=100, description="Per cent; the stage's default when left out")] = None
    expected_close_on: date | None = None
    owner_id: Annotated[int | None, Field(ge=1, le=2_147_483_647)] = None
    next_step: Text = ""
    next_step_on: date | None = None
    product_line_ids: LineIds = []


class OpportunityPatch(BaseModel):
    """Fields to change (the stage moves through ``/stage``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title | None = None
    kind: Annotated[str | None, Field(max_length=20)] = None
    value: Money | None = None
    probability: Annotated[int | None, Field(ge=0, le=100)] = None
    expected_close_on: date | None = None
    owner_id: Annotated[int | None, Field(ge=1, le=2_147_483_647)] = None
    next_step: Text | None = None
    next_step_on: date | None = None
    product_line_ids: LineIds | None = None


class StageMove(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    stage: Annotated[str, Field(min_length=1, max_length=20)]
    reason: Text | None = None
    probability: Annotated[int | None, Field(
        ge=0, le=100, description="Per cent; the new stage's default when left out")] = None


class LineRef(BaseModel):
    id: int
    name: str


class OpportunityOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    title: str
    kind: str
    stage: str
    value: Decimal
    probability: int
    weighted_value: Decimal
    currency: str
    expected_close_on: date | None
    owner: UserRef | None
    next_step: str
    next_step_on: date | None
    lost_reason: str | None
    closed_on: date | None
    product_lines: list[LineRef]
    allowed_moves: list[str]
    created_at: datetime
    updated_at: datetime
    version: int


class OpportunityPage(BaseModel):
    items: list[OpportunityOut]
    total: int
    page: int
    page_size: int


class PipelineGroup(BaseModel):
    """Open opportunities of one account, manager, segment or tier."""

    key: str | None
    label: str
    count: int
    value: Decimal
    weighted_value: Decimal


class ForecastMonth(BaseModel):
    """Open opportunities expected to close in a month, against the book revenue target of
    the manager filtered on (a month's own target, else its share of a quarter's or year's)."""

    month: str | None
    count: int
    value: Decimal
    weighted_value: Decimal
    target: Decimal | None = None


class PipelineOut(BaseModel):
    by: str
    currency: str
    count: int
    value: Decimal
    weighted_value: Decimal
    groups: list[PipelineGroup]
    forecast: list[ForecastMonth]


class StagesSettings(BaseModel):
    """The stages policy's document: the default probability of each open stage."""

    model_config = ConfigDict(extra="forbid")

    identified: Probability | None = None
    qualified: Probability | None = None
    proposed: Probability | None = None
    negotiation: Probability | None = None


def _ids(values: dict[str, object]) -> dict[str, object]:
    """Product line ids typed as text (a form's, the command line's) as numbers."""
    raw = values.get("product_line_ids")
    if isinstance(raw, list):
        values = {**values, "product_line_ids": [
            int(v) if isinstance(v, str) and v.strip().isdigit() and len(v.strip()) < 10 else v
            for v in raw]}
    return values


def _problems(exc: ValidationError, default: str) -> list[FieldProblem]:
    out = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else default
        out.append(FieldProblem(field, str(error["msg"])))
    return out


def opportunity_in(values: dict[str, object]) -> OpportunityIn:
    """An ``OpportunityIn`` from text typed in a form or on the command line (blank: left
    out); what does not fit is a ValidationFailed naming the field."""
    given = {k: v for k, v in _ids(values).items() if v not in ("", None)
             and k in OpportunityIn.model_fields}
    given.setdefault("title", "")
    given.setdefault("kind", "")
    given.setdefault("value", "")
    try:
        return OpportunityIn.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed(_problems(exc, "title")) from None


def opportunity_patch(values: dict[str, object]) -> OpportunityPatch:
    """An ``OpportunityPatch`` from a form: every field of the form is given (blank dates,
    owner and probability clear them)."""
    given = {k: (None if v == "" else v) for k, v in _ids(values).items()
             if k in OpportunityPatch.model_fields}
    try:
        return OpportunityPatch.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed(_problems(exc, "title")) from None


def stage_move(values: dict[str, object]) -> StageMove:
    given = {k: (None if v == "" else v) for k, v in values.items()
             if k in StageMove.model_fields}
    given["stage"] = given.get("stage") or ""
    try:
        return StageMove.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed(_problems(exc, "stage")) from None
