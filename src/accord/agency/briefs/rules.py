"""Briefs as pure rules: the states and the moves between them (one table, ``TRANSITIONS``,
the same as docs/briefs.md), who makes each move (the account side or the department side),
and the checks of what a brief holds.

- States: ``draft`` → ``sent`` → ``accepted`` → ``in_progress`` → ``delivered`` →
  ``approved``; ``delivered`` → ``in_progress`` again on a request for changes (a round);
  any open state → ``cancelled`` (with a reason). ``approved`` and ``cancelled`` are closed.
- On accepting, the department may propose another due date (with a reason); the account
  side agrees (the due date becomes the proposal, the original is kept) or declines it (with
  a reason); the state does not change.
- Checks: a title of 1-200 characters on one line; sections only of the department's
  template, each at most 5,000 characters; at most 20 attachments, each a name of 1-200
  characters and an http(s) link of at most 2,000; a priority; hours above 0 and at most
  10,000 with at most two decimals; a due date not before today and on a working day of the
  department's calendar (else the nearest working days are named); an approval with
  unchecked checklist items needs a reason.

Standard library only (and the pure working-day rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

# the brief's states and the late rule live in ``agency.rules``, re-exported here
from accord.agency.rules import CLOSED_STATES as CLOSED_STATES
from accord.agency.rules import LATE_STATES as LATE_STATES
from accord.agency.rules import OPEN_STATES as OPEN_STATES
from accord.agency.rules import SENT_STATES as SENT_STATES
from accord.agency.rules import STATES as STATES
from accord.agency.rules import is_late as is_late
from accord.agency.rules import nearest_working_days
from accord.agency.rules import was_sent as was_sent
from accord.core.errors import FieldProblem
from accord.core.text import LINE_MESSAGE, MESSAGE, refused_character
from accord.core.workdays import FIRST_YEAR, LAST_YEAR, WEEKDAY_NAMES, WorkCalendar, is_working_day

STATE_LABELS = {"draft": "Draft", "sent": "Sent", "accepted": "Accepted",
                "in_progress": "In progress", "delivered": "Delivered",
                "approved": "Approved", "cancelled": "Cancelled"}
PRIORITIES = ("low", "normal", "high", "urgent")
SIDES = ("account", "department")

#: action → (the states it starts from, the state it leads to (None: unchanged), who acts)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "create": ((), "draft", "account"),
    "send": (("draft",), "sent", "account"),
    "accept": (("sent",), "accepted", "department"),
    "agree_date": (("accepted", "in_progress"), None, "account"),
    "decline_date": (("accepted", "in_progress"), None, "account"),
    "start": (("accepted",), "in_progress", "department"),
    "deliver": (("in_progress",), "delivered", "department"),
    "request_changes": (("delivered",), "in_progress", "account"),
    "approve": (("delivered",), "approved", "account"),
    "cancel": (OPEN_STATES, "cancelled", "account"),
}
#: the moves on a pending proposed due date (only while one is pending)
DATE_ACTIONS = ("agree_date", "decline_date")
ACTION_LABELS = {"create": "Created", "send": "Send", "accept": "Accept",
                 "agree_date": "Agree the proposed date", "decline_date": "Decline the date",
                 "start": "Start", "deliver": "Deliver", "request_changes": "Request changes",
                 "approve": "Approve", "cancel": "Cancel",
                 # not a move: logged when a delivery comes while a proposal is pending
                 "proposal_lapsed": "Proposed date lapsed at delivery"}

MAX_TITLE = 200
MAX_SECTION = 5000
MAX_SECTIONS = 50
MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_NAME = 200
MAX_URL = 2000
MAX_REASON = 2000
MAX_HOURS = Decimal("10000")
MAX_CHECKS = 100


class RuleError(ValueError):
    """Input that breaks a rule; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def problem(self) -> FieldProblem:
        return FieldProblem(self.field, str(self))


class MoveRefused(ValueError):
    """A move the brief's state does not allow (a 409 at the doors)."""


def is_open(status: str) -> bool:
    return status in OPEN_STATES


def side_of(action: str) -> str:
    return TRANSITIONS[action][2]


