"""The department scorecard: on-time rates (against the agreed and against the original due
date, both extended by the working days a brief was blocked by the client), median
turnaround, rounds of changes and effort — per department, per account and per month, over a
period of first deliveries. Every front door (API, pages, CLI, the monthly report's panel)
calls these functions.

Who sees what: every figure counts only the briefs the caller sees
(``access.brief_filter``: the accounts they see, or their departments). Every department is
listed to whoever sees accounts; a role that sees no account (a ``specialist``) sees only
their own departments, and another department answers like a missing one (404). A row of an
account the caller does not see itself (they see its briefs through a department) carries
the account's name only: its id is null, and no link or row id is built from it
(``_seen``: one statement per answer). An ``account_id`` filter naming an account the caller
does not see answers like a missing account (404, ``no account N``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import SEES_NOTHING, sees_everything, visible_accounts
from accord.agency import access, rules
from accord.agency.models import Brief, Department
from accord.agency.scorecard import queries
from accord.agency.scorecard.schemas import (
    BY,
    MAX_PAGE_SIZE,
    SORTS,
    DepartmentRef,
    EffortReport,
    EffortRow,
    LateBrief,
    MonthPoint,
    OnTimeReport,
    OnTimeRow,
    Period,
    Scorecard,
    checked_period,
)
from accord.core.cells import text_cell
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.periods import first_day, format_month, month_index
from accord.core.schemas import MAX_ID

#: the late briefs a scorecard lists (the count says how many there are in all)
LATE_SHOWN = 50
TREND_MONTHS = 12
PAGE_SIZE = 50


# ---------------------------------------------------------------- periods and checks


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem(field, message)])


def _checked(start: date, end: date) -> Period:
    return checked_period(start, end)


def _page(page: int, page_size: int) -> None:
    if not 1 <= page <= MAX_ID:
        raise _invalid("page", f"a page number from 1 to {MAX_ID}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise _invalid("page_size", f"from 1 to {MAX_PAGE_SIZE}")


def _sort(sort: str) -> str:
    if sort not in SORTS:
        raise _invalid("sort", "one of " + ", ".join(SORTS))
    return sort


def _sees_no_account(user: User) -> bool:
    return Role(user.role) in SEES_NOTHING


def _seen(session: Session, user: User, ids: Iterable[int | None]) -> set[int]:
    """Those of the account ``ids`` whose account ``user`` sees itself (not only through a
    department): none for a role that sees no account, all for one that sees every account,
    else one statement."""
    wanted = {int(i) for i in ids if i is not None}
    if not wanted or not user.is_active or _sees_no_account(user):
        return set()
    if sees_everything(user):
        return wanted
    return set(session.scalars(select(Account.id).where(
        Account.id.in_(sorted(wanted)), visible_accounts(user))))


def _departments(session: Session, user: User) -> ColumnElement[bool]:
    """A condition on ``Department``: the departments ``user`` is shown."""
    if _sees_no_account(user):
        return Department.id.in_(access.department_ids(session, user))
    return true()


def get_department(session: Session, user: User, department_id: int) -> Department:
    """The department if ``user`` is shown it; else NotFound (``no department N``)."""
    department = session.get(Department, department_id) if 1 <= department_id <= MAX_ID \
        else None
    if department is None or not user.is_active or (
            _sees_no_account(user)
            and department.id not in access.department_ids(session, user)):
        raise NotFound(f"no department {department_id}")
    return department


# ---------------------------------------------------------------- rows


def _row(f: queries.Figures, *, hide_id: bool = False) -> OnTimeRow:
    """A row as the doors show it (``hide_id``: an account's id left out, for a caller who
    does not see the account — they know its name only)."""
    return OnTimeRow(
        id=None if hide_id else f.key, name=f.name, delivered=f.delivered, on_time=f.on_time,
        rate=rules.on_time_rate(f.on_time, f.delivered), on_time_original=f.on_time_original,
        rate_original=rules.on_time_rate(f.on_time_original, f.delivered),
        late=f.delivered - f.on_time,
        median_turnaround=None if f.median_turnaround is None
        else f.median_turnaround.quantize(Decimal("0.1")),
        rounds=f.rounds,
        rounds_per_brief=None if not f.delivered
        else (Decimal(f.rounds) / Decimal(f.delivered)).quantize(Decimal("0.01")),
        with_rounds=f.with_rounds, is_active=f.is_active)


@dataclass(frozen=True)
class _Scope:
    """The conditions on the briefs counted, and whether they read the account."""

    where: list[ColumnElement[bool]]
    join_account: bool


def _scope(session: Session, user: User, period: Period, *,
           department_id: int | None = None, account_id: int | None = None,
           manager_id: int | None = None) -> _Scope:
    where = [access.brief_filter(session, user), *queries.delivered_in(period.start, period.end)]
    if department_id is not None:
        where.append(Brief.department_id == department_id)
    else:  # the period is read department by department, a range of the index each
        where.append(Brief.department_id.in_(
            select(Department.id).where(_departments(session, user)).scalar_subquery()))
    if account_id is not None:
        where.append(Brief.account_id == account_id)
    if manager_id is not None:
        where.append(Account.manager_id == manager_id)
    return _Scope(where, join_account=manager_id is not None or not sees_everything(user))


def on_time(
    session: Session, user: User, *, start: date, end: date, by: str = "department",
    department_id: int | None = None, sort: str = "name", page: int = 1,
    page_size: int = PAGE_SIZE,
) -> OnTimeReport:
    """The on-time rate (and the original-date rate, median turnaround, rounds) of the
    briefs first delivered in [start, end] that ``user`` sees, per department (every
    department shown to ``user``, those without deliveries too) or per account (those with
    deliveries), with the figures of all of them (``overall``)."""
    period = _checked(start, end)
    if by not in BY:
        raise _invalid("by", "one of " + ", ".join(BY))
    _sort(sort)
    _page(page, page_size)
    if department_id is not None:
        get_department(session, user, department_id)
    scope = _scope(session, user, period, department_id=department_id)
    offset = (page - 1) * page_size
    if by == "department":
        departments = _departments(session, user)
        if department_id is not None:
            departments = Department.id == department_id
        overall, found = queries.by_department(
            session, scope.where, departments=departments, sort=sort, limit=page_size,
            offset=offset, join_account=scope.join_account)
    else:
        overall, found = queries.by_account(session, scope.where, sort=sort, limit=page_size,
                                            offset=offset, join_account=scope.join_account)
    seen = _seen(session, user, [f.key for f in found]) if by == "account" else None
    return OnTimeReport(by=by, period=period, department_id=department_id,  # type: ignore[arg-type]
                        overall=_row(overall),
                        items=[_row(f, hide_id=seen is not None and f.key not in seen)
                               for f in found],
                        total=found[0].rows if found else 0, page=page, page_size=page_size)


def month_by_department(session: Session, user: User, *, start: date, end: date,
                        manager_id: int | None = None) -> tuple[OnTimeRow, list[OnTimeRow]]:
    """The monthly report's section: the figures of the briefs first delivered in
    [start, end] that ``user`` sees (of the accounts ``manager_id`` manages, if given), and
    of each department that delivered some. One statement besides the visibility's."""
    period = _checked(start, end)
    scope = _scope(session, user, period, manager_id=manager_id)
    overall, found = queries.by_department(
        session, scope.where, departments=_departments(session, user), sort="name",
        limit=MAX_PAGE_SIZE, offset=0, join_account=scope.join_account)
    return _row(overall), [_row(f) for f in found if f.delivered]


