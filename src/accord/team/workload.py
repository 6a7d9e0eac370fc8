"""Workload per manager (issue 17): the use cases.

- ``loads``: the loads of the managers ``user`` sees — a head their teams' (and their own
  when they hold accounts), a manager or sales rep their own, an admin everyone's (active
  managers and heads, and anyone responsible for an account); the other roles are refused.
- ``workload``: the same as the front doors show it (the teams to filter by, totals).
- ``account_loads``: the accounts behind one manager's figure, each with its points, paged.
- ``what_if`` / ``simulate``: the loads of the managers some moves touch, before and after
  the moves. Nothing is written.

Everything is counted in the database (``workload_sql``), in two statements whatever the
portfolio's size. An account's tier and interval come from the selection's and the
cadence's SQL twins, its coverage flag from the cadence's (the same figure as
``GET /api/v1/kpis/coverage?by=manager``), its points from ``points_sql``, the twin of
``rules.account_points`` (a hypothesis test holds them equal on SQLite and PostgreSQL);
overdue follow-ups are ``calendar.followups.queries.overdue_sql``'s.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import headed_team_members, visible_accounts, visible_filter
from accord.agency.models import Brief
from accord.calendar.cadence.service import share
from accord.calendar.followups.queries import overdue_sql
from accord.calendar.models import FollowUp
from accord.core.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.models import Role, Team, User
from accord.core.roles import require_role
from accord.handoffs.models import Handoff
from accord.team import rules
from accord.team import workload_sql as sql
from accord.team.rules import Load, hundredths
from accord.team.schemas import (
    MAX_MOVES,
    AccountLoad,
    AccountLoadPage,
    LoadOut,
    MoveOut,
    TeamRef,
    WhatIfOut,
    WorkloadOut,
)
from accord.team.settings import policy as team_policy
from accord.team.workload_sql import IN_FLIGHT, OPEN_HANDOFFS, accounts_select, points_sql

__all__ = ["IN_FLIGHT", "OPEN_HANDOFFS", "accounts_select", "account_loads",
           "loads", "points_sql", "simulate", "team_view", "what_if", "workload"]

#: the roles listed as managers (anyone else only while responsible for accounts)
MANAGING = (Role.MANAGER.value, Role.HEAD.value)
#: who may read loads (what each sees: the module's docstring)
READERS = (Role.ADMIN, Role.HEAD, Role.MANAGER, Role.SALES)


@dataclass(frozen=True)
class Person:
    """A manager whose load is counted."""

    id: int
    name: str
    email: str
    role: str
    active: bool
    team_id: int | None
    team_name: str | None
    segment: str | None
    capacity: int | None


def _compute(session: Session, user: User, today: date, people: Sequence[Person], *,
             moved: dict[int, int] | None = None,
             opened: dict[int, int] | None = None) -> list[Load]:
    if not people:
        return []
    policy = team_policy(session)
    owner = sql.owner_of(moved)
    scope = sql.scope_of([p.id for p in people], moved)
    tallies = sql.tallies(session, today, scope, owner)
    special = sql.special(session, today, policy, scope, owner)
    plain = {"person": hundredths(policy.person), "company": hundredths(policy.not_key)}
    figures: dict[int, list[int]] = defaultdict(lambda: [0] * 8)
    for (owner_id, segment, kind), n in tallies.items():
        f = figures[owner_id]
        if segment is None and kind in ("handoffs", "briefs", "overdue"):
            f[("handoffs", "briefs", "overdue").index(kind) + 5] += n
            continue
        f[0] += n
        f[1] += n * plain.get(kind, plain["company"])
    for (owner_id, _segment, kind), (n, points, key, counted, covered) in special.items():
        f = figures[owner_id]
        f[1] += points - n * plain.get(kind, plain["company"])
        f[2], f[3], f[4] = f[2] + key, f[3] + counted, f[4] + covered
    out = []
    for p in people:
        accounts, points, key, counted, covered, handoffs, briefs, overdue = figures[p.id]
        wrong = sum(n for (o, segment, kind), n in tallies.items()
                    if o == p.id and kind in ("person", "company")
                    and not rules.serves(p.segment, segment))
        handoffs += (opened or {}).get(p.id, 0)
        points += (handoffs * hundredths(policy.handoff_points)
                   + briefs * hundredths(policy.brief_points))
        load = Load(
            manager_id=p.id, name=p.name, email=p.email, team_id=p.team_id, segment=p.segment,
            capacity=p.capacity if p.capacity is not None else policy.default_capacity,
            points=Decimal(points).scaleb(-2), accounts=accounts, key_accounts=key,
            handoffs=handoffs, briefs=briefs, coverage=share(covered, counted),
            overdue=overdue, warnings=(), wrong_segment=wrong, team_name=p.team_name,
            coverage_accounts=counted, covered=covered)
        out.append(replace(load, warnings=rules.warnings_for(load, policy, wrong)))
    return out


# ---------------------------------------------------------------- who is counted


def _check_reader(user: User) -> Role:
    role = Role(user.role)
    if not user.is_active or role not in READERS:
        raise Forbidden("workloads are read by managers (their own), heads (their teams') "
                        "and admins")
    return role


def _check_team(session: Session, user: User, role: Role, team_id: int) -> None:
    team = session.get(Team, team_id)
    if team is None or (role is Role.HEAD and team.head_id != user.id) or (
            role in (Role.MANAGER, Role.SALES) and user.team_id != team_id):
        raise NotFound(f"no team {team_id}")


def _people(session: Session, user: User, team_id: int | None = None,
            manager_id: int | None = None) -> list[Person]:
    """The managers whose loads ``user`` sees (in a team: that team's; NotFound for a team
    out of reach; ``manager_id``: that one alone, if seen)."""
    role = _check_reader(user)
    holds = exists().where(Account.manager_id == User.id)
    listed = or_(and_(User.role.in_(MANAGING), User.is_active.is_(True)), holds)
    query = (select(User.id, User.name, User.email, User.role, User.is_active, User.team_id,
                    Team.name, User.segment, User.capacity)
             .outerjoin(Team, Team.id == User.team_id))
    if role is Role.ADMIN:
        query = query.where(listed)
    elif role is Role.HEAD:
        query = query.where(or_(and_(User.id.in_(headed_team_members(user)), listed),
                                and_(User.id == user.id, holds)))
    else:
        query = query.where(User.id == user.id)
    if team_id is not None:
        _check_team(session, user, role, team_id)
        query = query.where(User.team_id == team_id)
    if manager_id is not None:
        query = query.where(User.id == manager_id)
    people = [Person(int(r[0]), r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8])
              for r in session.execute(query)]
    return sorted(people, key=lambda p: (p.team_name is None, (p.team_name or "").casefold(),
                                         p.name.casefold(), p.id))


def _person(session: Session, user: User, manager_id: int) -> Person:
    found = _people(session, user, manager_id=manager_id)
    if not found:
        raise NotFound(f"no manager {manager_id}")
    return found[0]


def _teams(session: Session, user: User, role: Role) -> list[TeamRef]:
    query = select(Team.id, Team.name)
    if role is Role.HEAD:
        query = query.where(Team.head_id == user.id)
    elif role is not Role.ADMIN:
        return []
    return [TeamRef(id=i, name=n) for i, n in session.execute(query.order_by(Team.name))]


# ---------------------------------------------------------------- the use cases


def loads(session: Session, user: User, today: date, *, team_id: int | None = None
          ) -> list[Load]:
    """The loads of the managers ``user`` sees (of one team with ``team_id``)."""
    return _compute(session, user, today, _people(session, user, team_id))


def _team_named(teams: list[TeamRef], ref: str) -> int:
    """The id of the team ``ref`` names (its id or its name, any case) among ``teams``."""
    text = ref.strip()
    for team in teams:
        if str(team.id) == text or team.name.casefold() == text.casefold():
            return team.id
    raise NotFound(f"no team {text!r}")


def workload(session: Session, user: User, today: date, *, team_id: int | None = None,
             team: str | None = None) -> WorkloadOut:
    """The loads as the Team page, the API and the command line show them (one team:
    ``team_id``, or ``team``, its id or name, for the command line)."""
    role = _check_reader(user)
    teams = _teams(session, user, role)
    if team is not None:
        mine = teams if teams else [
            TeamRef(id=t.id, name=t.name) for t in [session.get(Team, user.team_id or 0)] if t]
        team_id = _team_named(mine, team)
    found = loads(session, user, today, team_id=team_id)
    return WorkloadOut(
        today=today, team_id=team_id, teams=teams,
        managers=[LoadOut.of(load) for load in found],
        points=sum((load.points for load in found), Decimal("0.00")),
        capacity=sum(load.capacity for load in found),
        over_capacity=sum(1 for load in found if "over_capacity" in load.warnings))


@dataclass(frozen=True)
class TeamView:
    """The Team page: the loads, and the accounts of the manager picked for a what-if."""

    workload: WorkloadOut
    pick: AccountLoadPage | None


def team_view(session: Session, user: User, today: date, *, team_id: int | None = None,
              pick_from: int | None = None, page: int = 1) -> TeamView:
    """The loads (``workload``) and, for a head or an admin who picked a manager
    (``pick_from``), that manager's accounts to try moving, the heaviest first."""
    out = workload(session, user, today, team_id=team_id)
    pick = None
    if pick_from is not None and Role(user.role) in (Role.ADMIN, Role.HEAD):
        pick = account_loads(session, user, today, pick_from, page=page)
    return TeamView(workload=out, pick=pick)


