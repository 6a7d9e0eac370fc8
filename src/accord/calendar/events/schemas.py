"""Request and response shapes of scheduled events (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.calendar.events.rules import KINDS as EVENT_KINDS
from accord.calendar.events.rules import MAX_RRULE
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import UserRef

MAX_TITLE = 200
MAX_TEXT = 20000
MAX_ATTENDEES = 50
Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
Ids = Annotated[list[Annotated[int, Field(strict=True, ge=1, le=2_147_483_647)]],
                Field(max_length=MAX_ATTENDEES)]
Zone = Annotated[str, Field(min_length=1, max_length=64, description="IANA time zone")]
Rrule = Annotated[str, Field(max_length=MAX_RRULE,
                             description="RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO")]
KIND_LABELS = {"business_review": "Business review", "meeting": "Meeting", "call": "Call",
               "renewal": "Renewal", "other": "Other"}
assert set(KIND_LABELS) == set(EVENT_KINDS)


class EventIn(BaseModel):
    """A new event on an account. ``starts_at``/``ends_at`` without an offset are wall-clock
    times in ``time_zone`` (by default the user's)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    account_id: Annotated[int, Field(ge=1, le=2_147_483_647)]
    kind: Annotated[str, Field(max_length=20, description=", ".join(EVENT_KINDS))] = "meeting"
    title: Title
    agenda: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    location: Annotated[str, Field(max_length=200)] = ""
    starts_at: datetime
    ends_at: Annotated[datetime | None, Field(description="Default: an hour after the start")] \
        = None
    time_zone: Zone | None = None
    rrule: Rrule | None = None
    user_ids: Ids = []
    contact_ids: Ids = []


class EventPatch(BaseModel):
    """Fields to change; ``rrule`` null (or empty) makes the event a one-off."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Annotated[str | None, Field(max_length=20)] = None
    title: Title | None = None
    agenda: Annotated[str | None, Field(max_length=MAX_TEXT)] = None
    location: Annotated[str | None, Field(max_length=200)] = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: Zone | None = None
    rrule: Rrule | None = None
    user_ids: Ids | None = None
    contact_ids: Ids | None = None


class OutcomeIn(BaseModel):
    """What an occurrence produced: an interaction on the account. ``kind`` defaults to the
    event's (a business review, a call, else a meeting), ``occurred_on`` to the occurrence's
    day, the contacts and users to the event's attendees."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    summary: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    outcome: Annotated[str | None, Field(max_length=MAX_TEXT)] = None
    sentiment: Annotated[int | None, Field(ge=0, le=10)] = None
    kind: Annotated[str | None, Field(max_length=20)] = None
    occurred_on: date | None = None
    contact_ids: Ids | None = None
    user_ids: Ids | None = None


class AttendeeOut(BaseModel):
    kind: str  # user | contact
    id: int
    name: str
    email: str | None


class EventOut(BaseModel):
    id: int
    uid: str
    account_id: int
    account_name: str
    kind: str
    title: str
    agenda: str
    location: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    #: the first start as a wall-clock time in ``time_zone``
    local_start: datetime
    local_end: datetime
    rrule: str | None
    last_on: date | None
    status: str
    organiser: UserRef | None
    generated: bool
    attendees: list[AttendeeOut]
    created_at: datetime
    updated_at: datetime
    version: int


class Occurrence(BaseModel):
    """One occurrence of an event in a window: ``starts_at`` (UTC) is its RECURRENCE-ID."""

    event_id: int
    uid: str
    account_id: int
    account_name: str
    kind: str
    title: str
    location: str
    starts_at: datetime
    ends_at: datetime
    #: the start as a wall-clock time in the reader's time zone
    local_start: datetime
    time_zone: str
    recurring: bool
    generated: bool
    organiser_id: int | None
    #: scheduled, held (its outcome recorded) or cancelled (listed on the event only)
    status: str
    interaction_id: int | None = None

    @property
    def key(self) -> str:
        return self.starts_at.strftime("%Y%m%dT%H%M%SZ")


class EventDetail(EventOut):
    """An event with its occurrences from 90 days back to 180 ahead (held and cancelled
    ones included)."""

    occurrences: list[Occurrence]


def _problems(exc: ValidationError, default: str) -> list[FieldProblem]:
    return [FieldProblem(str(e["loc"][0]) if e["loc"] else default, str(e["msg"]))
            for e in exc.errors()]


def _ids(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in ("user_ids", "contact_ids"):
        raw = out.get(name)
        if isinstance(raw, str):
            raw = [p for p in raw.replace(",", " ").split() if p]
        if isinstance(raw, list):
            out[name] = [int(v) if isinstance(v, str) and v.strip().isdigit()
                         and len(v.strip()) < 10 else v for v in raw]
    return out


def event_in(values: dict[str, Any]) -> EventIn:
    """An ``EventIn`` from text typed in a form or on the command line (blank: left out)."""
    given = {k: v for k, v in _ids(values).items()
             if v not in ("", None, []) and k in EventIn.model_fields}
    given.setdefault("title", "")
    given.setdefault("starts_at", "")
    try:
        return EventIn.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed(_problems(exc, "title")) from None


def outcome_in(values: dict[str, Any]) -> OutcomeIn:
    given = {k: v for k, v in _ids(values).items()
             if v not in ("", None) and k in OutcomeIn.model_fields}
    given.setdefault("summary", "")
    try:
        return OutcomeIn.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed(_problems(exc, "summary")) from None
