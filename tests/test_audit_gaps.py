"""A1: writes that left no audit entry (or one without its "before"), and the CLI's actor.

- storing one account's health score is audited, with the score before and after;
- unlinking a contact records what the link was (the person and their role there);
- ``accord kpi-refresh`` is audited;
- the command line records its actor as documented: the ``--as`` user, else ``cli:<os user>``;
- every entry about an account carries the account's id (what a head's view of the log uses).
"""

from __future__ import annotations

import getpass

from sqlalchemy import select
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.core.models import AuditEntry
from conftest import api_client

runner = CliRunner()


def entries(sessions, **where):
    """Audit entries, read in a transaction of its own (it must not hold the write lock)."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    with sessions() as s:
        found = list(s.scalars(query))
        s.expunge_all()
        return found


def test_one_accounts_health_recompute_is_audited(app, cast, sessions):
    owner = api_client(app, cast.token(sessions, "owner"))
    assert owner.post(f"/api/v1/accounts/{cast.acme_id}/health/recompute").status_code == 200
    assert owner.post(f"/api/v1/accounts/{cast.acme_id}/health/recompute").status_code == 200
    first, second = entries(sessions, action="recompute", entity_id=str(cast.acme_id))
    assert first.actor == "owner@accord.test" and first.before is None
    assert set(first.after) >= {"score", "band", "computed_on"}
    assert second.before == first.after  # the score it replaced
    assert second.account_id == cast.acme_id


def test_unlinking_a_contact_records_what_the_link_was(app, cast, sessions):
    owner = api_client(app, cast.token(sessions, "owner"))
    contact = owner.post(
        f"/api/v1/accounts/{cast.acme_id}/contacts",
        json={"name": "Grace Hopper", "email": "grace@acme.test", "buying_role": "champion",
              "title": "CTO"},
    ).json()
    url = f"/api/v1/accounts/{cast.acme_id}/contacts/{contact['id']}"
    assert owner.delete(url).status_code == 204
    (entry,) = entries(sessions, action="unlink")
    assert entry.entity == "account_contact"
    assert entry.before == {
        "name": "Grace Hopper",
        "email": "grace@acme.test",
        "buying_role": "champion",
        "title": "CTO",
    }
    assert entry.account_id == cast.acme_id


def test_kpi_refresh_is_audited_with_the_cli_actor(cast, database_url, sessions):
    result = runner.invoke(cli, ["--database-url", database_url, "kpi-refresh"])
    assert result.exit_code == 0, result.output
    (entry,) = entries(sessions, action="refresh")
    assert entry.entity == "kpi_data" and entry.actor == f"cli:{getpass.getuser()}"
    assert entry.actor_id is None

    result = runner.invoke(
        cli, ["--database-url", database_url, "--as", "admin@accord.test", "kpi-refresh"]
    )
    assert result.exit_code == 0, result.output
    assert entries(sessions, action="refresh")[-1].actor == "admin@accord.test"
    assert entries(sessions, action="refresh")[-1].actor_id == cast.admin.id


def test_contact_edits_and_interactions_name_their_account(app, cast, sessions):
    owner = api_client(app, cast.token(sessions, "owner"))
    contact = owner.post(
        f"/api/v1/accounts/{cast.acme_id}/contacts", json={"name": "Ada", "email": "ada@a.test"}
    ).json()
    owner.patch(
        f"/api/v1/accounts/{cast.acme_id}/contacts/{contact['id']}", json={"phone": "+1 555"}
    )
    owner.post(
        f"/api/v1/accounts/{cast.acme_id}/interactions",
        json={"kind": "call", "occurred_on": "2024-03-01", "summary": "Intro"},
    )
    owner.patch(f"/api/v1/accounts/{cast.acme_id}", json={"notes": "n"})
    about = {(e.action, e.entity): e.account_id for e in entries(sessions)}
    assert about[("update", "contact")] == cast.acme_id
    assert about[("link", "account_contact")] == cast.acme_id
    assert about[("create", "interaction")] == cast.acme_id
    assert about[("update", "account")] == cast.acme_id
