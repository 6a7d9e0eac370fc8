"""Settings: read from ACCORD_* variables, loud on bad values, every one documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from accord.core.settings import DEVELOPMENT_SECRET, Settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
STRONG = "a-production-secret-that-is-long-enough-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.upper().startswith("ACCORD_"):
            monkeypatch.delenv(name)


def test_it_reads_accord_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    monkeypatch.setenv("ACCORD_PORT", "9123")
    monkeypatch.setenv("ACCORD_HOST", "0.0.0.0")
    monkeypatch.setenv("ACCORD_PAGE_SIZE", "25")
    settings = Settings()
    assert settings.database_url == "sqlite:////tmp/elsewhere.db"
    assert (settings.host, settings.port, settings.page_size) == ("0.0.0.0", 9123, 25)


def test_the_defaults_run_a_local_development_install() -> None:
    settings = Settings()
    assert settings.mode == "development"
    assert settings.database_url.startswith("sqlite")
    assert settings.secret_key is None  # generated on the first start (tests/test_secrets.py)


def test_a_plain_postgresql_url_gets_the_psycopg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_DATABASE_URL", "postgresql://u:p@db:5432/accord")
    assert Settings().database_url == "postgresql+psycopg://u:p@db:5432/accord"


def test_it_refuses_the_development_secret_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_MODE", "production")
    with pytest.raises(ValidationError, match="development secret"):
        Settings()
    monkeypatch.setenv("ACCORD_SECRET_KEY", DEVELOPMENT_SECRET)
    with pytest.raises(ValidationError, match="development secret"):
        Settings()


def test_it_refuses_a_short_secret_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_MODE", "production")
    monkeypatch.setenv("ACCORD_SECRET_KEY", "hunter2")
    with pytest.raises(ValidationError, match="32 characters"):
        Settings()
    monkeypatch.setenv("ACCORD_SECRET_KEY", STRONG)
    assert Settings().mode == "production"


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "mongodb://h/db", "accord.db", "", "http://example.com"]
)
def test_it_refuses_a_database_url_it_cannot_use(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("ACCORD_DATABASE_URL", url)
    with pytest.raises(ValidationError, match="ACCORD_DATABASE_URL"):
        Settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ACCORD_PORT", "eighty"),
        ("ACCORD_MODE", "staging"),
        ("ACCORD_PAGE_SIZE", "0"),
        ("ACCORD_PAGE_SIZE", "100000"),
    ],
)
def test_it_refuses_bad_values(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_the_cli_refuses_a_bad_database_url_with_a_message() -> None:
    from typer.testing import CliRunner

    from accord.app.commands import app

    result = CliRunner().invoke(app, ["--database-url", "mysql://u@h/db", "accounts", "list"])
    assert result.exit_code == 2
    assert "sqlite:// or postgresql://" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(ACCORD_[A-Z0-9_]+)`", DOCS.read_text()))
    documented = {d.removesuffix("_FILE") for d in documented}  # every setting has a *_FILE
    fields = {f"ACCORD_{name.upper()}" for name in Settings.model_fields}
    assert fields - documented == set(), "add these to docs/settings.md"
    assert documented - fields == set(), "docs/settings.md names settings that do not exist"
