"""The team's part of the demo portfolio (issue 17): managers overloaded and managers with
room, so that the Team page has something to say on ``make demo``.

The demo's managers all start with the default capacity (100 points). Once every other
capability has seeded its data (the loads count hand-offs and briefs), in each team of two
or more managers holding accounts:

- the heaviest works four days a week: capacity ``PART_TIME`` (80): over capacity when
  their load is above it (on the standard demo, every team's heaviest is);
- the lightest is a senior manager with room for more: capacity ``SENIOR`` (150).

Deterministic (the loads follow from the seeded data; no randomness); one bulk update per
capacity, no audit entry per row (the demo load records one). Run last:
``seed_demo(session, seed=…, today=…)``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import Session

from accord.core.models import Role, User
from accord.team.rules import Load
from accord.team.workload import loads

PART_TIME = 80
SENIOR = 150


def _everyone() -> User:
    """Who reads the loads: an admin sees every manager."""
    return User(id=None, email="demo", name="Demo", role=Role.ADMIN.value, is_active=True)


def seed_demo(session: Session, *, seed: int, today: date) -> dict[str, int]:
    """Give each team's heaviest manager the part-time capacity and its lightest the senior
    one; how many of each were set."""
    del seed  # the same for every seed: the loads decide
    by_team: dict[int, list[Load]] = defaultdict(list)
    for load in loads(session, _everyone(), today):
        if load.team_id is not None and load.accounts > 0:
            by_team[load.team_id].append(load)
    heaviest, lightest = [], []
    for team in by_team.values():
        if len(team) < 2:
            continue
        ranked = sorted(team, key=lambda load: (load.points, -load.manager_id))
        lightest.append(ranked[0].manager_id)
        heaviest.append(ranked[-1].manager_id)
    for ids, capacity in ((heaviest, PART_TIME), (lightest, SENIOR)):
        if ids:
            session.execute(update(User).where(User.id.in_(ids)).values(capacity=capacity))
    session.flush()
    return {"part_time": len(heaviest), "senior": len(lightest)}
