"""Re-assigning accounts between managers (issue 17): one move, the rebalance proposal for
the head's teams, and applying the moves the head accepts.

- ``move``: the account's responsible manager changes to ``to_manager_id`` and the
  account's lifecycle is told (``accounts.service.announce_changes``): the hand-offs answer
  as for any change of manager (``handoffs.gate.on_manager_changed``): a company's leaving
  manager hands it over to the new one (a manager-to-manager hand-off, in draft, written by
  the leaving manager), or its open hand-off follows it to the new manager; a person (B2C)
  needs none. Audited (the account's ``manager_id`` before and after, the reason as the
  note). Heads for the accounts managed in their teams, to their teams' managers or
  themselves; admins for all. A manager whose segment does not serve the account's
  (``rules.serves``) takes it only with a ``reason`` (422 naming ``reason``).
- ``rebalance``: the moves that would bring every manager of the head's teams (an admin:
  everyone; ``team_id``: one team) within capacity, fewest key accounts moved first
  (``rebalance_rules.propose``), with each manager's points before and after. The accounts
  are read in one pass grouped by what they weigh (``suggest.grouped_accounts``: a
  portfolio is a few hundred groups). Nothing is written.
- ``apply``: the accepted moves, each as ``move``, in the caller's one transaction: one
  refused move refuses them all (422 naming ``moves.N.<field>``) and nothing is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.service import announce_changes, snapshot
from accord.accounts.visibility import visible_filter
from accord.core import audit
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.identity import get_user_by_email
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID
from accord.core.text import MESSAGE, refused_character
from accord.handoffs.models import Handoff
from accord.selection.queries import tier_select
from accord.selection.rules import NOT_KEY
from accord.team import rebalance_rules, rules, workload
from accord.team.rules import TeamPolicy
from accord.team.schemas import LoadOut, TeamRef
from accord.team.settings import policy as team_policy
from accord.team.suggest import (
    ASSIGNERS,
    GroupKey,
    assignable_account,
    find_account,
    grouped_accounts,
    takers,
)

#: the longest reason a move keeps
MAX_REASON = 500
#: the most moves one apply takes
MAX_APPLY = 1000


class MoveOut(BaseModel):
    """A move done: the account, its managers, and the hand-off now open to the new one."""

    account_id: int
    account_name: str
    from_manager_id: int | None
    from_manager: str | None
    to_manager_id: int
    to_manager: str
    cross_segment: bool = Field(description="The new manager serves another segment")
    reason: str | None
    handoff_id: int | None = Field(description="The account's open hand-off, now to the new "
                                   "manager (none for a person, B2C)")


class ProposedMove(BaseModel):
    account_id: int
    account_name: str
    kind: str
    segment: str | None
    tier: str
    key: bool
    points: Decimal = Field(description="What the account weighs, with its open items")
    arrival: Decimal = Field(description="Points the receiver takes on besides: the "
                             "hand-off the move opens")
    from_manager_id: int
    from_manager: str
    to_manager_id: int
    to_manager: str


class Balance(BaseModel):
    """One manager's points before and after the proposed moves."""

    manager_id: int
    name: str
    email: str
    team_id: int | None
    team_name: str | None
    segment: str | None
    capacity: int
    before: Decimal
    after: Decimal
    over_before: bool
    over_after: bool
    moves_out: int
    moves_in: int


class Proposal(BaseModel):
    """The rebalance proposal: nothing is written until the head applies moves of it."""

    today: date
    team_id: int | None
    teams: list[TeamRef] = Field(description="The teams the caller may rebalance one by one")
    managers: list[Balance]
    moves: list[ProposedMove]
    key_moves: int
    over_before: int
    still_over: list[int] = Field(description="Managers the moves cannot bring within "
                                  "capacity (none when it can be done)")


class Applied(BaseModel):
    """The moves applied and the loads of the managers they touched, after."""

    today: date
    moves: list[MoveOut]
    managers: list[LoadOut]


# ---------------------------------------------------------------- one move


def _reason(reason: str | None) -> str | None:
    text = (reason or "").strip()
    if not text:
        return None
    if refused_character(text) is not None:
        raise ValidationFailed([FieldProblem("reason", MESSAGE)])
    if len(text) > MAX_REASON:
        raise ValidationFailed([FieldProblem("reason", f"at most {MAX_REASON} characters")])
    return text


def _taker(session: Session, user: User, to_manager_id: int) -> User:
    found = takers(session, user, [to_manager_id]) if 1 <= to_manager_id <= MAX_ID else {}
    if to_manager_id not in found:
        where = "" if Role(user.role) is Role.ADMIN else " in your teams"
        raise ValidationFailed([FieldProblem(
            "to_manager_id", f"no active manager {to_manager_id}{where} to give the account to")])
    return found[to_manager_id]


