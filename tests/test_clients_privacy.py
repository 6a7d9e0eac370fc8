"""Individual clients' personal data (issue 16) through its three doors, on both databases:
marketing consent (whoever may write the person account; a company is a 422), the
suppression list (admins and heads; a malformed address a 422, a duplicate a 409, stored
lower case and trimmed), and erasure on request — the person's fields anonymised, a contact
also at another account kept there and unlinked, interactions' and follow-ups' text erased,
revenue kept (monthly revenue and the KPI document unchanged), earlier audit entries
redacted to ids while the log stays append-only, a second erasure a 409, a company a 422,
an account out of reach a 404, a manager refused (403)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from accord.accounts.models import Account, AccountContact, Contact, Interaction
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.calendar.models import CalendarEvent, EventAttendee, FollowUp
from accord.clients.models import ClientProfile, ClientSuppression
from accord.core.models import AuditEntry
from accord.revenue.models import RevenueLine
from conftest import api_client
from import_helpers import write_monthly
from page_helpers import sign_in

B = 2024 * 12  # January 2024 as a month index
#: what Paula told us, which must leave every table but revenue, and the audit log
SECRETS = ("Paula Private", "paula@private.test", "+33 6 12 34 56 78", "Prefers blue",
           "Paula asked about delivery", "Paula ordered again", "Call Paula back",
           "Fitting at Paula's", "12 rue des Lilas")


def _cli(database_url: str, *args: str):
    return CliRunner().invoke(cli_app, hoist_global_options(
        ["clients", *args, "--database-url", database_url]))


def _person(app, sessions, cast, name: str = "Paula Private") -> int:
    """A person account of the owner's (North) with her own contact, Carla (also Acme's), an
    interaction, a follow-up and two years of purchases — all through the API, so the audit
    log holds what she said."""
    owner = api_client(app, cast.token(sessions, "owner"))
    made = owner.post("/api/v1/accounts", json={
        "name": name, "kind": "person", "country": "France", "notes": "Prefers blue"})
    assert made.status_code == 201, made.text
    pid = int(made.json()["id"])
    assert owner.patch(f"/api/v1/accounts/{pid}", json={"industry": "Paula's bakery"}
                       ).status_code == 200
    own = owner.post(f"/api/v1/accounts/{pid}/contacts", json={
        "name": name, "email": "paula@private.test", "phone": "+33 6 12 34 56 78"})
    assert own.status_code == 201, own.text
    carla = owner.post(f"/api/v1/accounts/{cast.acme_id}/contacts", json={
        "name": "Carla Acme", "email": "carla@acme.test"})
    assert owner.post(f"/api/v1/accounts/{pid}/contacts", json={
        "name": "Carla Acme", "email": "carla@acme.test", "title": "Paula's sister"}
    ).status_code == 201
    said = owner.post(f"/api/v1/accounts/{pid}/interactions", json={
        "kind": "call", "occurred_on": "2025-06-02", "summary": "Paula asked about delivery",
        "outcome": "Paula ordered again",
        "contact_ids": [own.json()["id"], carla.json()["id"]]})
    assert said.status_code == 201, said.text
    follow = owner.post("/api/v1/follow-ups", json={
        "account_id": pid, "title": "Call Paula back", "due_on": "2026-02-01",
        "notes": "about the blue one"})
    assert follow.status_code == 201, follow.text
    event = owner.post("/api/v1/events", json={
        "account_id": pid, "title": "Fitting at Paula's", "location": "12 rue des Lilas",
        "starts_at": "2026-02-10T10:00", "contact_ids": [carla.json()["id"]]})
    assert event.status_code == 201, event.text
    with sessions.begin() as s:
        write_monthly(s, pid, {B + m: 4_000 + 100 * m for m in range(0, 24, 2)}, lines=2)
    return pid


def _texts(db, pid: int) -> str:
    """Every stored text of the account's own rows, and of the whole audit log."""
    db.rollback()
    rows = [db.get(Account, pid)]
    rows += db.scalars(select(Contact).join(AccountContact).where(
        AccountContact.account_id == pid)).all()
    rows += db.scalars(select(Interaction).where(Interaction.account_id == pid)).all()
    rows += db.scalars(select(FollowUp).where(FollowUp.account_id == pid)).all()
    rows += db.scalars(select(CalendarEvent).where(CalendarEvent.account_id == pid)).all()
    stored = [repr({k: v for k, v in vars(r).items() if not k.startswith("_")}) for r in rows]
    log = [json.dumps([e.before, e.after, e.note]) for e in db.scalars(select(AuditEntry))]
    return "\n".join(stored + log)


