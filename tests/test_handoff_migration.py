"""Migration 0014 on both databases: every company already in onboarding gets a draft
hand-off from sales (the default items, its opening event) for its manager; nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from accord.core.migrate import upgrade
from accord.handoffs.rules import SALES_ITEMS
from test_migrations import downgrade, empty_engine  # noqa: F401  (the fixture)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _arrange(engine) -> dict[str, int]:
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (email, name, role, capacity, is_active, created_at, version) "
            "VALUES ('m@accord.test', 'Mia Manager', 'manager', 100, :t, :now, 1)"
        ), {"t": True, "now": NOW})
        manager = conn.execute(text("SELECT id FROM users")).scalar_one()
        ids = {}
        for name, kind, status, manager_id in (
            ("Onboarding Co", "company", "onboarding", manager),
            ("Orphan Co", "company", "onboarding", None),
            ("Active Co", "company", "active", manager),
            ("Onboarding Person", "person", "onboarding", manager),
        ):
            conn.execute(text(
                "INSERT INTO accounts (name, name_key, kind, status, manager_id, created_at, "
                "updated_at, version) VALUES (:n, :k, :kind, :s, :m, :now, :now, 1)"
            ), {"n": name, "k": name.lower(), "kind": kind, "s": status, "m": manager_id,
                "now": NOW})
            ids[name] = conn.execute(
                text("SELECT id FROM accounts WHERE name = :n"), {"n": name}).scalar_one()
        ids["manager"] = manager
        return ids


def test_the_upgrade_opens_a_draft_for_each_onboarding_company(empty_engine) -> None:  # noqa: F811
    upgrade(empty_engine, "0013_one_abc_setting")
    ids = _arrange(empty_engine)
    upgrade(empty_engine, "0014_handoffs")
    with empty_engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT account_id, kind, state, author_id, receiver_id, version FROM handoffs "
            "ORDER BY account_id")).all()
        assert [tuple(r) for r in rows] == [
            (ids["Onboarding Co"], "sales", "draft", ids["manager"], ids["manager"], 1),
            (ids["Orphan Co"], "sales", "draft", None, None, 1),
        ]
        for (handoff_id,) in conn.execute(text("SELECT id FROM handoffs")).all():
            items = conn.execute(text(
                "SELECT key, label, required, position, answer_kind FROM handoff_items "
                "WHERE handoff_id = :h ORDER BY position"), {"h": handoff_id}).all()
            assert [(r[0], r[1], bool(r[2]), r[3], r[4]) for r in items] == [
                (item.key, item.label, True, i, None)
                for i, item in enumerate(SALES_ITEMS, start=1)]
            events = conn.execute(text(
                "SELECT from_state, to_state FROM handoff_events WHERE handoff_id = :h"),
                {"h": handoff_id}).all()
            assert [tuple(e) for e in events] == [(None, "draft")]
    downgrade(empty_engine, "0013_one_abc_setting")
    upgrade(empty_engine)