def _figure_condition(session: Session, a: Any, figure: str, person: Person,
                      scope: Any) -> Any:
    if figure == "key_accounts":
        return a.c.key == 1
    if figure == "coverage":
        return a.c.counted == 1
    if figure in ("overdue", "handoffs", "briefs"):
        return getattr(a.c, figure) > 0
    if figure == "wrong_segment":
        segments = session.scalars(select(Account.segment).where(scope).distinct()).all()
        wrong = [s for s in segments if s is not None and not rules.serves(person.segment, s)]
        return a.c.segment.in_(wrong) if wrong else false()
    return None


def account_loads(session: Session, user: User, today: date, manager_id: int, *,
                  figure: str = "accounts", page: int = 1, page_size: int = 50
                  ) -> AccountLoadPage:
    """The accounts behind one of the manager's figures (``rules.FIGURES``), the heaviest
    first (coverage: the uncovered first), with each one's points and open items."""
    if figure not in rules.FIGURES:
        raise ValidationFailed([FieldProblem("figure", "one of " + ", ".join(rules.FIGURES))])
    person = _person(session, user, manager_id)
    load = _compute(session, user, today, [person])[0]
    scope = and_(Account.manager_id == manager_id, visible_filter(session, user))
    base = accounts_select(session, today, scope)
    inner = base.subquery("behind")

    def count(model: Any, condition: Any) -> Any:
        return (select(func.count()).select_from(model)
                .where(model.account_id == inner.c.account_id, condition).scalar_subquery())

    a = select(*inner.c, count(FollowUp, overdue_sql(today)).label("overdue"),
               count(Handoff, Handoff.state.in_(OPEN_HANDOFFS)).label("handoffs"),
               count(Brief, Brief.status.in_(IN_FLIGHT)).label("briefs")).subquery("figure")
    condition = _figure_condition(session, a, figure, person, scope)
    query = select(a) if condition is None else select(a).where(condition)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    order = [a.c.points.desc(), a.c.name, a.c.account_id]
    if figure == "coverage":
        order.insert(0, a.c.covered)
    rows = session.execute(query.order_by(*order).limit(page_size)
                           .offset((page - 1) * page_size)).all()
    items = [AccountLoad(
        account_id=r.account_id, name=r.name, kind=r.kind, segment=r.segment, tier=r.tier,
        key=bool(r.key), touch_days=r.touch_days, overridden=bool(r.overridden),
        points=Decimal(int(r.points)).scaleb(-2),
        covered=None if r.covered is None else bool(r.covered), last_touch_on=r.last_touch_on,
        overdue=int(r.overdue), handoffs=int(r.handoffs), briefs=int(r.briefs),
        in_segment=rules.serves(person.segment, r.segment)) for r in rows]
    return AccountLoadPage(manager=LoadOut.of(load), figure=figure, total=total, page=page,
                           page_size=page_size, pages=max(1, math.ceil(total / page_size)),
                           items=items)