def target(action: str, status: str) -> str:
    """The state ``action`` leads to from ``status`` (its own for a date move)."""
    to = TRANSITIONS[action][1]
    return status if to is None else to


def check_move(action: str, status: str, has_proposal: bool = False) -> str:
    """The state after ``action`` from ``status``; MoveRefused when the table forbids it."""
    if action not in TRANSITIONS or action == "create":
        raise MoveRefused(f"no action {action!r}")
    sources, _to, _side = TRANSITIONS[action]
    label = STATE_LABELS.get(status, status).lower()
    if status not in sources:
        if status in CLOSED_STATES:
            raise MoveRefused(f"the brief is {label}: it is closed")
        allowed = ", ".join(s.replace("_", " ") for s in sources)
        raise MoveRefused(f"a {label} brief cannot be {_past(action)} (only a brief that is "
                          f"{allowed})")
    if action in DATE_ACTIONS and not has_proposal:
        raise MoveRefused("the department proposed no other due date")
    return target(action, status)


def _past(action: str) -> str:
    return {"send": "sent", "accept": "accepted", "agree_date": "given the proposed date",
            "decline_date": "refused the proposed date", "start": "started",
            "deliver": "delivered", "request_changes": "sent back for changes",
            "approve": "approved", "cancel": "cancelled"}.get(action, action)


def allowed_actions(status: str, side: str, has_proposal: bool) -> list[str]:
    """The actions ``side`` may take on a brief in ``status`` (table order)."""
    out = []
    for action, (sources, _to, who) in TRANSITIONS.items():
        if action == "create" or who != side or status not in sources:
            continue
        if action in DATE_ACTIONS and not has_proposal:
            continue
        out.append(action)
    return out


# ---------------------------------------------------------------- what a brief holds


def check_title(title: str | None) -> str:
    text = (title or "").strip()
    if not text:
        raise RuleError("title", "give the brief a title")
    if len(text) > MAX_TITLE:
        raise RuleError("title", f"at most {MAX_TITLE} characters")
    if refused_character(text, one_line=True):
        raise RuleError("title", LINE_MESSAGE)
    return text


def check_sections(given: Mapping[str, Any] | None, template: Sequence[Mapping[str, Any]],
                   department: str) -> tuple[dict[str, str], list[FieldProblem]]:
    """The sections kept (trimmed, blank ones left out) and the problems: keys outside the
    department's template, text over ``MAX_SECTION`` characters or with control characters."""
    keys = [str(s.get("key")) for s in template]
    kept: dict[str, str] = {}
    problems: list[FieldProblem] = []
    items = list((given or {}).items())
    if len(items) > MAX_SECTIONS:
        return {}, [FieldProblem("sections", f"at most {MAX_SECTIONS} sections")]
    for key, value in items:
        name = str(key)[:60]
        if key not in keys:
            problems.append(FieldProblem("sections", f"no section {name!r} in the template of "
                                         f"{department}" + (f" ({', '.join(keys)})" if keys
                                                            else " (it has none)")))
            continue
        if not isinstance(value, str):
            problems.append(FieldProblem(f"sections.{key}", "must be text"))
            continue
        text = value.strip()
        if len(text) > MAX_SECTION:
            problems.append(FieldProblem(f"sections.{key}", f"at most {MAX_SECTION} characters"))
        elif refused_character(text):
            problems.append(FieldProblem(f"sections.{key}", MESSAGE))
        elif text:
            kept[key] = text
    return kept, problems