def test_consent_is_kept_for_people_by_whoever_may_write_them(app, cast, sessions, db, client,
                                                              database_url) -> None:
    pid = _person(app, sessions, cast)
    url = f"/api/v1/accounts/{pid}/client/consent"
    owner = api_client(app, cast.token(sessions, "owner"))
    given = owner.put(url, json={"marketing_consent": True})
    assert given.status_code == 200, given.text
    assert given.json()["marketing_consent"] is True and given.json()["consent_changed_on"]
    db.rollback()
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "consent")).all()
    assert [(e.before, e.after, e.account_id) for e in entries] == [
        ({"marketing_consent": False}, {"marketing_consent": True}, pid)]
    assert owner.put(url, json={"marketing_consent": True}).status_code == 200  # no change
    assert owner.put(url, json={"marketing_consent": "yes"}).status_code == 422
    assert api_client(app, cast.token(sessions, "viewer")).put(
        url, json={"marketing_consent": False}).status_code == 403
    assert api_client(app, cast.token(sessions, "outsider")).put(
        url, json={"marketing_consent": False}).status_code == 404
    company = owner.put(f"/api/v1/accounts/{cast.acme_id}/client/consent",
                        json={"marketing_consent": True})
    assert company.status_code == 422 and company.json()["errors"][0]["field"] == "account_id"
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "consent")) == 1

    csrf = sign_in(client, "owner@accord.test")
    withdrawn = client.post(f"/accounts/{pid}/client/consent",
                            data={"csrf_token": csrf, "marketing_consent": "false"},
                            follow_redirects=False)
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == f"/accounts/{pid}"
    db.rollback()
    assert db.get(ClientProfile, pid).marketing_consent is False
    assert client.post(f"/accounts/{pid}/client/consent", data={
        "csrf_token": csrf, "marketing_consent": "maybe"}).status_code == 422

    said = _cli(database_url, "consent", str(pid), "--yes")
    assert said.exit_code == 0 and "given" in said.output, said.output
    assert _cli(database_url, "consent", str(pid)).exit_code == 2
    assert _cli(database_url, "consent", "ACME", "--no").exit_code == 2  # a company
    db.rollback()
    assert db.get(ClientProfile, pid).marketing_consent is True


