"""Client inputs as pure rules: what a request may say, its chase interval and schedule,
whether the next chase goes to the owner or is escalated to the head, the drafted e-mail and
its ``mailto:`` link, and "overdue".

- A request: a title of 1-200 characters on one line, a reason of at most 2000 characters,
  a due date not before today (years ``FIRST_YEAR``-``LAST_YEAR``), a chase interval of
  1-260 working days (or none: the account's default, else the setting's).
- The chase interval: the request's, else the account's agreed default, else the agency
  setting's ``default_chase_days`` (``resolve_chase_days``).
- The schedule: the first chase is ``chase_days`` working days after the request was made
  (``first_chase_on``), each next one ``chase_days`` working days after the previous one
  was due (``next_chase_on``) — always working days of the company calendar.
- Escalation: with ``escalate_after`` = N, chases 1..N go to the owner; the (N+1)-th chase
  without an answer is escalated to the head instead, and chasing stops (``decide``).
- Overdue: open and due before today.

Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from accord.agency.rules import MAX_CHASE_DAYS
from accord.core.errors import FieldProblem
from accord.core.text import refused_character
from accord.core.workdays import WorkCalendar, add_working_days

STATES = ("open", "received", "cancelled")
STATE_LABELS = {"open": "Open", "received": "Received", "cancelled": "Cancelled"}
CHASE_STATES = ("due", "sent", "closed")
MIN_CHASE_DAYS = 1
MAX_TITLE = 200
MAX_REASON = 2000
MAX_NOTE = 2000
FIRST_YEAR, LAST_YEAR = 1900, 2199
#: the follow-ups' source kind of a chase (and of an escalation)
SOURCE_KIND = "input_request"
CHASE = "chase"
ESCALATE = "escalate"

__all__ = ["MAX_CHASE_DAYS"]


class RuleError(ValueError):
    """Input that breaks a rule; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def problem(self) -> FieldProblem:
        return FieldProblem(self.field, str(self))


# ---------------------------------------------------------------- validation


def check_title(title: str | None) -> str:
    """The title trimmed: 1-200 characters on one line."""
    text = (title or "").strip()
    if not text:
        raise RuleError("title", "say what the client is to give")
    if len(text) > MAX_TITLE:
        raise RuleError("title", f"at most {MAX_TITLE} characters")
    if refused_character(text, one_line=True):
        raise RuleError("title", "must be one line without control characters")
    return text


def check_text(field: str, text: str | None, limit: int = MAX_REASON) -> str:
    """Free text (a reason, a note): at most ``limit`` characters, no control characters
    but line breaks."""
    value = (text or "").strip()
    if len(value) > limit:
        raise RuleError(field, f"at most {limit} characters")
    if refused_character(value):
        raise RuleError(field, "must not hold control characters")
    return value


def check_required_text(field: str, text: str | None, what: str) -> str:
    """Free text that must be given (a cancellation's reason)."""
    value = check_text(field, text)
    if not value:
        raise RuleError(field, what)
    return value


