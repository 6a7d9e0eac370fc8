"""Reading briefs: one (with its timeline, checklist and the caller's actions), the filtered
and paged list, an account's (its Work tab), the department board; the rows as the doors show
them (a specialist gets the account's name and nothing else of it); the forms' choices.

Every read is SQL with a bounded number of statements, whatever the number of briefs: the
board is one query per column (``LIMIT``) and one grouped count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import (
    can_write,
    get_visible_account,
    sees_everything,
    visible_filter,
)
from accord.agency import access, blocks
from accord.agency.briefs import queries, rules
from accord.agency.briefs.schemas import (
    BOARD_LIMIT,
    MAX_PAGE_SIZE,
    SORTS,
    AttachmentOut,
    Board,
    BriefDetail,
    BriefOut,
    BriefPage,
    Card,
    ChecklistItem,
    Column,
    Filters,
    SectionOut,
    TransitionOut,
    Work,
)
from accord.agency.departments import service as departments
from accord.agency.models import Brief, BriefTransition, DeliverableType, Department
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.schemas import MAX_ID

ENTITY = "brief"
#: the board's columns, in order (drafts only for the account side)
BOARD_STATES = ("draft", "sent", "accepted", "in_progress", "delivered", "approved")
WORK_LIMIT = 500


# ---------------------------------------------------------------- departments, checklists
# (agency.departments owns them)


def department(session: Session, department_id: int | None) -> Department | None:
    if department_id is None or not 1 <= department_id <= MAX_ID:
        return None
    return session.get(Department, department_id)


def template(session: Session, dept: Department | None) -> list[dict[str, Any]]:
    """The department's brief template: ``[{key, label, hint}]``."""
    if dept is None:
        return []
    return [{"key": str(s.get("key")), "label": str(s.get("label") or s.get("key")),
             "hint": str(s.get("hint") or "")}
            for s in departments.template_of(session, dept.id)
            if isinstance(s, dict) and s.get("key")]


def checklist(session: Session, key: str | None) -> list[dict[str, Any]]:
    """The checklist of a deliverable type: ``[{key, label}]`` (none without a type)."""
    if not key:
        return []
    try:
        items = departments.checklist_of(session, key)
    except NotFound:
        return []
    return [{"key": str(i.get("key")), "label": str(i.get("label") or i.get("key"))}
            for i in items if isinstance(i, dict) and i.get("key")]


def department_choices(session: Session) -> list[tuple[int, str]]:
    """The active departments, by name (a brief's form, the board's select)."""
    return departments.department_choices(session)


def deliverable_choices(session: Session) -> list[tuple[str, str]]:
    return [(str(k), str(n)) for k, n in session.execute(
        select(DeliverableType.key, DeliverableType.name).order_by(DeliverableType.name)
        .limit(500))]


# ---------------------------------------------------------------- rows as the doors show them


def _seen_accounts(session: Session, user: User, account_ids: set[int]) -> set[int]:
    if sees_everything(user) and user.is_active:
        return set(account_ids)
    if not account_ids:
        return set()
    return set(session.scalars(select(Account.id).where(
        Account.id.in_(sorted(account_ids)), visible_filter(session, user))))


def outs(session: Session, user: User, rows: Sequence[tuple[Brief, str]], today: date
         ) -> list[BriefOut]:
    """The rows (brief, account name) as the doors show them: three more statements for any
    number of rows (departments' names, the accounts the caller sees, blocked since)."""
    if not rows:
        return []
    dept_ids = {b.department_id for b, _ in rows}
    names = dict(session.execute(select(Department.id, Department.name)
                                 .where(Department.id.in_(sorted(dept_ids)))).all())
    seen = _seen_accounts(session, user, {b.account_id for b, _ in rows})
    since = blocks.blocked_since(session, [b.id for b, _ in rows])
    return [_out(b, account_name, names.get(b.department_id, ""), b.account_id in seen,
                 since.get(b.id), today) for b, account_name in rows]