def test_the_suppression_list_takes_clean_addresses_once(app, cast, sessions, db, client,
                                                        database_url) -> None:
    url = "/api/v1/clients/suppressions"
    head = api_client(app, cast.token(sessions, "head"))
    added = head.post(url, json={"email": "  Ann.Other@Example.TEST ", "reason": "asked"})
    assert added.status_code == 201, added.text
    assert added.json()["email"] == "ann.other@example.test"
    assert added.json()["added_by"] == "head@accord.test"
    again = head.post(url, json={"email": "ANN.OTHER@example.test"})
    assert again.status_code == 409
    bad = head.post(url, json={"email": "not an address"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    assert "not an e-mail address" in bad.json()["errors"][0]["message"]
    for who in ("owner", "viewer", "billing"):
        caller = api_client(app, cast.token(sessions, who))
        assert caller.get(url).status_code == 403
        assert caller.post(url, json={"email": "x@y.test"}).status_code == 403
    listed = head.get(url, params={"q": "ANN"}).json()
    assert listed["total"] == 1 and listed["items"][0]["reason"] == "asked"
    assert head.get(url, params={"q": "nobody"}).json()["total"] == 0
    assert head.delete(f"{url}/{added.json()['id']}").status_code == 204
    assert head.delete(f"{url}/{added.json()['id']}").status_code == 404

    csrf = sign_in(client, "admin@accord.test")
    page = client.post("/clients/suppressions", data={"csrf_token": csrf, "email": "Bo@B.test"},
                       follow_redirects=False)
    assert page.status_code == 303
    shown = client.get("/clients/suppressions?q=bo")
    assert shown.status_code == 200 and "bo@b.test" in shown.text
    refused = client.post("/clients/suppressions", data={"csrf_token": csrf, "email": "bo@"})
    assert refused.status_code == 422 and 'id="sup-email-error"' in refused.text
    twice = client.post("/clients/suppressions", data={"csrf_token": csrf, "email": "BO@b.test"})
    assert twice.status_code == 409 and "already" in twice.text
    db.rollback()
    row = db.scalar(select(ClientSuppression).where(ClientSuppression.email_key == "bo@b.test"))
    assert row is not None
    gone = client.post(f"/clients/suppressions/{row.id}/remove", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert gone.status_code == 303
    sign_in(client, "owner@accord.test")
    assert client.get("/clients/suppressions").status_code == 403

    assert _cli(database_url, "suppressions", "add", "Cy@C.test", "--reason", "bounced"
                ).exit_code == 0
    assert _cli(database_url, "suppressions", "add", "cy@c.test").exit_code == 1  # 409
    assert _cli(database_url, "suppressions", "add", "cy").exit_code == 2  # 422
    listed_cli = _cli(database_url, "suppressions", "list", "--format", "json")
    assert listed_cli.exit_code == 0 and json.loads(listed_cli.output)["items"][0]["email"] \
        == "cy@c.test"
    assert _cli(database_url, "suppressions", "remove", "CY@c.test").exit_code == 0
    assert _cli(database_url, "suppressions", "remove", "cy@c.test").exit_code == 1
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ClientSuppression)) == 0
    actions = db.execute(select(AuditEntry.action).where(
        AuditEntry.entity == "client_suppression").order_by(AuditEntry.id)).scalars().all()
    assert actions == ["create", "delete", "create", "delete", "create", "delete"]


def test_erasure_keeps_ids_and_figures_and_nothing_of_the_person(app, cast, sessions,
                                                                  db) -> None:
    pid = _person(app, sessions, cast)
    admin = api_client(app, cast.token(sessions, "admin"))
    kpis = admin.get("/api/v1/kpis?as_of=2025-11")
    assert kpis.status_code == 200, kpis.text
    kpis_before = kpis.json()
    monthly_before = admin.get(f"/api/v1/accounts/{pid}/revenue/monthly").json()
    assert len(monthly_before) == 12
    text_before = _texts(db, pid)
    assert all(s in text_before for s in SECRETS)
    entries_before = db.execute(select(AuditEntry.id, AuditEntry.action, AuditEntry.entity,
                                       AuditEntry.entity_id, AuditEntry.actor, AuditEntry.at)
                                .order_by(AuditEntry.id)).all()
    lines = db.scalar(select(func.count()).select_from(RevenueLine).where(
        RevenueLine.account_id == pid))
    db.rollback()

    url = f"/api/v1/accounts/{pid}/client/erase"
    assert api_client(app, cast.token(sessions, "owner")).post(url).status_code == 403
    assert api_client(app, cast.token(sessions, "viewer")).post(url).status_code == 403
    assert api_client(app, cast.token(sessions, "other_head")).post(url).status_code == 404
    head = api_client(app, cast.token(sessions, "head"))
    company = head.post(f"/api/v1/accounts/{cast.acme_id}/client/erase")
    assert company.status_code == 422, company.text
    done = head.post(url)
    assert done.status_code == 200, done.text
    assert {k: v for k, v in done.json().items() if k != "erased_at"} == {
        "account_id": pid, "contacts_erased": 1, "contacts_unlinked": 1, "interactions": 1,
        "follow_ups": 1, "events": 1,
        "audit_entries_redacted": done.json()["audit_entries_redacted"],
        "revenue_lines_kept": lines}
    assert done.json()["audit_entries_redacted"] >= 6
    assert head.post(url).status_code == 409

    after = _texts(db, pid)
    leaked = [s for s in SECRETS if s in after]
    assert leaked == []
    account = db.get(Account, pid)
    assert (account.name, account.name_key, account.notes, account.country) == (
        f"Erased client #{pid}", f"erased client #{pid}", None, None)
    assert (account.kind, account.manager_id) == ("person", cast.owner.id)
    contacts = db.scalars(select(Contact).join(AccountContact).where(
        AccountContact.account_id == pid)).all()
    assert [(c.name, c.email, c.phone) for c in contacts] == [
        (f"Erased contact #{contacts[0].id}", None, None)]
    carla = db.scalar(select(Contact).where(Contact.email == "carla@acme.test"))
    assert carla.name == "Carla Acme"  # Acme's contact keeps her data, unlinked from Paula
    assert db.get(AccountContact, (cast.acme_id, carla.id)) is not None
    assert db.get(AccountContact, (pid, carla.id)) is None
    assert not db.scalars(select(EventAttendee).where(EventAttendee.contact_id == carla.id)).all()
    assert "Carla Acme" in json.dumps(db.scalar(select(AuditEntry.after).where(
        AuditEntry.entity == "contact", AuditEntry.entity_id == str(carla.id))))
    profile = db.get(ClientProfile, pid)
    assert profile.erased_at is not None and profile.marketing_consent is False
    assert db.scalar(select(func.count()).select_from(RevenueLine).where(
        RevenueLine.account_id == pid)) == lines

    # the log: every earlier entry kept (action, entity, ids, actor, time), one more entry
    # naming only ids and counts, and the log append-only again
    entries_after = db.execute(select(AuditEntry.id, AuditEntry.action, AuditEntry.entity,
                                      AuditEntry.entity_id, AuditEntry.actor, AuditEntry.at)
                               .order_by(AuditEntry.id)).all()
    assert entries_after[:len(entries_before)] == entries_before
    erase_entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "erase"))
    assert erase_entry.account_id == pid and erase_entry.entity_id == str(pid)
    assert all(isinstance(v, int) or (isinstance(v, list) and all(isinstance(i, int) for i in v))
               for v in erase_entry.after.values()), erase_entry.after
    created = db.scalar(select(AuditEntry).where(
        AuditEntry.entity == "account", AuditEntry.action == "create",
        AuditEntry.entity_id == str(pid)))
    assert created.after["name"] == "[erased]" and created.after["kind"] == "person"
    assert created.after["manager_id"] == cast.owner.id
    db.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        with sessions.begin() as s:
            s.execute(text("UPDATE audit_log SET actor = 'mallory'"))

    assert admin.get(f"/api/v1/accounts/{pid}/revenue/monthly").json() == monthly_before
    assert admin.get("/api/v1/kpis?as_of=2025-11").json() == kpis_before
    assert head.put(f"/api/v1/accounts/{pid}/client/consent",
                    json={"marketing_consent": True}).status_code == 409


