"""The rules of hand-offs, pure: states and their transitions, checklist templates (typed
policies), completeness, quality, missing items and the overdue flag.

A hand-off moves ``draft`` → ``submitted`` (every required item answered) → ``accepted`` by
the receiving manager, or ``returned`` with a reason; a returned hand-off is edited and
submitted again. Items are answered with evidence (text, a contact, an interaction, a file
name, a link) or marked not applicable with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from accord.core.errors import FieldProblem
from accord.core.policy import Policy


class HandoffKind(StrEnum):
    SALES = "sales"
    MANAGER = "manager"


class HandoffState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class AnswerKind(StrEnum):
    TEXT = "text"
    CONTACT = "contact"
    INTERACTION = "interaction"
    FILE = "file"
    LINK = "link"
    NOT_APPLICABLE = "not_applicable"


class Action(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"


#: (state, action) -> the state it leads to; nothing else moves a hand-off
TRANSITIONS: dict[tuple[HandoffState, Action], HandoffState] = {
    (HandoffState.DRAFT, Action.SUBMIT): HandoffState.SUBMITTED,
    (HandoffState.RETURNED, Action.SUBMIT): HandoffState.SUBMITTED,
    (HandoffState.SUBMITTED, Action.ACCEPT): HandoffState.ACCEPTED,
    (HandoffState.SUBMITTED, Action.RETURN): HandoffState.RETURNED,
}

#: states in which the author still edits the checklist
EDITABLE = frozenset({HandoffState.DRAFT, HandoffState.RETURNED})
#: states of a hand-off not yet accepted (an account has at most one of each kind)
OPEN = frozenset({HandoffState.DRAFT, HandoffState.SUBMITTED, HandoffState.RETURNED})

#: evidence kinds (anything but not applicable)
EVIDENCE = frozenset(AnswerKind) - {AnswerKind.NOT_APPLICABLE}

#: bounds of what people type
MAX_ANSWER = 4000
MAX_REASON = 2000
MAX_LABEL = 200
MAX_HINT = 500
MAX_ITEMS = 40
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
MAX_DEADLINE_DAYS = 250

_ONE = Decimal(1)
_PLACES = Decimal("0.0001")


def next_state(state: HandoffState | str, action: Action | str) -> HandoffState | None:
    """The state ``action`` leads to from ``state``; None when it is not allowed there."""
    return TRANSITIONS.get((HandoffState(state), Action(action)))


# ---------------------------------------------------------------- checklist templates


class ChecklistItem(BaseModel):
    """One item of a checklist template."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: Annotated[str, Field(pattern=KEY_PATTERN)]
    label: Annotated[str, Field(min_length=1, max_length=MAX_LABEL)]
    required: bool = True
    hint: Annotated[str, Field(max_length=MAX_HINT)] = ""


def _item(key: str, label: str, hint: str, required: bool = True) -> ChecklistItem:
    return ChecklistItem(key=key, label=label, required=required, hint=hint)


SALES_ITEMS: tuple[ChecklistItem, ...] = (
    _item("decision_makers", "Decision makers and their roles",
          "Who decides, who signs, who influences: a contact of the account or a note."),
    _item("sold_and_promised", "What was sold and promised",
          "Products, volumes, prices and every promise made during the sale."),
    _item("contract_term", "Contract term and renewal date",
          "Start, end, notice period; the contract file or a link to it."),
    _item("success_criteria", "Success criteria agreed with the client",
          "How the client will judge that the purchase worked."),
    _item("open_issues", "Open issues",
          "Anything unresolved at signature: discounts pending, legal points, integrations."),
    _item("billing_contact", "Billing contact",
          "Who receives invoices (a contact of the account)."),
    _item("first_review", "Date of the first review",
          "When the manager and the client first review the account together."),
)

MANAGER_ITEMS: tuple[ChecklistItem, ...] = (
    _item("open_issues", "Open issues",
          "Complaints, escalations, unpaid invoices, anything the client waits for."),
    _item("commitments", "Commitments in flight",
          "What was promised and is not yet delivered, with dates."),
    _item("key_people", "Key people and their mood",
          "Who matters at the client and how they feel about us."),
    _item("next_dates", "Next dates",
          "Renewals, reviews, meetings already planned."),
)


class ChecklistPolicy(Policy):
    """A checklist template: its items in order (keys unique)."""

    KIND = "checklist"

    items: Annotated[list[ChecklistItem], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=list
    )

    def problems(self) -> list[FieldProblem]:
        out: list[FieldProblem] = []
        if not self.items:
            out.append(FieldProblem("items", "a checklist needs at least one item"))
        seen: set[str] = set()
        for i, item in enumerate(self.items):
            if item.key in seen:
                out.append(FieldProblem(f"items.{i}.key", f"the key {item.key!r} is used twice"))
            seen.add(item.key)
        if self.items and not any(item.required for item in self.items):
            out.append(FieldProblem("items", "at least one item must be required"))
        return out


