"""Request and response shapes of proposals (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from accord.core.schemas import Id
from accord.proposals import rules

Money = Annotated[Decimal, Field(ge=0, le=rules.MAX_PRICE, allow_inf_nan=False)]
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


class OfferIn(BaseModel):
    """One offer line: a product line or a SKU (or neither: a described service)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product_line_id: Id | None = None
    sku_id: Id | None = None
    description: Annotated[str, Field(min_length=1, max_length=300,
                                      pattern=r"^[^\x00-\x1f\x7f]*$")]
    quantity: Annotated[Decimal, Field(allow_inf_nan=False, ge=-rules.MAX_QUANTITY,
                                       le=rules.MAX_QUANTITY)] = Decimal(1)
    unit_price: Annotated[Decimal, Field(allow_inf_nan=False, ge=-rules.MAX_PRICE,
                                         le=rules.MAX_PRICE,
                                         description="In the company's currency")]
    discount: Annotated[Decimal, Field(
        allow_inf_nan=False, ge=-rules.MAX_PRICE, le=rules.MAX_PRICE,
        description="An amount off the unit price, not above it")] = Decimal(0)
    tax_rate: Annotated[Decimal, Field(allow_inf_nan=False, ge=-1000, le=1000,
                                       description="Per cent, 0-100")] = Decimal(0)


class BenefitIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: Annotated[str, Field(min_length=1, max_length=1000)]
    plan_entry_id: Annotated[Id | None, Field(
        description="A goal or pain point of the account's current plan")] = None


class ProposalIn(BaseModel):
    """A new proposal from an account's opportunities. Without ``offers``, one line per
    opportunity is proposed (its title and value); ``offers: []`` starts with none."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    opportunity_ids: Annotated[list[Id], Field(min_length=1, max_length=50)]
    valid_until: date | None = None
    offers: Annotated[list[OfferIn] | None, Field(max_length=rules.MAX_LINES)] = None
    benefits: Annotated[list[BenefitIn], Field(max_length=rules.MAX_BENEFITS)] = []


class ProposalEdit(BaseModel):
    """A change of a draft (in place) or of a sent proposal (a new version, a draft again);
    the lists given replace the current version's."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title | None = None
    valid_until: date | None = None
    offers: Annotated[list[OfferIn] | None, Field(max_length=rules.MAX_LINES)] = None
    benefits: Annotated[list[BenefitIn] | None, Field(max_length=rules.MAX_BENEFITS)] = None


class OfferOut(BaseModel):
    id: int
    product_line_id: int | None
    product_line: str | None
    sku_id: int | None
    sku: str | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


class BenefitOut(BaseModel):
    id: int
    text: str
    plan_entry_id: int | None
    #: the goal or pain point it answers (its text and section), when still in the plan
    plan_entry: str | None
    section: str | None


class TotalsOut(BaseModel):
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    currency: str


class OpportunityRef(BaseModel):
    id: int
    title: str
    stage: str
    value: Decimal


class VersionRef(BaseModel):
    number: int
    created_at: datetime
    sent_on: date | None


class Benchmark(BaseModel):
    """How similar accounts grew after they started buying a product line."""

    product_line_id: int
    product_line: str
    #: how many accounts the figures rest on; the figures are None below ``rules.MIN_COHORT``
    accounts: int
    shown: bool
    median_change: Decimal | None
    nrr: Decimal | None


class YearRevenue(BaseModel):
    year: int
    revenue: Decimal


class Benchmarks(BaseModel):
    segment: str | None
    size_band: str | None
    lines: list[Benchmark]
    history: list[YearRevenue]
    min_cohort: int = rules.MIN_COHORT


class ProposalSummary(BaseModel):
    id: int
    account_id: int
    account: str
    title: str
    status: str
    stored_status: str
    valid_until: date
    current_version: int
    total: Decimal
    currency: str
    updated_at: datetime
    version: int


class ProposalOut(ProposalSummary):
    #: the version shown (the current one unless asked for an earlier one)
    shown_version: int
    read_only: bool
    sent_on: date | None
    decided_on: date | None
    created_by: str | None
    versions: list[VersionRef]
    offers: list[OfferOut]
    benefits: list[BenefitOut]
    totals: TotalsOut
    opportunities: list[OpportunityRef]
    actions: list[str]
    benchmarks: Benchmarks | None = None


class ProposalPage(BaseModel):
    items: list[ProposalSummary]
    total: int