def _out(b: Brief, account_name: str, department_name: str, sees: bool,
         blocked_since: date | None, today: date) -> BriefOut:
    return BriefOut(
        id=b.id, account_id=b.account_id if sees else None, account_name=account_name,
        sees_account=sees, department_id=b.department_id, department_name=department_name,
        title=b.title, sections=dict(b.sections or {}),
        attachments=[AttachmentOut(name=str(a.get("name", "")), url=str(a.get("url", "")))
                     for a in (b.attachments or [])],
        deliverable_type=b.deliverable_type, priority=b.priority, status=b.status,
        original_due_on=b.original_due_on, due_on=b.due_on, proposed_due_on=b.proposed_due_on,
        proposed_reason=b.proposed_reason, late=rules.is_late(b.status, b.due_on, today),
        blocked_since=blocked_since if rules.is_open(b.status) else None,
        estimated_hours=b.estimated_hours, actual_hours=b.actual_hours, rounds=b.rounds,
        checks=dict(b.checks or {}), approval_note=b.approval_note,
        cancel_reason=b.cancel_reason, sent_on=b.sent_on,
        first_delivered_on=b.first_delivered_on, blocked_days=b.blocked_days,
        due_with_blocks_on=b.due_with_blocks_on,
        original_with_blocks_on=b.original_with_blocks_on, turnaround_days=b.turnaround_days,
        approved_on=b.approved_on, created_at=b.created_at, updated_at=b.updated_at,
        version=b.version)


def visible_brief(session: Session, user: User, brief_id: int) -> Brief:
    """The brief if ``user`` sees it (``access.get_visible_brief``: a brief never sent only
    through its account); NotFound ``no brief N`` otherwise."""
    return access.get_visible_brief(session, user, brief_id)


def is_account_side(session: Session, user: User, brief: Brief) -> bool:
    return can_write(user) and access.sees_account(session, user, brief.account_id)


def _today(today: date | None) -> date:
    return today if today is not None else utcnow().date()


def get_brief(session: Session, user: User, brief_id: int, today: date | None = None
              ) -> BriefDetail:
    """One brief with its template, checklist, timeline and the caller's actions."""
    day = _today(today)
    brief = visible_brief(session, user, brief_id)
    name = access.account_name(session, brief.account_id) or ""
    out = outs(session, user, [(brief, name)], day)[0]
    dept = session.get(Department, brief.department_id)
    sections = [SectionOut(key=s["key"], label=s["label"], hint=s["hint"],
                           text=out.sections.get(s["key"], "")) for s in template(session, dept)]
    known = {s.key for s in sections}
    sections += [SectionOut(key=k, label=k.replace("_", " ").capitalize(), text=v)
                 for k, v in out.sections.items() if k not in known]
    items = [ChecklistItem(key=i["key"], label=i["label"], checked=bool(out.checks.get(i["key"])))
             for i in checklist(session, brief.deliverable_type)]
    has_proposal = brief.proposed_due_on is not None
    account = rules.allowed_actions(brief.status, "account", has_proposal) \
        if is_account_side(session, user, brief) else []
    department_side = rules.allowed_actions(brief.status, "department", has_proposal) \
        if access.works_in(session, user, brief.department_id) else []
    return BriefDetail(**out.model_dump(), template=sections, checklist=items,
                       transitions=transitions(session, user, brief_id, _brief=brief),
                       account_actions=account, department_actions=department_side)


def transitions(session: Session, user: User, brief_id: int, *, _brief: Brief | None = None
                ) -> list[TransitionOut]:
    """The brief's timeline, oldest first."""
    if _brief is None:
        visible_brief(session, user, brief_id)
    rows = session.execute(
        select(BriefTransition, User.name).outerjoin(User, User.id == BriefTransition.by_id)
        .where(BriefTransition.brief_id == brief_id)
        .order_by(BriefTransition.at, BriefTransition.id).limit(1000)).all()
    return [TransitionOut(id=t.id, action=t.action, from_status=t.from_status,
                          to_status=t.to_status, at=t.at, on=t.on, by=by, reason=t.reason,
                          due_on=t.due_on) for t, by in rows]


# ---------------------------------------------------------------- lists


def check_filters(f: Filters, page: int = 1, page_size: int = 50) -> None:
    problems: list[FieldProblem] = []
    if f.status not in ("all", "open", "late", *rules.STATES):
        problems.append(FieldProblem("status", "all, open, late or one of "
                                     + ", ".join(rules.STATES)))
    if f.priority and f.priority not in rules.PRIORITIES:
        problems.append(FieldProblem("priority", "one of " + ", ".join(rules.PRIORITIES)))
    if f.sort not in SORTS:
        problems.append(FieldProblem("sort", "one of " + ", ".join(SORTS)))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"from 1 to {MAX_PAGE_SIZE}"))
    if not 1 <= page <= 100_000:
        problems.append(FieldProblem("page", "from 1 to 100000"))
    if problems:
        raise ValidationFailed(problems)


def _where(session: Session, user: User, f: Filters, *, counting: bool = False
           ) -> tuple[list[Any], bool]:
    return queries.conditions(session, user, today=f.today, department_id=f.department_id,
                              account_id=f.account_id, status=f.status, priority=f.priority,
                              q=f.q, late=f.late, counting=counting)


