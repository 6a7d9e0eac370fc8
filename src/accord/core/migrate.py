"""Run Alembic migrations programmatically (used by the CLI, the demo and the tests)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def alembic_config(url: str) -> Config:
    ini = resources.files("accord") / "alembic.ini"
    config = Config(str(ini))
    config.set_main_option("script_location", str(resources.files("accord") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext  # here: only db commands load alembic

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision this code knows."""
    from alembic.script import ScriptDirectory  # here: only db commands load alembic

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
