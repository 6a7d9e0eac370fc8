"""REST API of who should take an account (issue 17): the suggestions for an account, one
move, the rebalance proposal and applying the moves accepted. Each route parses its input,
calls one function of ``team.suggest`` or ``team.moves`` and answers. Heads (for their
teams) and admins; the others are refused (403)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from accord.api.common import Caller, CallerToday, Db, IdQuery, problems
from accord.core.schemas import Id, StrictId
from accord.team import moves, suggest
from accord.team.moves import MAX_APPLY, MAX_REASON, Applied, MoveOut, Proposal
from accord.team.suggest import AccountSuggestions

router = APIRouter(tags=["team"])
Reason = Annotated[str | None, Field(max_length=MAX_REASON, description="Why: needed when "
                                     "the manager serves another segment than the account's")]


class MoveIn(BaseModel):
    """One account to give to another manager."""

    model_config = ConfigDict(extra="forbid")

    account_id: StrictId
    to_manager_id: StrictId
    reason: Reason = None


class ApplyIn(BaseModel):
    """The moves of a proposal the head accepts."""

    model_config = ConfigDict(extra="forbid")

    moves: Annotated[list[MoveIn], Field(min_length=1, max_length=MAX_APPLY)]


@router.get("/team/suggestions", response_model=AccountSuggestions,
            responses=problems(403, 404),
            summary="Who should take an account: the managers of its segment, best first",
            description="The active managers you may give the account to (a head: of the teams "
            "they head, and themself; an admin: everyone) who serve its segment, ranked by "
            "the capacity they would have left after taking it, each with the reasons: load, "
            "key accounts held, the client's parent, siblings or children they manage already, "
            "accounts in the same industry. Nothing is written. An account you do not see is a "
            "404; one managed outside your teams, or a caller who is not a head or an admin, a "
            "403.")
def get_suggestions(db: Db, user: Caller, day: CallerToday,
                    account_id: Annotated[Id, Query(description="The account")]
                    ) -> AccountSuggestions:
    return suggest.suggestions(db, user, day, account_id)


@router.post("/team/moves", response_model=MoveOut, responses=problems(403, 404, 409),
             summary="Give an account to another manager (a hand-off between managers)",
             description="The account's manager changes; a company's leaving manager hands it "
             "over to the new one (a manager-to-manager hand-off, opened in draft) or its open "
             "hand-off follows it to the new manager; a person (B2C) needs none. Audited, with "
             "the reason. A manager of another segment takes it only with a `reason` (422 "
             "naming `reason`); a manager you may not give accounts to, or the account's own, "
             "is a 422 naming `to_manager_id`. An account you do not see is a 404.")
def post_move(db: Db, user: Caller, day: CallerToday, body: MoveIn) -> MoveOut:
    return moves.move(db, user, day, body.account_id, body.to_manager_id, body.reason)


@router.get("/team/rebalance", response_model=Proposal, responses=problems(403, 404),
            summary="A rebalance proposal: the moves that bring every manager within capacity",
            description="For the teams you head (an admin: everyone; `team_id`: one team, 404 "
            "when it is not yours): the moves that bring every manager within capacity, moving "
            "as few key accounts as it can, then as few accounts; never to a manager of "
            "another segment, never an account or to a manager outside your teams. Each "
            "manager's points before and after; `still_over` names those the moves cannot "
            "bring within capacity. Nothing is written.")
def get_rebalance(db: Db, user: Caller, day: CallerToday, team_id: IdQuery = None) -> Proposal:
    return moves.rebalance(db, user, day, team_id=team_id)


@router.post("/team/rebalance", response_model=Applied, responses=problems(403),
             summary="Apply the moves of a proposal you accept",
             description="Each move as `POST /api/v1/team/moves`, all in one transaction: when "
             "one is refused none is made, and the 422 names it (`moves.<n>.account_id`, "
             "`moves.<n>.to_manager_id`, `moves.<n>.reason`). Answers the moves made and the "
             "loads of the managers they touched.")
def post_rebalance(db: Db, user: Caller, day: CallerToday, body: ApplyIn) -> Applied:
    return moves.apply(db, user, day, [(m.account_id, m.to_manager_id, m.reason)
                                       for m in body.moves])
