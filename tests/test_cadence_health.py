"""Health reads the account rhythm (``health.rhythm``, connected in ``app.wiring``): contact
freshness divides the days since the last *qualifying* touch by the cadence's interval
(override included), overdue commitments count overdue follow-ups; the stored (SQL) score
equals the live one."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from accord.calendar.models import CadenceOverride, FollowUp
from accord.core.models import User
from accord.health import rhythm
from accord.health import service as health
from accord.selection import service as selection
from kam_helpers import TODAY, add_contacts, interaction, make_account, scoring


def _admin(sessions, cast) -> User:
    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        s.expunge(admin)
    return admin


def _measure(out, name):
    return next(m for m in out.measures if m.measure == name)


def test_freshness_uses_the_override_and_only_qualifying_touches(sessions, cast) -> None:
    admin = _admin(sessions, cast)
    with sessions.begin() as s:
        [cid] = add_contacts(s, cast.acme_id, [("Cy", "it", "staff")],
                             touched_on=TODAY - timedelta(days=30))
        interaction(s, cast.acme_id, TODAY - timedelta(days=1), kind="note", contact_ids=[cid])
        interaction(s, cast.acme_id, TODAY - timedelta(days=2), kind="call")  # internal
        fresh = _measure(health.account_health(s, admin, cast.acme_id, today=TODAY),
                         "contact_freshness")
        assert fresh.value == Decimal("0.3333")  # 30 days ÷ 90 (not key)
        s.add(CadenceOverride(account_id=cast.acme_id, touch_days=10, reason="r"))
        s.flush()
        out = health.account_health(s, admin, cast.acme_id, today=TODAY)
        assert _measure(out, "contact_freshness").value == Decimal(3)
        assert "own cadence" in _measure(out, "contact_freshness").note
        s.get(CadenceOverride, cast.acme_id).touch_days = None  # reports only
        s.flush()
        out = health.account_health(s, admin, cast.acme_id, today=TODAY)
        assert _measure(out, "contact_freshness").value is None


def test_overdue_commitments_count_overdue_follow_ups(sessions, cast) -> None:
    admin = _admin(sessions, cast)
    with sessions.begin() as s:
        for due, status, snoozed in [(-3, "open", None), (-1, "snoozed", 5), (-2, "snoozed", -1),
                                     (-9, "done", None), (0, "open", None), (-4, "cancelled",
                                                                            None)]:
            s.add(FollowUp(account_id=cast.acme_id, title="t", owner_id=cast.owner.id,
                           due_on=TODAY + timedelta(days=due), status=status,
                           snoozed_until=None if snoozed is None
                           else TODAY + timedelta(days=snoozed)))
        s.flush()
        out = health.account_health(s, admin, cast.acme_id, today=TODAY)
    overdue = _measure(out, "overdue_commitments")
    assert overdue.value == 2 and overdue.score is not None  # open −3, snoozed back on −1
    assert "overdue_commitments" not in out.left_out


def test_with_nothing_connected_the_measures_are_left_out(sessions, cast) -> None:
    from accord.app.wiring import connect

    admin = _admin(sessions, cast)
    rhythm.disconnect()
    try:
        with sessions.begin() as s:
            out = health.account_health(s, admin, cast.acme_id, today=TODAY)
            assert {"contact_freshness", "overdue_commitments"} <= set(out.left_out)
            health.recompute_all(s, admin, today=TODAY)
    finally:
        connect()


def test_the_bulk_score_equals_the_live_score_with_overrides_and_follow_ups(
        sessions, cast) -> None:
    rng = random.Random(13)
    admin = _admin(sessions, cast)
    with sessions.begin() as s:
        ids = []
        for i in range(20):
            kind = "person" if i % 9 == 4 else "company"
            last = TODAY - timedelta(days=rng.randint(0, 120)) if i % 4 else None
            a = make_account(s, f"Rhythm {i}", cast.owner.id, kind=kind, last_touch=last)
            ids.append(a)
            if i % 3 == 0:
                selection.score_account(s, admin, a, scoring(
                    s, admin, attractiveness=str(rng.randint(2, 9)), us=str(rng.randint(2, 9))),
                    today=TODAY)
            if i % 5 == 1:
                s.add(CadenceOverride(account_id=a, touch_days=rng.choice([None, 2, 30]),
                                      reason="r"))
            for _ in range(rng.randint(0, 4)):
                s.add(FollowUp(account_id=a, title="t", owner_id=cast.owner.id,
                               due_on=TODAY + timedelta(days=rng.randint(-20, 5)),
                               status=rng.choice(["open", "open", "snoozed", "done"]),
                               snoozed_until=TODAY + timedelta(days=rng.randint(-3, 3))))
        s.flush()
        health.recompute_all(s, admin, today=TODAY)
    with sessions.begin() as s:
        scores = set()
        for a in ids:
            live = health.account_health(s, admin, a, today=TODAY)
            assert live.stored_score == live.score, (a, live)
            scores.add(live.score)
    assert len(scores) > 3
