"""Targets for managers: set (create or replace), list with their actuals, delete.

Who may do what (the one place it is decided; every front door calls these):

- **set and delete**: an admin, for any active manager or head; a head, for the managers of
  the teams they head (not for themselves). Anyone else: 403. A manager the caller may not
  set targets for is answered like an unknown e-mail: 404.
- **read**: a role that sees every account (admin, viewer, billing) reads every target; a head
  reads their teams' managers' and their own; anyone else their own.

Every change is audited (``manager_target``) in the caller's transaction; a write that
names the version it started from (a form, ``If-Match``) is refused when the target changed
meanwhile (``core.versions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from accord.accounts.visibility import sees_everything
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.models import Role, Team, User
from accord.core.schemas import MAX_ID, UserRef
from accord.plans.targets import rules
from accord.plans.targets.actuals import Row, actuals_for
from accord.plans.targets.models import ManagerTarget
from accord.plans.targets.schemas import TargetIn, TargetOut, TargetPage

#: the roles a target may be set for (those who hold a book of accounts)
BOOK_ROLES = (Role.MANAGER.value, Role.HEAD.value)
MAX_PAGE_SIZE = 200
ENTITY = "manager_target"


# ---------------------------------------------------------------- who may


def may_set(user: User) -> bool:
    return bool(user.is_active) and Role(user.role) in (Role.ADMIN, Role.HEAD)


def _require_setter(user: User) -> None:
    if not may_set(user):
        raise Forbidden("targets are set by the manager's head or an admin")


def _headed_members(user: User) -> Select[Any]:
    return select(User.id).join(Team, User.team_id == Team.id).where(Team.head_id == user.id)


def _settable(user: User) -> list[ColumnElement[bool]]:
    """Conditions on ``User``: the people ``user`` may set targets for."""
    book: list[ColumnElement[bool]] = [User.role.in_(BOOK_ROLES), User.is_active.is_(True)]
    if Role(user.role) is Role.ADMIN and user.is_active:
        return book
    if Role(user.role) is Role.HEAD and user.is_active and user.id is not None:
        return [*book, User.id.in_(_headed_members(user)), User.id != user.id]
    return [User.id.is_(None)]


def readable(user: User, column: Any = ManagerTarget.manager_id) -> ColumnElement[bool] | None:
    """A condition on a manager id: whose targets ``user`` reads (None: everybody's)."""
    if sees_everything(user):
        return None
    if not user.is_active or user.id is None:
        return column.is_(None)
    if Role(user.role) is Role.HEAD:
        return column.in_(_headed_members(user)) | (column == user.id)
    return column == user.id


def settable_managers(session: Session, user: User) -> list[User]:
    """The people ``user`` may set targets for, by name (empty for anyone else)."""
    if not may_set(user):
        return []
    return list(session.scalars(select(User).where(*_settable(user)).order_by(User.name)))


def _manager_to_set(session: Session, user: User, email: str) -> User:
    found = session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower(), *_settable(user))
    ).first()
    if found is None:
        raise NotFound(f"no manager {email} whose targets you set")
    return found


def _manager_to_read(session: Session, user: User, email: str) -> User:
    condition = readable(user, User.id)
    found = session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower(),
                           *([] if condition is None else [condition]))
    ).first()
    if found is None:
        raise NotFound(f"no manager {email}")
    return found


# ---------------------------------------------------------------- the input


@dataclass(frozen=True)
class Parsed:
    metric: rules.Metric
    start: date
    end: date
    target: Decimal


def parse(data: TargetIn) -> Parsed:
    """Metric, period and value checked together: every problem named at once."""
    problems: list[FieldProblem] = []
    metric = None
    try:
        metric = rules.parse_metric(data.metric)
    except ValueError as exc:
        problems.append(FieldProblem("metric", str(exc)))
    try:
        start, end = rules.parse_period(data.period)
    except rules.PeriodError as exc:
        problems.append(FieldProblem("period", str(exc)))
    value = None
    if metric is not None:
        try:
            value = rules.parse_target(metric, data.target)
        except rules.TargetError as exc:
            problems.append(FieldProblem("target", str(exc)))
    if problems or metric is None or value is None:
        raise ValidationFailed(problems)
    return Parsed(metric, start, end, value)


