"""REST API of workload and capacity (issue 17): the loads per manager, the accounts behind a
manager's figures, the what-if of moves (nothing written) and the team settings. Each route
parses its input, calls one function of ``team.workload`` (or ``team.settings``) and
answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from accord.api.common import Caller, CallerToday, Db, IdPath, IdQuery, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core.schemas import PageNumber
from accord.team import settings, workload
from accord.team.rules import FIGURES, TeamPolicy
from accord.team.schemas import (
    MAX_PAGE_SIZE,
    AccountLoadPage,
    TeamSettingsIn,
    WhatIfIn,
    WhatIfOut,
    WorkloadOut,
)

router = APIRouter(tags=["team"])
Figure = Annotated[str, Query(max_length=20, description="The figure whose accounts to list: "
                               + ", ".join(FIGURES))]


@router.get("/team/workload", response_model=WorkloadOut, responses=problems(403, 404),
            summary="Each manager's workload against their capacity, with warnings",
            description="The managers you see: a head the teams they head (and themself when "
            "they hold accounts), a manager or sales rep themself, an admin everyone; viewers, "
            "billing and specialists are refused (403). `team_id` keeps one team (404 when it "
            "is not one you may see). Points: each account's by its tier (an individual "
            "client's own), scaled by its own cadence (default ÷ overridden interval, capped), "
            "plus points per open hand-off and per agency brief in flight (`/api/v1/team/"
            "settings`). Warnings: `over_capacity`, `too_many_key_accounts`, `low_coverage`, "
            "`wrong_segment`.")
def get_workload(db: Db, user: Caller, day: CallerToday, team_id: IdQuery = None
                 ) -> WorkloadOut:
    return workload.workload(db, user, day, team_id=team_id)


@router.get("/team/managers/{manager_id}/accounts", response_model=AccountLoadPage,
            responses=problems(403, 404),
            summary="The accounts behind one manager's figures, each with its points",
            description="`figure`: accounts (all, the default), key_accounts, coverage (the "
            "key accounts coverage counts, the uncovered first), overdue (with overdue "
            "follow-ups), handoffs (with open hand-offs), briefs (with briefs in flight), "
            "wrong_segment (in a segment the manager does not serve). The heaviest first. "
            "404 for a manager whose load you do not see.")
def get_manager_accounts(
    db: Db, user: Caller, day: CallerToday, manager_id: IdPath, figure: Figure = "accounts",
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> AccountLoadPage:
    return workload.account_loads(db, user, day, manager_id, figure=figure, page=page,
                                  page_size=page_size)


@router.post("/team/what-if", response_model=WhatIfOut, responses=problems(403),
             summary="Try moves between managers: both loads before and after; nothing is "
             "written",
             description="A POST because it carries the moves as a body: it **writes "
             "nothing** (no account changes manager, no hand-off is opened, nothing is "
             "audited). Heads (for the teams they head) and admins. Every manager a move "
             "takes an account from or gives it to is listed before and after; a moved "
             "company account counts the manager-to-manager hand-off its move would open. An "
             "account you do not see, one managed outside your teams, a manager you may not "
             "give accounts to, an account listed twice or given to its own manager is a 422 "
             "naming the move (`moves.<n>.account_id` / `moves.<n>.to_manager_id`).")
def post_what_if(db: Db, user: Caller, day: CallerToday, body: WhatIfIn) -> WhatIfOut:
    return workload.simulate(db, user, day, [(m.account_id, m.to_manager_id)
                                             for m in body.moves])


@router.get("/team/settings", response_model=TeamPolicy, responses=problems(),
            summary="The team settings: workload points, the override cap, the warnings",
            description="`ETag` carries the settings' version (0 while the defaults apply).")
def get_team_settings(db: Db, user: Caller, response: Response) -> TeamPolicy:
    set_etag(response, settings.version(db))
    return settings.policy(db)


@router.put("/team/settings", response_model=TeamPolicy, responses=problems(403, 409),
            summary="Change the team settings (admins and heads); only the fields given change",
            description="Points have at most two decimals. With `If-Match` (the `ETag` of a "
            "read), a change made meanwhile is a 409. Audited.")
def put_team_settings(db: Db, user: Caller, body: TeamSettingsIn, response: Response,
                      expected: IfMatch) -> TeamPolicy:
    out = settings.save_policy(db, user, body.given(), expected)
    set_etag(response, settings.version(db))
    return out
