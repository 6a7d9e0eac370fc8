"""Who should take an account (issue 17): for an account that needs a manager — a new
hand-off, a manager leaving, a rebalancing — the active managers of the right segment the
head may give it to, ranked by the capacity they have left after taking it, each with the
reasons: their load, the key accounts they hold, an existing relationship with the client's
group (its parent, its siblings under the same parent, its children, managed by them) and
the accounts they hold in the same industry. The head chooses; nothing is written.

Who: heads (for the accounts managed in their teams, to their teams' managers and
themselves) and admins (every account, every manager). An account out of the caller's
sight is a 404 (``no account N``), one they see but whose manager is outside their teams a
403; a manager, sales rep or read-only role a 403.

The right segment is the workload's rule (``rules.serves``): a manager with a segment
serves accounts of that segment (B2C individuals go to the managers of their segment, the
demo's "Consumer"); a manager without one, and an account without one, fit everywhere.

What an account weighs (``weights``): its workload points (``workload.accounts_select``, the
SQL twin of ``rules.account_points``) plus its open hand-offs and briefs in flight, which
follow it to its new manager; ``arrival``: the hand-off a move opens (a company with a
manager and no open hand-off: ``gate.on_manager_changed`` opens one from the leaving
manager), which the receiver takes on too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import (
    BigInteger,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.service import managers_in_reach
from accord.accounts.visibility import get_visible_account, visible_accounts
from accord.agency.models import Brief
from accord.core.errors import Forbidden, NotFound
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID
from accord.handoffs.models import Handoff
from accord.team import rules, workload
from accord.team.rules import Load, TeamPolicy
from accord.team.settings import policy as team_policy

#: who re-assigns accounts
ASSIGNERS = (Role.ADMIN, Role.HEAD)
#: the roles an account may be given to
TAKERS = (Role.MANAGER.value, Role.HEAD.value)
RELATIONS = {"parent": "its parent", "sibling": "a sibling", "child": "a child"}


@dataclass(frozen=True)
class Weighed:
    """One account as a move sees it."""

    account_id: int
    name: str
    manager_id: int | None
    kind: str
    segment: str | None
    tier: str
    key: bool
    #: workload points with its open items (hand-offs, briefs)
    points: Decimal
    #: points the receiver takes on besides: the hand-off the move opens
    arrival: Decimal


class Related(BaseModel):
    """Accounts of the client's group a manager already manages."""

    relation: str = Field(description="parent, sibling (same parent) or child")
    count: int
    example: str = Field(description="The first of them by name")


class Suggestion(BaseModel):
    """A manager who could take the account, with the reasons."""

    manager_id: int
    name: str
    email: str
    team_id: int | None
    team_name: str | None
    segment: str | None
    capacity: int
    points: Decimal = Field(description="Workload points now")
    points_after: Decimal = Field(description="Workload points after taking the account")
    spare_after: Decimal = Field(description="Capacity − points after (negative: over)")
    accounts: int
    key_accounts: int
    key_accounts_after: int
    related: list[Related] = Field(description="The client's group they manage already")
    same_industry: int = Field(description="Accounts they hold in the account's industry")
    fits: bool = Field(description="Within capacity after taking it")
    warnings_after: list[str] = Field(description="over_capacity, too_many_key_accounts")
    reasons: list[str]


class AccountSuggestions(BaseModel):
    """The account and the managers of its segment who could take it, best first."""

    today: date
    account_id: int
    account_name: str
    kind: str
    segment: str | None
    industry: str | None
    tier: str
    key: bool
    points: Decimal = Field(description="What it weighs, with its open items")
    arrival: Decimal = Field(description="Points the receiver takes on besides: the "
                             "hand-off a move opens")
    manager_id: int | None
    manager_name: str | None
    suggestions: list[Suggestion]
    other_segments: int = Field(description="Managers you could give it to who serve "
                                "another segment (a move there needs a reason)")


# ---------------------------------------------------------------- shared with moves


def assignable_account(session: Session, user: User, account_id: int, *,
                       lock: bool = False) -> Account:
    """The account, if ``user`` may re-assign it: NotFound out of sight, Forbidden for
    another role or an account managed outside the head's teams."""
    if not 1 <= account_id <= MAX_ID:
        raise NotFound(f"no account {account_id}")
    account = get_visible_account(session, user, account_id)
    require_role(user, *ASSIGNERS)
    reach = managers_in_reach(session, user)
    if reach is not None and account.manager_id is not None and account.manager_id not in reach:
        raise Forbidden(f"{account.name} is managed outside the teams you lead: the head of "
                        "its manager's team or an admin re-assigns it")
    if lock:
        locked = session.get(Account, account.id, with_for_update=True, populate_existing=True)
        assert locked is not None
        return locked
    return account