def move(session: Session, user: User, today: date, account_id: int, to_manager_id: int,
         reason: str | None) -> MoveOut:
    """Give the account to another manager (see the module's docstring); nothing is written
    when it is refused."""
    account = assignable_account(session, user, account_id, lock=True)
    text = _reason(reason)
    target = _taker(session, user, to_manager_id)
    if target.id == account.manager_id:
        raise ValidationFailed([FieldProblem(
            "to_manager_id", f"{target.name} already manages {account.name}")])
    cross = not rules.serves(target.segment, account.segment)
    if cross and text is None:
        raise ValidationFailed([FieldProblem(
            "reason", f"{target.name} serves {target.segment}, not {account.segment}: say "
            "why the account goes to a manager of another segment")])
    previous = session.get(User, account.manager_id) if account.manager_id else None
    before = snapshot(account)
    account.manager_id = target.id
    account.updated_at = utcnow()
    session.flush()
    audit.record(session, user, "update", "account", account.id,
                 before={"manager_id": before["manager_id"]}, after={"manager_id": target.id},
                 note="team move" + (f": {text}" if text else ""))
    announce_changes(session, user, account.id, before, snapshot(account))
    session.flush()
    handoff = session.scalar(
        select(Handoff.id).where(Handoff.account_id == account.id,
                                 Handoff.state.in_(workload.OPEN_HANDOFFS),
                                 Handoff.receiver_id == target.id)
        .order_by(Handoff.id.desc()).limit(1))
    return MoveOut(
        account_id=account.id, account_name=account.name,
        from_manager_id=previous.id if previous else None,
        from_manager=previous.name if previous else None, to_manager_id=target.id,
        to_manager=target.name, cross_segment=cross, reason=text, handoff_id=handoff)


def move_by_reference(session: Session, user: User, today: date, account: str, to_email: str,
                      reason: str | None) -> MoveOut:
    """``move`` for the command line: the account by id or external id, the manager by
    e-mail."""
    account_id = find_account(session, user, account)
    try:
        target = get_user_by_email(session, to_email)
    except NotFound:
        raise ValidationFailed([FieldProblem("to", f"no user {to_email}")]) from None
    return move(session, user, today, account_id, target.id, reason)


# ---------------------------------------------------------------- rebalance


def rebalance(session: Session, user: User, today: date, *, team_id: int | None = None,
              team: str | None = None) -> Proposal:
    """The moves that bring every manager in scope within capacity (nothing written); one
    team: ``team_id``, or ``team`` (its id or name, for the command line)."""
    require_role(user, *ASSIGNERS)
    seen = workload.workload(session, user, today, team_id=team_id, team=team)
    loads = seen.managers
    ids = [load.manager_id for load in loads]
    open_to = takers(session, user, ids)
    managers = [rebalance_rules.Manager(
        id=load.manager_id, segment=load.segment, capacity=Decimal(load.capacity),
        points=load.points, team_id=load.team_id,
        target=load.manager_id in open_to
        and rules.proposed_to(open_to[load.manager_id].role, load.accounts))
        for load in loads]
    over = [load.manager_id for load in loads if load.points > load.capacity]
    # every manager's accounts in one pass, whatever they hold: the same statements for any
    # portfolio (tests/test_query_budgets.py)
    policy = team_policy(session)
    groups: list[tuple[GroupKey, list[int]]] = []  # alike accounts: one Account of the rules
    plan = rebalance_rules.propose(managers, _candidates(session, user, today, ids, policy,
                                                         groups))
    names = {load.manager_id: load.name for load in loads}
    outs: Counter[int] = Counter()
    ins: Counter[int] = Counter()
    for m in plan.moves:
        outs[m.from_manager_id] += m.count
        ins[m.to_manager_id] += m.count
    balances = [Balance(
        manager_id=load.manager_id, name=load.name, email=load.email, team_id=load.team_id,
        team_name=load.team_name, segment=load.segment, capacity=load.capacity,
        before=load.points, after=plan.after[load.manager_id],
        over_before=load.points > load.capacity,
        over_after=plan.after[load.manager_id] > load.capacity,
        moves_out=outs[load.manager_id], moves_in=ins[load.manager_id])
        for load in loads]
    moves = _proposed(session, plan, groups, names)
    return Proposal(
        today=today, team_id=seen.team_id, teams=seen.teams, managers=balances,
        moves=moves,
        key_moves=plan.key_moves, over_before=len(over), still_over=list(plan.still_over))


def _candidates(session: Session, user: User, today: date, ids: list[int],
                policy: TeamPolicy, groups: list[tuple[GroupKey, list[int]]]
                ) -> list[rebalance_rules.Account]:
    """The accounts the managers ``ids`` hold (that ``user`` sees), as the rules take them:
    one per group of alike accounts, its id the group's place in ``groups``."""
    scope = and_(Account.manager_id.in_(ids), visible_filter(session, user))
    out = []
    for group, accounts in sorted(grouped_accounts(session, today, scope, policy).items(),
                                  key=lambda item: item[1][0]):
        owner, _, segment, key, total, opens = group
        groups.append((group, accounts))
        out.append(rebalance_rules.Account(
            len(groups) - 1, owner, segment, Decimal(total).scaleb(-2), key, True,
            policy.handoff_points if opens else Decimal("0.00"), len(accounts)))
    return out