class SalesChecklistPolicy(ChecklistPolicy):
    """The checklist of a hand-off from sales (setting ``handoff_checklist_sales``)."""

    items: Annotated[list[ChecklistItem], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=lambda: list(SALES_ITEMS)
    )


class ManagerChecklistPolicy(ChecklistPolicy):
    """The checklist of a hand-off between managers (setting ``handoff_checklist_manager``)."""

    items: Annotated[list[ChecklistItem], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=lambda: list(MANAGER_ITEMS)
    )


CHECKLISTS: dict[HandoffKind, type[ChecklistPolicy]] = {
    HandoffKind.SALES: SalesChecklistPolicy,
    HandoffKind.MANAGER: ManagerChecklistPolicy,
}


def checklist_setting(kind: HandoffKind | str) -> str:
    """The name the checklist template of ``kind`` is stored under."""
    return f"handoff_checklist_{HandoffKind(kind).value}"


class HandoffsPolicy(Policy):
    """Hand-off settings (stored as ``handoffs``)."""

    KIND = "handoffs"

    #: the deadline: this many working days after submission (work calendar)
    deadline_working_days: Annotated[int, Field(strict=True, ge=0, le=MAX_DEADLINE_DAYS)] = 10


HANDOFFS_SETTING = "handoffs"


# ---------------------------------------------------------------- items


class ItemFacts(Protocol):
    """What the rules read of an item (a row or an output shape)."""

    @property
    def key(self) -> str: ...

    @property
    def required(self) -> bool: ...

    @property
    def answer_kind(self) -> str | None: ...


@dataclass(frozen=True)
class Item:
    """An item as the rules see it (tests and callers without rows)."""

    key: str
    required: bool
    answer_kind: str | None = None
    label: str = ""


def _ratio(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(_PLACES, rounding=ROUND_HALF_UP)


def completeness(items: Iterable[ItemFacts]) -> Decimal:
    """Answered required items ÷ required items (1 when nothing is required), 4 places."""
    required = [item for item in items if item.required]
    if not required:
        return _ONE
    answered = sum(1 for item in required if item.answer_kind)
    return _ratio(answered, len(required))


def quality(items: Iterable[ItemFacts]) -> Decimal | None:
    """The share of answered items answered with evidence rather than "not applicable",
    4 places; None when nothing is answered."""
    answered = [item.answer_kind for item in items if item.answer_kind]
    if not answered:
        return None
    evidence = sum(1 for kind in answered if kind != AnswerKind.NOT_APPLICABLE)
    return _ratio(evidence, len(answered))


def missing_required(items: Iterable[ItemFacts]) -> list[str]:
    """The keys of the required items not answered, in order."""
    return [item.key for item in items if item.required and not item.answer_kind]


def is_overdue(state: HandoffState | str | None, due_on: date | None, today: date) -> bool:
    """Submitted and past its deadline (the deadline day itself is not late)."""
    return state == HandoffState.SUBMITTED and due_on is not None and today > due_on


_LINK = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


def is_link(text: str) -> bool:
    """An http or https address (nothing else is a link: no javascript:, no file:)."""
    return bool(_LINK.match(text)) and len(text) <= MAX_ANSWER


def answer_problems(
    kind: AnswerKind | None,
    *,
    text: str | None,
    contact_id: int | None,
    interaction_id: int | None,
    reason: str | None,
) -> list[FieldProblem]:
    """What an answer lacks or carries that its kind does not take (None: clear the item)."""
    given = {
        "text": text not in (None, ""),
        "contact_id": contact_id is not None,
        "interaction_id": interaction_id is not None,
        "reason": reason not in (None, ""),
    }
    needs = {
        None: set(),
        AnswerKind.TEXT: {"text"},
        AnswerKind.FILE: {"text"},
        AnswerKind.LINK: {"text"},
        AnswerKind.CONTACT: {"contact_id"},
        AnswerKind.INTERACTION: {"interaction_id"},
        AnswerKind.NOT_APPLICABLE: {"reason"},
    }[kind]
    # a contact or an interaction may carry a note in ``text``
    allowed = needs | ({"text"} if kind in (AnswerKind.CONTACT, AnswerKind.INTERACTION) else set())
    out = [
        FieldProblem(name, f"required for an answer of kind {kind.value}")
        for name in sorted(needs)
        if kind is not None and not given[name]
    ]
    shown = kind.value if kind is not None else "none (clearing the item)"
    out += [
        FieldProblem(name, f"not taken by an answer of kind {shown}")
        for name, present in given.items()
        if present and name not in allowed
    ]
    if kind is AnswerKind.LINK and text and not is_link(text):
        out.append(FieldProblem("text", "a link is an http:// or https:// address"))
    if kind is AnswerKind.FILE and text and ("/" in text or "\\" in text):
        out.append(FieldProblem("text", "a file name, without folders"))
    return out
