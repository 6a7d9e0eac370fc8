"""REST API for teams: ``/teams`` (admin writes; a head reads the teams they head or are in)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from accord.api.common import Caller, Db, IdPath, problems
from accord.core.models import User
from accord.core.schemas import UserRef
from accord.users import teams as team_service
from accord.users.schemas import TeamIn, TeamMemberIn, TeamOut, TeamPatch, TeamSummaryOut

router = APIRouter(tags=["teams"])


def _ref(user: User | None) -> UserRef | None:
    if user is None:
        return None
    return UserRef(id=user.id, email=user.email, name=user.name, role=user.role)


def team_out(team: team_service.TeamDetail) -> TeamOut:
    return TeamOut(
        id=team.id,
        name=team.name,
        head=_ref(team.head),
        member_count=team.member_count,
        members=[UserRef(id=u.id, email=u.email, name=u.name, role=u.role) for u in team.members],
    )


@router.get(
    "/teams",
    summary="List teams (admin: all; head: their own)",
    response_model=list[TeamSummaryOut],
    responses=problems(403),
)
def list_teams(db: Db, user: Caller) -> list[TeamSummaryOut]:
    return [
        TeamSummaryOut(id=t.id, name=t.name, head=_ref(t.head), member_count=t.member_count)
        for t in team_service.list_teams(db, user)
    ]


@router.post(
    "/teams",
    summary="Create a team (admin)",
    response_model=TeamOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 409),
)
def create_team(body: TeamIn, db: Db, user: Caller, response: Response) -> TeamOut:
    team = team_service.create_team(db, user, body.name, body.head_id)
    response.headers["Location"] = f"/api/v1/teams/{team.id}"
    return team_out(team)


@router.get(
    "/teams/{team_id}",
    summary="Read a team and its members (admin, or a head of or in it)",
    response_model=TeamOut,
    responses=problems(403, 404),
)
def get_team(team_id: IdPath, db: Db, user: Caller) -> TeamOut:
    return team_out(team_service.get_team(db, user, team_id))


@router.patch(
    "/teams/{team_id}",
    summary="Rename a team or set its head (admin)",
    response_model=TeamOut,
    responses=problems(403, 404, 409),
)
def update_team(team_id: IdPath, body: TeamPatch, db: Db, user: Caller) -> TeamOut:
    changes = body.model_dump(exclude_unset=True)
    return team_out(team_service.update_team(db, user, team_id, changes))


@router.delete(
    "/teams/{team_id}",
    summary="Delete an empty team (admin)",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(403, 404, 409),
)
def delete_team(team_id: IdPath, db: Db, user: Caller) -> Response:
    team_service.delete_team(db, user, team_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/teams/{team_id}/members",
    summary="Add a user to a team (admin); a user in another team moves",
    response_model=TeamOut,
    responses=problems(403, 404),
)
def add_member(team_id: IdPath, body: TeamMemberIn, db: Db, user: Caller) -> TeamOut:
    return team_out(team_service.add_member(db, user, team_id, body.user_id).team)


@router.delete(
    "/teams/{team_id}/members/{user_id}",
    summary="Remove a user from a team (admin)",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(403, 404),
)
def remove_member(team_id: IdPath, user_id: IdPath, db: Db, user: Caller) -> Response:
    team_service.remove_member(db, user, team_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
