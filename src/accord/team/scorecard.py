"""Scorecards per manager (issue 17): one manager's figures over a period with their trend,
the managers' table with a row per team and for the portfolio, the accounts behind a figure
and the export. Every door (API, pages, CLI, the monthly report's section) calls these.

No figure is defined here: each is its owner's service or SQL, asked for many managers and
periods at once (a statement per figure, or per figure and period; never per manager or
account), over the accounts the asking user sees whose manager is the manager
(``accounts.manager_id``: their book) — ``scorecard_figures``. This module decides who is
shown (``_managers``: a manager themself, a head the managers and heads of the teams they
head and themself, a role that sees every account everybody; anyone else 404, like a missing
manager) and assembles the answers; ``scorecard_rules`` holds the periods, the trend, the
status and the shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import Team, User
from accord.core.schemas import MAX_ID
from accord.plans.targets import service as targets_service
from accord.plans.targets.models import ManagerTarget
from accord.team import scorecard_accounts as listing
from accord.team import scorecard_figures as figures_sql
from accord.team import scorecard_rules as rules
from accord.team.scorecard_cells import Cell, Measured
from accord.team.scorecard_rules import (
    AccountsOut,
    CellOut,
    FigureHead,
    FigureOut,
    ManagerOut,
    Period,
    PointOut,
    RowOut,
    ScorecardOut,
    ScorecardsOut,
    TeamChoice,
)

#: who holds a book of accounts (the targets' roles)
BOOK_ROLES = targets_service.BOOK_ROLES
MAX_PAGE_SIZE = 200
API = "/api/v1/team/scorecards"


# ---------------------------------------------------------------- input


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem(field, message)])


def parse_period(text: str | None, today: date) -> Period:
    """The period asked for (none: the last complete month); a 422 naming ``period``."""
    try:
        return rules.period_or_default(text, today)
    except rules.PeriodError as exc:
        raise _invalid("period", str(exc)) from None


def _figure(text: str | None) -> rules.Figure:
    try:
        return rules.figure_of(text)
    except ValueError as exc:
        raise _invalid("figure", str(exc)) from None


def _sort(sort: str) -> str:
    try:
        return rules.check_sort(sort)
    except ValueError as exc:
        raise _invalid("sort", str(exc)) from None


# ---------------------------------------------------------------- who is shown


def _book_holders(user: User) -> list[Any]:
    """Conditions on ``User``: the active managers and heads whose scorecards ``user`` reads."""
    found: list[Any] = [User.role.in_(BOOK_ROLES), User.is_active.is_(True)]
    condition = targets_service.readable(user, User.id)
    return found if condition is None else [*found, condition]


def _team_visible(session: Session, user: User, team_id: int) -> None:
    """A team ``user`` may pick: any for a role that sees everything, the teams a head heads
    and one's own; else NotFound, like a missing team."""
    team = session.get(Team, team_id) if 1 <= team_id <= MAX_ID else None
    if team is None or not user.is_active or not (
            targets_service.readable(user) is None or team.head_id == user.id
            or user.team_id == team.id):
        raise NotFound(f"no team {team_id}")


def _out(manager: User, teams: dict[int, str]) -> ManagerOut:
    return ManagerOut(id=manager.id, email=manager.email, name=manager.name, role=manager.role,
                      team_id=manager.team_id,
                      team=teams.get(manager.team_id) if manager.team_id else None)


def _team_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    return dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted))).all())


def _team_choices(session: Session, user: User) -> list[TeamChoice]:
    """The teams ``user`` may pick: all for a role that sees everything, else those they
    head and their own."""
    where: list[Any] = []
    if targets_service.readable(user) is not None:
        where.append(or_(Team.head_id == user.id, Team.id == (user.team_id or 0)))
    return [TeamChoice(id=i, name=n) for i, n in session.execute(
        select(Team.id, Team.name).where(*where).order_by(Team.name, Team.id))]


def _managers(session: Session, user: User, team_id: int | None) -> list[User]:
    where = _book_holders(user)
    if team_id is not None:
        _team_visible(session, user, team_id)
        where.append(User.team_id == team_id)
    return list(session.scalars(select(User).where(*where).order_by(User.name, User.id)))


def manager_of(session: Session, user: User, *, manager_id: int | None = None,
               email: str | None = None) -> User:
    """The manager (by id or e-mail) if ``user`` may read their scorecard; else NotFound."""
    where = _book_holders(user)
    if manager_id is not None:
        shown: object = manager_id
        where.append(User.id == (manager_id if 1 <= manager_id <= MAX_ID else 0))
    else:
        shown = (email or "").strip()
        where.append(func.lower(User.email) == str(shown).lower())
    found = session.scalars(select(User).where(*where)).first()
    if found is None:
        raise NotFound(f"no manager {shown}")
    return found


