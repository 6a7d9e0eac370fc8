"""Request and response shapes of briefs (API, pages, CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.agency.briefs.rules import (
    MAX_ATTACHMENT_NAME,
    MAX_ATTACHMENTS,
    MAX_CHECKS,
    MAX_REASON,
    MAX_SECTION,
    MAX_SECTIONS,
    MAX_TITLE,
    MAX_URL,
)
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import StrictId

Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]
Key = Annotated[str, Field(min_length=1, max_length=40)]
SectionText = Annotated[str, Field(max_length=MAX_SECTION)]
Sections = Annotated[dict[Key, SectionText], Field(
    max_length=MAX_SECTIONS, description="The department's template sections, by key")]
Hours = Annotated[Decimal, Field(gt=0, le=10000, decimal_places=2, allow_inf_nan=False,
                                 description="Hours of effort (at most two decimals)")]
Priority = Literal["low", "normal", "high", "urgent"]
MAX_PAGE_SIZE = 200
SORTS = ("due", "-due", "priority", "updated")
BOARD_LIMIT = 50


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Attachment(_In):
    name: Annotated[str, Field(min_length=1, max_length=MAX_ATTACHMENT_NAME)]
    url: Annotated[str, Field(min_length=8, max_length=MAX_URL,
                              description="An http:// or https:// link")]


Attachments = Annotated[list[Attachment], Field(max_length=MAX_ATTACHMENTS)]


class BriefIn(_In):
    """A new brief (a draft) from an account to a department."""

    account_id: StrictId
    department_id: StrictId
    title: Title
    sections: Sections = Field(default_factory=dict)
    attachments: Attachments = Field(default_factory=list)
    deliverable_type: Key | None = None
    priority: Priority = "normal"
    due_on: Annotated[date | None, Field(
        description="A working day of the department, not before today; default: its "
        "turnaround in working days from today")] = None
    estimated_hours: Hours | None = None


class BriefPatch(_In):
    """Fields to change; ``due_on`` only while the brief is a draft."""

    title: Title | None = None
    sections: Sections | None = None
    attachments: Attachments | None = None
    deliverable_type: Key | None = None
    priority: Priority | None = None
    due_on: date | None = None
    estimated_hours: Hours | None = None


class AcceptIn(_In):
    proposed_due_on: Annotated[date | None, Field(
        description="Another due date the department proposes (a working day of its "
        "calendar); the account side agrees or declines it")] = None
    reason: Reason | None = None


class ReasonIn(_In):
    reason: Reason


class DeliverIn(_In):
    actual_hours: Hours | None = None
    note: Reason | None = None


class ApproveIn(_In):
    checks: Annotated[dict[Key, bool], Field(
        max_length=MAX_CHECKS, description="The deliverable's checklist: item key → done")
    ] = Field(default_factory=dict)
    reason: Reason | None = None


class AttachmentOut(BaseModel):
    name: str
    url: str


class SectionOut(BaseModel):
    key: str
    label: str
    hint: str = ""
    text: str = ""


class ChecklistItem(BaseModel):
    key: str
    label: str
    checked: bool = False


class TransitionOut(BaseModel):
    id: int
    action: str
    from_status: str | None
    to_status: str
    at: datetime
    on: date
    by: str | None
    reason: str | None
    due_on: date | None


class BriefOut(BaseModel):
    id: int
    #: the account's id and whether the caller sees the account (a specialist sees only its
    #: name: ``account_id`` is then None)
    account_id: int | None
    account_name: str
    sees_account: bool
    department_id: int
    department_name: str
    title: str
    sections: dict[str, str]
    attachments: list[AttachmentOut]
    deliverable_type: str | None
    priority: str
    status: str
    original_due_on: date
    due_on: date
    proposed_due_on: date | None
    proposed_reason: str | None
    late: bool
    blocked_since: date | None
    estimated_hours: Decimal | None
    actual_hours: Decimal | None
    rounds: int
    checks: dict[str, bool]
    approval_note: str | None
    cancel_reason: str | None
    sent_on: date | None
    first_delivered_on: date | None
    blocked_days: int | None
    due_with_blocks_on: date | None
    original_with_blocks_on: date | None
    turnaround_days: int | None
    approved_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int


class BriefDetail(BriefOut):
    template: list[SectionOut]
    checklist: list[ChecklistItem]
    transitions: list[TransitionOut]
    #: what the caller may do, as the account side and as the department side
    account_actions: list[str]
    department_actions: list[str]


class BriefPage(BaseModel):
    items: list[BriefOut]
    total: int
    page: int
    page_size: int


class Card(BaseModel):
    id: int
    title: str
    account_name: str
    due_on: date
    late: bool
    priority: str
    rounds: int
    blocked_since: date | None


class Column(BaseModel):
    status: str
    label: str
    total: int
    cards: list[Card]


class Board(BaseModel):
    department_id: int | None
    department_name: str | None
    #: the day "late" is judged on: the department's today when one is shown, else the caller's
    today: date
    columns: list[Column]


class Work(BaseModel):
    """An account's briefs on its Work tab: the first ``limit`` and how many there are."""

    items: list[BriefOut]
    total: int
    limit: int


@dataclass(frozen=True)
class Filters:
    """What a list (or the board) shows. ``status``: ``all`` (the default), ``open``,
    ``late`` or one state; ``q``: words of the title or the account's name."""

    today: date
    department_id: int | None = None
    account_id: int | None = None
    status: str = "all"
    priority: str | None = None
    q: str | None = None
    sort: str = "due"
    late: bool = False


# ---------------------------------------------------------------- from forms and the shell


def _problems(exc: ValidationError, default: str) -> list[FieldProblem]:
    out = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"]]
        field = ".".join(loc[:2]) if loc and loc[0] == "sections" and len(loc) > 1 \
            else (loc[0] if loc else default)
        out.append(FieldProblem(field, str(error["msg"]).removeprefix("Value error, ")))
    return out


M = TypeVar("M", bound=BaseModel)


def parsed(model: type[M], given: dict[str, object], default: str = "title") -> M:
    """``model`` from ``given``; a ValidationFailed naming the field otherwise."""
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed(_problems(exc, default)) from None


def _id(raw: object) -> object:
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 11:
        return int(raw.strip())
    return raw


def _blank_none(values: dict[str, object], keys: tuple[str, ...]) -> dict[str, object]:
    return {k: (None if values.get(k) in ("", None) else values[k]) for k in keys
            if k in values}


def brief_in(values: dict[str, object]) -> BriefIn:
    """A ``BriefIn`` from text typed in a form or on the command line (blank: left out)."""
    given = _blank_none(values, ("title", "deliverable_type", "priority", "due_on",
                                 "estimated_hours"))
    given = {k: v for k, v in given.items() if v is not None}
    given.setdefault("title", "")
    for key in ("account_id", "department_id"):
        given[key] = _id(values.get(key)) if values.get(key) not in ("", None) else 0
    given["sections"] = values.get("sections") or {}
    given["attachments"] = values.get("attachments") or []
    return parsed(BriefIn, given)


def brief_patch(values: dict[str, object]) -> BriefPatch:
    """A ``BriefPatch`` from an edit form: every field of the form is given."""
    given = _blank_none(values, ("title", "deliverable_type", "priority", "due_on",
                                 "estimated_hours"))
    if "title" in given and given["title"] is None:
        given["title"] = ""
    if "priority" in given and given["priority"] is None:
        given.pop("priority")
    for key in ("sections", "attachments"):
        if key in values:
            given[key] = values[key]
    return parsed(BriefPatch, given)
