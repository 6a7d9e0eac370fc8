"""Shapes the capabilities' APIs share: row ids, counts, flags, bounded words, a user reference."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from annotated_types import Interval, Len, MaxLen
from pydantic import BaseModel, BeforeValidator, Field, Strict

#: The largest row id: ids are 32-bit on both databases (PostgreSQL's ``integer``).
MAX_ID = 2_147_483_647
#: A row id in a body, a path or a query: a larger number is a 422, never a crash (B1).
Id = Annotated[int, Interval(ge=1, le=MAX_ID)]
#: An offset or a count in a path or a query: 0 up to the same bound.
Count = Annotated[int, Interval(ge=0, le=MAX_ID)]
#: A page number (from 1) in a query.
PageNumber = Id
#: Numbers of the KAM settings documents (B3): strictly typed, within sane bounds; the rules
#: (``*.rules``, ``*.formulas``) judge the values themselves.
SettingInt = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
SettingNumber = Annotated[Decimal, Field(ge=-1_000_000, le=1_000_000, allow_inf_nan=False)]
SettingKey = Annotated[str, Field(min_length=1, max_length=60)]
#: A segment's name in a path or a query, as accounts hold it (60 characters, B5).
Segment = Annotated[str, Len(1, 60)]
#: A short word in a path or a query (a kind, a filter value, a sort key, a month).
Word = Annotated[str, MaxLen(60)]
#: Searched text in a query.
SearchText = Annotated[str, MaxLen(200)]
#: JSON-only bodies take numbers and booleans as JSON numbers and booleans, as the OpenAPI
#: document says (B11): ``"5"`` or ``"true"`` is a 422, not quietly converted.
StrictId = Annotated[int, Strict(), Interval(ge=1, le=MAX_ID)]


def _true_or_false(value: object) -> object:
    if isinstance(value, str) and value.lower() not in ("true", "false"):
        raise ValueError("must be true or false")
    return value


#: A boolean in a query or an API form field: ``true`` or ``false`` (not yes, on, 1).
Flag = Annotated[bool, BeforeValidator(_true_or_false)]


class UserRef(BaseModel):
    """A user as other resources mention them (account members, managers)."""

    id: int
    email: str
    name: str
    role: str