def check_attachments(given: Sequence[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    """Attachments as ``[{"name", "url"}]``: at most 20, a name of 1-200 characters, an
    http(s) link of at most 2,000."""
    items = list(given or [])
    if len(items) > MAX_ATTACHMENTS:
        raise RuleError("attachments", f"at most {MAX_ATTACHMENTS} attachments")
    out = []
    for number, item in enumerate(items, start=1):
        name = str(item.get("name") or "").strip()
        url = str(item.get("url") or "").strip()
        where = f"attachment {number}"
        if not name:
            raise RuleError("attachments", f"{where}: give it a name")
        if len(name) > MAX_ATTACHMENT_NAME or refused_character(name, one_line=True):
            raise RuleError("attachments", f"{where}: a name of at most "
                            f"{MAX_ATTACHMENT_NAME} characters on one line")
        scheme, _sep, rest = url.partition("://")
        if scheme.lower() not in ("http", "https") or not rest:
            raise RuleError("attachments", f"{where}: a link starting with http:// or https://")
        if len(url) > MAX_URL or refused_character(url, one_line=True) or " " in url:
            raise RuleError("attachments", f"{where}: a link of at most {MAX_URL} characters "
                            "without spaces")
        out.append({"name": name, "url": url})
    return out


def check_priority(priority: str | None) -> str:
    value = (priority or "normal").strip()
    if value not in PRIORITIES:
        raise RuleError("priority", "one of " + ", ".join(PRIORITIES))
    return value


def check_hours(field: str, hours: Decimal | str | None) -> Decimal | None:
    """Hours of effort: above 0, at most 10,000, at most two decimals (None: not given)."""
    if hours is None or hours == "":
        return None
    try:
        value = Decimal(str(hours).strip())
    except InvalidOperation:
        raise RuleError(field, "a number of hours, such as 12.5") from None
    if not value.is_finite():
        raise RuleError(field, "a number of hours, such as 12.5")
    if not Decimal(0) < value <= MAX_HOURS:
        raise RuleError(field, f"more than 0 and at most {MAX_HOURS:,} hours")
    if value != value.quantize(Decimal("0.01")):
        raise RuleError(field, "at most two decimals")
    return value.quantize(Decimal("0.01"))


def check_reason(reason: str | None, what: str, *, required: bool = True) -> str | None:
    text = (reason or "").strip()
    if not text:
        if required:
            raise RuleError("reason", f"say why {what}")
        return None
    if len(text) > MAX_REASON:
        raise RuleError("reason", f"at most {MAX_REASON} characters")
    if refused_character(text):
        raise RuleError("reason", MESSAGE)
    return text


def check_due(field: str, day: date, today: date, cal: WorkCalendar, department: str,
              holiday_names: Mapping[date, str] | None = None) -> date:
    """A due date: within the years, not before ``today``, on a working day of the
    department's calendar — else a RuleError naming the day off and the nearest working
    days."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise RuleError(field, f"the year must be {FIRST_YEAR}-{LAST_YEAR}")
    if day < today:
        raise RuleError(field, f"a due date before today ({today.isoformat()})")
    if not is_working_day(cal, day):
        why = (holiday_names or {}).get(day) or (
            "a holiday" if day in cal.holidays else WEEKDAY_NAMES[day.weekday()])
        before, after = nearest_working_days(cal, day)
        choices = f"{before.isoformat()} or {after.isoformat()}" if before >= today \
            else after.isoformat()
        raise RuleError(field, f"{day.isoformat()} is a day off for {department} ({why}): "
                        f"choose {choices}")
    return day


def check_checks(given: Mapping[str, Any] | None, items: Sequence[Mapping[str, Any]]
                 ) -> tuple[dict[str, bool], list[str]]:
    """The checklist as completed (every item, True or False) and the labels of the items
    left unchecked; RuleError on ``checks`` for a key the checklist does not hold."""
    keys = [str(i.get("key")) for i in items]
    given = dict(given or {})
    if len(given) > MAX_CHECKS:
        raise RuleError("checks", f"at most {MAX_CHECKS} items")
    unknown = [str(k)[:60] for k in given if k not in keys]
    if unknown:
        raise RuleError("checks", "not on the checklist: " + ", ".join(unknown[:5]))
    done = {k: given.get(k) is True for k in keys}
    unchecked = [str(i.get("label") or i.get("key")) for i in items if not done[str(i.get("key"))]]
    return done, unchecked


def check_approval(unchecked: Sequence[str], reason: str | None) -> str | None:
    """An approval's note: required when checklist items are left unchecked."""
    if unchecked and not (reason or "").strip():
        raise RuleError("reason", f"{len(unchecked)} checklist item"
                        f"{'s are' if len(unchecked) > 1 else ' is'} not checked ("
                        + ", ".join(unchecked[:5]) + "): say why you approve anyway")
    return check_reason(reason, "", required=False)