# ---------------------------------------------------------------- effort


def _effort_row(row: Any, *, hide_id: bool = False) -> EffortRow:
    """A row as the doors show it (``hide_id``: the account's id left out)."""
    estimated, actual = queries.hours(row.estimated), queries.hours(row.actual)
    return EffortRow(account_id=None if row.account_id is None or hide_id
                     else int(row.account_id),
                     account_name=row.account_name,
                     month=None if row.month is None else format_month(int(row.month)),
                     briefs=int(row.briefs), estimated_briefs=int(row.estimated_briefs),
                     actual_briefs=int(row.actual_briefs), estimated_hours=estimated,
                     actual_hours=actual, difference=actual - estimated)


def _effort(period: Period, overall: Any, rows: list[Any], seen: set[int], *,
            account_id: int | None, department_id: int | None, page: int, page_size: int
            ) -> EffortReport:
    """The effort table of ``queries.effort``'s answer; the accounts' ids shown are those
    in ``seen``."""
    return EffortReport(
        period=period, account_id=account_id, department_id=department_id,
        overall=_effort_row(overall),
        items=[_effort_row(r, hide_id=r.account_id not in seen) for r in rows],
        total=int(rows[0].rows) if rows else 0, page=page, page_size=page_size)


def effort(
    session: Session, user: User, *, start: date, end: date, account_id: int | None = None,
    department_id: int | None = None, page: int = 1, page_size: int = PAGE_SIZE,
) -> EffortReport:
    """Estimated against actual hours of the briefs first delivered in [start, end] that
    ``user`` sees, per account and month of first delivery (latest month first), with their
    sum; of one account or one department if given (an account ``user`` does not see
    answers like a missing one: ``no account N``)."""
    period = _checked(start, end)
    _page(page, page_size)
    if account_id is not None and not 1 <= account_id <= MAX_ID:
        raise _invalid("account_id", f"an id from 1 to {MAX_ID}")
    if account_id is not None and not access.sees_account(session, user, account_id):
        raise NotFound(f"no account {account_id}")  # out of reach: like a missing one
    if department_id is not None:
        get_department(session, user, department_id)
    scope = _scope(session, user, period, department_id=department_id, account_id=account_id)
    overall, rows = queries.effort(session, scope.where, limit=page_size,
                                   offset=(page - 1) * page_size,
                                   join_account=scope.join_account)
    return _effort(period, overall, rows, _seen(session, user, [r.account_id for r in rows]),
                   account_id=account_id, department_id=department_id, page=page,
                   page_size=page_size)


