"""Request and response shapes for users, teams and API tokens (API); limits from the rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from accord.core.emails import EMAIL_RE, MAX_EMAIL
from accord.core.models import Role
from accord.core.schemas import StrictId, UserRef
from accord.users import rules, team_rules

Email = Annotated[str, Field(min_length=3, max_length=MAX_EMAIL, pattern=EMAIL_RE.pattern)]
Password = Annotated[str, Field(min_length=rules.MIN_PASSWORD, max_length=rules.MAX_PASSWORD)]
Name = Annotated[str, Field(min_length=1, max_length=rules.MAX_NAME)]
Segment = Annotated[str, Field(max_length=rules.MAX_SEGMENT)]
Capacity = Annotated[int, Strict(), Field(ge=0, le=rules.MAX_CAPACITY)]
TokenName = Annotated[str, Field(min_length=1, max_length=rules.MAX_TOKEN_NAME)]
TeamName = Annotated[str, Field(min_length=1, max_length=team_rules.MAX_NAME)]
TimeZone = Annotated[str, Field(min_length=1, max_length=rules.MAX_TIME_ZONE,
                                description="An IANA time-zone name, e.g. Europe/London",
                                examples=["Europe/London"])]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UserOut(UserRef):
    team_id: int | None
    segment: str | None
    capacity: int
    is_active: bool
    created_at: datetime | None
    #: the IANA time zone the user's times are shown in
    time_zone: str = rules.DEFAULT_TIME_ZONE
    #: raised by every change; send it back (form field, API ``If-Match``) to refuse stale saves
    version: int = 1


class UserIn(_In):
    email: Email
    role: Role
    name: Name | None = None
    password: Password | None = None
    team_id: StrictId | None = None
    segment: Segment | None = None
    capacity: Capacity = rules.DEFAULT_CAPACITY
    time_zone: TimeZone = rules.DEFAULT_TIME_ZONE


class UserPatch(_In):
    """Partial update: only the fields given change."""

    email: Email = None  # type: ignore[assignment]
    role: Role = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    password: Password | None = None
    team_id: StrictId | None = None
    segment: Segment | None = None
    capacity: Capacity = None  # type: ignore[assignment]
    is_active: Annotated[bool, Strict()] = None  # type: ignore[assignment]
    time_zone: TimeZone = None  # type: ignore[assignment]


class MePatch(_In):
    """What a user may change of themself: their time zone."""

    time_zone: TimeZone


class TokenIn(_In):
    name: TokenName = "api"


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
