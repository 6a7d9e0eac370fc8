"""Migration 0021's downgrade on SQLite and PostgreSQL: the code before it knows no role
"specialist", so a specialist is left a deactivated viewer (and the other users as they were)."""

from __future__ import annotations

from sqlalchemy import text

from accord.core.migrate import current_revision, upgrade
from test_migrations import downgrade, empty_engine  # noqa: F401 - the fixture


def test_the_downgrade_leaves_no_specialist(empty_engine) -> None:  # noqa: F811
    upgrade(empty_engine, "0021_agency")
    with empty_engine.begin() as conn:
        for email, role in (("spec@accord.test", "specialist"), ("max@accord.test", "manager")):
            conn.execute(text(
                "INSERT INTO users (email, role, name, capacity, is_active, created_at, "
                "time_zone) VALUES (:e, :r, :e, 100, :t, CURRENT_TIMESTAMP, 'UTC')"),
                {"e": email, "r": role, "t": True})
    downgrade(empty_engine, "0020_rhythm")
    assert current_revision(empty_engine) == "0020_rhythm"
    with empty_engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT email, role || ':' || CASE WHEN is_active THEN 'active' ELSE 'inactive' "
            "END FROM users")).all())
    assert rows == {"spec@accord.test": "viewer:inactive", "max@accord.test": "manager:active"}
