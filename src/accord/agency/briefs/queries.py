"""Briefs in SQL: the list's conditions and orders, and the board's columns and counts.
Which briefs a user sees is ``agency.access.brief_filter_set`` (a brief not yet sent only
through its account); late is ``agency.access.late_brief_sql`` (the twin of
``agency.rules.is_late``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.agency import access
from accord.agency.briefs import rules
from accord.agency.models import Brief
from accord.core.models import User

PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def late_sql(today: date) -> ColumnElement[bool]:
    """``rules.is_late`` in SQL (``access.late_brief_sql``)."""
    return access.late_brief_sql(today)


def priority_rank() -> ColumnElement[int]:
    return case(PRIORITY_RANK, value=Brief.priority, else_=9)


def conditions(session: Session, user: User, *, today: date, department_id: int | None = None,
               account_id: int | None = None, status: str = "all", priority: str | None = None,
               q: str | None = None, late: bool = False, counting: bool = False
               ) -> tuple[list[ColumnElement[bool]], bool]:
    """The conditions of a list or the board, and whether they read the account;
    ``counting``: shaped for a count over every matching brief rather than the first few
    by due date."""
    where: list[ColumnElement[bool]] = [access.brief_filter_set(session, user)]
    join = False  # only a search by the account's name reads it
    if department_id is not None:
        where.append(Brief.department_id == department_id)
    if account_id is not None:
        where.append(Brief.account_id == account_id)
    if status == "open":
        where.append(Brief.status.in_(rules.OPEN_STATES))
    elif status in rules.STATES:
        where.append(Brief.status == status)
    if status == "late" or late:
        where.append(late_sql(today))
    if priority:
        where.append(Brief.priority == priority)
    for word in (q or "").split()[:8]:
        escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        where.append(or_(func.lower(Brief.title).like(pattern, escape="\\"),
                         func.lower(Account.name).like(pattern, escape="\\")))
        join = True
    return where, join


def order(sort: str) -> list[Any]:
    if sort == "-due":
        return [Brief.due_on.desc(), Brief.id.desc()]
    if sort == "priority":
        return [priority_rank(), Brief.due_on, Brief.id]
    if sort == "updated":
        return [Brief.updated_at.desc(), Brief.id.desc()]
    return [Brief.due_on, Brief.id]


def listing(where: list[ColumnElement[bool]]) -> Any:
    """The briefs matching ``where`` with their account's name."""
    return (select(Brief, Account.name.label("account_name"))
            .join(Account, Account.id == Brief.account_id).where(*where))


def counting(where: list[ColumnElement[bool]], *, needs_account: bool) -> Any:
    """``(status, count)`` of the briefs matching ``where`` (joined to the account only when
    a condition reads it)."""
    query = select(Brief.status, func.count()).select_from(Brief)
    if needs_account:
        query = query.join(Account, Account.id == Brief.account_id)
    return query.where(*where).group_by(Brief.status)


def column(where: list[ColumnElement[bool]], status: str, limit: int) -> Any:
    """One column of the board: the first ``limit`` briefs in ``status`` by due date (the
    latest first for approved ones), through ``ix_briefs_department_status_due``."""
    due = Brief.due_on.desc() if status in rules.CLOSED_STATES else Brief.due_on
    return (select(Brief.id, Brief.title, Brief.due_on, Brief.priority, Brief.rounds,
                   Brief.status, Account.name.label("account_name"))
            .join(Account, Account.id == Brief.account_id)
            .where(*where, Brief.status == status)
            .order_by(due, Brief.id).limit(limit))
