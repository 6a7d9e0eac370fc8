"""One migration history for both databases: empty → head agrees with the models; → base."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from accord.core.database import make_engine
from accord.core.migrate import alembic_config, current_revision, upgrade
from accord.schema import metadata

PG_URL = os.environ.get("ACCORD_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path) -> Iterator[Engine]:
    """A brand-new, empty database (not the migrated template the other tests use)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    request.getfixturevalue("postgres_url")  # skips (or fails in CI) without a server
    assert PG_URL
    name = f"accord_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(PG_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_an_empty_database_upgrades_to_head_and_matches_the_models(empty_engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) is not None
    with empty_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    assert set(metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_upgrading_twice_changes_nothing(empty_engine) -> None:
    upgrade(empty_engine)
    head = current_revision(empty_engine)
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head


def test_it_downgrades_to_base_and_up_again(empty_engine) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    left = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert left == set()
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_the_audit_guard_survives_a_round_trip(empty_engine) -> None:
    from sqlalchemy.exc import DBAPIError

    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, entity) "
                "VALUES (CURRENT_TIMESTAMP, 'system', 'create', 'thing')"
            )
        )
    with pytest.raises(DBAPIError, match="append-only"):
        with empty_engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
