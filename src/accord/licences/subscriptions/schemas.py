"""Request and response shapes of subscriptions (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import StrictId
from accord.licences.rules import (
    MAX_NOTICE_DAYS,
    MAX_QUANTITY,
    MAX_TERM_MONTHS,
    MAX_UNIT_PRICE,
)

MAX_REASON = 2000
Quantity = Annotated[int, Field(strict=True, ge=0, le=MAX_QUANTITY,
                                description=f"Seats or units, 0-{MAX_QUANTITY:,}")]
Price = Annotated[Decimal, Field(ge=0, le=MAX_UNIT_PRICE, decimal_places=4,
                                 allow_inf_nan=False,
                                 description="Per unit and billing period; 4 decimals at most")]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]
STATES = ("trial", "active", "cancelled", "expired")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SubscriptionIn(_In):
    """A new subscription, with its first quantity and price in force from its start."""

    account_id: StrictId
    sku_id: StrictId
    start_on: date
    term_months: Annotated[int, Field(strict=True, ge=1, le=MAX_TERM_MONTHS)] = 12
    quantity: Quantity
    unit_price: Price
    status: Annotated[str, Field(pattern="^(trial|active)$")] = "active"
    auto_renew: bool = False
    notice_days: Annotated[int, Field(strict=True, ge=0, le=MAX_NOTICE_DAYS)] = 0
    currency: Annotated[str | None, Field(
        pattern=r"^[A-Z]{3}$", description="Left out: the company's (setting)")] = None
    reference: Annotated[str | None, Field(max_length=100)] = None
    reason: Annotated[str, Field(max_length=MAX_REASON)] = ""


class ChangeIn(_In):
    """A change of quantity (and price) from a date on; the reason is required."""

    quantity: Quantity
    unit_price: Annotated[Price | None, Field(
        description="Left out: the price in force that day stays")] = None
    effective_on: date
    reason: Reason


class DecisionIn(_In):
    note: Annotated[str, Field(max_length=MAX_REASON)] = ""


class EndIn(_In):
    """Cancel or record as expired, from a day on (MRR stops after it)."""

    status: Annotated[str, Field(pattern="^(cancelled|expired)$")]
    on: date
    reason: Reason


M = TypeVar("M", bound=BaseModel)
#: fields typed as text on a form or the command line that are whole numbers
INT_FIELDS = ("account_id", "sku_id", "term_months", "quantity", "notice_days")


def from_text(model: type[M], values: dict[str, object], default: str) -> M:
    """``model`` from text typed in a form or on the command line (blank: left out; whole
    numbers made ints, anything else left for the model to refuse); a ``ValidationFailed``
    naming each field otherwise (``default``: the field of a problem with no location)."""
    given = {k: v for k, v in values.items() if v not in ("", None) and k in model.model_fields}
    for key in INT_FIELDS:
        raw = given.get(key)
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit() and len(raw) < 12:
            given[key] = int(raw.strip())
    for key in ("auto_renew",):
        if isinstance(given.get(key), str):
            given[key] = str(given[key]).lower() in ("1", "true", "on", "yes")
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed([
            FieldProblem(str(e["loc"][0]) if e["loc"] else default,
                         str(e["msg"]).removeprefix("Value error, "))
            for e in exc.errors()]) from None


class TermOut(BaseModel):
    effective_on: date
    quantity: int
    unit_price: Decimal
    reason: str
    changed_by: str | None
    changed_at: datetime
    request_id: int | None


class SubscriptionOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    sku_id: int
    sku_code: str
    service: str
    billing_period: str
    status: str
    start_on: date
    term_months: int
    end_on: date
    notice_deadline: date
    auto_renew: bool
    notice_days: int
    currency: str
    reference: str | None
    ended_on: date | None
    #: the term in force on the day asked (today by default)
    quantity: int
    unit_price: Decimal
    monthly_amount: Decimal
    terms: list[TermOut]
    version: int


class RequestOut(BaseModel):
    id: int
    subscription_id: int
    account_id: int
    account_name: str
    service: str
    quantity: int
    unit_price: Decimal | None
    effective_on: date
    reason: str
    status: str
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class SubscriptionPage(BaseModel):
    """A page of subscriptions (the API's list) and how many there are in all."""

    items: list[SubscriptionOut]
    total: int
    page: int
    page_size: int
