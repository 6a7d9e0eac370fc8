"""Input and output of the workload API (issue 17): loads, the accounts behind a figure, the
what-if, the settings. Bounded types from ``core.schemas``; limits from the rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from accord.core.schemas import StrictId
from accord.team.rules import FIGURES, Load

#: the most moves one what-if takes
MAX_MOVES = 200
#: the most accounts behind a figure on one page
MAX_PAGE_SIZE = 200
Points = Annotated[Decimal, Field(ge=0, le=10_000, max_digits=7, decimal_places=2,
                                  allow_inf_nan=False)]


class LoadOut(BaseModel):
    """One manager's workload against their capacity."""

    manager_id: int
    name: str
    email: str
    team_id: int | None
    team_name: str | None
    segment: str | None
    capacity: int
    points: Decimal = Field(description="Workload points: the accounts' points plus the open "
                            "hand-offs' and the briefs in flight's")
    spare: Decimal = Field(description="Capacity − points (negative: over capacity)")
    share: Decimal | None = Field(description="Points ÷ capacity (none for a capacity of 0)")
    accounts: int
    key_accounts: int = Field(description="Strategic and Star accounts")
    handoffs: int = Field(description="Open hand-offs of their accounts")
    briefs: int = Field(description="Agency briefs in flight on their accounts")
    coverage: Decimal | None = Field(description="Share of their key accounts touched within "
                                     "the cadence (none without key accounts to cover)")
    coverage_accounts: int
    covered: int
    overdue: int = Field(description="Overdue follow-ups on their accounts")
    wrong_segment: int = Field(description="Accounts in a segment they do not serve")
    warnings: list[str] = Field(description="over_capacity, too_many_key_accounts, "
                                "low_coverage, wrong_segment")

    @classmethod
    def of(cls, load: Load) -> LoadOut:
        return cls(
            manager_id=load.manager_id, name=load.name, email=load.email, team_id=load.team_id,
            team_name=load.team_name, segment=load.segment, capacity=load.capacity,
            points=load.points, spare=load.spare, share=load.share, accounts=load.accounts,
            key_accounts=load.key_accounts, handoffs=load.handoffs, briefs=load.briefs,
            coverage=load.coverage, coverage_accounts=load.coverage_accounts,
            covered=load.covered, overdue=load.overdue, wrong_segment=load.wrong_segment,
            warnings=list(load.warnings))


class TeamRef(BaseModel):
    id: int
    name: str


class WorkloadOut(BaseModel):
    """The loads of the managers the caller sees (a head: their teams'; a manager: their
    own; an admin: everyone's), by team and name."""

    today: date
    team_id: int | None
    teams: list[TeamRef] = Field(description="The teams the caller may filter by")
    managers: list[LoadOut]
    points: Decimal = Field(description="Sum of the loads listed")
    capacity: int = Field(description="Sum of the capacities listed")
    over_capacity: int = Field(description="Managers over capacity")


class AccountLoad(BaseModel):
    """One account behind a manager's figures, with its points."""

    account_id: int
    name: str
    kind: str
    segment: str | None
    tier: str
    key: bool
    touch_days: int | None = Field(description="Its touch interval (its own when overridden)")
    overridden: bool = Field(description="It has its own cadence (the points are scaled)")
    points: Decimal
    covered: bool | None = Field(description="Touched within its interval (none: not counted "
                                 "in coverage)")
    last_touch_on: date | None
    overdue: int
    handoffs: int
    briefs: int
    in_segment: bool = Field(description="In a segment the manager serves")


class AccountLoadPage(BaseModel):
    manager: LoadOut
    figure: str = Field(description=", ".join(FIGURES))
    total: int
    page: int
    page_size: int
    pages: int
    items: list[AccountLoad]


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: StrictId
    to_manager_id: StrictId


class WhatIfIn(BaseModel):
    """Moves to try: nothing is written."""

    model_config = ConfigDict(extra="forbid")

    moves: Annotated[list[MoveIn], Field(min_length=1, max_length=MAX_MOVES)]


class MoveOut(BaseModel):
    account_id: int
    account_name: str
    from_manager_id: int | None
    to_manager_id: int
    points: Decimal = Field(description="The account's points")


class WhatIfOut(BaseModel):
    """The loads of every manager the moves touch, before and after (nothing written)."""

    today: date
    moves: list[MoveOut]
    before: list[LoadOut]
    after: list[LoadOut]


class TeamSettingsIn(BaseModel):
    """A change to the team settings: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    strategic: Points | None = None
    star: Points | None = None
    status: Points | None = None
    streamline: Points | None = None
    not_key: Points | None = None
    person: Points | None = None
    handoff_points: Points | None = None
    brief_points: Points | None = None
    override_cap: Annotated[Decimal | None, Field(ge=1, le=100, max_digits=5, decimal_places=2,
                                                  allow_inf_nan=False)] = None
    key_accounts_limit: Annotated[int | None, Field(strict=True, ge=1, le=100_000)] = None
    coverage_below: Annotated[Decimal | None, Field(ge=0, le=1, max_digits=5, decimal_places=4,
                                                    allow_inf_nan=False)] = None
    default_capacity: Annotated[int | None, Field(strict=True, ge=0, le=100_000)] = None

    def given(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True, mode="json")
