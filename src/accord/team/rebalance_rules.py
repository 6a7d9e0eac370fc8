"""The rebalance proposal, pure: which accounts to move so that every manager is within
capacity, with the fewest moves of key accounts, then the fewest moves.

Input: the managers (``Manager``: segment, capacity, current points, whether the head may
give them accounts) and the accounts that might move (``Account``: manager, segment, points,
key or not, whether the head may move it, the points a move adds to the receiver besides —
the hand-off it opens). An ``Account`` may stand for ``count`` alike accounts of one manager
(same segment, key, points, arrival): a portfolio of 100,000 is a few hundred of those.
Output: a ``Plan``: the moves (``count`` accounts of an ``Account`` each), each manager's
points before and after, the managers still over capacity.

The limits, never crossed: an account goes only to a manager who serves its segment
(``rules.serves``, the rule of the workload's "wrong segment" warning: B2C clients to the
B2C managers, a B2B segment to its managers), only to a manager who is a target (in the
head's teams); an account that is not movable (out of the head's reach) stays, and none
moves twice. The greedy and its repair never push a target over its capacity.

How: a greedy pass sheds each over-capacity manager's load, non-key accounts first (the
smallest single account that clears the excess when there is one, else the largest that
fits), each to the manager with the most room; key accounts only when the non-key ones are
not enough; moves that turned out unnecessary are given back (key ones first). On small
inputs (``EXACT_ACCOUNTS`` accounts) an exact branch and bound over the final assignments
starts from the greedy's answer as its bound: the plan is then optimal, so it leaves nobody
over capacity whenever some moves within the limits do (``tests/test_team_rebalance_rules
.py`` checks it against brute force). On larger inputs a repair tries chains of two moves
for whoever the greedy left over capacity.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from operator import attrgetter

from accord.team.rules import serves

#: at most this many accounts (counted one by one): the exact search runs (optimal plan)
EXACT_ACCOUNTS = 12
#: the exact search gives up after this many nodes (the best plan found so far)
SEARCH_NODES = 200_000
#: the smallest accounts that would clear a manager's excess tried before the largest
FINISH_TRIES = 20
#: the repair tries this many accounts of each manager still over capacity, and gives up
#: after this many steps in all (large, tight inputs)
REPAIR_TRIES = 50
REPAIR_STEPS = 200_000
ZERO = Decimal(0)


@dataclass(frozen=True)
class Manager:
    id: int
    segment: str | None
    capacity: Decimal
    points: Decimal
    team_id: int | None = None
    #: may receive accounts (a manager of the head's teams)
    target: bool = True


@dataclass(frozen=True)
class Account:
    """One account, or ``count`` alike accounts of one manager."""

    id: int
    manager_id: int
    segment: str | None
    points: Decimal
    key: bool = False
    #: the head may move it (its manager is in the head's teams)
    movable: bool = True
    #: points the move itself adds to the receiver (the hand-off it opens)
    arrival: Decimal = ZERO
    count: int = 1

    @property
    def taken(self) -> Decimal:
        """What the receiver takes on per account: its points and its arrival's."""
        return self.points + self.arrival


@dataclass(frozen=True)
class Move:
    """``count`` accounts of ``account_id`` from one manager to another."""

    account_id: int
    from_manager_id: int
    to_manager_id: int
    points: Decimal
    key: bool
    arrival: Decimal = ZERO
    count: int = 1


@dataclass(frozen=True)
class Plan:
    moves: tuple[Move, ...]
    before: dict[int, Decimal]
    after: dict[int, Decimal]
    #: the managers still over capacity after the moves (none when it could be done)
    still_over: tuple[int, ...]

    @property
    def key_moves(self) -> int:
        return sum(m.count for m in self.moves if m.key)

    @property
    def moved(self) -> int:
        """Accounts moved."""
        return sum(m.count for m in self.moves)

    @property
    def rank(self) -> tuple[int, int, int]:
        """Smaller is better: managers left over capacity, key moves, moves."""
        return (len(self.still_over), self.key_moves, self.moved)