def takers(session: Session, user: User, ids: list[int] | None = None) -> dict[int, User]:
    """The users ``user`` may give accounts to (active managers and heads; a head: of their
    teams, and themself), by id; only ``ids`` when given."""
    query = select(User).where(User.is_active.is_(True), User.role.in_(TAKERS))
    reach = managers_in_reach(session, user)
    if reach is not None:
        query = query.where(User.id.in_(reach))
    if ids is not None:
        query = query.where(User.id.in_(ids))
    return {u.id: u for u in session.scalars(query)}


#: an account's group of alike accounts: (manager, kind, segment, key, points in hundredths
#: with its open items, whether its move opens a hand-off)
GroupKey = tuple[int, str, "str | None", bool, int, bool]


def _big(value: int) -> Any:
    return literal(value, BigInteger)


def _weighed(session: Session, today: date, scope: Any, policy: TeamPolicy) -> Any:
    """Per account in ``scope`` (a WHERE clause over ``Account``): account_id, owner_id,
    kind, segment, key (1/0), name, tier, total (its points with its open hand-offs and
    briefs in flight, hundredths) and opens (1/0: a move opens a hand-off), as a subquery."""
    a = workload.accounts_select(session, today, scope, policy=policy).subquery("in_scope")

    def per_account(model: Any, condition: Any, name: str) -> Any:
        return (select(model.account_id.label("account_id"), func.count().label("n"))
                .join(Account, Account.id == model.account_id).where(scope, condition)
                .group_by(model.account_id).subquery(name))

    h = per_account(Handoff, Handoff.state.in_(workload.OPEN_HANDOFFS), "open_handoffs")
    b = per_account(Brief, Brief.status.in_(workload.IN_FLIGHT), "open_briefs")
    opened = func.coalesce(h.c.n, 0)
    total = (a.c.points + opened * _big(rules.hundredths(policy.handoff_points))
             + func.coalesce(b.c.n, 0) * _big(rules.hundredths(policy.brief_points)))
    opens = case((and_(a.c.kind == "company", a.c.owner_id.is_not(None), opened == 0), 1),
                 else_=0)
    return (select(a.c.account_id, a.c.owner_id, a.c.kind, a.c.segment, a.c.key, a.c.name,
                   a.c.tier, total.label("total"), opens.label("opens"))
            .outerjoin(h, h.c.account_id == a.c.account_id)
            .outerjoin(b, b.c.account_id == a.c.account_id).subquery("weighed"))


def _grouping(w: Any) -> list[Any]:
    return [w.c.owner_id, w.c.kind, w.c.segment, w.c.key, w.c.total, w.c.opens]


def grouped_accounts(session: Session, today: date, scope: Any,
                     policy: TeamPolicy) -> dict[GroupKey, list[int]]:
    """The accounts with a manager in ``scope``, by their group of alike accounts, each
    group's ids in ascending order: a few hundred rows for a whole portfolio, the ids of a
    group joined into one text by the database (``string_agg``, ``group_concat``)."""
    w = _weighed(session, today, scope, policy)
    if session.get_bind().dialect.name == "postgresql":
        ids: Any = func.string_agg(cast(w.c.account_id, String), literal(","))
    else:
        ids = func.group_concat(w.c.account_id)
    rows = session.execute(select(*_grouping(w), ids).where(w.c.owner_id.is_not(None))
                           .group_by(*_grouping(w)))
    return {(int(r[0]), str(r[1]), r[2], bool(r[3]), int(r[4]), bool(r[5])):
            sorted(map(int, str(r[6]).split(","))) for r in rows}


def weights(session: Session, today: date, scope: Any,
            policy: TeamPolicy | None = None) -> dict[int, Weighed]:
    """What each account in ``scope`` weighs, with its name and tier (a few accounts)."""
    policy = policy or team_policy(session)
    w = _weighed(session, today, scope, policy)
    none = Decimal("0.00")
    return {int(r.account_id): Weighed(
        account_id=int(r.account_id), name=r.name, manager_id=r.owner_id, kind=r.kind,
        segment=r.segment, tier=r.tier, key=bool(r.key),
        points=Decimal(int(r.total)).scaleb(-2),
        arrival=policy.handoff_points if r.opens else none)
        for r in session.execute(select(w))}


# ---------------------------------------------------------------- suggestions


def suggest(session: Session, user: User, today: date, account_id: int) -> list[Suggestion]:
    """The managers who could take the account, best first (``suggestions``' list)."""
    return suggestions(session, user, today, account_id).suggestions


def find_account(session: Session, user: User, reference: str) -> int:
    """An account the caller sees, by id or external id (NotFound otherwise)."""
    text = reference.strip()
    condition = Account.external_id == text
    if text.isascii() and text.isdigit() and len(text) < 11 and 1 <= int(text) <= MAX_ID:
        condition = Account.id == int(text)
    found = session.scalar(select(Account.id).where(condition, visible_accounts(user)))
    if found is None:
        raise NotFound(f"no account {text}")
    return int(found)


def suggestions_for(session: Session, user: User, today: date,
                    reference: str) -> AccountSuggestions:
    """``suggestions`` for the command line: the account by id or external id."""
    return suggestions(session, user, today, find_account(session, user, reference))