def check_year(field: str, day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise RuleError(field, f"the year must be {FIRST_YEAR}-{LAST_YEAR}")


def check_due(due_on: date | None, today: date) -> date:
    """The due date: given, within the years, not before today."""
    if due_on is None:
        raise RuleError("due_on", "give the date the input is due")
    check_year("due_on", due_on)
    if due_on < today:
        raise RuleError("due_on", f"a due date before today ({today.isoformat()}) is not "
                        "allowed")
    return due_on


def check_chase_days(days: int | None, field: str = "chase_days") -> int | None:
    """A chase interval: None (the default applies) or 1-260 working days."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) \
            or not MIN_CHASE_DAYS <= days <= MAX_CHASE_DAYS:
        raise RuleError(field, f"a chase interval is {MIN_CHASE_DAYS} to {MAX_CHASE_DAYS} "
                        "working days")
    return days


def check_closed_on(on: date, requested_on: date, today: date, field: str = "on") -> date:
    """The day an input came (or was given up): not before the request, not after today."""
    check_year(field, on)
    if on < requested_on:
        raise RuleError(field, f"not before the request ({requested_on.isoformat()})")
    if on > today:
        raise RuleError(field, f"not after today ({today.isoformat()})")
    return on


# ---------------------------------------------------------------- the schedule


def resolve_chase_days(request_days: int | None, account_days: int | None,
                       policy_days: int) -> int:
    """The interval a request is chased at: its own, else its account's, else the
    setting's."""
    if request_days is not None:
        return request_days
    if account_days is not None:
        return account_days
    return policy_days


def chase_source(request_days: int | None, account_days: int | None) -> str:
    """Where the interval comes from: ``request``, ``account`` or ``setting``."""
    if request_days is not None:
        return "request"
    return "account" if account_days is not None else "setting"


def first_chase_on(cal: WorkCalendar, requested_on: date, chase_days: int) -> date:
    """The first chase: ``chase_days`` working days after the request was made."""
    return add_working_days(cal, requested_on, chase_days)


def next_chase_on(cal: WorkCalendar, previous_due: date, chase_days: int) -> date:
    """The next chase: ``chase_days`` working days after the previous one was due."""
    return add_working_days(cal, previous_due, chase_days)


def schedule(cal: WorkCalendar, requested_on: date, chase_days: int, count: int) -> list[date]:
    """The first ``count`` chase dates of a request made on ``requested_on``."""
    out: list[date] = []
    day = requested_on
    for _ in range(count):
        day = add_working_days(cal, day, chase_days)
        out.append(day)
    return out


def decide(chases_so_far: int, escalate_after: int) -> str:
    """``chase`` while fewer than ``escalate_after`` chases went unanswered; the next one
    (the (N+1)-th) is ``escalate``: it goes to the head instead."""
    return CHASE if chases_so_far < escalate_after else ESCALATE


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """Open and due before today."""
    return status == "open" and due_on < today


# ---------------------------------------------------------------- the drafted e-mail


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def draft_email(*, title: str, due_on: date, number: int, contact_name: str | None,
                brief_title: str | None, reason: str, sender_name: str | None,
                account_name: str) -> Draft:
    """The chase e-mail: polite, naming the input, its due date, the brief it blocks and
    which reminder this is."""
    overdue_word = "reminder" if number > 1 else "quick reminder"
    subject = f"Reminder: {title} (due {due_on.isoformat()})"
    if number > 1:
        subject += f" — {_ordinal(number)} reminder"
    greeting = f"Dear {contact_name}," if contact_name else "Hello,"
    lines = [greeting, "",
             f"This is a {overdue_word} ({_ordinal(number)}) about {title}, which we asked "
             f"for and need by {due_on.isoformat()}."]
    if brief_title:
        lines.append(f"It is what our work on \"{brief_title}\" is waiting for, so the sooner "
                     "we have it the sooner we can deliver.")
    if reason:
        lines += ["", f"Why we need it: {reason}"]
    lines += ["", "Could you send it, or let us know when we may expect it? If anything is "
              "unclear, just reply to this e-mail.", "", "Thank you and kind regards,"]
    lines.append(sender_name or f"Your team at {account_name}'s agency")
    return Draft(subject=subject, body="\n".join(lines))


def _encode(text: str) -> str:
    # RFC 6068: percent-encode UTF-8; line breaks as CRLF (%0D%0A); spaces as %20
    return quote(text.replace("\r\n", "\n").replace("\n", "\r\n"), safe="")


def mailto_url(to: str | None, subject: str, body: str) -> str:
    """A ``mailto:`` URL (RFC 6068) opening the draft in the user's mail client."""
    address = quote(to or "", safe="@!$'()*+,;:")
    return f"mailto:{address}?subject={_encode(subject)}&body={_encode(body)}"
