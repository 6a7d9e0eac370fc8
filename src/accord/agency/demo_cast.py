"""The agency demo's cast and catalogue (``agency.demo``): the departments (time zones, days
off, turnarounds) with their specialist users, the deliverable types, the agency clients and
the words the briefs and the inputs are written with."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountContact
from accord.agency import access, rules
from accord.agency.models import (
    DeliverableType,
    Department,
    DepartmentHoliday,
    DepartmentMember,
)
from accord.core.database import utcnow
from accord.core.models import Team, User
from accord.core.work_calendar import work_calendar
from accord.core.workdays import WorkCalendar
from accord.plans.demo import key_accounts

AGENCY_SEGMENTS = ("Retail", "Technology", "Consumer")
#: name, time zone, working weekdays (None: the company's), turnaround, own days off
DEPARTMENTS: tuple[tuple[str, str, list[int] | None, int, tuple[tuple[int, int, str], ...]],
                  ...] = (
    ("Creative", "Europe/London", None, 8, ((8, 25, "Studio day off"),)),
    ("Media", "Europe/Paris", None, 5, ((5, 1, "Fête du Travail"), (7, 14, "Fête nationale"))),
    ("Production", "Europe/London", None, 10, ()),
    ("Copy", "Europe/London", None, 4, ()),
    ("SEO", "Europe/London", None, 6, ()),
    ("Analytics", "America/New_York", None, 5, ((7, 4, "Independence Day"),
                                               (11, 26, "Thanksgiving"))),
    ("PPC", "Europe/London", [0, 1, 2, 3, 4, 5], 3, ()),
    ("Usability", "Asia/Tokyo", None, 7, ((5, 3, "Constitution Memorial Day"),)),
)
TITLES = {
    "Creative": ("Spring campaign key visual", "Trade fair booth graphics", "Product launch video",
                 "Brand refresh moodboards", "Holiday social assets"),
    "Media": ("Q3 media plan", "Paid social flight", "Out-of-home buy", "Podcast sponsorship"),
    "Production": ("Catalogue print run", "Event signage", "Packaging mock-ups"),
    "Copy": ("Website product pages", "Newsletter series", "Press release"),
    "SEO": ("Category page audit", "Keyword map", "Technical SEO fixes"),
    "Analytics": ("Monthly performance report", "Attribution study", "Dashboard refresh"),
    "PPC": ("Search campaign restructure", "Shopping feed optimisation", "Brand terms bid plan"),
    "Usability": ("Checkout usability test", "Mobile navigation study", "Accessibility review"),
}
DELIVERABLE_OF = {"Media": "media_plan", "Analytics": "report", "Creative": "creative",
                  "Production": "creative", "PPC": "media_plan", "SEO": "report"}
INPUTS = ("Brand book", "Promo code", "Approval of the key visual", "Product photos",
          "Price list for the season", "Access to the analytics account", "Legal disclaimer")
REASONS = ("Client moved the launch", "Waiting for the printer's slot", "Scope grew: two more "
           "formats", "Holiday in the team")


def _templates() -> tuple[dict[str, Any], dict[str, Any]]:
    """The departments' default templates and the deliverable types (agency.departments)."""
    from accord.agency.departments import rules as department_rules

    return department_rules.DEFAULT_TEMPLATES, department_rules.DEFAULT_DELIVERABLES


def departments(session: Session, today: date, password_hash: str | None
                 ) -> list[tuple[Department, WorkCalendar]]:
    templates, deliverables = _templates()
    for key, value in deliverables.items():
        if session.get(DeliverableType, key) is None:
            session.add(DeliverableType(key=key, name=value["name"], items=list(value["items"])))
    now = utcnow()
    company = work_calendar(session)
    made = []
    for name, zone, weekdays, turnaround, days_off in DEPARTMENTS:
        sections = templates.get(name.lower()) or next(iter(templates.values()))
        people = []
        for n in (1, 2) if name in ("Creative", "Media") else (1,):
            person = User(email=f"{name.lower()}{n}@accord.demo", role="specialist",
                          name=f"{name} specialist {n}", password_hash=password_hash,
                          capacity=100, is_active=True, created_at=now, time_zone=zone)
            session.add(person)
            people.append(person)
        session.flush()
        department = Department(name=name, lead_id=people[0].id, time_zone=zone,
                                weekdays=weekdays, turnaround_days=turnaround,
                                sections=list(sections), is_active=True, created_at=now,
                                updated_at=now)
        session.add(department)
        session.flush()
        for person in people:
            session.add(DepartmentMember(department_id=department.id, user_id=person.id))
        holidays = []
        for year in (today.year - 1, today.year, today.year + 1):
            for month, day, label in days_off:
                holidays.append(date(year, month, day))
                session.add(DepartmentHoliday(department_id=department.id,
                                              day=date(year, month, day), name=label))
        session.flush()
        made.append((department, rules.department_calendar(company, weekdays, holidays)))
    return made


def existing_departments(session: Session) -> list[tuple[Department, WorkCalendar]]:
    """The active departments with their working-day calendars (a demo seeded before)."""
    return [(d, access.calendar_of(session, d)) for d in session.scalars(
        select(Department).where(Department.is_active.is_(True)).order_by(Department.id))]


def agency_accounts(session: Session, accounts: int) -> list[tuple[int, int, int | None]]:
    """(account, manager, a client contact) of the agency clients: key accounts of the
    agency segments, and every key account of the first manager (``manager1``, whom a new
    user of the demo logs in as first), so that their Work tabs and briefs are not empty."""
    keys = key_accounts(session, accounts)
    first = session.scalar(select(func.min(User.id)).where(User.role == "manager"))
    rows = session.execute(
        select(Account.id, Account.manager_id, func.min(AccountContact.contact_id))
        .outerjoin(AccountContact, AccountContact.account_id == Account.id)
        .where(Account.id.in_(keys),
               Account.segment.in_(AGENCY_SEGMENTS) | (Account.manager_id == first),
               Account.manager_id.is_not(None))
        .group_by(Account.id, Account.manager_id).order_by(Account.id)
    ).all()
    return [(int(a), int(m or 0), int(c) if c is not None else None) for a, m, c in rows]


def heads(session: Session) -> dict[int, int]:
    """manager id -> the head of their team."""
    rows = session.execute(
        select(User.id, Team.head_id).join(Team, Team.id == User.team_id)
        .where(Team.head_id.is_not(None))).all()
    return {int(u): int(h or 0) for u, h in rows}
