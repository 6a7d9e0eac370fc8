"""My day in SQL: the follow-ups due today and overdue (one statement, both sections), the
plan actions waiting, the hand-offs waiting, the accounts at risk, the overdue list (every
kind, one UNION) and the calendar's due items. Each section is one statement that returns its
first rows and, by a window count, how many there are in all: no query per row.

Whose items: a ``Scope`` (``scope_for``) — the owners whose follow-ups and plan actions count
(None: anyone's), the accounts the asking user sees (always), and "their accounts" (at risk).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import headed_team_members, sees_everything, visible_filter
from accord.calendar.followups.queries import effective_due_sql
from accord.calendar.models import FollowUp
from accord.core.models import Role, User
from accord.handoffs.models import Handoff
from accord.health.models import AccountHealth
from accord.plans.models import AccountPlan, PlanAction, PlanObjective

OPEN_STATES = ("open", "snoozed")
#: the roles a head or an admin may choose as "the manager" of My day
MANAGER_ROLES = (Role.MANAGER.value, Role.HEAD.value, Role.SALES.value)


@dataclass(frozen=True)
class Scope:
    #: owners of follow-ups, plan actions and hand-offs (None: anyone)
    owner_ids: list[int] | None
    #: over ``Account``: what the asking user sees
    visible: ColumnElement[bool]
    #: over ``Account``: the accounts whose risk and renewals count
    managed: ColumnElement[bool]
    #: the user sees every account (no visibility condition needed)
    everything: bool = False

    def seen(self, account_id: Any) -> ColumnElement[bool]:
        """``account_id`` (of another table) is an account the user sees: a set built from
        the accounts' indexes, so that the rows need not be joined to ``accounts``."""
        if self.everything:
            return true()
        return account_id.in_(select(Account.id).where(self.visible))


def manager_choices(session: Session, user: User) -> list[User]:
    """The people a user may choose as the manager of My day: an admin (and viewer, billing)
    everyone active in a managing role; a head themself and the members of the teams they
    head; anyone else only themself."""
    if not user.is_active:
        return []
    query = select(User).where(User.is_active.is_(True), User.role.in_(MANAGER_ROLES))
    if sees_everything(user):
        pass
    elif Role(user.role) is Role.HEAD:
        query = query.where(or_(User.id == user.id, User.id.in_(headed_team_members(user))))
    else:
        query = query.where(User.id == user.id)
    return list(session.scalars(query.order_by(User.name, User.id)))


def scope_for(session: Session, user: User, manager: User | None) -> Scope:
    """Whose items My day shows: ``manager`` chosen (one the user may choose), else the user's
    own (a manager, sales), their teams' (a head) or everyone's (admin, viewer, billing)."""
    if not user.is_active:
        return Scope([], false(), false())
    visible = true() if sees_everything(user) else visible_filter(session, user)
    if manager is not None and manager.id != user.id:
        return Scope([int(manager.id)], visible, and_(Account.manager_id == manager.id, visible),
                     sees_everything(user))
    if sees_everything(user):
        return Scope(None, true(), true(), True)
    if Role(user.role) is Role.HEAD:
        team = [int(i) for i in session.scalars(headed_team_members(user))]
        return Scope(sorted({int(user.id), *team}), visible, visible)
    return Scope([int(user.id)], visible, Account.manager_id == user.id)


def _owned(column: Any, scope: Scope) -> ColumnElement[bool]:
    return true() if scope.owner_ids is None else column.in_(scope.owner_ids)


# ---------------------------------------------------------------- follow-ups


def _due_by(day: date) -> ColumnElement[bool]:
    """Open, or snoozed, and due by ``day``: written so that the (owner, status, due_on)
    index narrows the rows."""
    return or_(and_(FollowUp.status == "open", FollowUp.due_on <= day),
               and_(FollowUp.status == "snoozed", FollowUp.snoozed_until <= day))


