"""Reading follow-ups: one (through its account's visibility), an account's, the filtered and
paged list, and the rows as the doors show them; the choices of the forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, Interaction
from accord.accounts.visibility import (
    get_visible_account,
    get_visible_row,
    require_writer,
    visible_filter,
)
from accord.calendar.followups import queries, rules
from accord.calendar.followups.schemas import (
    MAX_PAGE_SIZE,
    SORTS,
    Filters,
    FollowUpOut,
    FollowUpPage,
)
from accord.calendar.models import FollowUp
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.core.schemas import MAX_ID, UserRef
from accord.growth.opportunities.models import Opportunity
from accord.plans.models import AccountPlan, PlanAction, PlanObjective

ENTITY = "follow_up"


def outs(session: Session, rows: list[FollowUp], today: date) -> list[FollowUpOut]:
    """The rows as the doors show them (two more statements for any number of rows)."""
    if not rows:
        return []
    names = dict(session.execute(select(Account.id, Account.name).where(
        Account.id.in_({r.account_id for r in rows}))).all())
    owner_ids = {r.owner_id for r in rows if r.owner_id}
    owners = {u.id: u for u in session.scalars(select(User).where(User.id.in_(owner_ids)))} \
        if owner_ids else {}
    out = []
    for r in rows:
        owner = owners.get(r.owner_id) if r.owner_id else None
        out.append(FollowUpOut(
            id=r.id, account_id=r.account_id, account_name=names.get(r.account_id, ""),
            title=r.title, notes=r.notes or "", due_on=r.due_on,
            due_time=r.due_time.strftime("%H:%M") if r.due_time else None,
            time_zone=r.time_zone, due_at=r.due_at,
            effective_due_on=rules.effective_due(r.status, r.due_on, r.snoozed_until),
            due_state=rules.due_state(r.status, r.due_on, r.snoozed_until, today),
            owner=None if owner is None else UserRef(id=owner.id, email=owner.email,
                                                     name=owner.name, role=owner.role),
            status=r.status, snoozed_until=r.snoozed_until, source_kind=r.source_kind,
            source_id=r.source_id, closed_by_interaction_id=r.closed_by_interaction_id,
            closed_on=r.closed_on, cancel_reason=r.cancel_reason,
            allowed_moves=list(rules.MOVES.get(r.status, ())),
            created_at=r.created_at, updated_at=r.updated_at, version=r.version))
    return out


def visible_follow_up(session: Session, user: User, follow_up_id: int) -> FollowUp:
    """The follow-up if its account is visible to ``user``; NotFound otherwise (an outsider
    learns nothing)."""
    return get_visible_row(session, user, FollowUp, follow_up_id, "follow-up")


def writable_follow_up(session: Session, user: User, follow_up_id: int) -> FollowUp:
    row = visible_follow_up(session, user, follow_up_id)
    require_writer(user)
    return row


def get_follow_up(session: Session, user: User, follow_up_id: int, today: date) -> FollowUpOut:
    return outs(session, [visible_follow_up(session, user, follow_up_id)], today)[0]


def account_follow_ups(session: Session, user: User, account_id: int, today: date, *,
                       include_closed: bool = True, limit: int = 500) -> list[FollowUpOut]:
    """The account's follow-ups: open and snoozed ones by effective due date, then closed
    ones (latest first)."""
    get_visible_account(session, user, account_id)
    query = select(FollowUp).where(FollowUp.account_id == account_id)
    if not include_closed:
        query = query.where(queries.is_open_sql())
    rows = list(session.scalars(query.order_by(
        FollowUp.status.in_(rules.CLOSED_STATES), queries.effective_due_sql(),
        FollowUp.closed_on.desc(), FollowUp.id).limit(limit)))
    return outs(session, rows, today)


def check_filters(f: Filters) -> None:
    problems: list[FieldProblem] = []
    if f.status not in ("open", "all", *rules.STATES):
        problems.append(FieldProblem("status", "open, all or one of " + ", ".join(rules.STATES)))
    if f.sort not in SORTS:
        problems.append(FieldProblem("sort", "one of " + ", ".join(SORTS)))
    for field, day in (("due_before", f.due_before), ("due_after", f.due_after)):
        try:
            rules.check_date(field, day)
        except rules.RuleError as exc:
            problems.append(exc.problem())
    if not 1 <= f.page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"from 1 to {MAX_PAGE_SIZE}"))
    if not 1 <= f.page <= 100_000:
        problems.append(FieldProblem("page", "from 1 to 100000"))
    if problems:
        raise ValidationFailed(problems)


def _conditions(session: Session, user: User, f: Filters) -> list[ColumnElement[bool]]:
    due = queries.effective_due_sql()
    where: list[ColumnElement[bool]] = [visible_filter(session, user)]
    if f.status == "open":
        where.append(queries.is_open_sql())
    elif f.status != "all":
        where.append(FollowUp.status == f.status)
    if f.owner_id is not None:
        where.append(FollowUp.owner_id == f.owner_id)
    if f.account_id is not None:
        where.append(FollowUp.account_id == f.account_id)
    if f.due_before is not None:
        where.append(due <= f.due_before)
    if f.due_after is not None:
        where.append(due >= f.due_after)
    if f.overdue:
        where.append(queries.overdue_sql(f.today))
    for word in (f.q or "").split()[:8]:
        escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(func.lower(FollowUp.title).like(f"%{escaped}%", escape="\\"))
    return where


def _order(sort: str) -> list[Any]:
    due = queries.effective_due_sql()
    if sort == "-due":
        return [due.desc(), FollowUp.due_time.desc(), FollowUp.id.desc()]
    if sort == "title":
        return [func.lower(FollowUp.title), FollowUp.id]
    if sort == "account":
        return [func.lower(Account.name), due, FollowUp.id]
    if sort == "owner":
        return [FollowUp.owner_id.is_(None), FollowUp.owner_id, due, FollowUp.id]
    return [due, FollowUp.due_time.is_(None), FollowUp.due_time, FollowUp.id]


def list_follow_ups(session: Session, user: User, filters: Filters) -> FollowUpPage:
    """The follow-ups on the accounts ``user`` sees, filtered, sorted and paged."""
    check_filters(filters)
    where = _conditions(session, user, filters)
    base = select(FollowUp).join(Account, Account.id == FollowUp.account_id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(session.scalars(base.order_by(*_order(filters.sort))
                                .limit(filters.page_size)
                                .offset((filters.page - 1) * filters.page_size)))
    return FollowUpPage(items=outs(session, rows, filters.today), total=int(total),
                        page=filters.page, page_size=filters.page_size)


# ---------------------------------------------------------------- sources


def source_account(session: Session, kind: str, source_id: int) -> int | None:
    """The account a source (an interaction, a plan action, an opportunity) belongs to."""
    if kind == "interaction":
        return session.scalar(select(Interaction.account_id).where(Interaction.id == source_id))
    if kind == "plan_action":
        return session.scalar(
            select(AccountPlan.account_id)
            .join(PlanObjective, PlanObjective.plan_id == AccountPlan.id)
            .join(PlanAction, PlanAction.objective_id == PlanObjective.id)
            .where(PlanAction.id == source_id))
    if kind == "opportunity":
        return session.scalar(select(Opportunity.account_id).where(Opportunity.id == source_id))
    return None


def prefill(session: Session, user: User, kind: str | None, source_id: int | None
            ) -> dict[str, Any]:
    """A new follow-up's form values from its source (a plan action: its title, due date and
    owner; an opportunity: its next step and date; an interaction: its summary). A source out
    of reach (or none) gives nothing."""
    if kind not in rules.SOURCES or source_id is None or not 1 <= source_id <= MAX_ID:
        return {}
    account_id = source_account(session, kind, source_id)
    if account_id is None:
        return {}
    try:
        get_visible_account(session, user, account_id)
    except NotFound:
        return {}
    values: dict[str, Any] = {"account_id": str(account_id), "source_kind": kind,
                              "source_id": str(source_id)}
    if kind == "plan_action":
        action = session.get(PlanAction, source_id)
        if action is not None:
            values.update(title=action.title, due_on=action.due_on.isoformat()
                          if action.due_on else "", owner_id=str(action.owner_id or ""))
    elif kind == "opportunity":
        opp = session.get(Opportunity, source_id)
        if opp is not None:
            values.update(title=(opp.next_step or opp.title)[:rules.MAX_TITLE],
                          due_on=opp.next_step_on.isoformat() if opp.next_step_on else "",
                          owner_id=str(opp.owner_id or ""))
    else:
        interaction = session.get(Interaction, source_id)
        if interaction is not None:
            values["title"] = ("Follow up: " + " ".join(interaction.summary.split())
                               )[:rules.MAX_TITLE]
    return values


def owner_choices(session: Session, user: User) -> list[tuple[str, str]]:
    """The owners of the follow-ups on the accounts ``user`` sees (a list's filter)."""
    ids = select(FollowUp.owner_id).join(Account, Account.id == FollowUp.account_id).where(
        visible_filter(session, user), FollowUp.owner_id.is_not(None)).distinct()
    return [(str(i), name) for i, name in session.execute(
        select(User.id, User.name).where(User.id.in_(ids)).order_by(User.name).limit(500))]