def _check_moves(session: Session, user: User, moves: Sequence[tuple[int, int]],
                 people: dict[int, Person]) -> dict[int, Any]:
    """The accounts moved (id -> row); every problem named by its move, nothing written."""
    if not moves:
        raise ValidationFailed([FieldProblem("moves", "choose at least one account to move")])
    if len(moves) > MAX_MOVES:
        raise ValidationFailed([FieldProblem("moves", f"at most {MAX_MOVES} moves at once")])
    ids = [a for a, _ in moves]
    found = {r.id: r for r in session.execute(
        select(Account.id, Account.name, Account.manager_id, Account.kind)
        .where(Account.id.in_(ids), visible_accounts(user)))}
    problems: list[FieldProblem] = []
    seen: set[int] = set()
    for i, (account_id, to) in enumerate(moves):
        row = found.get(account_id)
        if account_id in seen:
            problems.append(FieldProblem(f"moves.{i}.account_id", "this account is listed twice"))
        elif row is None:
            problems.append(FieldProblem(f"moves.{i}.account_id", f"no account {account_id}"))
        elif row.manager_id is not None and row.manager_id not in people:
            problems.append(FieldProblem(f"moves.{i}.account_id",
                                         f"{row.name} is managed outside the teams you lead"))
        seen.add(account_id)
        target = people.get(to)
        if target is None or not target.active:
            problems.append(FieldProblem(f"moves.{i}.to_manager_id",
                                         f"no manager {to} you can give accounts to"))
        elif row is not None and row.manager_id == to:
            problems.append(FieldProblem(f"moves.{i}.to_manager_id",
                                         f"{target.name} already manages {row.name}"))
    if problems:
        raise ValidationFailed(problems)
    return found