def suggestions(session: Session, user: User, today: date,
                account_id: int) -> AccountSuggestions:
    """The account and the managers of its segment who could take it, ranked by the spare
    capacity they would have left, with the reasons."""
    account = assignable_account(session, user, account_id)
    policy = team_policy(session)
    weighed = weights(session, today, Account.id == account.id, policy)[account.id]
    people = takers(session, user)
    loads = [load for load in workload.loads(session, user, today)
             if load.manager_id in people and load.manager_id != account.manager_id
             and rules.proposed_to(people[load.manager_id].role, load.accounts)]
    right = [load for load in loads if rules.serves(load.segment, account.segment)]
    ids = [load.manager_id for load in right]
    related = _related(session, user, account, ids)
    industry = _same_industry(session, user, account, ids)
    out = [_suggestion(load, weighed, policy, related.get(load.manager_id, []),
                       industry.get(load.manager_id, 0), account.industry) for load in right]
    out.sort(key=lambda s: (-s.spare_after, -sum(r.count for r in s.related),
                            -s.same_industry, s.name.casefold(), s.manager_id))
    manager = session.get(User, account.manager_id) if account.manager_id else None
    return AccountSuggestions(
        today=today, account_id=account.id, account_name=account.name, kind=account.kind,
        segment=account.segment, industry=account.industry, tier=weighed.tier,
        key=weighed.key, points=weighed.points, arrival=weighed.arrival,
        manager_id=account.manager_id, manager_name=manager.name if manager else None,
        suggestions=out, other_segments=len(loads) - len(right))


def _suggestion(load: Load, account: Weighed, policy: TeamPolicy, related: list[Related],
                same_industry: int, industry: str | None) -> Suggestion:
    after = load.points + account.points + account.arrival
    spare = Decimal(load.capacity) - after
    keys = load.key_accounts + (1 if account.key else 0)
    warnings = []
    if after > load.capacity:
        warnings.append("over_capacity")
    if keys >= policy.key_accounts_limit:
        warnings.append("too_many_key_accounts")
    reasons = [
        f"{after} of {load.capacity} points after taking it: {spare} spare" if spare >= 0
        else f"{after} of {load.capacity} points after taking it: {-spare} over capacity",
        f"holds {load.key_accounts} key account{'s' if load.key_accounts != 1 else ''}"
        + (f"; this one makes {keys}, at or above the limit of {policy.key_accounts_limit}"
           if account.key and keys >= policy.key_accounts_limit else ""),
    ]
    for r in related:
        what = RELATIONS[r.relation] if r.count == 1 else f"{r.count} {r.relation}s"
        reasons.append(f"manages {what} of this client: {r.example}"
                       + (" and others" if r.count > 1 else ""))
    if same_industry and industry:
        reasons.append(f"holds {same_industry} account{'s' if same_industry != 1 else ''} "
                       f"in {industry}")
    if "low_coverage" in load.warnings:
        reasons.append("their key accounts' coverage is below the threshold")
    return Suggestion(
        manager_id=load.manager_id, name=load.name, email=load.email, team_id=load.team_id,
        team_name=load.team_name, segment=load.segment, capacity=load.capacity,
        points=load.points, points_after=after, spare_after=spare, accounts=load.accounts,
        key_accounts=load.key_accounts, key_accounts_after=keys, related=related,
        same_industry=same_industry, fits=spare >= 0, warnings_after=warnings,
        reasons=reasons)


def _related(session: Session, user: User, account: Account,
             ids: list[int]) -> dict[int, list[Related]]:
    """Per manager of ``ids``: the accounts of the client's group they manage (visible)."""
    family = [Account.parent_id == account.id]
    if account.parent_id is not None:
        family += [Account.id == account.parent_id, Account.parent_id == account.parent_id]
    relation = case(
        (Account.id == (account.parent_id or 0), literal("parent")),
        (Account.parent_id == account.id, literal("child")),
        else_=literal("sibling"),
    ).label("relation")
    rows = session.execute(
        select(Account.manager_id, relation, func.count(), func.min(Account.name))
        .where(or_(*family), Account.id != account.id, Account.manager_id.in_(ids),
               visible_accounts(user))
        .group_by(Account.manager_id, relation)).all()
    out: dict[int, list[Related]] = {}
    order = list(RELATIONS)
    for manager_id, kind, count, example in rows:
        if manager_id is None:
            continue
        out.setdefault(int(manager_id), []).append(
            Related(relation=str(kind), count=int(count), example=str(example)))
    for found in out.values():
        found.sort(key=lambda r: order.index(r.relation))
    return out


def _same_industry(session: Session, user: User, account: Account,
                   ids: list[int]) -> dict[int, int]:
    same = Account.industry == account.industry if account.industry else false()
    rows = session.execute(
        select(Account.manager_id, func.count())
        .where(and_(same, Account.id != account.id,
                    Account.manager_id.in_(ids), visible_accounts(user)))
        .group_by(Account.manager_id)).all()
    return {int(m): int(n) for m, n in rows if m is not None}