# ---------------------------------------------------------------- targets


def _targets(session: Session, user: User, ids: Sequence[int], chosen: Sequence[Period]
             ) -> dict[tuple[int, int, str], Decimal]:
    """{(manager, period index, metric): target} of the periods exactly."""
    if not ids:
        return {}
    spans = {(p.start, p.end): i for i, p in enumerate(chosen)}
    where = [ManagerTarget.manager_id.in_(sorted(ids)),
             or_(*[(ManagerTarget.period_start == s) & (ManagerTarget.period_end == e)
                   for s, e in spans])]
    readable = targets_service.readable(user)
    if readable is not None:
        where.append(readable)
    rows = session.execute(select(ManagerTarget.manager_id, ManagerTarget.period_start,
                                  ManagerTarget.period_end, ManagerTarget.metric,
                                  ManagerTarget.target).where(*where)).all()
    return {(int(m), spans[(s, e)], metric): Decimal(t) for m, s, e, metric, t in rows}


# ---------------------------------------------------------------- one manager


def _head(f: rules.Figure, measured: Measured) -> FigureHead:
    return FigureHead(key=f.key, label=f.label, unit=f.unit, definition=f.definition,
                      formula=f.formula, source=f.source, registry=f.registry,
                      history=f.history, measured=f.key not in measured.unmeasured,
                      note=measured.unmeasured.get(f.key) or measured.notes.get(f.key))


def _figure_out(f: rules.Figure, measured: Measured, manager_id: int, chosen: list[Period],
                targets: dict[tuple[int, int, str], Decimal], today: date) -> FigureOut:
    last = len(chosen) - 1
    cells = [measured.cell(f.key, manager_id, i) for i in range(len(chosen))]
    values = [c.value for c in cells]
    target = targets.get((manager_id, last, f.target_metric or ""))
    attainment, status = rules.target_status(f, values[-1], target, chosen[last], today)
    moved = rules.trend(values, f.higher_is_better)
    return FigureOut(
        **_head(f, measured).model_dump(), value=values[-1],
        numerator=None if cells[-1].num is None else Decimal(cells[-1].num),
        denominator=None if cells[-1].den is None else Decimal(cells[-1].den),
        target=target, attainment=attainment, status=status,
        trend=[PointOut(period=p.label, value=v) for p, v in zip(chosen, values, strict=True)],
        direction=moved.direction, change=moved.change, better=moved.better,
        accounts=f"{API}/{manager_id}/accounts?figure={f.key}&period={chosen[last].label}")


def scorecard(
    session: Session, user: User, today: date, *, manager_id: int | None = None,
    manager_email: str | None = None, period: str | None = None,
) -> ScorecardOut:
    """One manager's scorecard: every figure over the period, its trend over the period and
    the ones before it, its target and status where one is set. A manager ``user`` may not
    read (or none): NotFound."""
    chosen = rules.trend_periods(parse_period(period, today))
    manager = manager_of(session, user, manager_id=manager_id, email=manager_email)
    measured = figures_sql.measure(session, user, today, [manager], chosen)
    targets = _targets(session, user, [manager.id], chosen)
    teams = _team_names(session, {manager.team_id})
    return ScorecardOut(
        period=chosen[-1].label, period_start=chosen[-1].start, period_end=chosen[-1].end,
        today=today, manager=_out(manager, teams), periods=[p.label for p in chosen],
        figures=[_figure_out(f, measured, manager.id, chosen, targets, today)
                 for f in rules.FIGURES])


# ---------------------------------------------------------------- the table


def _cell(f: rules.Figure, pair: list[Cell], target: Decimal | None, period: Period,
          today: date) -> CellOut:
    moved = rules.trend([c.value for c in pair], f.higher_is_better)
    _, status = rules.target_status(f, pair[-1].value, target, period, today)
    return CellOut(value=pair[-1].value, direction=moved.direction, better=moved.better,
                   status=status)


def _row(kind: str, label: str, measured: Measured, ids: list[int], chosen: list[Period],
         today: date, targets: dict[tuple[int, int, str], Decimal], **more: Any) -> RowOut:
    cells = {}
    for f in rules.FIGURES:
        pair = [measured.combined(f.key, ids, i) for i in range(len(chosen))]
        target = targets.get((ids[0], len(chosen) - 1, f.target_metric or "")) \
            if kind == "manager" else None
        cells[f.key] = _cell(f, pair, target, chosen[-1], today)
    return RowOut(kind=kind, label=label, cells=cells, **more)