# ---------------------------------------------------------------- the department scorecard


def _trend(session: Session, user: User, department_id: int, today: date) -> list[MonthPoint]:
    last = month_index(today)
    months = range(last - TREND_MONTHS + 1, last + 1)
    period = Period(start=first_day(months[0]),
                    end=first_day(last + 1) - timedelta(days=1), label="")
    scope = _scope(session, user, period, department_id=department_id)
    found = queries.monthly(session, scope.where, join_account=scope.join_account)
    points = []
    for m in months:
        delivered, on_time_ = found.get(m, (0, 0))
        points.append(MonthPoint(month=format_month(m), delivered=delivered, on_time=on_time_,
                                 rate=rules.on_time_rate(on_time_, delivered)))
    return points


def department_scorecard(
    session: Session, user: User, department_id: int, *, start: date, end: date, today: date,
    sort: str = "name", page: int = 1, page_size: int = PAGE_SIZE,
) -> Scorecard:
    """A department's figures over [start, end] (briefs ``user`` sees), its on-time rate in
    each of the 12 months up to ``today``'s, its figures per account (sorted, paged), its late
    briefs of the period and its effort per account and month."""
    period = _checked(start, end)
    _sort(sort)
    _page(page, page_size)
    department = get_department(session, user, department_id)
    scope = _scope(session, user, period, department_id=department_id)
    overall, found = queries.by_account(session, scope.where, sort=sort, limit=page_size,
                                        offset=(page - 1) * page_size,
                                        join_account=scope.join_account)
    late_rows = queries.late_briefs(session, scope.where, LATE_SHOWN)
    effort_overall, effort_rows = queries.effort(session, scope.where, limit=MAX_PAGE_SIZE,
                                                 offset=0, join_account=scope.join_account)
    # the accounts the caller sees itself: the others' ids are left out (names only)
    seen = _seen(session, user, [*(f.key for f in found), *(r.account_id for r in late_rows),
                                 *(r.account_id for r in effort_rows)])
    figures = _row(overall)
    accounts = OnTimeReport(by="account", period=period, department_id=department_id,
                            overall=figures,
                            items=[_row(f, hide_id=f.key not in seen) for f in found],
                            total=found[0].rows if found else 0, page=page,
                            page_size=page_size)
    late = [LateBrief(
        id=r.id, title=r.title,
        account_id=r.account_id if r.account_id in seen else None,
        account_name=r.account_name,
        first_delivered_on=r.first_delivered_on, due_on=r.due_on,
        due_with_blocks_on=r.due_with_blocks_on, blocked_days=int(r.blocked_days or 0),
        days_late=(r.first_delivered_on - r.due_with_blocks_on).days, rounds=int(r.rounds),
        url=f"/briefs/{r.id}") for r in late_rows]
    return Scorecard(
        department=DepartmentRef(id=department.id, name=department.name,
                                 is_active=department.is_active),
        period=period, today=today, figures=figures,
        trend=_trend(session, user, department_id, today), accounts=accounts, late=late,
        late_total=figures.late,
        effort=_effort(period, effort_overall, effort_rows, seen, account_id=None,
                       department_id=department_id, page=1, page_size=MAX_PAGE_SIZE))


def named_scorecard(session: Session, user: User, department: str, *, start: date, end: date,
                    today: date) -> Scorecard:
    """``department_scorecard`` of the department named ``department`` (its id, or its name
    in any case) among those shown to ``user``; NotFound otherwise."""
    text = department.strip()
    found = int(text) if text.isdigit() and len(text) <= 10 else None
    if found is None:
        found = session.scalar(select(Department.id).where(
            func.lower(Department.name) == text.lower()[:80], _departments(session, user)))
    if found is None:
        raise NotFound(f"no department {text[:80]!r}")
    return department_scorecard(session, user, found, start=start, end=end, today=today,
                                page_size=MAX_PAGE_SIZE)


CSV_COLUMNS = ("department_id", "department", "delivered", "on_time", "rate", "on_time_original",
               "rate_original", "late", "median_turnaround", "rounds", "rounds_per_brief",
               "with_rounds", "period_from", "period_to")


def export_csv(session: Session, user: User, *, start: date, end: date, sort: str = "name"
               ) -> str:
    """The departments' table of ``on_time`` (every department shown to ``user``) as CSV,
    with the overall figures last; text cells formula-safe (``core.cells``)."""
    report = on_time(session, user, start=start, end=end, by="department", sort=sort,
                     page_size=MAX_PAGE_SIZE)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in [*report.items, report.overall]:
        writer.writerow([text_cell(v) for v in (
            r.id, r.name, r.delivered, r.on_time, r.rate, r.on_time_original, r.rate_original,
            r.late, r.median_turnaround, r.rounds, r.rounds_per_brief, r.with_rounds,
            report.period.start, report.period.end)])
    return out.getvalue()
