"""Request and response shapes of hand-offs (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from accord.core.schemas import Id, SettingInt
from accord.handoffs.rules import (
    KEY_PATTERN,
    MAX_ANSWER,
    MAX_HINT,
    MAX_ITEMS,
    MAX_LABEL,
    MAX_REASON,
    AnswerKind,
    HandoffKind,
)

#: the boxes of the hand-off lists
BOXES = ("waiting", "mine", "overdue", "returned", "all")
#: list orders: by deadline (the default), newest first, by account name
SORTS = ("due_on", "-due_on", "-created_at", "account")
MAX_PAGE_SIZE = 200

ItemKey = Annotated[str, Field(pattern=KEY_PATTERN, max_length=40)]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class HandoffCreate(_In):
    """A new hand-off of an account: from sales (default) or between managers. The receiver
    is the account's responsible manager."""

    kind: HandoffKind = HandoffKind.SALES


class ItemAnswer(_In):
    """The answer to one checklist item: ``kind`` says which evidence it carries (``text`` for
    text, a file name or a link; ``contact_id``; ``interaction_id``, each with an optional note
    in ``text``), or ``not_applicable`` with a ``reason``. No kind clears the item."""

    kind: AnswerKind | None = None
    text: Annotated[str, Field(max_length=MAX_ANSWER)] | None = None
    contact_id: Id | None = None
    interaction_id: Id | None = None
    reason: Annotated[str, Field(max_length=MAX_REASON)] | None = None


class ReturnIn(_In):
    """Returning a submitted hand-off to its author: why (required)."""

    reason: Reason


class HandoffItemOut(BaseModel):
    key: str
    label: str
    required: bool
    position: int
    hint: str | None = None
    answer_kind: str | None = None
    text: str | None = None
    contact_id: int | None = None
    contact_name: str | None = None
    interaction_id: int | None = None
    interaction_summary: str | None = None
    reason: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None


class HandoffEventOut(BaseModel):
    at: datetime
    by: str | None
    from_state: str | None
    to_state: str
    reason: str | None


class HandoffOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    account_status: str
    kind: str
    state: str
    author_id: int | None
    author_name: str | None = None
    receiver_id: int | None
    receiver_name: str | None = None
    from_manager_id: int | None = None
    from_manager_name: str | None = None
    created_at: datetime
    submitted_at: datetime | None = None
    due_on: date | None = None
    accepted_at: datetime | None = None
    accepted_by_id: int | None = None
    accepted_by_name: str | None = None
    returned_at: datetime | None = None
    return_reason: str | None = None
    #: kept at acceptance: share of items answered with evidence rather than "not applicable"
    quality: Decimal | None = None
    #: answered required items ÷ required items
    completeness: Decimal
    overdue: bool
    #: the keys of the required items not answered yet
    missing: list[str] = []
    #: what the caller may do now: ``answer``, ``submit``, ``accept``, ``return``
    allowed: list[str] = []
    #: the caller sees the account itself (not only their hand-off)
    account_visible: bool = True
    items: list[HandoffItemOut] = []
    events: list[HandoffEventOut] = []
    #: raised by every change; send it back (``If-Match``, a form field) to refuse stale saves
    version: int = 1


class HandoffRow(BaseModel):
    id: int
    account_id: int
    account_name: str
    kind: str
    state: str
    author_id: int | None
    author_name: str | None = None
    receiver_id: int | None
    receiver_name: str | None = None
    created_at: datetime
    submitted_at: datetime | None = None
    due_on: date | None = None
    overdue: bool
    return_reason: str | None = None
    quality: Decimal | None = None


class HandoffPage(BaseModel):
    box: str
    items: list[HandoffRow]
    total: int
    page: int
    page_size: int
    pages: int


class ChecklistItemIn(_In):
    key: ItemKey
    label: Annotated[str, Field(min_length=1, max_length=MAX_LABEL)]
    required: bool = True
    hint: Annotated[str, Field(max_length=MAX_HINT)] | None = None


class ChecklistIn(_In):
    """A whole checklist template (replaces the stored one)."""

    items: Annotated[list[ChecklistItemIn], Field(min_length=1, max_length=MAX_ITEMS)]

    def given(self) -> dict[str, object]:
        return {
            "items": [
                {**item.model_dump(), "hint": item.hint or ""} for item in self.items
            ]
        }


class ChecklistItemOut(BaseModel):
    key: str
    label: str
    required: bool
    hint: str


class ChecklistOut(BaseModel):
    kind: str
    items: list[ChecklistItemOut]
    #: 0 while the defaults apply; send it back (``If-Match``) to refuse stale saves
    version: int


class HandoffSettingsIn(BaseModel):
    """A change to the hand-off settings: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    deadline_working_days: SettingInt | None = None

    def given(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True, exclude_none=True)