def test_the_erase_page_asks_first_and_the_command_needs_confirm(app, cast, sessions, db,
                                                                 client, database_url) -> None:
    pid = _person(app, sessions, cast)
    csrf = sign_in(client, "owner@accord.test")
    assert client.get(f"/accounts/{pid}/client/erase").status_code == 403
    csrf = sign_in(client, "head@accord.test")
    asked = client.get(f"/accounts/{pid}/client/erase")
    assert asked.status_code == 200 and 'id="erase-form"' in asked.text
    assert "1 contact of this account only" in asked.text
    company = client.get(f"/accounts/{cast.acme_id}/client/erase")
    assert company.status_code == 200 and 'id="erase-company"' in company.text
    unticked = client.post(f"/accounts/{pid}/client/erase", data={"csrf_token": csrf})
    assert unticked.status_code == 422 and 'id="erase-confirm-error"' in unticked.text
    db.rollback()
    assert db.get(Account, pid).name == "Paula Private"

    shown = _cli(database_url, "erase", str(pid))
    assert shown.exit_code == 2 and "--confirm" in shown.output
    assert "1 contacts would be anonymised" in shown.output
    erased = _cli(database_url, "erase", str(pid), "--confirm", "--format", "json")
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.output)["account_id"] == pid
    assert _cli(database_url, "erase", str(pid), "--confirm").exit_code == 1  # 409
    assert _cli(database_url, "erase", "ACME", "--confirm").exit_code == 2  # a company
    again = client.get(f"/accounts/{pid}/client/erase")
    assert again.status_code == 200 and 'id="erase-done"' in again.text
    twice = client.post(f"/accounts/{pid}/client/erase", data={"csrf_token": csrf,
                                                                "confirm": "yes"})
    assert twice.status_code == 409


def test_the_page_erases_and_the_panel_follows(app, cast, sessions, db, client) -> None:
    from accord.clients.privacy import service

    pid = _person(app, sessions, cast, name="Pat Person")
    db.rollback()
    head = db.merge(cast.head)
    shown = service.panel(db, head, pid)
    assert shown is not None and shown["can_erase"] and shown["can_change"]
    owner_panel = service.panel(db, db.merge(cast.owner), pid)
    assert owner_panel is not None and owner_panel["can_erase"] is False
    assert service.panel(db, head, cast.acme_id) is None
    db.rollback()
    csrf = sign_in(client, "admin@accord.test")
    done = client.post(f"/accounts/{pid}/client/erase",
                       data={"csrf_token": csrf, "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/accounts/{pid}"
    db.rollback()
    after = service.panel(db, db.merge(cast.head), pid)
    assert after is not None and after["erased_at"] is not None and not after["can_change"]


def test_the_account_page_shows_the_panel_of_a_person_only(app, cast, sessions, db,
                                                          client) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    made = owner.post("/api/v1/accounts", json={"name": "Pia Person", "kind": "person"})
    assert made.status_code == 201, made.text
    pid = int(made.json()["id"])
    csrf = sign_in(client, "head@accord.test")
    page = client.get(f"/accounts/{pid}")
    assert page.status_code == 200 and 'id="client-privacy"' in page.text
    assert f'action="/accounts/{pid}/client/consent"' in page.text
    assert f'href="/accounts/{pid}/client/erase"' in page.text
    assert f'name="csrf_token" value="{csrf}"' in page.text
    given = client.post(f"/accounts/{pid}/client/consent",
                        data={"csrf_token": csrf, "marketing_consent": "true"})
    assert given.status_code == 200 and str(given.url).endswith(f"/accounts/{pid}")
    assert "Marketing consent given." in given.text and "badge-green\">given" in given.text
    company = client.get(f"/accounts/{cast.acme_id}")
    assert company.status_code == 200 and 'id="client-privacy"' not in company.text
