"""The cells of the scorecards' figures (``scorecard_figures`` measures them): a figure's
value for one manager in one period with the parts that combine it over several managers
(``Cell``, ``COMBINE``: a team's, everyone's), the result of a measurement (``Measured``)
and what every figure's measurement reads (``Ctx``: the asking user, the managers, the
accounts of their books the user sees, the periods).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import sees_account, visible_filter
from accord.agency.rules import on_time_rate
from accord.calendar.cadence import service as cadence
from accord.core.models import Role, Team, User
from accord.kpis.formulas import Sums, money, retention, total
from accord.licences.signals.rules import share as licence_share
from accord.team import scorecard_rules as rules
from accord.team.scorecard_rules import Period


@dataclass
class Cell:
    value: Decimal | None = None
    num: int | Decimal | None = None  # the parts of a ratio, to combine managers
    den: int | Decimal | None = None
    sums: Sums | None = None  # the KPI sums (NRR, GRR)


Cells = dict[tuple[int, int], Cell]  # (manager id, period index) -> cell


def kpi_cell(key: str, s: Sums) -> Cell:
    """NRR or GRR of the sums, with its parts (money)."""
    kept = s.starting - s.churned - s.contraction
    num = kept + s.expansion if key == "nrr" else kept
    return Cell(retention(s)[key], money(num), money(s.starting), s)  # type: ignore[arg-type]


def _sum(cells: list[Cell]) -> Cell:
    known = [c.value for c in cells if c.value is not None]
    return Cell(sum(known, Decimal(0)) if known else None)


def _ratio(quotient: Callable[[int, int], Decimal | None]) -> Callable[[list[Cell]], Cell]:
    def combine(cells: list[Cell]) -> Cell:
        parts = [c for c in cells if c.den is not None]
        if not parts:
            return Cell()
        num, den = sum(int(c.num or 0) for c in parts), sum(int(c.den or 0) for c in parts)
        return Cell(quotient(num, den), num, den)
    return combine


def _retention(key: str) -> Callable[[list[Cell]], Cell]:
    def combine(cells: list[Cell]) -> Cell:
        parts = [c.sums for c in cells if c.sums is not None]
        return kpi_cell(key, total(parts)) if parts else Cell()
    return combine


#: how the figure of several managers (a team, all) is made from theirs; default: the sum
COMBINE: dict[str, Callable[[list[Cell]], Cell]] = {
    "nrr": _retention("nrr"), "grr": _retention("grr"),
    "coverage": _ratio(cadence.share), "handoffs_on_time": _ratio(rules.share),
    "briefs_on_time": _ratio(on_time_rate), "licence_utilisation": _ratio(licence_share),
}


@dataclass
class Measured:
    cells: dict[str, Cells]
    unmeasured: dict[str, str] = field(default_factory=dict)  # figure -> why not
    notes: dict[str, str] = field(default_factory=dict)

    def cell(self, key: str, manager_id: int, index: int) -> Cell:
        return self.cells.get(key, {}).get((manager_id, index)) or Cell()

    def combined(self, key: str, ids: Sequence[int], index: int) -> Cell:
        cells = [self.cell(key, m, index) for m in ids]
        if len(cells) == 1:
            return cells[0]
        return COMBINE.get(key, _sum)(cells)


@dataclass(frozen=True)
class Ctx:
    session: Session
    user: User
    today: date
    managers: Sequence[User]
    chosen: Sequence[Period]
    doc: dict[str, Any] | None

    @property
    def ids(self) -> list[int]:
        return [m.id for m in self.managers]

    @cached_property
    def visible(self) -> Any:
        """The accounts the user sees (``visible_filter``: the ids the rule depends on read
        once, so that each figure's statement tests it by index)."""
        return visible_filter(self.session, self.user)

    @cached_property
    def whole_books(self) -> bool:
        """Whether the user sees every account of each manager's book: the visibility rule
        (``sees_account``) for an account of theirs without an account team. True for every
        manager whose scorecard the user reads (themself, their teams', or all)."""
        heads: dict[int, int | None] = {}
        teams = sorted({m.team_id for m in self.managers if m.team_id is not None})
        if teams and Role(self.user.role) is Role.HEAD:
            heads = dict(self.session.execute(
                select(Team.id, Team.head_id).where(Team.id.in_(teams))).all())
        return all(sees_account(self.user, manager_id=m.id, member_ids=(),
                                manager_team_head_id=heads.get(m.team_id or 0))
                   for m in self.managers)

    @property
    def book(self) -> Any:
        """The accounts counted: the managers' that the user sees (no condition per account
        when the user sees their whole books)."""
        mine = Account.manager_id.in_(self.ids)
        return mine if self.whole_books else and_(mine, self.visible)

    @property
    def current(self) -> int:
        return len(self.chosen) - 1

    def started(self) -> list[tuple[int, Period]]:
        return [(i, p) for i, p in enumerate(self.chosen) if p.start <= self.today]
