"""Request and response shapes for accounts, contacts and interactions (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from accord.accounts.models import (
    AccountKind,
    AccountStatus,
    BuyingRole,
    InteractionKind,
    Seniority,
    SizeBand,
    Stance,
)

Name = Annotated[str, Field(min_length=1, max_length=200)]
ShortText = Annotated[str, Field(max_length=100)]
#: a database id: 32-bit, positive (a larger number is a 422, never a crash)
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
#: the client contract's end date (renewals) and its notice period in days
MAX_NOTICE_DAYS = 3650
ContractEnd = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31),
                                    description="The client contract's end date")]
NoticeDays = Annotated[int, Field(ge=0, le=MAX_NOTICE_DAYS,
                                  description="The contract's notice period in days")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class AccountIn(_In):
    name: Name
    kind: AccountKind = AccountKind.COMPANY
    external_id: ShortText | None = None
    parent_id: Id | None = None
    segment: Annotated[str, Field(max_length=60)] | None = None
    business_line: Annotated[str, Field(max_length=60)] | None = None
    size_band: SizeBand | None = None
    #: none given: ``onboarding`` for a company (``active`` when an admin or a head creates
    #: it), ``active`` for a person
    status: AccountStatus | None = None
    manager_id: Id | None = None
    country: Annotated[str, Field(max_length=60)] | None = None
    industry: ShortText | None = None
    estimated_spend: Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)] | None = None
    estimated_spend_source: Annotated[str, Field(max_length=200)] | None = None
    notes: Annotated[str, Field(max_length=20000)] | None = None
    contract_end_on: ContractEnd | None = None
    notice_days: NoticeDays | None = None


class AccountPatch(_In):
    """Partial update: only the fields given change."""

    name: Name | None = None
    kind: AccountKind | None = None
    external_id: ShortText | None = None
    parent_id: Id | None = None
    segment: Annotated[str, Field(max_length=60)] | None = None
    business_line: Annotated[str, Field(max_length=60)] | None = None
    size_band: SizeBand | None = None
    status: AccountStatus | None = None
    manager_id: Id | None = None
    country: Annotated[str, Field(max_length=60)] | None = None
    industry: ShortText | None = None
    estimated_spend: Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)] | None = None
    estimated_spend_source: Annotated[str, Field(max_length=200)] | None = None
    notes: Annotated[str, Field(max_length=20000)] | None = None
    contract_end_on: ContractEnd | None = None
    notice_days: NoticeDays | None = None


class AccountOut(BaseModel):
    id: int
    external_id: str | None
    kind: str
    name: str
    parent_id: int | None
    parent_name: str | None = None
    #: the account has a parent the caller cannot see (its id and name are withheld)
    parent_hidden: bool = False
    segment: str | None
    business_line: str | None
    size_band: str | None
    status: str
    manager_id: int | None
    manager_email: str | None = None
    manager_name: str | None = None
    country: str | None
    industry: str | None
    estimated_spend: Decimal | None
    estimated_spend_source: str | None
    notes: str | None
    contract_end_on: date | None = None
    notice_days: int | None = None
    last_touch_on: date | None
    created_at: datetime
    updated_at: datetime
    #: raised by every change; send it back (form field, API ``If-Match``) to refuse stale saves
    version: int = 1


class AccountPage(BaseModel):
    items: list[AccountOut]
    total: int
    page: int
    page_size: int
    pages: int


class ContactIn(_In):
    name: Name
    external_id: ShortText | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    phone: Annotated[str, Field(max_length=60)] | None = None
    function: Annotated[str, Field(max_length=60)] | None = None
    seniority: Seniority | None = None
    stance: Stance | None = None
    influence: Annotated[int, Field(ge=1, le=5)] | None = None
    buying_role: BuyingRole | None = None
    title: Annotated[str, Field(max_length=120)] | None = None


class ContactOut(BaseModel):
    id: int
    external_id: str | None
    name: str
    email: str | None
    phone: str | None
    function: str | None
    seniority: str | None
    stance: str | None
    influence: int | None
    buying_role: str | None = None
    title: str | None = None
    last_touch_on: date | None = None
    account_ids: list[int] = []
    version: int = 1


class InteractionIn(_In):
    kind: InteractionKind
    occurred_on: date
    summary: Annotated[str, Field(min_length=1, max_length=20000)]
    outcome: Annotated[str, Field(max_length=20000)] | None = None
    sentiment: Annotated[int, Field(ge=0, le=10)] | None = None
    contact_ids: list[Id] = []
    user_ids: list[Id] = []


class InteractionOut(BaseModel):
    id: int
    account_id: int
    kind: str
    occurred_on: date
    summary: str
    outcome: str | None
    sentiment: int | None
    created_by: str | None
    contacts: list[str]
    users: list[str]
    created_at: datetime

