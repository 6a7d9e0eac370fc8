"""The rebalance proposal's rules (``accord.team.rebalance_rules``), pure.

Properties on small random portfolios, against a brute force over every final assignment
within the limits: when some set of moves brings every manager within capacity, the
proposal does too, with as few key moves and then as few moves; it never moves an account
across segments, out of the head's reach (an account that is not movable, a manager who is
not a target), nor pushes a target over capacity that the brute force would not.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.team.rebalance_rules import (
    Account,
    Manager,
    Plan,
    apply_moves,
    may_take,
    propose,
)
from accord.team.rules import serves

EXAMPLES = settings(max_examples=60, deadline=None, derandomize=True)
SEGMENTS = ("Retail", "Consumer", None)


@st.composite
def portfolios(draw: st.DrawFn, max_accounts: int = 7) -> tuple[list[Manager], list[Account]]:
    count = draw(st.integers(2, 4))
    shapes = [
        (draw(st.sampled_from(SEGMENTS)), draw(st.integers(0, 12)), draw(st.booleans()),
         draw(st.integers(0, 3)))
        for _ in range(count)
    ]
    accounts = []
    for n in range(draw(st.integers(0, max_accounts))):
        holder = draw(st.integers(0, count - 1))
        accounts.append(Account(
            id=100 + n, manager_id=1 + holder,
            segment=draw(st.sampled_from(SEGMENTS)),
            points=Decimal(draw(st.integers(1, 12))) / 2,
            key=draw(st.booleans()), movable=draw(st.integers(0, 4)) > 0,
            arrival=Decimal(draw(st.sampled_from([0, 0, 2]))),
        ))
    managers = []
    for i, (segment, capacity, target, other) in enumerate(shapes):
        held = sum((a.points for a in accounts if a.manager_id == i + 1), Decimal(0))
        managers.append(Manager(
            id=i + 1, segment=segment, capacity=Decimal(capacity), points=held + other,
            team_id=1 if target else 2, target=target or draw(st.booleans()),
        ))
    return managers, accounts


def brute_force(managers: list[Manager], accounts: list[Account]) -> tuple[int, int, int]:
    """The best (managers over, key moves, moves) of every assignment within the limits."""
    by_id = {m.id: m for m in managers}
    choices = [
        [a.manager_id] + ([m.id for m in managers if may_take(m, a)] if a.movable else [])
        for a in accounts
    ]
    best: tuple[int, int, int] | None = None
    for assignment in product(*choices):
        load = {m.id: m.points for m in managers}
        keys = moves = 0
        for account, target in zip(accounts, assignment, strict=True):
            if target != account.manager_id:
                load[account.manager_id] -= account.points
                load[target] += account.points + account.arrival
                moves += 1
                keys += account.key
        rank = (sum(1 for i, p in load.items() if p > by_id[i].capacity), keys, moves)
        best = rank if best is None or rank < best else best
    assert best is not None
    return best


def within_limits(managers: list[Manager], accounts: list[Account], plan: Plan) -> None:
    by_id = {m.id: m for m in managers}
    by_account = {a.id: a for a in accounts}
    moved: dict[int, int] = {}
    for move in plan.moves:
        account = by_account[move.account_id]
        moved[account.id] = moved.get(account.id, 0) + move.count
        assert 0 < moved[account.id] <= account.count  # none moves twice
        assert account.movable, "moved an account out of the head's reach"
        assert move.from_manager_id == account.manager_id
        target = by_id[move.to_manager_id]
        assert target.target, "gave an account to a manager out of the head's reach"
        assert serves(target.segment, account.segment), "moved an account across segments"
        assert (move.points, move.key, move.arrival) == (
            account.points, account.key, account.arrival)
    assert plan.after == apply_moves(plan.before, plan.moves)
    assert plan.still_over == tuple(
        sorted(m.id for m in managers if plan.after[m.id] > m.capacity)
    )


@EXAMPLES
@given(portfolios())
def test_the_proposal_is_within_capacity_whenever_some_moves_are(portfolio) -> None:
    managers, accounts = portfolio
    plan = propose(managers, accounts)
    within_limits(managers, accounts, plan)
    best = brute_force(managers, accounts)
    if best[0] == 0:
        assert plan.still_over == (), "left a manager over capacity though moves could fix it"
    # small inputs are searched exactly: as few managers over, key moves and moves as can be
    assert plan.rank == best


@EXAMPLES
@given(portfolios(max_accounts=40))
def test_larger_proposals_stay_within_the_limits(portfolio) -> None:
    """Past the exact search's size: the greedy and its repair obey every limit and never
    leave more managers over capacity than there were."""
    managers, accounts = portfolio
    plan = propose(managers, accounts)
    within_limits(managers, accounts, plan)
    before_over = sum(1 for m in managers if m.points > m.capacity)
    assert len(plan.still_over) <= before_over
    for move in plan.moves:  # a target is never pushed over by the greedy
        target = next(m for m in managers if m.id == move.to_manager_id)
        assert plan.after[target.id] <= target.capacity or target.id in plan.still_over


def test_prefers_non_key_accounts_and_few_moves() -> None:
    managers = [
        Manager(1, "Retail", Decimal(10), Decimal(14)),
        Manager(2, "Retail", Decimal(10), Decimal(0)),
        Manager(3, "Consumer", Decimal(10), Decimal(0)),
    ]
    accounts = [
        Account(10, 1, "Retail", Decimal(8), key=True),
        Account(11, 1, "Retail", Decimal(2)),
        Account(12, 1, "Retail", Decimal(2)),
        Account(13, 1, "Retail", Decimal(2)),
    ]
    plan = propose(managers, accounts)
    assert plan.still_over == ()
    assert plan.key_moves == 0 and plan.moved == 2
    assert {m.to_manager_id for m in plan.moves} == {2}


def test_large_portfolio_greedy_brings_everyone_under() -> None:
    """40 managers, 20,000 accounts: the greedy path (no exact search) and its answer."""
    managers = []
    accounts = []
    n = 0
    for i in range(40):
        held = 400 if i % 4 == 0 else 100
        points = Decimal(0)
        for _ in range(held):
            n += 1
            value = Decimal(n % 7 + 1) / 4
            accounts.append(Account(n, i + 1, "Retail", value, key=n % 11 == 0))
            points += value
        managers.append(Manager(i + 1, "Retail", Decimal(250), points))
    plan = propose(managers, accounts)
    assert plan.still_over == ()
    assert plan.key_moves == 0
    assert plan.moved < 2000


def test_the_repair_makes_room_through_a_third_manager() -> None:
    """Past the exact search: the owner's 2-point account fits nowhere until the only
    manager of its segment passes a Retail account of theirs on to the Retail manager."""
    managers = [
        Manager(1, "Manufacturing", Decimal(10), Decimal("12.12")),
        Manager(2, None, Decimal(10), Decimal(9)),
        Manager(3, "Retail", Decimal(10), Decimal(0)),
    ]
    accounts = [Account(10, 1, "Manufacturing", Decimal(2)), Account(20, 2, "Retail", Decimal(2))]
    accounts += [Account(30 + i, 1, "Manufacturing", Decimal("0.01")) for i in range(12)]
    plan = propose(managers, accounts)
    within_limits(managers, accounts, plan)
    assert plan.still_over == ()
    assert any(m.account_id == 20 and m.to_manager_id == 3 for m in plan.moves)
    assert any(m.account_id == 10 and m.to_manager_id == 2 for m in plan.moves)


@EXAMPLES
@given(portfolios(max_accounts=5), st.lists(st.integers(1, 3), min_size=5, max_size=5))
def test_alike_accounts_counted_together_move_as_they_would_one_by_one(portfolio, counts) -> None:
    """An ``Account`` of ``count`` alike accounts is planned as those accounts one by one
    would be: as good a plan (small inputs: both exact), within the limits."""
    managers, accounts = portfolio
    grouped = [Account(a.id, a.manager_id, a.segment, a.points, a.key, a.movable, a.arrival,
                       count=n) for a, n in zip(accounts, counts, strict=False)]
    managers = [Manager(m.id, m.segment, m.capacity, m.points + sum(
        (a.points * (a.count - 1) for a in grouped if a.manager_id == m.id), Decimal(0)),
        m.team_id, m.target) for m in managers]
    units = [Account(a.id * 10 + k, a.manager_id, a.segment, a.points, a.key, a.movable,
                     a.arrival) for a in grouped for k in range(a.count)]
    plan = propose(managers, grouped)
    within_limits(managers, grouped, plan)
    if sum(a.count for a in grouped) <= 12:
        assert plan.rank == propose(managers, units).rank == brute_force(managers, units)
    else:
        before_over = sum(1 for m in managers if m.points > m.capacity)
        assert len(plan.still_over) <= before_over