def _value(row: RowOut, key: str) -> Any:
    if key == "manager":
        return row.label.lower()
    if key == "team":
        return (row.manager.team or "").lower() if row.manager else row.label.lower()
    return row.cells[key].value


def _table(session: Session, user: User, today: date, people: list[User],
           chosen: list[Period], sort: str, team_id: int | None,
           doc: dict[str, Any] | None = None) -> ScorecardsOut:
    ids = [m.id for m in people]
    measured = figures_sql.measure(session, user, today, people, chosen, doc=doc)
    targets = _targets(session, user, ids, chosen)
    names = _team_names(session, {m.team_id for m in people})
    rows = [_row("manager", m.name, measured, [m.id], chosen, today, targets,
                 manager=_out(m, names), team_id=m.team_id) for m in people]
    teams = [_row("team", names[t], measured, [m.id for m in people if m.team_id == t],
                  chosen, today, targets, team_id=t)
             for t in sorted(names, key=lambda t: names[t])]
    portfolio = _row("portfolio", "All managers shown", measured, ids, chosen, today, targets)
    return ScorecardsOut(
        period=chosen[-1].label, previous=chosen[0].label, today=today, sort=sort,
        team_id=team_id, figures=[_head(f, measured) for f in rules.FIGURES],
        rows=rules.sort_rows(rows, sort, _value), teams=rules.sort_rows(teams, sort, _value),
        portfolio=portfolio,
        team_choices=_team_choices(session, user) if doc is None else [])


def scorecards(
    session: Session, user: User, today: date, *, team_id: int | None = None,
    period: str | None = None, sort: str = "manager",
) -> ScorecardsOut:
    """The managers ``user`` may read (of one team when ``team_id``), each with every figure
    of the period and its direction against the period before; a row per team and one for
    all of them (the figures recomputed from the managers' parts, not averaged); sorted."""
    current = parse_period(period, today)
    _sort(sort)
    people = _managers(session, user, team_id)
    return _table(session, user, today, people, [current.shifted(-1), current], sort, team_id)


def month_table(
    session: Session, user: User, today: date, *, month: str, manager: User | None,
    doc: dict[str, Any] | None = None,
) -> ScorecardsOut | None:
    """The monthly report's table: the month's figures (no comparison) of the chosen
    manager, or of every manager ``user`` reads; None when there is none to show.
    ``doc``: the report's KPI document (its ``by_manager`` rows serve NRR and GRR)."""
    if manager is not None:
        try:
            people = [manager_of(session, user, manager_id=manager.id)]
        except NotFound:
            return None
    else:
        people = _managers(session, user, None)
    if not people:
        return None
    return _table(session, user, today, people, [parse_period(month, today)], "manager",
                  None, doc)


# ---------------------------------------------------------------- the accounts behind


def figure_accounts(
    session: Session, user: User, today: date, manager_id: int, *, figure: str | None,
    period: str | None = None, page: int = 1, page_size: int = 50,
) -> AccountsOut:
    """The accounts behind one figure of a manager's scorecard (those ``user`` sees), with
    what each contributes; paged."""
    f = _figure(figure)
    current = parse_period(period, today)
    if not 1 <= page <= 100_000:
        raise _invalid("page", "from 1 to 100000")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise _invalid("page_size", f"from 1 to {MAX_PAGE_SIZE}")
    manager = manager_of(session, user, manager_id=manager_id)
    measured = figures_sql.measure(session, user, today, [manager], [current], keys=[f.key])
    columns, lines, total = listing.accounts(session, user, today, f.key, manager.id,
                                             current, page=page, page_size=page_size)
    teams = _team_names(session, {manager.team_id})
    return AccountsOut(
        manager=_out(manager, teams), period=current.label, figure=_head(f, measured),
        value=measured.cell(f.key, manager.id, 0).value, columns=columns, items=lines,
        total=total, page=page, page_size=page_size, pages=max(1, -(-total // page_size)))


# ---------------------------------------------------------------- the export


def export_rows(
    session: Session, user: User, today: date, *, team_id: int | None = None,
    period: str | None = None, sort: str = "manager",
) -> tuple[str, list[list[Any]]]:
    """The table as rows (a header, the managers, the teams, all): values only, for the
    CSV and Excel writers of the doors (which keep every text cell from being a formula)."""
    table = scorecards(session, user, today, team_id=team_id, period=period, sort=sort)
    header: list[Any] = ["row", "name", "email", "team", "period",
                         *[f.key for f in table.figures]]
    rows = [header]
    for r in [*table.rows, *table.teams, table.portfolio]:
        rows.append([r.kind, r.label, r.manager.email if r.manager else "",
                     (r.manager.team or "") if r.manager else "", table.period,
                     *[r.cells[f.key].value for f in table.figures]])
    return table.period, rows