def _simulated(session: Session, user: User, today: date, moves: Sequence[tuple[int, int]]
               ) -> tuple[dict[int, Any], list[Load], list[Load]]:
    """The accounts moved, and the loads of the managers they touch before and after."""
    require_role(user, Role.ADMIN, Role.HEAD)
    people = {p.id: p for p in _people(session, user)}
    found = _check_moves(session, user, moves, people)
    moved = dict(moves)
    involved_ids = {to for _, to in moves} | {
        r.manager_id for r in found.values() if r.manager_id is not None}
    involved = [p for p in people.values() if p.id in involved_ids]
    # the hand-off a move opens (handoffs.gate.on_manager_changed): a company with a manager
    # and no open hand-off (an open one follows the account, counted with it)
    already = set(session.scalars(select(Handoff.account_id).where(
        Handoff.account_id.in_(list(moved)), Handoff.state.in_(OPEN_HANDOFFS))))
    opened: dict[int, int] = defaultdict(int)
    for account_id, to in moves:
        row = found[account_id]
        if row.kind == "company" and row.manager_id is not None and account_id not in already:
            opened[to] += 1
    before = _compute(session, user, today, involved)
    after = _compute(session, user, today, involved, moved=moved, opened=opened)
    return found, before, after


def simulate(session: Session, user: User, today: date,
             moves: Sequence[tuple[int, int]]) -> WhatIfOut:
    """The loads of every manager the moves touch, before and after them (heads for their
    teams, admins). A moved company account counts the manager-to-manager hand-off its move
    opens (``handoffs.gate.on_manager_changed``: unless one is open already, which follows
    the account). Nothing is written."""
    found, before, after = _simulated(session, user, today, moves)
    a = accounts_select(session, today, Account.id.in_(list(found))).subquery("moved")
    points = {int(i): int(p) for i, p in session.execute(select(a.c.account_id, a.c.points))}
    return WhatIfOut(
        today=today,
        moves=[MoveOut(account_id=account_id, account_name=found[account_id].name,
                       from_manager_id=found[account_id].manager_id, to_manager_id=to,
                       points=Decimal(points.get(account_id, 0)).scaleb(-2))
               for account_id, to in moves],
        before=[LoadOut.of(load) for load in before],
        after=[LoadOut.of(load) for load in after])


def what_if(session: Session, user: User, today: date,
            moves: Sequence[tuple[int, int]]) -> list[Load]:
    """The loads after the moves of every manager they touch (``simulate``'s after)."""
    return _simulated(session, user, today, moves)[2]