def follow_ups_due(session: Session, scope: Scope, today: date, limit: int
                   ) -> dict[str, tuple[list[Any], int]]:
    """``{"due_today": (rows, total), "overdue": (rows, total)}``; overdue oldest first, due
    today by time (those without one last)."""
    due = effective_due_sql()
    bucket = case((due < today, "overdue"), else_="due_today")
    order = (due, FollowUp.due_time.is_(None), FollowUp.due_time, FollowUp.id)
    # numbered and counted on the follow-ups alone; only the rows shown meet their account
    inner = (
        select(FollowUp.id, FollowUp.account_id, FollowUp.owner_id, FollowUp.title,
               due.label("due"), FollowUp.due_at, FollowUp.status, bucket.label("bucket"),
               func.row_number().over(partition_by=bucket, order_by=order).label("rn"),
               func.count().over(partition_by=bucket).label("total"))
        .where(_due_by(today), _owned(FollowUp.owner_id, scope),
               scope.seen(FollowUp.account_id))
        .subquery()
    )
    out: dict[str, tuple[list[Any], int]] = {"due_today": ([], 0), "overdue": ([], 0)}
    rows = session.execute(
        select(inner, Account.name.label("account_name"), User.name.label("owner_name"))
        .join(Account, Account.id == inner.c.account_id)
        .outerjoin(User, User.id == inner.c.owner_id)
        .where(inner.c.rn <= limit).order_by(inner.c.bucket, inner.c.rn)).all()
    for row in rows:
        items, _ = out[row.bucket]
        out[row.bucket] = ([*items, row], int(row.total))
    return out


# ---------------------------------------------------------------- plan actions, hand-offs


def _plan_actions(scope: Scope) -> Any:
    return (
        select(PlanAction.id, PlanAction.title, PlanAction.due_on, PlanAction.objective_id,
               AccountPlan.account_id, Account.name.label("account_name"),
               User.name.label("owner_name"))
        .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
        .join(AccountPlan, AccountPlan.id == PlanObjective.plan_id)
        .join(Account, Account.id == AccountPlan.account_id)
        .outerjoin(User, User.id == PlanAction.owner_id)
        .where(PlanAction.status == "open", AccountPlan.is_current.is_(True),
               PlanAction.due_on.is_not(None), _owned(PlanAction.owner_id, scope),
               scope.visible)
    )


def plan_actions_due(session: Session, scope: Scope, by: date, limit: int
                     ) -> tuple[list[Any], int]:
    """Open actions of current plans due by ``by``, soonest (most overdue) first: numbered
    and counted on the plans' tables alone, the rows shown joined to their account."""
    order = (PlanAction.due_on, PlanAction.id)
    inner = (
        select(PlanAction.id, PlanAction.title, PlanAction.due_on, PlanAction.objective_id,
               PlanAction.owner_id, AccountPlan.account_id,
               func.row_number().over(order_by=order).label("rn"),
               func.count().over().label("total"))
        .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
        .join(AccountPlan, AccountPlan.id == PlanObjective.plan_id)
        .where(PlanAction.status == "open", AccountPlan.is_current.is_(True),
               PlanAction.due_on <= by, _owned(PlanAction.owner_id, scope),
               scope.seen(AccountPlan.account_id))
        .subquery()
    )
    rows = list(session.execute(
        select(inner, Account.name.label("account_name"), User.name.label("owner_name"))
        .join(Account, Account.id == inner.c.account_id)
        .outerjoin(User, User.id == inner.c.owner_id)
        .where(inner.c.rn <= limit).order_by(inner.c.rn)).all())
    return rows, (int(rows[0].total) if rows else 0)


def _handoffs_waiting(scope: Scope) -> ColumnElement[bool]:
    receive = and_(Handoff.state == "submitted", _owned(Handoff.receiver_id, scope))
    write = and_(Handoff.state.in_(("draft", "returned")), _owned(Handoff.author_id, scope))
    return or_(receive, write)


