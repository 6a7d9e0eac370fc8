"""The stored (SQL) health score agrees with the live (Python) one, per segment too."""

from __future__ import annotations

import random
from datetime import timedelta

from accord.core.models import User
from accord.health import service
from accord.selection import service as selection
from kam_helpers import TODAY, add_revenue, interaction, make_account, scoring, steady


def test_the_bulk_sql_score_equals_the_live_score_for_varied_accounts(sessions, cast) -> None:
    rng = random.Random(4)
    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        s.expunge(admin)
    with sessions.begin() as s:
        service.update_policy(
            s,
            admin,
            {"measures": {"sentiment": {"weight": "40", "full": "8"}}, "green_from": 75},
            segment="Retail",
        )
        ids = []
        for i in range(24):
            segment = ("Manufacturing", "Retail", "Energy")[i % 3]
            last_touch = TODAY - timedelta(days=rng.randint(0, 200)) if i % 5 else None
            kind = "person" if i % 7 == 0 else "company"
            a = make_account(
                s, f"Account {i}", cast.owner.id, segment=segment, kind=kind, last_touch=last_touch
            )
            ids.append(a)
            if i % 4:
                months = steady(
                    rng.randint(1_000, 900_000),
                    growth=rng.choice(
                        [__import__("decimal").Decimal(x) for x in ("0.95", "1", "1.02", "1.06")]
                    ),
                )
                add_revenue(s, a, months)
            if i % 3 == 0:
                interaction(
                    s, a, TODAY - timedelta(days=rng.randint(1, 90)), sentiment=rng.randint(0, 10)
                )
            if i % 6 == 1:
                selection.score_account(
                    s, admin, a, scoring(s, admin, attractiveness="7", us="6"), today=TODAY
                )
        out = service.recompute_all(s, admin, today=TODAY)
    assert out.accounts == 24 + 2  # and the cast's Acme and Globex
    with sessions.begin() as s:
        for a in ids:
            live = service.account_health(s, admin, a, today=TODAY)
            assert live.stored_score == live.score, (a, live)
            assert live.history[-1].band == live.band


def test_recomputing_twice_a_day_keeps_one_history_point(sessions, cast) -> None:
    with sessions.begin() as s:
        head = s.get(User, cast.head.id)
        s.expunge(head)
    for _ in range(2):
        with sessions.begin() as s:
            service.recompute_all(s, head, today=TODAY)
    with sessions.begin() as s:
        service.recompute_all(s, head, today=TODAY + timedelta(days=1))
        live = service.account_health(s, head, cast.acme_id, today=TODAY)
    assert [p.computed_on for p in live.history] == [TODAY, TODAY + timedelta(days=1)]


def test_a_manager_may_not_recompute_everyone(sessions, cast) -> None:
    import pytest

    from accord.core.errors import Forbidden

    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        with pytest.raises(Forbidden):
            service.recompute_all(s, owner, today=TODAY)
