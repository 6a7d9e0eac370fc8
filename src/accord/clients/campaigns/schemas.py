"""Request and response shapes of win-back campaigns (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.clients.campaigns import rules
from accord.clients.campaigns.rules import MAX_MONTHS, MIN_MONTHS
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import StrictId

#: where a campaign's members come from: a list of the Clients page, or accounts named
SOURCES = ("winback", "at_risk", "best", "segment", "accounts")
SOURCE_LABELS = {"winback": "Win-back (high past value, low P(alive))",
                 "at_risk": "At risk (P(alive) falling)", "best": "Best clients",
                 "segment": "An RFM segment", "accounts": "Accounts named"}
#: the most members one campaign holds
MAX_MEMBERS = 100_000
MAX_NAME = 200
MAX_NOTES = 2000
MAX_SEGMENT = 40
#: the largest past-value threshold: 10¹² in the currency
MAX_AMOUNT = Decimal(10) ** 12
Source = Literal["winback", "at_risk", "best", "segment", "accounts"]


class CampaignIn(BaseModel):
    """A new campaign: a list frozen today, a holdout, and follow-ups for the treatment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    source: Source = Field(description="winback, at_risk, best, segment (every client of "
                           "`segment`) or accounts (give `account_ids`)")
    segment: Annotated[str | None, Field(max_length=MAX_SEGMENT, description=(
        "An RFM segment: the source segment's, or narrowing a list"))] = None
    account_ids: Annotated[list[StrictId] | None, Field(
        max_length=MAX_MEMBERS, description="The accounts (source accounts): individual "
        "clients with scores, every one of them seen by you")] = None
    manager_id: Annotated[StrictId | None, Field(
        description="Only the clients this user is responsible for")] = None
    min_value: Annotated[Decimal | None, Field(
        ge=0, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False,
        description="Only clients whose past value (what they spent) is at least this")] = None
    p_alive_min: Annotated[Decimal | None, Field(ge=0, le=1, decimal_places=4,
                                                 allow_inf_nan=False)] = None
    p_alive_max: Annotated[Decimal | None, Field(ge=0, le=1, decimal_places=4,
                                                 allow_inf_nan=False)] = None
    q: Annotated[str | None, Field(max_length=200, description="Name contains")] = None
    limit: Annotated[int | None, Field(strict=True, ge=1, le=MAX_MEMBERS, description=(
        "The first N of the list in its order"))] = None
    holdout: Annotated[Decimal, Field(
        ge=0, le=Decimal("0.9"), decimal_places=4, allow_inf_nan=False,
        description="The share of the list held out uncontacted (0 to 0.9)")] = Decimal(0)
    follow_ups_due_on: date | None = Field(
        default=None, description="A follow-up per treatment member for its manager, due "
        "that day (not before today); none when left out")
    result_months: Annotated[int, Field(strict=True, ge=MIN_MONTHS, le=MAX_MONTHS)] = 3
    notes: Annotated[str | None, Field(max_length=MAX_NOTES)] = None


INT_FIELDS = ("limit", "result_months", "manager_id")
#: the filters of a list (not of accounts named)
LIST_FILTERS = ("manager_id", "min_value", "p_alive_min", "p_alive_max", "q")


def from_text(values: dict[str, Any]) -> CampaignIn:
    """A ``CampaignIn`` from text (a form, the command line): blanks left out, whole numbers
    made ints, ``account_ids`` split on commas and spaces; a ``ValidationFailed`` naming each
    field otherwise."""
    given = {k: v for k, v in values.items()
             if v not in ("", None) and k in CampaignIn.model_fields}
    for key in INT_FIELDS:
        raw = given.get(key)
        if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 12:
            given[key] = int(raw.strip())
    raw_ids = given.get("account_ids")
    if isinstance(raw_ids, str):
        parts = [p for p in raw_ids.replace(",", " ").split() if p]
        if not all(p.isdigit() and len(p) < 12 for p in parts):
            raise ValidationFailed([FieldProblem("account_ids", "account ids (whole numbers) "
                                                 "separated by commas")])
        given["account_ids"] = [int(p) for p in parts]
    try:
        return CampaignIn.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed([
            FieldProblem(str(e["loc"][0]) if e["loc"] else "form",
                         str(e["msg"]).removeprefix("Value error, "))
            for e in exc.errors()]) from None