def _proposed(session: Session, plan: rebalance_rules.Plan,
              groups: list[tuple[GroupKey, list[int]]],
              names: dict[int, str]) -> list[ProposedMove]:
    """The plan's moves account by account: the first accounts (by id) of each group."""
    taken = [0] * len(groups)
    chosen = []
    for m in plan.moves:
        start = taken[m.account_id]
        taken[m.account_id] += m.count
        chosen += [(m, i) for i in groups[m.account_id][1][start:start + m.count]]
    described = _described(session, [i for _, i in chosen])
    out = []
    for m, account_id in chosen:
        name, tier, segment = described[account_id]
        out.append(ProposedMove(
            account_id=account_id, account_name=name, kind=groups[m.account_id][0][1],
            segment=segment, tier=tier, key=m.key, points=m.points, arrival=m.arrival,
            from_manager_id=m.from_manager_id, from_manager=names[m.from_manager_id],
            to_manager_id=m.to_manager_id, to_manager=names[m.to_manager_id]))
    return out


def _described(session: Session, ids: list[int]) -> dict[int, tuple[str, str, str | None]]:
    """Name, tier and segment of the accounts moved."""
    tiers = tier_select(session)
    query = (select(Account.id, Account.name, func.coalesce(tiers.c.tier, NOT_KEY),
                    Account.segment)
             .outerjoin(tiers, tiers.c.account_id == Account.id).where(Account.id.in_(ids)))
    return {int(r[0]): (str(r[1]), str(r[2]), r[3]) for r in session.execute(query)}


# ---------------------------------------------------------------- applying


def apply(session: Session, user: User, today: date,
          accepted: Sequence[tuple[int, int, str | None]]) -> Applied:
    """Apply the accepted moves (account id, manager id, reason), each as ``move``, in the
    caller's transaction: all of them or, when one is refused, none."""
    require_role(user, *ASSIGNERS)
    if not accepted:
        raise ValidationFailed([FieldProblem("moves", "accept at least one move")])
    if len(accepted) > MAX_APPLY:
        raise ValidationFailed([FieldProblem("moves", f"at most {MAX_APPLY} moves at once")])
    seen: set[int] = set()
    twice = []
    for i, (account_id, _, _) in enumerate(accepted):
        if account_id in seen:
            twice.append(FieldProblem(f"moves.{i}.account_id", "this account is moved twice"))
        seen.add(account_id)
    if twice:
        raise ValidationFailed(twice)
    done = []
    with session.begin_nested():  # a door that catches the refusal keeps none of the moves
        for i, (account_id, to_manager_id, reason) in enumerate(accepted):
            done.append(_numbered(session, user, today, i, account_id, to_manager_id, reason))
    touched = {m.to_manager_id for m in done} | {
        m.from_manager_id for m in done if m.from_manager_id is not None}
    after = [LoadOut.of(load) for load in workload.loads(session, user, today)
             if load.manager_id in touched]
    return Applied(today=today, moves=done, managers=after)


def _numbered(session: Session, user: User, today: date, i: int, account_id: int,
              to_manager_id: int, reason: str | None) -> MoveOut:
    """``move``, its refusal named by its place in the list."""
    try:
        return move(session, user, today, account_id, to_manager_id, reason)
    except ValidationFailed as exc:
        raise ValidationFailed([FieldProblem(f"moves.{i}.{p.field}", p.message)
                                for p in exc.problems]) from None
    except NotFound:
        raise ValidationFailed([FieldProblem(f"moves.{i}.account_id",
                                             f"no account {account_id}")]) from None
    except Forbidden as exc:
        raise ValidationFailed([FieldProblem(f"moves.{i}.account_id", exc.detail)]) from None


def rebalance_and_apply(session: Session, user: User, today: date, *, team: str | None = None,
                        apply_moves: bool = False) -> tuple[Proposal, Applied | None]:
    """The proposal and, with ``apply_moves``, every move of it applied (the command line's
    ``accord team rebalance --apply``), in the caller's transaction."""
    proposal = rebalance(session, user, today, team=team)
    if not apply_moves or not proposal.moves:
        return proposal, None
    made: list[MoveOut] = []
    accepted = [(m.account_id, m.to_manager_id, None) for m in proposal.moves]
    for start in range(0, len(accepted), MAX_APPLY):
        made += apply(session, user, today, accepted[start:start + MAX_APPLY]).moves
    touched = {m.to_manager_id for m in made} | {m.from_manager_id for m in made
                                                  if m.from_manager_id is not None}
    after = [LoadOut.of(load) for load in workload.loads(session, user, today)
             if load.manager_id in touched]
    return proposal, Applied(today=today, moves=made, managers=after)
