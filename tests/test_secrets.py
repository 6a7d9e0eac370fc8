"""The secret key and the other secrets (issue 9, S5): no published default, a generated one
kept beside the data, ``*_FILE`` variables, no development server open to the network."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from accord.core.settings import DEVELOPMENT_SECRET, SECRET_FILE, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("ACCORD_"):
            monkeypatch.delenv(name)


def test_without_a_secret_one_is_generated_beside_the_database_and_reused(tmp_path: Path):
    from accord.app.asgi import create_app

    url = f"sqlite:///{tmp_path / 'data' / 'accord.db'}"
    (tmp_path / "data").mkdir()
    first = create_app(Settings(database_url=url)).state.settings.secret_key
    kept = tmp_path / "data" / SECRET_FILE
    assert kept.exists() and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert first != DEVELOPMENT_SECRET and len(first) >= 48
    assert create_app(Settings(database_url=url)).state.settings.secret_key == first


def test_a_forged_cookie_signed_with_the_published_secret_is_nobody(tmp_path: Path, engine, cast):
    """The probe's attack: sign {'user_id': admin} with the development secret."""
    import base64
    import json

    import itsdangerous
    from fastapi.testclient import TestClient

    from accord.app.asgi import create_app

    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, data_dir=str(tmp_path)))
    payload = base64.b64encode(json.dumps({"user_id": cast.admin.id, "sid": "x"}).encode())
    forged = itsdangerous.TimestampSigner(DEVELOPMENT_SECRET).sign(payload).decode()
    client = TestClient(app)
    client.cookies.set("accord_session", forged)
    assert client.get("/admin/users", follow_redirects=False).status_code == 303


def test_a_data_dir_setting_holds_the_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ACCORD_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ACCORD_DATABASE_URL", "postgresql://u@db/accord")
    settings = Settings().with_secret()
    assert (tmp_path / "state" / SECRET_FILE).read_text().strip() == settings.secret_key


def test_secrets_are_read_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "key").write_text("k" * 40 + "\n")
    (tmp_path / "url").write_text("postgresql://accord:s3cret@db:5432/accord\n")
    monkeypatch.setenv("ACCORD_SECRET_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("ACCORD_DATABASE_URL_FILE", str(tmp_path / "url"))
    monkeypatch.setenv("ACCORD_MODE", "production")
    settings = Settings()
    assert settings.secret_key == "k" * 40
    assert settings.database_url == "postgresql+psycopg://accord:s3cret@db:5432/accord"


def test_a_variable_and_its_file_together_or_a_missing_file_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ACCORD_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="ACCORD_SECRET_KEY_FILE: cannot read"):
        Settings()
    (tmp_path / "missing").write_text("k" * 40)
    monkeypatch.setenv("ACCORD_SECRET_KEY", "k" * 40)
    with pytest.raises(ValueError, match="both set"):
        Settings()


def test_production_needs_a_secret_of_its_own(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ACCORD_MODE", "production")
    with pytest.raises(ValidationError, match="not set or is the published development secret"):
        Settings()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "accord.example.com"])
def test_a_development_server_refuses_to_listen_beyond_this_machine(host: str, tmp_path: Path):
    from accord.app.commands import app

    url = f"sqlite:///{tmp_path / 'a.db'}"
    result = CliRunner().invoke(app, ["--database-url", url, "serve", "--host", host])
    assert result.exit_code == 2
    assert f"refusing to serve on {host} in development mode" in result.output


def test_loopback_addresses_are_this_machine():
    from accord.core.settings import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "localhost", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "example.com"))


def test_the_cli_names_an_unreadable_secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from accord.app.commands import app
    from accord.core.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.setenv("ACCORD_DATABASE_URL_FILE", str(tmp_path / "missing"))
    result = CliRunner().invoke(app, ["users", "list"])
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "ACCORD_DATABASE_URL_FILE: cannot read" in result.output
