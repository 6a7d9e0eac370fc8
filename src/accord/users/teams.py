"""Teams: create, rename, head, members, delete. One service behind the page, API and CLI.

A user belongs to at most one team (``users.team_id``); a team's head sees the accounts of
its members (``accord.accounts.visibility``). Admins change teams; a head may read the teams
they head or belong to. Every change is audited in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.models import Role, Team, User
from accord.core.roles import require_role
from accord.users.team_rules import HEAD_ROLES, clean_name, head_problem

EDITABLE = ("name", "head_id")


@dataclass(frozen=True)
class TeamSummary:
    id: int
    name: str
    head: User | None
    member_count: int


@dataclass(frozen=True)
class TeamDetail:
    id: int
    name: str
    head: User | None
    members: list[User]

    @property
    def member_count(self) -> int:
        return len(self.members)


# ---------------------------------------------------------------- rules


def _check_name_free(session: Session, name: str, except_id: int | None = None) -> None:
    """Names are unique whatever their case (compared in Python: SQLite's lower() is ASCII)."""
    key = name.casefold()
    for team_id, other in session.execute(select(Team.id, Team.name)):
        if team_id != except_id and other.casefold() == key:
            raise Conflict(f"a team named {other!r} already exists")


def _check_head(session: Session, head_id: Any) -> User | None:
    if head_id is None:
        return None
    if isinstance(head_id, bool) or not isinstance(head_id, int):
        raise ValidationFailed([FieldProblem("head_id", "must be a user id")])
    head = session.get(User, head_id)
    if head is None:
        raise ValidationFailed([FieldProblem("head_id", f"no user {head_id}")])
    problem = head_problem(head.email, head.role, head.is_active)
    if problem:
        raise ValidationFailed([FieldProblem("head_id", problem)])
    return head


def _snapshot(team: Team) -> dict[str, Any]:
    return {"name": team.name, "head_id": team.head_id}


# ---------------------------------------------------------------- reading


def _readable(actor: User) -> Any:
    """None for every team (admin); else the condition on ``Team`` a head may read."""
    if actor.role == Role.ADMIN.value and actor.is_active:
        return None
    if actor.role != Role.HEAD.value or not actor.is_active:
        raise Forbidden("this needs the role admin or head")
    own = [Team.head_id == actor.id]
    if actor.team_id is not None:
        own.append(Team.id == actor.team_id)
    return or_(*own)


def list_teams(session: Session, actor: User) -> list[TeamSummary]:
    """Every team for an admin; the teams a head heads or belongs to; 403 for others."""
    condition = _readable(actor)
    counts = (
        select(User.team_id, func.count().label("n"))
        .where(User.team_id.is_not(None))
        .group_by(User.team_id)
        .subquery()
    )
    query = (
        select(Team, User, func.coalesce(counts.c.n, 0))
        .outerjoin(User, User.id == Team.head_id)
        .outerjoin(counts, counts.c.team_id == Team.id)
        .order_by(Team.name)
    )
    if condition is not None:
        query = query.where(condition)
    return [
        TeamSummary(id=t.id, name=t.name, head=h, member_count=int(n))
        for t, h, n in session.execute(query)
    ]


def _detail(session: Session, team: Team) -> TeamDetail:
    members = list(
        session.scalars(select(User).where(User.team_id == team.id).order_by(User.name, User.id))
    )
    head = session.get(User, team.head_id) if team.head_id is not None else None
    return TeamDetail(id=team.id, name=team.name, head=head, members=members)


def _team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team {team_id}")
    return team


def get_team(session: Session, actor: User, team_id: int) -> TeamDetail:
    """One team with its members; a team a head may not read is *not found*, like a missing one."""
    condition = _readable(actor)
    query = select(Team).where(Team.id == team_id)
    if condition is not None:
        query = query.where(condition)
    team = session.scalar(query)
    if team is None:
        raise NotFound(f"no team {team_id}")
    return _detail(session, team)


def find_team(session: Session, actor: User, ref: str) -> TeamDetail:
    """A team by id or by name (any case), for the command line."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) < 10:
        try:
            return get_team(session, actor, int(ref))
        except NotFound:
            pass  # a team may be named "2027"
    key = ref.casefold()
    for team_id, name in session.execute(select(Team.id, Team.name)):
        if name.casefold() == key:
            return get_team(session, actor, team_id)
    raise NotFound(f"no team {ref!r}")


def head_candidates(session: Session, actor: User) -> list[User]:
    """Active users who may head a team (role head or admin)."""
    require_role(actor, Role.ADMIN)
    return list(
        session.scalars(
            select(User)
            .where(User.is_active.is_(True), User.role.in_(sorted(HEAD_ROLES)))
            .order_by(User.name, User.id)
        )
    )


def member_candidates(session: Session, actor: User, team_id: int) -> list[tuple[User, str | None]]:
    """Active users not in the team, with the team they would leave (if any)."""
    require_role(actor, Role.ADMIN)
    rows = session.execute(
        select(User, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.is_active.is_(True), or_(User.team_id.is_(None), User.team_id != team_id))
        .order_by(User.name, User.id)
    )
    return [(u, n) for u, n in rows]


# ---------------------------------------------------------------- changing (admin only)


def _flush(session: Session, name: str) -> None:
    try:
        session.flush()
    except IntegrityError:  # a concurrent create of the same name
        raise Conflict(f"a team named {name!r} already exists") from None


def create_team(session: Session, actor: User, name: str, head_id: int | None = None) -> TeamDetail:
    """A new team (admin)."""
    require_role(actor, Role.ADMIN)
    name = clean_name(name)
    head = _check_head(session, head_id)
    _check_name_free(session, name)
    team = Team(name=name, head_id=head.id if head else None)
    session.add(team)
    _flush(session, name)
    audit.record(session, actor, "create", "team", team.id, after=_snapshot(team))
    return _detail(session, team)


def update_team(
    session: Session, actor: User, team_id: int, changes: Mapping[str, Any]
) -> TeamDetail:
    """Rename and/or set the head (``head_id`` None clears it); only the keys given change."""
    require_role(actor, Role.ADMIN)
    team = _team(session, team_id)
    unknown = [FieldProblem(k, "not a team field") for k in changes if k not in EDITABLE]
    if unknown:
        raise ValidationFailed(unknown)
    before = _snapshot(team)
    if "name" in changes:
        name = clean_name(changes["name"])
        _check_name_free(session, name, except_id=team.id)
        team.name = name
    if "head_id" in changes:
        head = _check_head(session, changes["head_id"])
        team.head_id = head.id if head else None
    _flush(session, team.name)
    b, a = audit.changed_fields(before, _snapshot(team))
    if a:
        audit.record(session, actor, "update", "team", team.id, before=b, after=a)
    return _detail(session, team)


def rename_team(session: Session, actor: User, team_id: int, name: str) -> TeamDetail:
    return update_team(session, actor, team_id, {"name": name})


def set_head(session: Session, actor: User, team_id: int, head_id: int | None) -> TeamDetail:
    return update_team(session, actor, team_id, {"head_id": head_id})


@dataclass(frozen=True)
class MemberChange:
    team: TeamDetail
    user: User
    #: the team the user left to join this one (add), or None
    left_team: str | None
    changed: bool


def add_member(session: Session, actor: User, team_id: int, user_id: int) -> MemberChange:
    """Put a user in the team. A user is in one team at most: one in another team moves."""
    require_role(actor, Role.ADMIN)
    team = _team(session, team_id)
    user = session.get(User, user_id)
    if user is None:
        raise ValidationFailed([FieldProblem("user_id", f"no user {user_id}")])
    if user.team_id == team.id:
        return MemberChange(_detail(session, team), user, None, changed=False)
    if not user.is_active:
        raise ValidationFailed([FieldProblem("user_id", f"{user.email} is deactivated")])
    previous = session.get(Team, user.team_id) if user.team_id is not None else None
    user.team_id = team.id
    session.flush()
    audit.record(
        session,
        actor,
        "add_member",
        "team",
        team.id,
        before={"user_id": user.id, "team_id": previous.id if previous else None},
        after={"user_id": user.id, "email": user.email, "team_id": team.id},
    )
    left = previous.name if previous else None
    return MemberChange(_detail(session, team), user, left, changed=True)


def remove_member(session: Session, actor: User, team_id: int, user_id: int) -> TeamDetail:
    require_role(actor, Role.ADMIN)
    team = _team(session, team_id)
    user = session.get(User, user_id)
    if user is None or user.team_id != team.id:
        raise NotFound(f"user {user_id} is not a member of team {team.name!r}")
    user.team_id = None
    session.flush()
    audit.record(
        session,
        actor,
        "remove_member",
        "team",
        team.id,
        before={"user_id": user.id, "email": user.email, "team_id": team.id},
        after={"user_id": user.id, "team_id": None},
    )
    return _detail(session, team)


def delete_team(session: Session, actor: User, team_id: int) -> None:
    """Delete an empty team; one with members is a conflict (remove or move them first)."""
    require_role(actor, Role.ADMIN)
    team = _team(session, team_id)
    members = session.scalar(select(func.count()).select_from(User).where(User.team_id == team.id))
    if members:
        raise Conflict(
            f"team {team.name!r} still has {members} member{'s' if members != 1 else ''}; "
            "remove or move them first"
        )
    before = _snapshot(team)
    session.delete(team)
    session.flush()
    audit.record(session, actor, "delete", "team", team_id, before=before)
