"""Agency work's shared rules, pure: a brief's states (which are open, closed, can be late),
who sees a brief (``sees_brief``, the twin of ``access.brief_filter``), when a brief is late
(``is_late``, the twin of ``access.late_brief_sql``), a department's working-day calendar,
its "today", the default due date of a brief, and what a brief's first delivery records —
the working days it was blocked by client inputs, the due dates those extend, on time or
late, the turnaround.

The on-time rate (KPIS.md, "Brief on-time rate") is: briefs whose first delivery came on or
before the agreed due date extended by the working days the brief was blocked waiting for a
client input ÷ briefs delivered. ``first_delivery`` computes one brief's part of it when the
brief is delivered; ``agency.scorecard.queries`` sums the stored figures in SQL and
``tests/test_agency_on_time.py`` recomputes them from the transition log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from accord.core.workdays import (
    WorkCalendar,
    add_working_days,
    count_working_days,
    is_working_day,
)

#: a brief's states, in order (``briefs.rules.TRANSITIONS`` moves between them)
STATES = ("draft", "sent", "accepted", "in_progress", "delivered", "approved", "cancelled")
OPEN_STATES = ("draft", "sent", "accepted", "in_progress", "delivered")
CLOSED_STATES = ("approved", "cancelled")
#: open states in which a brief can be late (the department still owes its delivery)
LATE_STATES = ("sent", "accepted", "in_progress")
#: states only a brief that was sent reaches (a cancelled one may have been, or not)
SENT_STATES = ("sent", "accepted", "in_progress", "delivered", "approved")

#: the longest turnaround a department may set, and the longest chase interval (working days)
MAX_TURNAROUND = 365
MAX_CHASE_DAYS = 260


def is_late(status: str, due_on: date, today: date) -> bool:
    """Still owed by the department (sent, accepted, in progress) and due before ``today``
    (SQL: ``access.late_brief_sql``)."""
    return status in LATE_STATES and due_on < today


def was_sent(status: str, sent_on: date | None) -> bool:
    """The brief was sent to its department: in a state after sending, or cancelled after
    it was sent (SQL: ``access.was_sent_sql``)."""
    return status in SENT_STATES or (status == "cancelled" and sent_on is not None)


def sees_brief(*, sees_account: bool, in_department: bool, was_sent: bool) -> bool:
    """Who sees a brief (SQL: ``access.brief_filter``): whoever sees its account, and the
    members and lead of its department once it was sent — a brief never sent (a draft, or
    one cancelled while a draft) is the account side's alone."""
    return sees_account or (in_department and was_sent)


def department_in_reach(*, sees_accounts: bool, in_department: bool) -> bool:
    """Whether a caller may open a department's board (or scorecard): anyone who sees
    accounts (every role but specialist) may open any department's — they are shown only the
    briefs of their accounts there; a specialist only their own departments'."""
    return sees_accounts or in_department


def department_calendar(
    company: WorkCalendar, weekdays: Iterable[int] | None, holidays: Iterable[date]
) -> WorkCalendar:
    """The company calendar with the department's own working weekdays (None: the
    company's) and its own days off added to the company's holidays."""
    days = frozenset(weekdays) if weekdays is not None else company.weekdays
    return WorkCalendar(weekdays=days or company.weekdays,
                        holidays=company.holidays | frozenset(holidays))


def local_day(now: datetime, time_zone: str) -> date:
    """The date it is at ``now`` (aware, UTC) in ``time_zone`` (a department's)."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def default_due(cal: WorkCalendar, today: date, turnaround_days: int) -> date:
    """A brief's default due date: ``turnaround_days`` working days after ``today`` in the
    department's calendar (always a working day)."""
    return add_working_days(cal, today, turnaround_days)


def nearest_working_days(cal: WorkCalendar, day: date) -> tuple[date, date]:
    """The working days just before and just after ``day`` (for "choose … or …")."""
    before = day - timedelta(days=1)
    while not is_working_day(cal, before):
        before -= timedelta(days=1)
    return before, add_working_days(cal, day, 1)


def blocked_working_days(
    cal: WorkCalendar, sent_on: date, delivered_on: date,
    blocks: Iterable[tuple[date, date | None]],
) -> int:
    """The working days in (sent_on, delivered_on] during which the brief waited for a client
    input: each block is (requested on, received or cancelled on — None while still open);
    a block covers the days after its start up to and including its end, clipped to the
    brief's span; overlapping blocks count each day once."""
    spans = []
    for start, end in blocks:
        lo = max(start, sent_on)
        hi = min(end if end is not None else delivered_on, delivered_on)
        if hi > lo:
            spans.append((lo, hi))
    spans.sort()
    total, current_lo, current_hi = 0, None, None
    for lo, hi in spans:
        if current_hi is None or lo > current_hi:
            if current_hi is not None:
                total += count_working_days(cal, current_lo, current_hi)  # type: ignore[arg-type]
            current_lo, current_hi = lo, hi
        else:
            current_hi = max(current_hi, hi)
    if current_hi is not None:
        total += count_working_days(cal, current_lo, current_hi)  # type: ignore[arg-type]
    return total


@dataclass(frozen=True)
class FirstDelivery:
    """What a brief's first delivery records (the on-time rate's inputs)."""

    delivered_on: date
    blocked_days: int
    due_with_blocks_on: date  # the agreed due date + blocked working days
    original_with_blocks_on: date  # the original due date + blocked working days
    turnaround_days: int  # working days from sending to the first delivery

    @property
    def on_time(self) -> bool:
        return self.delivered_on <= self.due_with_blocks_on

    @property
    def on_time_original(self) -> bool:
        return self.delivered_on <= self.original_with_blocks_on


def first_delivery(
    cal: WorkCalendar, *, sent_on: date, delivered_on: date, due_on: date,
    original_due_on: date, blocks: Iterable[tuple[date, date | None]],
) -> FirstDelivery:
    """The figures recorded when a brief is first delivered on ``delivered_on``."""
    blocked = blocked_working_days(cal, sent_on, delivered_on, blocks)
    return FirstDelivery(
        delivered_on=delivered_on,
        blocked_days=blocked,
        due_with_blocks_on=add_working_days(cal, due_on, blocked),
        original_with_blocks_on=add_working_days(cal, original_due_on, blocked),
        turnaround_days=count_working_days(cal, sent_on, delivered_on),
    )


def on_time_rate(on_time: int, delivered: int) -> Decimal | None:
    """Briefs on time ÷ briefs delivered, to four places; None with nothing delivered."""
    if not delivered:
        return None
    return (Decimal(on_time) / Decimal(delivered)).quantize(Decimal("0.0001"))