def handoffs_waiting(session: Session, scope: Scope, limit: int) -> tuple[list[Any], int]:
    """Hand-offs submitted to the owners (to accept or return) and their drafts and returned
    hand-offs (to finish), by deadline."""
    query = (
        select(Handoff.id, Handoff.account_id, Handoff.kind, Handoff.state, Handoff.due_on,
               Account.name.label("account_name"), User.name.label("owner_name"))
        .join(Account, Account.id == Handoff.account_id)
        .outerjoin(User, User.id == Handoff.receiver_id)
        .where(_handoffs_waiting(scope), scope.visible)
    )
    return _counted(session, query, (Handoff.due_on.is_(None), Handoff.due_on, Handoff.id),
                    limit)


# ---------------------------------------------------------------- at risk


def at_risk(session: Session, scope: Scope, today: date, limit: int,
            cadence: Select[Any] | None) -> tuple[list[Any], int]:
    """The scope's accounts with a red health band or a neglected cadence (``cadence``: the
    cadence module's select of (account_id, …, state, source, tier) of the accounts whose
    cadence My day watches, when it is there); worst first.

    The neglected ones are one id list the scope's accounts are matched against (the
    cadence of the watched accounts only); red is read on each account's joined health
    row (a list of every red account would be read whole for a manager's few)."""
    # one manager's book (a few thousand accounts): each account's health read by its key;
    # a team or everyone: joined (PostgreSQL's planner hashes all 100,000 health rows either
    # way for a join, which a large scope needs and one manager's does not; bench_rhythm)
    one_book = scope.owner_ids is not None and len(scope.owner_ids) == 1
    band: Any = AccountHealth.band
    score: Any = AccountHealth.score
    if one_book:
        band = (select(AccountHealth.band).where(AccountHealth.account_id == Account.id)
                .scalar_subquery())
        score = (select(AccountHealth.score).where(AccountHealth.account_id == Account.id)
                 .scalar_subquery())
    risky: ColumnElement[bool] = band == "red"
    state: Any = literal(None)
    if cadence is not None:
        cad = cadence.subquery()
        neglected = select(cad.c.account_id).where(cad.c.state == "neglected")
        is_neglected = Account.id.in_(neglected)
        risky = or_(risky, is_neglected)
        state = case((is_neglected, literal("neglected")), else_=literal(None))
    inner = select(Account.id, Account.name, Account.name_key, Account.manager_id,
                   band.label("band"), score.label("score"), state.label("cadence_state"))
    if not one_book:
        inner = inner.outerjoin(AccountHealth, AccountHealth.account_id == Account.id)
    risky_rows = inner.where(scope.managed, risky).subquery("risky")
    query = (select(risky_rows.c.id, risky_rows.c.name, User.name.label("owner_name"),
                    risky_rows.c.band, risky_rows.c.score, risky_rows.c.cadence_state)
             .select_from(risky_rows)
             .outerjoin(User, User.id == risky_rows.c.manager_id))
    order = (risky_rows.c.score.is_(None), risky_rows.c.score, risky_rows.c.name_key,
             risky_rows.c.id)
    return _counted(session, query, order, limit)


def _counted(session: Session, query: Any, order: Sequence[Any], limit: int
             ) -> tuple[list[Any], int]:
    """The first ``limit`` rows in ``order`` and how many rows there are (one statement)."""
    rows = session.execute(query.add_columns(func.count().over().label("total"))
                           .order_by(*order).limit(limit)).all()
    return list(rows), (int(rows[0].total) if rows else 0)


# ---------------------------------------------------------------- the overdue list