# ---------------------------------------------------------------- writing


def _facts(row: ManagerTarget) -> dict[str, Any]:
    return {"manager_id": row.manager_id, "period": rules.period_label(row.period_start,
                                                                       row.period_end),
            "metric": row.metric, "target": row.target}


def set_target(
    session: Session, user: User, data: TargetIn, *, expected: versions.Expected | None = None,
    today: date,
) -> tuple[TargetOut, bool]:
    """Create or replace the target of (manager, period, metric); (the target, created)."""
    _require_setter(user)
    parsed = parse(data)
    manager = _manager_to_set(session, user, data.manager)
    row = session.scalars(select(ManagerTarget).where(
        ManagerTarget.manager_id == manager.id, ManagerTarget.period_start == parsed.start,
        ManagerTarget.period_end == parsed.end, ManagerTarget.metric == parsed.metric.value,
    )).first()
    created = row is None
    if row is None:
        row = ManagerTarget(manager_id=manager.id, period_start=parsed.start,
                            period_end=parsed.end, metric=parsed.metric.value,
                            target=parsed.target, set_by_id=user.id, created_at=utcnow(),
                            updated_at=utcnow())
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            raise Conflict("this target was set by someone else meanwhile: reload and try "
                           "again") from None
        audit.record(session, user, "create", ENTITY, row.id, after=_facts(row))
    else:
        shown = row
        versions.check(session, row, expected, "the target",
                       lambda: {"target": versions.as_text(_plain(shown.target))})
        before = _facts(row)
        if Decimal(row.target) != parsed.target:
            row.target = parsed.target
            row.set_by_id = user.id
            row.updated_at = utcnow()
            session.flush()
            audit.record(session, user, "update", ENTITY, row.id, before=before,
                         after=_facts(row))
    session.refresh(row)
    return _out(session, user, [row], today=today)[0], created


def _plain(value: Decimal) -> str:
    """A stored target as typed: no trailing zeros (1.0500 -> 1.05, 12.0000 -> 12)."""
    return format(Decimal(value).normalize(), "f")


def _row_to_change(session: Session, user: User, target_id: int) -> ManagerTarget:
    _require_setter(user)
    if not 1 <= target_id <= MAX_ID:
        raise NotFound(f"no target {target_id}")
    row = session.scalars(
        select(ManagerTarget).join(User, User.id == ManagerTarget.manager_id)
        .where(ManagerTarget.id == target_id, *_settable(user))
    ).first()
    if row is None:
        raise NotFound(f"no target {target_id}")
    return row


def delete_target(
    session: Session, user: User, target_id: int, *, expected: versions.Expected | None = None
) -> None:
    """Remove a target (its head or an admin); audited."""
    row = _row_to_change(session, user, target_id)
    versions.check(session, row, expected, "the target")
    before = _facts(row)
    session.delete(row)
    session.flush()
    audit.record(session, user, "delete", ENTITY, target_id, before=before)


# ---------------------------------------------------------------- reading


