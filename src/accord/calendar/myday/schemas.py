"""What "My day", the calendar view and the overdue list answer (the API's JSON, the pages'
context, the command's output)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

#: the kinds of item My day, the calendar and the overdue list show
KINDS = ("follow_up", "plan_action", "handoff", "review", "event", "renewal", "at_risk")
#: the kinds the overdue list holds (things with a date that has passed)
OVERDUE_KINDS = ("follow_up", "plan_action", "handoff")
#: the sections of My day, in the order they are shown
SECTIONS = ("due_today", "overdue", "reviews_this_week", "renewals", "handoffs_waiting",
            "plan_actions_waiting", "at_risk")
SECTION_TITLES = {
    "due_today": "Due today", "overdue": "Overdue", "reviews_this_week":
    "Business reviews this week", "renewals": "Renewals in the notice window",
    "handoffs_waiting": "Hand-offs waiting", "plan_actions_waiting": "Plan actions waiting",
    "at_risk": "Accounts at risk",
}


class ItemAction(BaseModel):
    """One click that makes the item done (or moves it): a form ``method`` to ``url`` with
    ``fields`` (a page adds its CSRF token)."""

    label: str
    url: str
    method: str = "post"
    fields: dict[str, str] = Field(default_factory=dict)


class MyDayItem(BaseModel):
    kind: str
    #: the item's own id (a follow-up, a plan action, a hand-off, an event); None for an account
    id: int | None = None
    account_id: int
    account_name: str
    title: str
    due_on: date | None = None
    #: the instant it is due or starts (UTC), where it has a time
    at: datetime | None = None
    #: ``at`` as wall-clock time in the user's time zone ("09:30"), where it has a time
    time: str = ""
    owner_name: str | None = None
    #: where the item is read
    url: str
    #: one-click actions (done, snooze…), where they exist
    actions: list[ItemAction] = Field(default_factory=list)
    #: a short word on its state ("snoozed", "red health", "neglected cadence", "overdue")
    note: str = ""


class Section(BaseModel):
    name: str
    title: str
    items: list[MyDayItem] = Field(default_factory=list)
    #: all the items of the section (``items`` holds the first ``limit``)
    total: int = 0
    #: the full list, when ``total`` passes what is shown
    more_url: str | None = None


class Person(BaseModel):
    id: int | None
    name: str


class MyDay(BaseModel):
    day: date
    #: whose day it is: the asking user
    user: Person
    #: the manager chosen (heads and admins), None: everything the user sees
    manager: Person | None = None
    due_today: Section
    overdue: Section
    reviews_this_week: Section
    renewals: Section
    handoffs_waiting: Section
    plan_actions_waiting: Section
    at_risk: Section

    def sections(self) -> list[Section]:
        return [getattr(self, name) for name in SECTIONS]

    def count(self) -> int:
        """Every item of every section (not only those shown)."""
        return sum(s.total for s in self.sections())


class CalendarDay(BaseModel):
    day: date
    in_month: bool = True
    is_today: bool = False
    items: list[MyDayItem] = Field(default_factory=list)


class CalendarOut(BaseModel):
    view: str
    day: date
    start: date
    end: date
    time_zone: str
    title: str
    prev_day: date
    next_day: date
    weeks: list[list[CalendarDay]]


class CalendarWindow(BaseModel):
    """The items of a window (the API): events and due items, in the user's time zone."""

    start: date
    end: date
    time_zone: str
    items: list[MyDayItem]


class OverduePage(BaseModel):
    day: date
    items: list[MyDayItem]
    total: int
    page: int
    page_size: int
    pages: int
