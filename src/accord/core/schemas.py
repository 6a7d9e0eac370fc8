"""Request and response shapes for users and API tokens (API and CLI)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from annotated_types import Interval, Len, MaxLen
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from accord.core.models import Role

Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Password = Annotated[str, Field(min_length=8, max_length=200)]
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


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UserRef(BaseModel):
    """A user as other resources mention them (account members, managers)."""

    id: int
    email: str
    name: str
    role: str


class UserOut(UserRef):
    team_id: int | None
    segment: str | None
    capacity: int
    is_active: bool
    created_at: datetime | None
    #: raised by every change; send it back (form field, API ``If-Match``) to refuse stale saves
    version: int = 1


class UserIn(_In):
    email: Email
    role: Role
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    password: Password | None = None
    team_id: StrictId | None = None
    segment: Annotated[str, Field(max_length=60)] | None = None
    capacity: Annotated[int, Strict(), Field(ge=0, le=100_000)] = 100


class UserPatch(_In):
    """Partial update: only the fields given change."""

    email: Email = None  # type: ignore[assignment]
    role: Role = None  # type: ignore[assignment]
    name: Annotated[str, Field(min_length=1, max_length=200)] = None  # type: ignore[assignment]
    password: Password | None = None
    team_id: StrictId | None = None
    segment: Annotated[str, Field(max_length=60)] | None = None
    capacity: Annotated[int, Strict(), Field(ge=0, le=100_000)] = None  # type: ignore[assignment]
    is_active: Annotated[bool, Strict()] = None  # type: ignore[assignment]


class TokenIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=120)] = "api"


class TokenOut(BaseModel):
    """A token as listed: never the secret, only its first characters."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    """Returned once, when the token is made: ``token`` is not stored and cannot be shown again."""

    token: str


TeamName = Annotated[str, Field(min_length=1, max_length=120)]


class TeamIn(_In):
    name: TeamName
    head_id: StrictId | None = None


class TeamPatch(_In):
    """Partial update: only the fields given change; ``"head_id": null`` clears the head."""

    name: TeamName = None  # type: ignore[assignment]
    head_id: StrictId | None = None


class TeamMemberIn(_In):
    user_id: StrictId


class TeamSummaryOut(BaseModel):
    id: int
    name: str
    head: UserRef | None
    member_count: int


class TeamOut(TeamSummaryOut):
    members: list[UserRef]


class SessionsEnded(BaseModel):
    """The answer to "log out everywhere": how many browser sessions were ended."""

    sessions_ended: int
