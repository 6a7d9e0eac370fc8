"""``accord users create|list|token`` through the real command, on both databases."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.core.models import ApiToken, AuditEntry, User
from conftest import PASSWORD, api_client
from page_helpers import sign_in

runner = CliRunner()


def run(database_url: str, *args: str, stdin: str | None = None):
    return runner.invoke(cli, ["--database-url", database_url, *args], input=stdin)


def test_it_creates_a_user_with_a_password_from_stdin(database_url, db) -> None:
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
        stdin="a secret passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "created admin ada@example.com" in result.stdout
    assert authenticate(db, "ada@example.com", "a secret passphrase").name == "Ada Lovelace"
    assert "a secret passphrase" not in result.output


def test_it_lists_users(database_url, cast, monkeypatch) -> None:
    from accord.cli import common

    monkeypatch.setattr(common.console, "width", 200)  # no wrapping of e-mails in the table
    result = run(database_url, "users", "list")
    assert result.exit_code == 0, result.output
    for email in ("admin@accord.test", "owner@accord.test", "viewer@accord.test"):
        assert email in result.stdout


def test_a_token_from_the_cli_works_on_the_api_and_is_stored_hashed(
    database_url, cast, app, db
) -> None:
    result = run(database_url, "users", "token", "owner@accord.test", "--name", "laptop")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("acc_")
    assert api_client(app, token).get("/api/v1/me").json()["email"] == "owner@accord.test"
    assert token not in json.dumps([r.token_hash for r in db.scalars(select(ApiToken))])


def test_a_manager_may_only_make_their_own_token(database_url, cast) -> None:
    own = run(database_url, "--as", "owner@accord.test", "users", "token", "owner@accord.test")
    assert own.exit_code == 0, own.output
    other = run(database_url, "--as", "owner@accord.test", "users", "token", "admin@accord.test")
    assert other.exit_code != 0
    assert "admin" in other.stderr and "acc_" not in other.stdout


def test_only_an_admin_creates_users(database_url, cast, db) -> None:
    result = run(
        database_url, "--as", "head@accord.test", "users", "create", "x@y.test", "--role", "admin"
    )
    assert result.exit_code != 0
    assert db.scalar(select(User).where(User.email == "x@y.test")) is None
    ok = run(
        database_url, "--as", "admin@accord.test", "users", "create", "x@y.test", "--role", "viewer"
    )
    assert ok.exit_code == 0, ok.output


def test_it_refuses_bad_input_with_a_message_and_a_non_zero_exit(database_url, cast, db) -> None:
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
        stdin="short\n",
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
        stdin="\n",
    )
    assert empty.exit_code == 2
    assert db.scalar(select(User).where(User.email == "z@y.test")) is None
    assert PASSWORD  # the cast's password stays theirs


# ---------------------------------------------------------------- the rules, on this door
# (the same rules on the API: test_api_tokens.py; on the admin pages: test_pages_admin.py)


def test_the_cli_makes_no_token_for_a_deactivated_user(database_url, cast, db) -> None:
    db.get(User, cast.viewer.id).is_active = False
    db.commit()
    result = run(database_url, "users", "token", "viewer@accord.test")
    assert result.exit_code == 2
    assert "deactivated" in result.stderr and "acc_" not in result.stdout


def test_the_cli_refuses_a_token_without_a_fitting_name(database_url, cast) -> None:
    for name in ("", "   ", "x" * 121):
        result = run(database_url, "users", "token", "owner@accord.test", "--name", name)
        assert result.exit_code == 2, name
        assert "give the token a name" in result.stderr and "acc_" not in result.stdout


def test_the_cli_holds_the_field_limits_of_the_api_and_the_pages(database_url, cast, db) -> None:
    for args, field in (
        (["--name", "x" * 201], "name"),
        (["--segment", "x" * 61], "segment"),
        (["--capacity", "-1"], "capacity"),
        (["--capacity", "100001"], "capacity"),
    ):
        result = run(database_url, "users", "create", "z@y.test", "--role", "viewer", *args)
        assert result.exit_code == 2, args
        assert field in result.stderr, (args, result.stderr)
    assert db.scalar(select(User).where(User.email == "z@y.test")) is None


def test_revoking_leaves_the_same_audit_record_on_every_door(
    database_url, cast, app, client, sessions, db
) -> None:
    for _ in range(3):
        cast.token(sessions, "owner")
    ids = [t.id for t in db.scalars(select(ApiToken).where(ApiToken.user_id == cast.owner.id))]
    db.rollback()
    by_api, by_page, by_cli = ids[-3:]
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.delete(f"/api/v1/tokens/{by_api}").status_code == 204
    csrf = sign_in(client, "admin@accord.test")
    page = client.post(
        f"/admin/users/{cast.owner.id}/tokens/{by_page}/revoke",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert page.status_code == 303
    cli = run(database_url, "--as", "admin@accord.test", "users", "revoke-token", str(by_cli))
    assert cli.exit_code == 0, cli.output
    assert f"token {by_cli}" in cli.stdout
    entries = {
        int(e.entity_id): e
        for e in db.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "api_token", AuditEntry.action == "revoke"
            )
        )
    }
    shapes = {
        (e.actor, e.actor_id, e.before == {"revoked_at": None}, tuple(sorted(e.after)))
        for e in (entries[by_api], entries[by_page], entries[by_cli])
    }
    assert shapes == {("admin@accord.test", cast.admin.id, True, ("revoked_at",))}
    for token_id in (by_api, by_page, by_cli):
        assert db.get(ApiToken, token_id).revoked_at is not None


def test_the_cli_revokes_only_ones_own_token_unless_admin(database_url, cast, sessions, db) -> None:
    cast.token(sessions, "admin")
    admins = db.scalar(select(ApiToken.id).where(ApiToken.user_id == cast.admin.id))
    db.rollback()
    refused = run(database_url, "--as", "owner@accord.test", "users", "revoke-token", str(admins))
    assert refused.exit_code == 1 and "no token" in refused.stderr
    listed = run(database_url, "users", "tokens", "admin@accord.test")
    assert listed.exit_code == 0 and "test-admin" in listed.stdout
    assert db.get(ApiToken, admins).revoked_at is None
