"""``accord users create|list|token`` through the real command, on both databases."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from accord.cli.main import app as cli
from accord.core.models import ApiToken, User
from conftest import PASSWORD, api_client

runner = CliRunner()


def run(database_url: str, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, ["--database-url", database_url, *args], input=input)


def test_it_creates_a_user_with_a_password_from_stdin(database_url, db) -> None:  # type: ignore[no-untyped-def]
    from accord.core.identity import authenticate

    result = run(
        database_url,
        "users",
        "create",
        "Ada@Example.com",
        "--role",
        "admin",
        "--name",
        "Ada Lovelace",
        "--password-stdin",
        input="a secret passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "created admin ada@example.com" in result.stdout
    assert authenticate(db, "ada@example.com", "a secret passphrase").name == "Ada Lovelace"
    assert "a secret passphrase" not in result.output


def test_it_lists_users(database_url, cast, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from accord.cli import common

    monkeypatch.setattr(common.console, "width", 200)  # no wrapping of e-mails in the table
    result = run(database_url, "users", "list")
    assert result.exit_code == 0, result.output
    for email in ("admin@accord.test", "owner@accord.test", "viewer@accord.test"):
        assert email in result.stdout


def test_a_token_from_the_cli_works_on_the_api_and_is_stored_hashed(
    database_url, cast, app, db
) -> None:  # type: ignore[no-untyped-def]
    result = run(database_url, "users", "token", "owner@accord.test", "--name", "laptop")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("acc_")
    assert api_client(app, token).get("/api/v1/me").json()["email"] == "owner@accord.test"
    assert token not in json.dumps([r.token_hash for r in db.scalars(select(ApiToken))])


def test_a_manager_may_only_make_their_own_token(database_url, cast) -> None:  # type: ignore[no-untyped-def]
    own = run(database_url, "--as", "owner@accord.test", "users", "token", "owner@accord.test")
    assert own.exit_code == 0, own.output
    other = run(database_url, "--as", "owner@accord.test", "users", "token", "admin@accord.test")
    assert other.exit_code != 0
    assert "admin" in other.stderr and "acc_" not in other.stdout


def test_only_an_admin_creates_users(database_url, cast, db) -> None:  # type: ignore[no-untyped-def]
    result = run(
        database_url, "--as", "head@accord.test", "users", "create", "x@y.test", "--role", "admin"
    )
    assert result.exit_code != 0
    assert db.scalar(select(User).where(User.email == "x@y.test")) is None
    ok = run(
        database_url, "--as", "admin@accord.test", "users", "create", "x@y.test", "--role", "viewer"
    )
    assert ok.exit_code == 0, ok.output


def test_it_refuses_bad_input_with_a_message_and_a_non_zero_exit(database_url, cast, db) -> None:  # type: ignore[no-untyped-def]
    cases = [
        (["users", "create", "not-an-email", "--role", "admin"], "e-mail"),
        (["users", "create", "z@y.test", "--role", "emperor"], "role"),
        (["users", "create", "owner@accord.test", "--role", "viewer"], "already exists"),
        (["users", "token", "nobody@accord.test"], "no user"),
        (["--as", "ghost@accord.test", "users", "token", "owner@accord.test"], "no user"),
    ]
    for args, message in cases:
        result = run(database_url, *args)
        assert result.exit_code != 0, args
        assert message in result.stderr, (args, result.stderr)
    short = run(
        database_url,
        "users",
        "create",
        "z@y.test",
        "--role",
        "viewer",
        "--password-stdin",
        input="short\n",
    )
    assert short.exit_code == 2 and "password" in short.stderr
    empty = run(
        database_url,
        "users",
        "create",
        "z@y.test",
        "--role",
        "viewer",
        "--password-stdin",
        input="\n",
    )
    assert empty.exit_code == 2
    assert db.scalar(select(User).where(User.email == "z@y.test")) is None
    assert PASSWORD  # the cast's password stays theirs