def over(manager: Manager, points: Decimal) -> bool:
    return points > manager.capacity


def may_take(manager: Manager, account: Account) -> bool:
    """The limits: a target serving the account's segment, not its own manager."""
    return (manager.target and manager.id != account.manager_id
            and serves(manager.segment, account.segment))


def propose(managers: Sequence[Manager], accounts: Iterable[Account]) -> Plan:
    """The moves that bring every manager within capacity (see the module's docstring)."""
    by_id = {m.id: m for m in managers}
    movable = [a for a in accounts if a.movable and a.manager_id in by_id and a.count > 0]
    before = {m.id: m.points for m in managers}
    plan = _plan(by_id, before, _greedy(by_id, movable, dict(before)))
    if sum(a.count for a in movable) <= EXACT_ACCOUNTS:
        searched = _search(by_id, movable, before, plan.rank)
        return searched if searched is not None and searched.rank < plan.rank else plan
    return widen(managers, movable, plan)


def widen(managers: Sequence[Manager], accounts: Iterable[Account], plan: Plan) -> Plan:
    """``plan`` improved by chains of moves through the accounts given (more managers'
    accounts than it was proposed from: they may make room)."""
    by_id = {m.id: m for m in managers}
    movable = [a for a in accounts if a.movable and a.manager_id in by_id and a.count > 0]
    if not plan.still_over or sum(a.count for a in movable) <= EXACT_ACCOUNTS:
        return propose(managers, movable) if plan.still_over else plan
    repaired = _plan(by_id, plan.before, _repair(by_id, movable, plan))
    return repaired if repaired.rank < plan.rank else plan


def apply_moves(before: dict[int, Decimal], moves: Iterable[Move]) -> dict[int, Decimal]:
    """Each manager's points after the moves."""
    after = dict(before)
    for m in moves:
        after[m.from_manager_id] -= m.points * m.count
        after[m.to_manager_id] = after.get(m.to_manager_id, ZERO) + (
            m.points + m.arrival) * m.count
    return after


def _plan(by_id: dict[int, Manager], before: dict[int, Decimal], moves: list[Move]) -> Plan:
    merged: Counter[Move] = Counter()
    for m in moves:
        merged[replace(m, count=1)] += m.count
    out = sorted((replace(m, count=n) for m, n in merged.items() if n > 0),
                 key=lambda m: (m.from_manager_id, m.account_id, m.to_manager_id))
    after = apply_moves(before, out)
    still = tuple(sorted(i for i, m in by_id.items() if over(m, after[i])))
    return Plan(tuple(out), dict(before), after, still)


# ---------------------------------------------------------------- greedy

_BY_POINTS = attrgetter("points", "id")


class _Room:
    """The targets serving each segment (found once per segment), their loads, and what is
    left of each account to move."""

    def __init__(self, by_id: dict[int, Manager], load: dict[int, Decimal],
                 accounts: Iterable[Account]) -> None:
        self.load = load
        self.targets = sorted((m for m in by_id.values() if m.target), key=lambda m: m.id)
        self._serving: dict[str | None, list[Manager]] = {}
        self.left = {a.id: a.count for a in accounts}

    def serving(self, segment: str | None) -> list[Manager]:
        key = segment.strip().casefold() if segment and segment.strip() else None
        if key not in self._serving:
            self._serving[key] = [m for m in self.targets if serves(m.segment, segment)]
        return self._serving[key]

    def most(self) -> Decimal:
        """The most room any target has left (an upper bound for every account)."""
        return max((m.capacity - self.load[m.id] for m in self.targets), default=ZERO)

    def best(self, account: Account, *, besides: int | None = None) -> Manager | None:
        """The target serving the account's segment with the most room left after taking
        one of it (none without room), other than its manager and ``besides``."""
        best, best_spare = None, ZERO
        for m in self.serving(account.segment):
            if m.id != account.manager_id and m.id != besides:
                spare = m.capacity - self.load[m.id] - account.taken
                if spare >= 0 and (best is None or spare > best_spare):
                    best, best_spare = m, spare
        return best

    def move(self, account: Account, target: Manager, count: int = 1) -> Move:
        self.load[account.manager_id] -= account.points * count
        self.load[target.id] += account.taken * count
        self.left[account.id] -= count
        return Move(account.id, account.manager_id, target.id, account.points, account.key,
                    account.arrival, count)


