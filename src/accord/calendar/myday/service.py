"""My day, the calendar view and the overdue list: read-only use cases over the follow-ups,
business reviews, renewals, hand-offs, plan actions and account risk of a user (a manager:
their own; a head: their teams', or one manager's; an admin: everyone's, or one manager's).
Visibility always applies: nothing of an account the user does not see is read."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.calendar.myday import queries, rules, sources
from accord.calendar.myday.queries import Scope
from accord.calendar.myday.schemas import (
    OVERDUE_KINDS,
    SECTION_TITLES,
    CalendarDay,
    CalendarOut,
    CalendarWindow,
    ItemAction,
    MyDay,
    MyDayItem,
    OverduePage,
    Person,
    Section,
)
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User

#: follow-ups are read and closed on the follow-ups pages (calendar.followups)
FOLLOW_UP_URL = "/follow-ups/{id}"
FOLLOW_UP_DONE = "/follow-ups/{id}/done"
FOLLOW_UP_SNOOZE = "/follow-ups/{id}/snooze"
#: the longest window the calendar API reads
MAX_WINDOW_DAYS = 62

__all__ = ["calendar_view", "calendar_window", "manager_choices", "my_day", "overdue_list",
           "overdue_rows"]


def manager_choices(session: Session, user: User) -> list[Person]:
    """Whose day a user may choose to see (heads: their teams; admins: everyone)."""
    return [Person(id=u.id, name=u.name) for u in queries.manager_choices(session, user)]


def _manager(session: Session, user: User, manager_id: int | None) -> User | None:
    if manager_id is None:
        return None
    if manager_id == user.id:
        return user
    found = next((u for u in queries.manager_choices(session, user) if u.id == manager_id),
                 None)
    if found is None:
        raise ValidationFailed([FieldProblem("manager_id",
                                             "not a manager whose day you may see")])
    return found


# ---------------------------------------------------------------- items


def _follow_up(row: Any, today: date, tz: ZoneInfo) -> MyDayItem:
    snooze = [ItemAction(label=label, url=FOLLOW_UP_SNOOZE.format(id=row.id),
                         fields={"until": day.isoformat()})
              for label, day in rules.snooze_days(today)]
    return MyDayItem(
        kind="follow_up", id=row.id, account_id=row.account_id, account_name=row.account_name,
        title=row.title, due_on=row.due, at=row.due_at,
        time=rules.local(row.due_at, tz).strftime("%H:%M") if row.due_at else "",
        owner_name=row.owner_name, url=FOLLOW_UP_URL.format(id=row.id),
        actions=[ItemAction(label="Done", url=FOLLOW_UP_DONE.format(id=row.id)), *snooze],
        note="snoozed" if row.status == "snoozed" else "",
    )


def _plan_action(row: Any, today: date) -> MyDayItem:
    return MyDayItem(
        kind="plan_action", id=row.id, account_id=row.account_id,
        account_name=row.account_name, title=row.title, due_on=row.due_on,
        owner_name=row.owner_name,
        url=f"/accounts/{row.account_id}/plan#objective-{row.objective_id}",
        actions=[ItemAction(label="Done",
                            url=f"/accounts/{row.account_id}/plan/actions/{row.id}/status",
                            fields={"status": "done"})],
        note="overdue" if row.due_on < today else "",
    )


def _handoff(row: Any, today: date) -> MyDayItem:
    late = row.due_on is not None and row.due_on < today and row.state == "submitted"
    what = {"submitted": "to accept or return", "draft": "draft to finish",
            "returned": "returned: to correct"}.get(row.state, row.state)
    return MyDayItem(
        kind="handoff", id=row.id, account_id=row.account_id, account_name=row.account_name,
        title=f"Hand-off ({row.kind}) {what}", due_on=row.due_on, owner_name=row.owner_name,
        url=f"/handoffs/{row.id}", note="overdue" if late else row.state,
    )


def _risk(row: Any) -> MyDayItem:
    notes = []
    if row.band == "red":
        notes.append(f"red health ({row.score})" if row.score is not None else "red health")
    if row.cadence_state == "neglected":
        notes.append("neglected cadence")
    return MyDayItem(kind="at_risk", id=row.id, account_id=row.id, account_name=row.name,
                     title=", ".join(notes).capitalize() or "At risk",
                     owner_name=row.owner_name, url=f"/accounts/{row.id}", note=notes[0]
                     if notes else "")


def _section(name: str, items: list[MyDayItem], total: int, more_url: str | None
             ) -> Section:
    return Section(name=name, title=SECTION_TITLES[name], items=items, total=total,
                   more_url=more_url if total > len(items) else None)


def _q(manager: User | None, extra: str = "") -> str:
    parts = [p for p in (f"manager_id={manager.id}" if manager else "", extra) if p]
    return ("?" + "&".join(parts)) if parts else ""


# ---------------------------------------------------------------- My day


def my_day(session: Session, user: User, today: date, *, manager_id: int | None = None
           ) -> MyDay:
    """The user's day (or the chosen manager's, as far as the user sees): seven sections,
    each its first ``rules.SECTION_LIMIT`` items and its total."""
    manager = _manager(session, user, manager_id)
    scope = queries.scope_for(session, user, manager)
    tz = rules.zone(getattr(user, "time_zone", None))
    limit = rules.SECTION_LIMIT
    follow_ups = queries.follow_ups_due(session, scope, today, limit)
    (today_rows, today_total), (late_rows, late_total) = (follow_ups["due_today"],
                                                          follow_ups["overdue"])
    monday, sunday = rules.week_of(today)
    reviews = sources.occurrences(session, user, monday, sunday,
                                  owner_id=_owner(user, manager), kinds=("business_review",))
    renewing = sources.renewals(session, user, today, manager_id=_owner(user, manager))
    handoffs, handoff_total = queries.handoffs_waiting(session, scope, limit)
    actions, action_total = queries.plan_actions_due(
        session, scope, today + timedelta(days=rules.PLAN_ACTION_DAYS), limit)
    risky, risk_total = queries.at_risk(session, scope, today, limit,
                                        sources.cadence(session, today, scope.managed))
    who = manager or user
    return MyDay(
        day=today, user=Person(id=user.id, name=user.name),
        manager=Person(id=manager.id, name=manager.name) if manager else None,
        due_today=_section("due_today", [_follow_up(r, today, tz) for r in today_rows],
                           today_total, "/overdue" + _q(manager)),
        overdue=_section("overdue", [_follow_up(r, today, tz) for r in late_rows], late_total,
                         "/overdue" + _q(manager, "kind=follow_up")),
        reviews_this_week=_section("reviews_this_week", reviews[:limit], len(reviews),
                                   f"/calendar?view=week&date={today.isoformat()}"),
        renewals=_section("renewals", renewing[:limit], len(renewing), "/renewals"),
        handoffs_waiting=_section("handoffs_waiting", [_handoff(r, today) for r in handoffs],
                                  handoff_total, "/handoffs?box=waiting"),
        plan_actions_waiting=_section(
            "plan_actions_waiting", [_plan_action(r, today) for r in actions], action_total,
            "/overdue" + _q(manager, "kind=plan_action")),
        at_risk=_section("at_risk", [_risk(r) for r in risky], risk_total,
                         f"/accounts?manager_id={who.id}" if who.id else "/accounts"),
    )


def _owner(user: User, manager: User | None) -> int | None:
    """The organiser / manager whose reviews and renewals count: the chosen manager, else the
    user themself unless they see a team (a head) or everything (None: all they see)."""
    if manager is not None:
        return int(manager.id)
    scope_all = user.role in ("head", "admin", "viewer", "billing")
    return None if scope_all else (int(user.id) if user.id is not None else None)


# ---------------------------------------------------------------- the overdue list


def _overdue_args(kind: str | None, page: int, page_size: int) -> list[str]:
    problems = []
    if kind is not None and kind not in OVERDUE_KINDS:
        problems.append(FieldProblem("kind", "one of " + ", ".join(OVERDUE_KINDS)))
    if not 1 <= page_size <= rules.MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"from 1 to {rules.MAX_PAGE_SIZE}"))
    if page < 1:
        problems.append(FieldProblem("page", "from 1"))
    if problems:
        raise ValidationFailed(problems)
    return [kind] if kind else list(OVERDUE_KINDS)


def _overdue_item(row: Any, today: date) -> MyDayItem:
    days = (today - row.due_on).days
    if row.kind == "follow_up":
        url = FOLLOW_UP_URL.format(id=row.id)
        actions = [ItemAction(label="Done", url=FOLLOW_UP_DONE.format(id=row.id))]
    elif row.kind == "plan_action":
        url = f"/accounts/{row.account_id}/plan#objective-{row.ref}"
        actions = [ItemAction(label="Done",
                              url=f"/accounts/{row.account_id}/plan/actions/{row.id}/status",
                              fields={"status": "done"})]
    else:
        url, actions = f"/handoffs/{row.id}", []
    return MyDayItem(kind=row.kind, id=row.id, account_id=row.account_id,
                     account_name=row.account_name, title=row.title, due_on=row.due_on,
                     owner_name=row.owner_name, url=url, actions=actions,
                     note=f"{days} day{'s' if days != 1 else ''} overdue")


def overdue_list(session: Session, user: User, today: date, *, manager_id: int | None = None,
                 kind: str | None = None, page: int = 1, page_size: int = 50) -> OverduePage:
    """Every overdue follow-up, plan action and hand-off of the scope, oldest first."""
    kinds = _overdue_args(kind, page, page_size)
    scope = queries.scope_for(session, user, _manager(session, user, manager_id))
    rows, total = queries.overdue(session, scope, today, kinds, limit=page_size,
                                  offset=(page - 1) * page_size)
    return OverduePage(day=today, items=[_overdue_item(r, today) for r in rows], total=total,
                       page=page, page_size=page_size,
                       pages=max(1, math.ceil(total / page_size)))


EXPORT_HEADER = ["kind", "account", "title", "due_on", "days_overdue", "owner", "link"]


def overdue_rows(session: Session, user: User, today: date, *, manager_id: int | None = None,
                 kind: str | None = None) -> Iterator[list[Any]]:
    """The overdue list as rows for an export: the header, then every item (text and
    numbers; the writer makes no cell a formula)."""
    kinds = _overdue_args(kind, 1, 1)
    scope = queries.scope_for(session, user, _manager(session, user, manager_id))
    rows, _ = queries.overdue(session, scope, today, kinds, limit=rules.MAX_EXPORT_ROWS,
                              offset=0)
    yield EXPORT_HEADER
    for row in rows:
        item = _overdue_item(row, today)
        yield [item.kind, item.account_name, item.title, item.due_on.isoformat()
               if item.due_on else "", (today - row.due_on).days, item.owner_name or "",
               item.url]


# ---------------------------------------------------------------- the calendar


def _personal(session: Session, user: User) -> Scope:
    """The user's own items on the accounts they see (the calendar is one's own)."""
    scope = queries.scope_for(session, user, None)
    if user.id is None:
        return Scope([], scope.visible, scope.visible)
    return Scope([int(user.id)], scope.visible,
                 and_(Account.manager_id == user.id, scope.visible))


def _window_items(session: Session, user: User, start: date, end: date, today: date
                  ) -> list[MyDayItem]:
    tz = rules.zone(getattr(user, "time_zone", None))
    scope = _personal(session, user)
    limit = 1000
    items = [_follow_up(r, today, tz)
             for r in queries.follow_ups_between(session, scope, start, end, limit)]
    items += [_plan_action(r, today)
              for r in queries.plan_actions_between(session, scope, start, end, limit)]
    for row in queries.contract_ends_between(session, scope, start, end, limit):
        items.append(MyDayItem(
            kind="renewal", account_id=row.id, account_name=row.name,
            title="Contract ends" + (f" (notice {row.notice_days} days)" if row.notice_days
                                     else ""),
            due_on=row.contract_end_on, owner_name=row.owner_name, url=f"/accounts/{row.id}"))
    # events: on their day in the user's time zone (the events part expands the series)
    items += sources.occurrences(session, user, start, end, owner_id=user.id)
    return sorted(items, key=lambda i: (i.due_on or start, i.time or "99", i.kind, i.id or 0))


def calendar_window(session: Session, user: User, start: date, end: date, today: date
                    ) -> CalendarWindow:
    """The user's events and due items from ``start`` to ``end`` (at most 62 days)."""
    if end < start:
        raise ValidationFailed([FieldProblem("end", "on or after start")])
    if (end - start).days >= MAX_WINDOW_DAYS:
        raise ValidationFailed([FieldProblem("end", f"at most {MAX_WINDOW_DAYS} days "
                                             "after start")])
    return CalendarWindow(start=start, end=end,
                          time_zone=rules.zone(getattr(user, "time_zone", None)).key,
                          items=_window_items(session, user, start, end, today))


def calendar_view(session: Session, user: User, today: date, *, view: str = "month",
                  day: date | None = None) -> CalendarOut:
    """The month or week grid of ``day`` (default today) with the user's items on it."""
    if view not in rules.VIEWS:
        raise ValidationFailed([FieldProblem("view", "month or week")])
    grid = rules.grid(view, day or today)
    by_day: dict[date, list[MyDayItem]] = {}
    for item in _window_items(session, user, grid.start, grid.end, today):
        if item.due_on is not None:
            by_day.setdefault(item.due_on, []).append(item)
    weeks = [[CalendarDay(day=d, in_month=grid.in_month(d), is_today=d == today,
                          items=by_day.get(d, [])) for d in week] for week in grid.weeks()]
    return CalendarOut(view=grid.view, day=grid.day, start=grid.start, end=grid.end,
                       time_zone=rules.zone(getattr(user, "time_zone", None)).key,
                       title=grid.title(), prev_day=grid.prev_day, next_day=grid.next_day,
                       weeks=weeks)