class CampaignOut(BaseModel):
    id: int
    name: str
    frozen_on: date
    source: str
    filters: dict[str, Any] = Field(description="The list's filters as given")
    fit_id: int | None = Field(description="The scores fit the list was read from")
    holdout: Decimal = Field(description="The share held out (0: none)")
    seed: int = Field(description="Draws the holdout and the bootstrap (reproducible)")
    follow_ups_due_on: date | None
    members: int
    treatment: int
    held_out: int
    follow_ups: int = Field(description="Follow-ups created for treatment members")
    no_consent: int = Field(description="Members without marketing consent (left out of "
                            "the e-mail export, not of the result)")
    suppressed: int = Field(description="Members on the suppression list (likewise)")
    result_months: int
    created_by: str | None
    created_at: datetime
    notes: str | None


class CampaignsPage(BaseModel):
    items: list[CampaignOut]
    total: int
    page: int
    pages: int
    page_size: int


class MemberOut(BaseModel):
    account_id: int
    name: str
    group: str = Field(description="treatment or holdout")
    p_alive: float = Field(description="P(alive) when the list was frozen")
    value: Decimal = Field(description="Customer value when the list was frozen")
    excluded: str | None = Field(description="no_consent or suppressed: left out of the "
                                 "e-mail export")
    follow_up_id: int | None


class MembersPage(BaseModel):
    items: list[MemberOut]
    total: int
    page: int
    pages: int
    page_size: int


class CampaignDetail(CampaignOut):
    member_page: MembersPage


class GroupOut(BaseModel):
    members: int
    buyers: int = Field(description="Members with a purchase in the window")
    share: Decimal = Field(description="buyers ÷ members (four decimals)")
    revenue: Decimal = Field(description="The group's net revenue in the window")
    revenue_per_member: Decimal


class DifferenceOut(BaseModel):
    estimate: Decimal = Field(description="treatment − holdout")
    low: Decimal = Field(description="The interval's lower end")
    high: Decimal = Field(description="The interval's upper end")


class ResultOut(BaseModel):
    campaign_id: int
    frozen_on: date
    months: int
    first_day: date = Field(description="The first day counted (the day after the freeze)")
    last_day: date = Field(description="The last day counted (the window's end, or today)")
    window_end: date
    complete: bool = Field(description="False while the window has not ended")
    treatment: GroupOut
    holdout: GroupOut | None = Field(description="None without a holdout")
    share_difference: DifferenceOut | None
    revenue_difference: DifferenceOut | None = Field(
        description="Revenue per member, treatment − holdout")
    confidence: Decimal
    resamples: int
    seed: int


class ExportOut(BaseModel):
    """What an export wrote and left out (the CSV itself is text)."""

    written: int
    no_consent: int
    suppressed: int
    no_email: int
    held_out: int


def result_out(campaign_id: int, frozen_on: date, months: int, seed: int,
               span: rules.Window, measured: rules.Result) -> ResultOut:
    """The API's shape of a result (``rules.measure``) over its window."""

    def figures(g: rules.GroupFigures | None) -> GroupOut | None:
        return None if g is None else GroupOut(**g.__dict__)

    def difference(d: rules.Difference | None) -> DifferenceOut | None:
        return None if d is None else DifferenceOut(**d.__dict__)

    return ResultOut(
        campaign_id=campaign_id, frozen_on=frozen_on, months=months, first_day=span.first,
        last_day=span.last, window_end=span.end, complete=span.complete,
        treatment=GroupOut(**measured.treatment.__dict__), holdout=figures(measured.holdout),
        share_difference=difference(measured.share),
        revenue_difference=difference(measured.revenue_per_member),
        confidence=measured.confidence, resamples=measured.resamples, seed=seed)