def overdue_union(scope: Scope, today: date, kinds: Sequence[str]) -> Any:
    """Every overdue item of the scope, one row each: (kind, id, account_id, title, due_on,
    owner_id, ref) — follow-ups (effective due date past), open plan actions past their date,
    hand-offs submitted to the owners past their deadline."""
    due = effective_due_sql()
    parts: list[Select[Any]] = []
    if "follow_up" in kinds:
        parts.append(_row("follow_up", FollowUp.id, FollowUp.account_id, FollowUp.title, due,
                          FollowUp.owner_id, literal(0))
                     .where(_due_by(today - timedelta(days=1)),
                            _owned(FollowUp.owner_id, scope)))
    if "plan_action" in kinds:
        parts.append(_row("plan_action", PlanAction.id, AccountPlan.account_id,
                          PlanAction.title, PlanAction.due_on, PlanAction.owner_id,
                          PlanAction.objective_id)
                     .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
                     .join(AccountPlan, AccountPlan.id == PlanObjective.plan_id)
                     .where(PlanAction.status == "open", AccountPlan.is_current.is_(True),
                            PlanAction.due_on < today, _owned(PlanAction.owner_id, scope)))
    if "handoff" in kinds:
        parts.append(_row("handoff", Handoff.id, Handoff.account_id, literal("Hand-off"),
                          Handoff.due_on, Handoff.receiver_id, literal(0))
                     .where(Handoff.state == "submitted", Handoff.due_on < today,
                            _owned(Handoff.receiver_id, scope)))
    return union_all(*parts).subquery("overdue") if parts else None


def _row(kind: str, *columns: Any) -> Select[Any]:
    names = ("id", "account_id", "title", "due_on", "owner_id", "ref")
    return select(literal(kind).label("kind"),
                  *(c.label(n) for c, n in zip(columns, names, strict=True)))


def overdue(session: Session, scope: Scope, today: date, kinds: Sequence[str], *,
            limit: int, offset: int) -> tuple[list[Any], int]:
    """A page of the overdue list, oldest first, and how many items it has in all."""
    items = overdue_union(scope, today, kinds)
    if items is None:
        return [], 0
    query = (select(items, Account.name.label("account_name"), User.name.label("owner_name"),
                    Account.kind.label("account_kind"), func.count().over().label("total"))
             .join(Account, Account.id == items.c.account_id)
             .outerjoin(User, User.id == items.c.owner_id)
             .where(scope.visible)
             .order_by(items.c.due_on, items.c.kind, items.c.id)
             .limit(limit).offset(offset))
    rows = list(session.execute(query).all())
    return rows, (int(rows[0].total) if rows else 0)


# ---------------------------------------------------------------- the calendar's due items


def follow_ups_between(session: Session, scope: Scope, start: date, end: date,
                       limit: int) -> list[Any]:
    """Open and snoozed follow-ups whose effective due date falls in [start, end]."""
    due = effective_due_sql()
    query = (select(FollowUp.id, FollowUp.account_id, Account.name.label("account_name"),
                    FollowUp.title, due.label("due"), FollowUp.due_at, FollowUp.status,
                    User.name.label("owner_name"))
             .join(Account, Account.id == FollowUp.account_id)
             .outerjoin(User, User.id == FollowUp.owner_id)
             .where(_due_by(end), due >= start, _owned(FollowUp.owner_id, scope),
                    scope.visible)
             .order_by(due, FollowUp.due_time.is_(None), FollowUp.due_time, FollowUp.id)
             .limit(limit))
    return list(session.execute(query).all())


def plan_actions_between(session: Session, scope: Scope, start: date, end: date,
                         limit: int) -> list[Any]:
    query = (_plan_actions(scope).where(PlanAction.due_on >= start, PlanAction.due_on <= end)
             .order_by(PlanAction.due_on, PlanAction.id).limit(limit))
    return list(session.execute(query).all())


def contract_ends_between(session: Session, scope: Scope, start: date, end: date,
                          limit: int) -> list[Any]:
    """The scope's accounts whose contract ends in [start, end] (the renewals' dates)."""
    query = (select(Account.id, Account.name, Account.contract_end_on, Account.notice_days,
                    User.name.label("owner_name"))
             .outerjoin(User, User.id == Account.manager_id)
             .where(Account.contract_end_on >= start, Account.contract_end_on <= end,
                    scope.managed)
             .order_by(Account.contract_end_on, Account.id).limit(limit))
    return list(session.execute(query).all())
