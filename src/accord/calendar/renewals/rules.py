"""Renewals as pure rules: the notice deadline, the reminder date and the notice window of
an account's client contract, and the renewals policy.

- Notice deadline = contract end − notice days (no notice period given: 0 days, the
  deadline is the contract end itself).
- Reminder date = notice deadline − the policy's lead days (default 30, 0–365).
- In the notice window: reminder date ≤ today ≤ contract end. The reminder (and the renewal
  opportunity) falls due on the reminder date and stays due until the contract ends.
- A subscription (``accord.licences``) renews the same way with its own dates: the end of
  its current term (``end_on``) and its notice days; only a running one (``trial`` or
  ``active``) is in its window (``subscription_in_window``), whether it renews itself or
  not.
- State: ``upcoming`` (before the reminder date), ``due`` (in the window, the notice deadline
  not passed), ``notice_passed`` (in the window, past the notice deadline), ``ended`` (after
  the contract end); ``none`` without a contract end date.

Standard library and the typed policy base only; ``today`` is always passed in.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, ClassVar

from pydantic import Field

from accord.core.periods import notice_deadline
from accord.core.policy import Policy

DEFAULT_LEAD_DAYS = 30
MAX_LEAD_DAYS = 365
MAX_NOTICE_DAYS = 3650
STATES = ("upcoming", "due", "notice_passed", "ended")
WINDOW_STATES = ("due", "notice_passed")
STATE_LABELS = {"none": "No contract end", "upcoming": "Upcoming", "due": "Due",
                "notice_passed": "Notice deadline passed", "ended": "Ended"}
#: the subscription states whose renewal is still to decide
RUNNING = ("trial", "active")
#: what the renewals list shows: the notice window (default), every contract not yet
#: ended, or every contract end date
SCOPES = ("window", "upcoming", "all")


class RenewalsPolicy(Policy):
    """The renewals setting (``renewals``): how many days before the notice deadline the
    reminder falls due."""

    KIND: ClassVar[str] = "renewals"

    lead_days: Annotated[int, Field(strict=True, ge=0, le=MAX_LEAD_DAYS)] = DEFAULT_LEAD_DAYS


def reminder_on(contract_end_on: date, notice_days: int | None, lead_days: int) -> date:
    """The day the renewal reminder falls due: notice deadline − lead days."""
    return notice_deadline(contract_end_on, notice_days) - timedelta(days=lead_days)


def in_window(contract_end_on: date | None, notice_days: int | None, lead_days: int,
              today: date) -> bool:
    """Reminder date ≤ today ≤ contract end."""
    if contract_end_on is None:
        return False
    return reminder_on(contract_end_on, notice_days, lead_days) <= today <= contract_end_on


def subscription_in_window(status: str, end_on: date, notice_days: int, lead_days: int,
                           today: date) -> bool:
    """A running subscription whose reminder date ≤ today ≤ the end of its term."""
    return status in RUNNING and in_window(end_on, notice_days, lead_days, today)


def state(contract_end_on: date | None, notice_days: int | None, lead_days: int,
          today: date) -> str:
    """``none``, ``upcoming``, ``due``, ``notice_passed`` or ``ended`` (see the module)."""
    if contract_end_on is None:
        return "none"
    if today > contract_end_on:
        return "ended"
    if today < reminder_on(contract_end_on, notice_days, lead_days):
        return "upcoming"
    if today <= notice_deadline(contract_end_on, notice_days):
        return "due"
    return "notice_passed"


def opportunity_title(contract_end_on: date) -> str:
    """The renewal opportunity's title."""
    return f"Renewal {contract_end_on.isoformat()}"


def subscription_opportunity_title(service: str, end_on: date) -> str:
    """A subscription's renewal opportunity's title."""
    return f"Renewal {service[:150]} {end_on.isoformat()}"


def follow_up_title(deadline: date) -> str:
    """The manager's follow-up's title."""
    return f"Renewal notice deadline {deadline.isoformat()}"
