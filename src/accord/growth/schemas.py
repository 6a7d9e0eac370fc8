"""Request and response shapes of the catalogue, the whitespace matrix, the portfolio view
and needs (API, pages, CLI)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import StrictId, UserRef
from accord.growth import rules

Name = Annotated[str, Field(min_length=1, max_length=rules.MAX_NAME)]
Price = Annotated[Decimal | None, Field(ge=0, le=Decimal("9999999999999999.99"),
                                        decimal_places=2, allow_inf_nan=False)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LineIn(_In):
    name: Name
    description: Annotated[str, Field(max_length=2000)] = ""
    owner_email: Annotated[str | None, Field(max_length=254)] = None
    list_price: Price = None


class LinePatch(_In):
    name: Name | None = None
    description: Annotated[str | None, Field(max_length=2000)] = None
    owner_email: Annotated[str | None, Field(max_length=254)] = None
    list_price: Price = None


class OfferingIn(_In):
    name: Name
    description: Annotated[str, Field(max_length=2000)] = ""
    owner_email: Annotated[str | None, Field(max_length=254)] = None
    list_price: Price = None


class SkuIn(_In):
    code: Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$")]
    name: Name
    unit: Annotated[str, Field(min_length=1, max_length=40)] = "unit"
    owner_email: Annotated[str | None, Field(max_length=254)] = None
    list_price: Price = None


class AliasIn(_In):
    alias: Annotated[str, Field(min_length=1, max_length=rules.MAX_ALIAS)]
    product_line_id: StrictId


class SkuOut(BaseModel):
    id: int
    code: str
    name: str
    unit: str
    owner: UserRef | None
    list_price: Decimal | None


class OfferingOut(BaseModel):
    id: int
    name: str
    description: str
    owner: UserRef | None
    list_price: Decimal | None
    skus: list[SkuOut]


class LineOut(BaseModel):
    id: int
    name: str
    description: str
    owner: UserRef | None
    list_price: Decimal | None
    aliases: list[str]
    offerings: list[OfferingOut]
    version: int


class AliasOut(BaseModel):
    id: int
    alias: str
    product_line_id: int


class Catalogue(BaseModel):
    currency: str
    lines: list[LineOut]


class Unmapped(BaseModel):
    """A ``product_line`` value of revenue lines that maps to no catalogue line."""

    value: str
    lines: int
    amount: Decimal


# ---------------------------------------------------------------- whitespace


class FlagIn(_In):
    reason: Annotated[str, Field(min_length=1, max_length=rules.MAX_REASON)]


class CellOut(BaseModel):
    product_line_id: int
    state: str
    bought: Decimal
    open_opportunities: int
    open_value: Decimal
    won: int
    not_relevant: str | None
    whitespace: bool


class UnitOut(BaseModel):
    account_id: int
    name: str
    cells: list[CellOut]


class LineRef(BaseModel):
    id: int
    name: str


class Matrix(BaseModel):
    account_id: int
    currency: str
    as_of: str
    window_months: int
    lines: list[LineRef]
    units: list[UnitOut]


class PortfolioLine(BaseModel):
    product_line_id: int
    name: str
    key_accounts_buying: int
    key_accounts_whitespace: int
    #: the sum of the peer medians over the key accounts in whitespace whose peer group
    #: rests on at least 5 buyers (None when no such group)
    whitespace_value: Decimal | None
    estimated_accounts: int


class Portfolio(BaseModel):
    currency: str
    as_of: str
    window_months: int
    key_accounts: int
    lines: list[PortfolioLine]


# ---------------------------------------------------------------- needs


class NeedIn(_In):
    text: Annotated[str, Field(min_length=1, max_length=rules.MAX_NEED)]
    category: Annotated[str, Field(max_length=40)] = "other"
    product_line_ids: Annotated[list[StrictId], Field(max_length=50)] = []


class NeedOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    text: str
    category: str
    product_lines: list[LineRef]
    gap: bool


def parsed(model: type[_In], values: dict[str, object]) -> _In:
    """A model from text typed in a form or on the command line; what does not fit is a
    ValidationFailed naming the field."""
    given = {k: v for k, v in values.items() if k in model.model_fields and v not in (None, "")}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed([
            FieldProblem(str(e["loc"][0]) if e["loc"] else "value",
                         "required" if e["type"] == "missing" else str(e["msg"]))
            for e in exc.errors()]) from None