def list_briefs(session: Session, user: User, filters: Filters, page: int = 1,
                page_size: int = 50) -> BriefPage:
    """The briefs ``user`` sees, filtered, sorted and paged. Filtering on an account the
    caller does not see answers 404 ``no account N``, like a missing one."""
    check_filters(filters, page, page_size)
    if filters.account_id is not None:
        access.require_visible_account(session, user, filters.account_id)
    where, join = _where(session, user, filters)
    counting = select(func.count()).select_from(Brief)
    if join:
        counting = counting.join(Account, Account.id == Brief.account_id)
    total = session.scalar(counting.where(*where)) or 0
    rows = session.execute(queries.listing(where).order_by(*queries.order(filters.sort))
                           .limit(page_size).offset((page - 1) * page_size)).all()
    return BriefPage(items=outs(session, user, [(r[0], r[1]) for r in rows], filters.today),
                     total=int(total), page=page, page_size=page_size)


def account_work(session: Session, user: User, account_id: int, today: date) -> Work:
    """The account's briefs (its Work tab): open ones by due date, then closed ones, the
    latest first — the first ``WORK_LIMIT``, with how many there are. 404 for an account the
    caller does not see (a specialist sees none)."""
    get_visible_account(session, user, account_id)
    rows = session.execute(
        queries.listing([Brief.account_id == account_id])
        .order_by(Brief.status.in_(rules.CLOSED_STATES), Brief.due_on, Brief.id)
        .limit(WORK_LIMIT)).all()
    total = len(rows) if len(rows) < WORK_LIMIT else int(session.scalar(
        select(func.count()).select_from(Brief).where(Brief.account_id == account_id)) or 0)
    return Work(items=outs(session, user, [(r[0], r[1]) for r in rows], today), total=total,
                limit=WORK_LIMIT)


def account_briefs(session: Session, user: User, account_id: int, today: date
                   ) -> list[BriefOut]:
    """The first ``WORK_LIMIT`` of the account's briefs (``account_work``'s items)."""
    return account_work(session, user, account_id, today).items


def board(session: Session, user: User, department_id: int | None, filters: Filters,
          today: date, now: datetime | None = None) -> Board:
    """The department board: a column per state (drafts only for the account side), each the
    first 50 cards by due date with the column's total. Without ``department_id``: the
    caller's first department, or every department for someone in none. A department out of
    the caller's reach (``access.get_visible_department``) or a filter on an account they do
    not see answers 404. Late is judged on the department's today when one is shown
    (``access.department_today``; ``today`` is the caller's), else on the caller's."""
    check_filters(filters)
    if filters.account_id is not None:
        access.require_visible_account(session, user, filters.account_id)
    dept = None
    if department_id is not None:
        dept = access.get_visible_department(session, user, department_id)
    elif Role(user.role) is not Role.ADMIN and (
            mine := departments.my_departments(session, user)):
        dept = session.get(Department, mine[0][0])
    if dept is not None:  # late on the department's own date
        today = access.department_today(dept, today, user.time_zone, now or utcnow())
    f = Filters(today=today, department_id=dept.id if dept else None,
                account_id=filters.account_id, priority=filters.priority, q=filters.q,
                late=filters.late or filters.status == "late")
    where, join = _where(session, user, f)
    states = [s for s in BOARD_STATES if s != "draft" or can_write(user)]
    counted, _join = _where(session, user, f, counting=True)
    found = session.execute(queries.counting(counted, needs_account=join)).all()
    counts: dict[str, int] = {str(s): int(n) for s, n in found}
    columns: list[Column] = []
    shown: list[Any] = []
    for status in states:
        rows = session.execute(queries.column(where, status, BOARD_LIMIT)).all() \
            if counts.get(status) else []
        shown.extend(rows)
        columns.append(Column(status=status, label=rules.STATE_LABELS[status],
                              total=int(counts.get(status, 0)), cards=[]))
    since = blocks.blocked_since(session, [r.id for r in shown])
    by_status = {c.status: c for c in columns}
    for r in shown:
        by_status[r.status].cards.append(Card(
            id=r.id, title=r.title, account_name=r.account_name, due_on=r.due_on,
            late=rules.is_late(r.status, r.due_on, today), priority=r.priority,
            rounds=r.rounds, blocked_since=since.get(r.id)))
    return Board(department_id=dept.id if dept else None,
                 department_name=dept.name if dept else None, today=today, columns=columns)