def _out(
    session: Session, user: User, rows: list[ManagerTarget], *, today: date,
    through: date | None = None, nrr_cap: int | None = None, doc: dict[str, Any] | None = None,
) -> list[TargetOut]:
    ids = {r.manager_id for r in rows} | {r.set_by_id for r in rows if r.set_by_id}
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} \
        if ids else {}
    day = through or today
    facts = [Row(r.id, r.manager_id, people[r.manager_id].email, rules.Metric(r.metric),
                 r.period_start, r.period_end) for r in rows]
    actual = actuals_for(session, user, facts, through=day, today=today, nrr_cap=nrr_cap,
                         doc=doc)
    out = []
    for r in rows:
        metric, m = rules.Metric(r.metric), people[r.manager_id]
        value = actual.get(r.id)
        status = rules.status(metric, value, Decimal(r.target), r.period_start, r.period_end, day)
        setter = people.get(r.set_by_id) if r.set_by_id else None
        out.append(TargetOut(
            id=r.id, manager=UserRef(id=m.id, email=m.email, name=m.name, role=m.role),
            period=rules.period_label(r.period_start, r.period_end),
            period_start=r.period_start, period_end=r.period_end, metric=metric.value,
            metric_label=rules.RULES[metric].label, unit=rules.RULES[metric].unit,
            target=Decimal(_plain(r.target)), actual=value,
            attainment=rules.attainment(value, Decimal(r.target)),
            elapsed_share=rules.elapsed_share(r.period_start, r.period_end, day),
            status=None if status is None else status.value,
            set_by=None if setter is None else setter.email, updated_at=r.updated_at,
            version=r.version))
    return out


def list_targets(
    session: Session, user: User, *, period: str | None = None, manager: str | None = None,
    team_id: int | None = None, page: int = 1, page_size: int = 50, today: date,
) -> TargetPage:
    """The targets ``user`` reads, newest period first, then by manager and metric, each with
    its actual; ``period`` keeps those within it (``2027`` also lists 2027's quarters and
    months), ``manager`` (an e-mail) one manager's, ``team_id`` a team's."""
    if not 1 <= page <= 100_000 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed([FieldProblem("page", f"page from 1, page_size 1-{MAX_PAGE_SIZE}")])
    who = aliased(User, name="manager")
    conditions: list[ColumnElement[bool]] = []
    condition = readable(user)
    if condition is not None:
        conditions.append(condition)
    if period:
        try:
            start, end = rules.parse_period(period)
        except rules.PeriodError as exc:
            raise ValidationFailed([FieldProblem("period", str(exc))]) from None
        conditions += [ManagerTarget.period_start >= start, ManagerTarget.period_end <= end]
    if manager:
        conditions.append(ManagerTarget.manager_id == _manager_to_read(session, user, manager).id)
    if team_id is not None:
        conditions.append(who.team_id == team_id)
    base = select(ManagerTarget).join(who, who.id == ManagerTarget.manager_id).where(*conditions)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    rows = list(session.scalars(
        base.order_by(ManagerTarget.period_start.desc(), who.name, ManagerTarget.period_end,
                      ManagerTarget.metric, ManagerTarget.id)
        .limit(page_size).offset((page - 1) * page_size)))
    return TargetPage(items=_out(session, user, rows, today=today), total=total, page=page,
                      page_size=page_size)


def get_target(session: Session, user: User, target_id: int, *, today: date) -> TargetOut:
    """One target the user may change (for an edit form)."""
    return _out(session, user, [_row_to_change(session, user, target_id)], today=today)[0]


def in_month(
    session: Session, user: User, *, manager: User | None, month_start: date, month_end: date,
    today: date, nrr_cap: int, doc: dict[str, Any] | None, limit: int = 200,
) -> list[TargetOut]:
    """The targets whose period holds the month (a report's), of one manager or of everyone
    ``user`` reads, with actuals up to the month's end (or today): for the dashboard and the
    monthly report."""
    who = aliased(User, name="manager")
    conditions: list[ColumnElement[bool]] = [ManagerTarget.period_start <= month_end,
                                             ManagerTarget.period_end >= month_start]
    condition = readable(user)
    if condition is not None:
        conditions.append(condition)
    if manager is not None:
        conditions.append(ManagerTarget.manager_id == manager.id)
    rows = list(session.scalars(
        select(ManagerTarget).join(who, who.id == ManagerTarget.manager_id).where(*conditions)
        .order_by(who.name, ManagerTarget.period_start, ManagerTarget.period_end,
                  ManagerTarget.metric).limit(limit)))
    return _out(session, user, rows, today=today, through=min(today, month_end),
                nrr_cap=nrr_cap, doc=doc)
