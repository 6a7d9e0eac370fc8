"""Request and response shapes of client inputs (API, pages, CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.agency.inputs.rules import MAX_CHASE_DAYS, MAX_NOTE, MAX_REASON, MAX_TITLE
from accord.agency.settings import MAX_ESCALATE_AFTER
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import StrictId, UserRef

Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
Reason = Annotated[str, Field(max_length=MAX_REASON)]
Note = Annotated[str, Field(max_length=MAX_NOTE)]
#: a chase interval in working days (0 is refused: at least 1)
ChaseDays = Annotated[int, Field(strict=True, ge=1, le=MAX_CHASE_DAYS,
                                 description="Working days between chases (1-260)")]
MAX_PAGE_SIZE = 200
SORTS = ("due", "-due", "title", "account", "requested", "-requested", "next_chase")
STATUS_FILTERS = ("open", "received", "cancelled", "all")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InputIn(_In):
    """A new request for something the client is to give."""

    account_id: StrictId
    title: Title
    due_on: date
    contact_id: Annotated[StrictId | None, Field(
        description="One of the account's contacts: who is asked")] = None
    brief_id: Annotated[StrictId | None, Field(
        description="The account's brief that waits on it")] = None
    reason: Reason = ""
    chase_days: Annotated[ChaseDays | None, Field(
        description="Working days between chases; left out: the account's default")] = None
    owner_id: Annotated[StrictId | None, Field(
        description="Who chases; left out: the account's manager")] = None


class InputPatch(_In):
    """Fields to change of an open request (its state moves through /received, /cancel)."""

    title: Title | None = None
    due_on: date | None = None
    contact_id: StrictId | None = None
    brief_id: StrictId | None = None
    reason: Reason | None = None
    chase_days: ChaseDays | None = None
    owner_id: StrictId | None = None


class ReceivedIn(_In):
    on: Annotated[date | None, Field(description="The day it came; left out: today")] = None
    note: Note | None = None


class CancelIn(_In):
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


class ChaseIntervalIn(_In):
    chase_days: Annotated[ChaseDays | None, Field(
        description="The account's agreed interval; null: the setting's default")] = None


class AgencySettingsIn(_In):
    escalate_after: Annotated[int, Field(strict=True, ge=1, le=MAX_ESCALATE_AFTER)]
    default_chase_days: Annotated[int, Field(strict=True, ge=1, le=MAX_CHASE_DAYS)]


class AgencySettingsOut(BaseModel):
    escalate_after: int
    default_chase_days: int


class ChaseOut(BaseModel):
    id: int
    number: int
    due_on: date
    status: str
    sent_on: date | None
    follow_up_id: int | None
    follow_up_status: str | None
    interaction_id: int | None
    subject: str
    body: str
    mailto: str


class Ref(BaseModel):
    id: int
    name: str


class InputOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    title: str
    reason: str
    contact: Ref | None
    contact_email: str | None
    brief: Ref | None
    due_on: date
    overdue: bool
    chase_days: int | None
    effective_chase_days: int
    chase_days_from: str
    status: str
    requested_on: date
    owner: UserRef | None
    chases: int
    next_chase_on: date | None
    escalated_on: date | None
    escalated_to: UserRef | None
    closed_on: date | None
    close_note: str | None
    version: int


class InputDetail(InputOut):
    chase_list: list[ChaseOut]
    can_write: bool


class InputPage(BaseModel):
    items: list[InputOut]
    total: int
    page: int
    page_size: int


class InputsPanel(BaseModel):
    """The account's inputs on its Work tab."""

    account_id: int
    account_name: str
    #: the open requests by due date, at most ``OPEN_SHOWN`` of them
    open: list[InputOut]
    #: how many requests are open in all (more than ``open`` holds when capped)
    open_total: int
    recent: list[InputOut]
    account_chase_days: int | None
    default_chase_days: int
    effective_chase_days: int
    can_write: bool


class ChaseRun(BaseModel):
    """What a run of the chases did."""

    today: date
    chased: int
    escalated: int
    follow_ups: list[int]


@dataclass(frozen=True)
class Filters:
    """What a list of inputs shows: ``status`` open (default), received, cancelled or all;
    ``overdue``: open and due before today; ``escalated``: escalated ones; ``q``: words of
    the title."""

    today: date
    status: str = "open"
    overdue: bool = False
    escalated: bool = False
    account_id: int | None = None
    owner_id: int | None = None
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


def parsed(model: type[M], given: dict[str, object], default: str) -> M:
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed(_problems(exc, default)) from None


INT_FIELDS = ("account_id", "contact_id", "brief_id", "chase_days", "owner_id",
              "escalate_after", "default_chase_days")


def _ints(given: dict[str, object]) -> dict[str, object]:
    for key in INT_FIELDS:
        raw = given.get(key)
        if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 11:
            given[key] = int(raw.strip())
    return given


def input_in(values: dict[str, object]) -> InputIn:
    """An ``InputIn`` from text typed in a form or on the command line (blank: left out)."""
    given = {k: v for k, v in values.items() if v not in ("", None)
             and k in InputIn.model_fields}
    given.setdefault("title", "")
    given.setdefault("due_on", "")
    return parsed(InputIn, _ints(given), "title")


def input_patch(values: dict[str, object]) -> InputPatch:
    """An ``InputPatch`` from a form: every field of the form is given (blank clears the
    contact, the brief, the interval and the reason)."""
    given: dict[str, object] = {}
    for key, raw in values.items():
        if key in InputPatch.model_fields:
            given[key] = "" if key == "reason" and raw in ("", None) else (
                None if raw == "" else raw)
    return parsed(InputPatch, _ints(given), "title")


def received_in(values: dict[str, object]) -> ReceivedIn:
    given = {k: v for k, v in values.items() if v not in ("", None)
             and k in ReceivedIn.model_fields}
    return parsed(ReceivedIn, given, "on")


def cancel_in(values: dict[str, object]) -> CancelIn:
    return parsed(CancelIn, {"reason": values.get("reason") or ""}, "reason")


def interval_in(values: dict[str, object]) -> ChaseIntervalIn:
    raw = values.get("chase_days")
    given: dict[str, object] = {"chase_days": None if raw in ("", None) else raw}
    return parsed(ChaseIntervalIn, _ints(given), "chase_days")


def settings_in(values: dict[str, object]) -> AgencySettingsIn:
    given = {k: v for k, v in values.items() if k in AgencySettingsIn.model_fields}
    given.setdefault("escalate_after", "")
    given.setdefault("default_chase_days", "")
    return parsed(AgencySettingsIn, _ints(given), "escalate_after")