def _greedy(by_id: dict[int, Manager], movable: list[Account],
            load: dict[int, Decimal]) -> list[Move]:
    held: dict[int, list[Account]] = {}
    for account in movable:
        if account.points > 0:  # moving nothing relieves nobody
            held.setdefault(account.manager_id, []).append(account)
    room = _Room(by_id, load, movable)
    moves: list[Move] = []
    overloaded = sorted((m for m in by_id.values() if over(m, load[m.id])),
                        key=lambda m: (-(load[m.id] - m.capacity), m.id))
    for manager in overloaded:
        mine: list[Move] = []
        for key in (False, True):
            if over(manager, load[manager.id]):
                pool = sorted((a for a in held.get(manager.id, []) if a.key is key),
                              key=_BY_POINTS, reverse=True)
                mine += _shed(manager, pool, room)
        moves += _give_back(manager, mine, room)
    return moves


def _shed(manager: Manager, pool: list[Account], room: _Room) -> list[Move]:
    """Move accounts of ``pool`` (largest first) off ``manager`` until within capacity."""
    load, left = room.load, room.left
    moves: list[Move] = []
    negated = [-a.points for a in pool]  # ascending, for bisect
    # targets only fill up while this manager sheds: an account that found no room rules
    # out every account of its segment taking as much or more
    no_room: dict[str | None, Decimal] = {}
    most = [room.most()]

    def place(account: Account, count: int) -> bool:
        limit = no_room.get(account.segment)
        if account.taken > most[0] or (limit is not None and account.taken >= limit):
            return False
        target = room.best(account)
        if target is None:
            no_room[account.segment] = account.taken
            return False
        fits = (int((target.capacity - load[target.id]) // account.taken)
                if account.taken > 0 else count)
        moves.append(room.move(account, target, max(1, min(count, fits))))
        most[0] = room.most()
        return True

    i = 0
    while i < len(pool) and over(manager, load[manager.id]) and most[0] > 0:
        excess = load[manager.id] - manager.capacity
        # the accounts at or above the excess: pool[i:last]; one of the smallest first
        last, tries = bisect_right(negated, -excess), 0
        finished = False
        for j in range(last - 1, i - 1, -1):
            if tries >= FINISH_TRIES:
                break
            if left[pool[j].id] > 0:
                tries += 1
                finished = place(pool[j], 1)
                if finished:
                    break
        if finished:
            break
        account = pool[i]
        needed = int(-(-excess // account.points))  # to clear the excess, the last one aside
        if left[account.id] <= 0 or not place(account, min(left[account.id], max(1, needed - 1))):
            i += 1
    return moves


def _give_back(manager: Manager, moves: list[Move], room: _Room) -> list[Move]:
    """Undo moves that were not needed (key ones first, then the smallest)."""
    kept = []
    load = room.load
    for m in sorted(moves, key=lambda m: (not m.key, m.points, m.account_id)):
        back = max(0, min(m.count, int((manager.capacity - load[manager.id]) // m.points)))
        if back > 0:
            load[manager.id] += m.points * back
            load[m.to_manager_id] -= (m.points + m.arrival) * back
            room.left[m.account_id] += back
        if m.count > back:
            kept.append(replace(m, count=m.count - back))
    return kept


# ---------------------------------------------------------------- repair (large inputs)


def _repair(by_id: dict[int, Manager], movable: list[Account], plan: Plan) -> list[Move]:
    """Chains of two moves for the managers the greedy left over capacity: an account goes
    to a manager who makes room for it by passing one of theirs on to a third."""
    room = _Room(by_id, dict(plan.after), movable)
    for m in plan.moves:
        room.left[m.account_id] -= m.count
    moves = list(plan.moves)
    if room.most() <= 0:  # a chain ends with a manager who has room: nobody has any
        return moves
    held: dict[tuple[int, bool], list[Account]] = {}  # by points, for bisect
    for account in sorted(movable, key=_BY_POINTS):
        held.setdefault((account.manager_id, account.key), []).append(account)
    steps = [REPAIR_STEPS]
    for manager_id in plan.still_over:
        manager = by_id[manager_id]
        tries = 0
        for account in [*held.get((manager_id, False), [])[::-1],
                        *held.get((manager_id, True), [])[::-1]]:  # largest first
            while (room.left[account.id] > 0 and tries < REPAIR_TRIES and steps[0] > 0
                   and over(manager, room.load[manager_id])):
                tries += 1
                chain = _chain(account, room, held, steps)
                if not chain:
                    break
                moves += chain
    return moves


def _chain(account: Account, room: _Room, held: dict[tuple[int, bool], list[Account]],
           steps: list[int]) -> list[Move]:
    takers = sorted((m for m in room.serving(account.segment) if m.id != account.manager_id),
                    key=lambda m: (-(m.capacity - room.load[m.id]), m.id))
    for taker in takers:
        need = room.load[taker.id] + account.taken - taker.capacity
        if need <= 0:
            return [room.move(account, taker)]
        for key in (False, True):  # the smallest of theirs that makes the room, non-key first
            theirs = held.get((taker.id, key), [])
            start = bisect_left(theirs, need, key=lambda a: a.points)
            for other in [a for a in theirs[start:start + 6] if room.left[a.id] > 0][:3]:
                steps[0] -= 1
                third = room.best(other, besides=account.manager_id)
                if third is not None:
                    return [room.move(other, third), room.move(account, taker)]
        if steps[0] <= 0:
            break
    return []


# ---------------------------------------------------------------- exact search (small inputs)


def _search(by_id: dict[int, Manager], movable: list[Account], before: dict[int, Decimal],
            bound: tuple[int, int, int]) -> Plan | None:
    """Branch and bound over every final assignment of the movable accounts (one by one)
    within the limits: the plan with the fewest managers over capacity, then key moves,
    then moves, strictly better than ``bound``; None when there is none."""
    managers = sorted(by_id.values(), key=lambda m: m.id)
    over_now = {m.id for m in managers if over(m, before[m.id])}
    units = [a for a in movable for _ in range(a.count)]
    order = sorted(units, key=lambda a: (a.manager_id not in over_now, -a.points, a.id))
    options = [[a.manager_id] + [m.id for m in sorted(
        (m for m in managers if may_take(m, a)),
        key=lambda m: (-(m.capacity - before[m.id]), m.id))] for a in order]
    load = dict(before)
    leaving = {m.id: ZERO for m in managers}  # undecided accounts still held
    for a in order:
        leaving[a.manager_id] += a.points
    chosen = [a.manager_id for a in order]
    best: list[int] | None = None
    best_rank = bound
    nodes = 0

    def fewest_over() -> int:
        return sum(1 for m in managers if load[m.id] - leaving[m.id] > m.capacity)

    def visit(i: int, key_moves: int, moves: int) -> None:
        nonlocal nodes, best, best_rank
        nodes += 1
        rank = (fewest_over(), key_moves, moves)
        if nodes > SEARCH_NODES or rank >= best_rank:
            return
        if i == len(order):
            best, best_rank = list(chosen), rank
            return
        account = order[i]
        leaving[account.manager_id] -= account.points
        for target in options[i]:
            moved = target != account.manager_id
            arrived = account.taken if moved else account.points
            load[account.manager_id] -= account.points
            load[target] += arrived
            chosen[i] = target
            visit(i + 1, key_moves + (1 if moved and account.key else 0), moves + moved)
            load[target] -= arrived
            load[account.manager_id] += account.points
        chosen[i] = account.manager_id
        leaving[account.manager_id] += account.points

    visit(0, 0, 0)
    if best is None:
        return None
    return _plan(by_id, before, [
        Move(a.id, a.manager_id, target, a.points, a.key, a.arrival)
        for a, target in zip(order, best, strict=True) if target != a.manager_id])
