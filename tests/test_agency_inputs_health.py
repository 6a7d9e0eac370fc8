"""Overdue client inputs and late briefs count in the health model's "overdue commitments"
(``agency.inputs.health_link``, connected in ``app.wiring``) beside overdue follow-ups: the
one-account count (``health.service``) and the SQL of every account (``health.bulk``) agree,
on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from accord.agency.inputs import health_link
from accord.agency.models import Brief, Department, InputRequest
from accord.calendar.models import FollowUp
from accord.core.database import utcnow
from accord.core.models import User
from accord.health import rhythm
from accord.health import service as health
from kam_helpers import TODAY, make_account


def _admin(sessions, cast) -> User:
    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        s.expunge(admin)
    return admin


def _measure(out, name):
    return next(m for m in out.measures if m.measure == name)


def _department(s) -> int:
    now = utcnow()
    d = Department(name="Creative", time_zone="UTC", turnaround_days=5, sections=[],
                   is_active=True, created_at=now, updated_at=now)
    s.add(d)
    s.flush()
    return d.id


def _input(s, account_id: int, due_days: int, status: str = "open", escalated: bool = False):
    now = utcnow()
    s.add(InputRequest(account_id=account_id, title="Brand book", reason="", status=status,
                       due_on=TODAY + timedelta(days=due_days),
                       requested_on=TODAY - timedelta(days=30), chases=0,
                       escalated_on=TODAY - timedelta(days=1) if escalated else None,
                       closed_on=None if status == "open" else TODAY - timedelta(days=2),
                       created_at=now, updated_at=now))


def _brief(s, account_id: int, department_id: int, due_days: int, status: str) -> None:
    now = utcnow()
    due = TODAY + timedelta(days=due_days)
    s.add(Brief(account_id=account_id, department_id=department_id, title="b", sections={},
                attachments=[], priority="normal", status=status, original_due_on=due,
                due_on=due, rounds=0, checks={}, created_at=now, updated_at=now))


def test_both_kinds_are_connected() -> None:
    assert {"follow_ups", "client_inputs", "briefs"} <= set(rhythm._providers.overdue)


def test_overdue_commitments_sum_follow_ups_inputs_and_briefs(sessions, cast) -> None:
    admin = _admin(sessions, cast)
    with sessions.begin() as s:
        dept = _department(s)
        s.add(FollowUp(account_id=cast.acme_id, title="t", owner_id=cast.owner.id,
                       due_on=TODAY - timedelta(days=3), status="open"))
        _input(s, cast.acme_id, -2)  # overdue
        _input(s, cast.acme_id, -5, escalated=True)  # overdue, escalated: still counts
        _input(s, cast.acme_id, 0)  # due today: not yet
        _input(s, cast.acme_id, -9, status="received")  # closed
        _brief(s, cast.acme_id, dept, -1, "sent")  # late
        _brief(s, cast.acme_id, dept, -4, "in_progress")  # late
        _brief(s, cast.acme_id, dept, -6, "delivered")  # delivered: not late any more
        _brief(s, cast.acme_id, dept, -6, "draft")  # never promised
        _brief(s, cast.acme_id, dept, 2, "accepted")  # not yet due
        s.flush()
        assert health_link.inputs_one(s, cast.acme_id, TODAY) == 2
        assert health_link.briefs_one(s, cast.acme_id, TODAY) == 2
        out = health.account_health(s, admin, cast.acme_id, today=TODAY)
        assert _measure(out, "overdue_commitments").value == 5
        health.recompute_all(s, admin, today=TODAY)
    with sessions.begin() as s:
        live = health.account_health(s, admin, cast.acme_id, today=TODAY)
        assert live.stored_score == live.score


def test_the_sql_equals_the_one_account_count(sessions, cast) -> None:
    rng = random.Random(14)
    admin = _admin(sessions, cast)
    with sessions.begin() as s:
        dept = _department(s)
        ids = []
        for i in range(15):
            a = make_account(s, f"Agency {i}", cast.owner.id,
                             last_touch=TODAY - timedelta(days=rng.randint(0, 60)))
            ids.append(a)
            for _ in range(rng.randint(0, 3)):
                _input(s, a, rng.randint(-10, 4), rng.choice(["open", "open", "received",
                                                              "cancelled"]),
                       escalated=rng.random() < 0.3)
            for _ in range(rng.randint(0, 3)):
                _brief(s, a, dept, rng.randint(-10, 4), rng.choice(
                    ["draft", "sent", "accepted", "in_progress", "delivered", "approved",
                     "cancelled"]))
            for _ in range(rng.randint(0, 2)):
                s.add(FollowUp(account_id=a, title="t", owner_id=cast.owner.id,
                               due_on=TODAY + timedelta(days=rng.randint(-10, 3)),
                               status=rng.choice(["open", "done"])))
        s.flush()
        by_sql: dict[int, int] = {}
        for select_of in (health_link.inputs_select, health_link.briefs_select):
            for account_id, overdue in s.execute(select_of(s, TODAY)).all():
                by_sql[account_id] = by_sql.get(account_id, 0) + int(overdue)
        for a in ids:
            assert by_sql.get(a, 0) == (health_link.inputs_one(s, a, TODAY)
                                        + health_link.briefs_one(s, a, TODAY))
        combined = rhythm.overdue_sql()
        assert combined is not None
        total = {int(a): int(n) for a, n in s.execute(combined(s, TODAY)).all()}
        for a in ids:
            assert total.get(a, 0) == rhythm.overdue_one(s, a, TODAY)
        health.recompute_all(s, admin, today=TODAY)
    with sessions.begin() as s:
        scores = set()
        for a in ids:
            live = health.account_health(s, admin, a, today=TODAY)
            assert live.stored_score == live.score, (a, live)
            scores.add(live.score)
        assert s.scalar(select(InputRequest.id).limit(1)) is not None
    assert len(scores) > 2
