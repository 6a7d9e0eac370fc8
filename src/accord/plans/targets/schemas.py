"""Request and response shapes of managers' targets (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import UserRef


class TargetIn(BaseModel):
    """Set (create or replace) one target: whose, which period, which metric, how much."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    manager: Annotated[str, Field(min_length=1, max_length=254,
                                  description="The manager's e-mail address")]
    period: Annotated[str, Field(max_length=20,
                                 description="A month, quarter or year: 2027-01, 2027-Q1, 2027")]
    metric: Annotated[str | None, Field(
        max_length=20,
        description="book_revenue, book_nrr, new_key_accounts or plans_complete")] = None
    target: Annotated[Decimal | None, Field(
        allow_inf_nan=False,
        description="Above 0: revenue in currency units (2 decimals), NRR as a ratio such as "
        "1.05 (at most 10), or a whole count (at most 10,000)")] = None


class TargetOut(BaseModel):
    id: int
    manager: UserRef
    period: str
    period_start: date
    period_end: date
    metric: str
    metric_label: str
    unit: str
    target: Decimal
    #: computed from Accord's own figures (docs/kpis.md, "Targets"); None: not known yet
    actual: Decimal | None
    attainment: Decimal | None
    elapsed_share: Decimal
    status: str | None
    set_by: str | None
    updated_at: datetime
    version: int


class TargetPage(BaseModel):
    items: list[TargetOut]
    total: int
    page: int
    page_size: int


def target_in(values: dict[str, object]) -> TargetIn:
    """A ``TargetIn`` from text typed in a form or on the command line; what does not fit its
    shape (too long, not a number) is a ValidationFailed naming the field."""
    given = {k: (v if v not in ("", None) else None) for k, v in values.items()
             if k in TargetIn.model_fields}
    given["manager"] = given.get("manager") or ""
    given["period"] = given.get("period") or ""
    try:
        return TargetIn.model_validate(given)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "target"
            message = ("must be a number" if field == "target"
                       else "choose someone" if error["type"] == "string_too_short"
                       else str(error["msg"]))
            problems.append(FieldProblem(field, message))
        raise ValidationFailed(problems) from None
