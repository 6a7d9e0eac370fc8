"""Request and response shapes of follow-ups (API, pages, CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.accounts.schemas import InteractionIn
from accord.calendar.followups.rules import MAX_NOTES, MAX_REASON, MAX_TITLE, SOURCES
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import StrictId, UserRef

Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
Notes = Annotated[str, Field(max_length=MAX_NOTES)]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]
DbId = StrictId
#: a wall-clock time, 24 hours, in the owner's time zone
DueTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                               description="HH:MM (24 h) in the owner's time zone",
                               examples=["09:30"])]
SourceKind = Annotated[str, Field(max_length=20, description=", ".join(SOURCES))]
MAX_PAGE_SIZE = 200
SORTS = ("due", "-due", "title", "account", "owner")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FollowUpIn(_In):
    """A new follow-up on an account."""

    account_id: DbId
    title: Title
    due_on: date
    due_time: DueTime | None = None
    owner_id: Annotated[DbId | None, Field(
        description="A user who sees the account; the caller when left out")] = None
    notes: Notes = ""
    source_kind: SourceKind | None = None
    source_id: DbId | None = None


class FollowUpPatch(_In):
    """Fields to change (its state moves through /done, /snooze, /cancel, /log)."""

    title: Title | None = None
    due_on: date | None = None
    due_time: DueTime | None = None
    owner_id: DbId | None = None
    notes: Notes | None = None


class SnoozeIn(_In):
    until: Annotated[date, Field(description="The date it comes back (after today)")]


class CancelIn(_In):
    reason: Reason


class DoneIn(_In):
    interaction_id: Annotated[DbId | None, Field(
        description="The account's interaction that did it, if any")] = None


class LogIn(InteractionIn):
    """The interaction to log on the follow-up's account; the follow-up then closes."""


class FollowUpOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    title: str
    notes: str
    due_on: date
    due_time: str | None
    time_zone: str
    due_at: datetime | None
    effective_due_on: date
    due_state: str
    owner: UserRef | None
    status: str
    snoozed_until: date | None
    source_kind: str | None
    source_id: int | None
    closed_by_interaction_id: int | None
    closed_on: date | None
    cancel_reason: str | None
    allowed_moves: list[str]
    created_at: datetime
    updated_at: datetime
    version: int


class FollowUpPage(BaseModel):
    items: list[FollowUpOut]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class Filters:
    """What a list of follow-ups shows. ``status``: ``open`` (open and snoozed, the
    default), ``all`` or one state; ``due_before``/``due_after`` bound the effective due date
    (inclusive); ``overdue``: only those overdue on ``today``; ``q``: words of the title."""

    today: date
    owner_id: int | None = None
    account_id: int | None = None
    status: str = "open"
    due_before: date | None = None
    due_after: date | None = None
    overdue: bool = False
    q: str | None = None
    sort: str = "due"
    page: int = 1
    page_size: int = 50


def _problems(exc: ValidationError, default: str) -> list[FieldProblem]:
    out = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else default
        out.append(FieldProblem(field, str(error["msg"]).removeprefix("Value error, ")))
    return out


M = TypeVar("M", bound=BaseModel)


def _parsed(model: type[M], given: dict[str, object], default: str) -> M:
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed(_problems(exc, default)) from None


def follow_up_in(values: dict[str, object]) -> FollowUpIn:
    """A ``FollowUpIn`` from text typed in a form or on the command line (blank: left out);
    what does not fit is a ValidationFailed naming the field."""
    given = {k: v for k, v in values.items() if v not in ("", None)
             and k in FollowUpIn.model_fields}
    given.setdefault("title", "")
    given.setdefault("due_on", "")
    for key in ("account_id", "owner_id", "source_id"):
        raw = given.get(key)
        if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 11:
            given[key] = int(raw.strip())
    return _parsed(FollowUpIn, given, "title")


def follow_up_patch(values: dict[str, object]) -> FollowUpPatch:
    """A ``FollowUpPatch`` from a form: every field of the form is given (a blank time and
    blank notes clear them)."""
    given: dict[str, object] = {}
    for key, raw in values.items():
        if key not in FollowUpPatch.model_fields:
            continue
        if key == "owner_id" and isinstance(raw, str) and raw.strip().isdigit() \
                and len(raw.strip()) < 11:
            raw = int(raw.strip())
        given[key] = None if raw == "" and key != "notes" else raw
    return _parsed(FollowUpPatch, given, "title")


def snooze_in(values: dict[str, object]) -> SnoozeIn:
    return _parsed(SnoozeIn, {"until": values.get("until") or ""}, "until")


def cancel_in(values: dict[str, object]) -> CancelIn:
    return _parsed(CancelIn, {"reason": values.get("reason") or ""}, "reason")


def log_in(values: dict[str, object]) -> LogIn:
    """The interaction of a "log and close" form (``contact_ids`` a list of ids)."""
    given = {k: v for k, v in values.items() if v not in ("", None) and k in LogIn.model_fields}
    raw_ids = values.get("contact_ids") or []
    given["contact_ids"] = [int(v) if isinstance(v, str) and v.strip().isdigit()
                            and len(v.strip()) < 11 else v
                            for v in (raw_ids if isinstance(raw_ids, list) else [raw_ids])]
    given.setdefault("kind", "")
    given.setdefault("occurred_on", "")
    given.setdefault("summary", "")
    return _parsed(LogIn, given, "summary")
