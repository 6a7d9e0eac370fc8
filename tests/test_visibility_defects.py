"""Issue 9, section 2: the visibility and role defects V1-V7, each through its front doors.

The cast (tests/conftest.py): head heads North (owner, teammate); other_head heads South
(outsider, who manages Globex). Acme is owner's; Globex is out of reach of North.
"""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.core.models import ApiToken, AuditEntry, User
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()


# ---------------------------------------------------------------- V7: tokens stay revoked


def _revoked(db, user_id: int) -> list[bool]:
    db.rollback()  # a fresh snapshot (SQLite WAL keeps the old one until the end)
    rows = db.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    revoked = [r.revoked_at is not None for r in rows]
    db.rollback()  # ends the read: the app's next write must not wait for this session
    return revoked


def test_v7_reactivating_a_user_over_the_api_does_not_revive_their_tokens(
    app, cast, sessions, db
) -> None:
    secret = cast.token(sessions, "owner")
    owner = api_client(app, secret)
    admin = api_client(app, cast.token(sessions, "admin"))
    assert owner.get("/api/v1/me").status_code == 200
    assert admin.patch(f"/api/v1/users/{cast.owner.id}", json={"is_active": False}).is_success
    assert _revoked(db, cast.owner.id) == [True]
    assert owner.get("/api/v1/me").status_code == 401
    assert admin.patch(f"/api/v1/users/{cast.owner.id}", json={"is_active": True}).is_success
    assert owner.get("/api/v1/me").status_code == 401
    assert _revoked(db, cast.owner.id) == [True]
    revoked = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "api_token", AuditEntry.action == "revoke")
    ).all()
    assert len(revoked) == 1


def test_v7_reactivating_a_user_on_the_admin_page_does_not_revive_their_tokens(
    app, cast, sessions, client, db
) -> None:
    secret = cast.token(sessions, "owner")
    csrf = sign_in(client, "admin@accord.test")
    fields = {"csrf_token": csrf, "name": "Olivia Owner", "role": "manager", "capacity": "100"}
    off = client.post(f"/admin/users/{cast.owner.id}", data=fields, follow_redirects=False)
    assert off.status_code == 303
    on = client.post(
        f"/admin/users/{cast.owner.id}", data={**fields, "is_active": "on"}, follow_redirects=False
    )
    assert on.status_code == 303
    db.rollback()  # a fresh snapshot (SQLite WAL keeps the old one until the end)
    assert db.get(User, cast.owner.id).is_active
    assert api_client(app, secret).get("/api/v1/me").status_code == 401
    assert _revoked(db, cast.owner.id) == [True]


def test_v7_no_door_issues_a_token_to_a_deactivated_user(
    app, cast, sessions, database_url, db
) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.patch(f"/api/v1/users/{cast.owner.id}", json={"is_active": False}).is_success
    made = admin.post(f"/api/v1/users/{cast.owner.id}/tokens", json={"name": "late"})
    assert made.status_code == 422, made.text
    result = runner.invoke(cli, ["--database-url", database_url, "users", "token",
                                 "owner@accord.test"])
    assert result.exit_code != 0 and "deactivated" in result.output
    assert _revoked(db, cast.owner.id) == []


# ---------------------------------------------------------------- V1: another team's contact


def _globex_contact(sessions, cast) -> int:
    from accord.accounts.models import AccountContact, Contact
    from accord.core.database import utcnow

    with sessions.begin() as s:
        now = utcnow()
        person = Contact(name="Gina Globex", email="gina@globex.test", phone="+1 555 0100",
                         function="CFO", external_id="SF-GINA", created_at=now, updated_at=now)
        s.add(person)
        s.flush()
        s.add(AccountContact(account_id=cast.globex_id, contact_id=person.id))
        return int(person.id)


def _links(db, contact_id: int) -> list[int]:
    from accord.accounts.models import AccountContact

    db.rollback()  # a fresh snapshot (SQLite WAL keeps the old one until the end)
    links = sorted(db.scalars(
        select(AccountContact.account_id).where(AccountContact.contact_id == contact_id)))
    db.rollback()
    return links


def test_v1_the_api_refuses_to_link_another_teams_contact_by_its_email(
    app, cast, sessions, db
) -> None:
    gina = _globex_contact(sessions, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    for email in ("gina@globex.test", "Gina@Globex.test"):
        response = owner.post(f"/api/v1/accounts/{cast.acme_id}/contacts",
                              json={"name": "Someone", "email": email})
        assert response.status_code == 422, response.text
        problem = response.json()
        assert [e["field"] for e in problem["errors"]] == ["email"]
        # as the contacts import says it; nothing of the person
        assert "a contact at an account you cannot see" in response.text
        for secret in ("555 0100", "CFO", "Gina Globex", "SF-GINA", f"contact {gina}", "Globex"):
            assert secret not in response.text
    assert _links(db, gina) == [cast.globex_id]
    # nor by its external id, whose internal id is not named either
    clash = owner.post(f"/api/v1/accounts/{cast.acme_id}/contacts",
                       json={"name": "Someone", "external_id": "SF-GINA"})
    assert clash.status_code == 422 and f"contact {gina}" not in clash.text
    # so the PATCH that renamed it for its owner has no link to go through
    renamed = owner.patch(f"/api/v1/accounts/{cast.acme_id}/contacts/{gina}", json={"name": "X"})
    assert renamed.status_code == 404
    db.rollback()  # a fresh snapshot (SQLite WAL keeps the old one until the end)
    from accord.accounts.models import Contact

    assert db.get(Contact, gina).name == "Gina Globex"


def test_v1_the_contact_form_refuses_it_too_and_a_visible_person_is_still_linked(
    app, cast, sessions, client, db
) -> None:
    gina = _globex_contact(sessions, cast)
    csrf = sign_in(client, "owner@accord.test")
    response = client.post(f"/accounts/{cast.acme_id}/contacts",
                           data={"csrf_token": csrf, "name": "Someone",
                                 "email": "gina@globex.test"}, follow_redirects=False)
    assert response.status_code == 422
    assert "a contact at an account you cannot see" in response.text
    assert "555 0100" not in response.text and "CFO" not in response.text
    assert _links(db, gina) == [cast.globex_id]
    # the outsider, who sees Globex, links the same person to another of their accounts
    from accord.accounts.models import Account
    from accord.core.database import utcnow

    with sessions.begin() as s:
        now = utcnow()
        hooli = Account(name="Hooli", name_key="hooli", kind="company", status="active",
                        manager_id=cast.outsider.id, created_at=now, updated_at=now)
        s.add(hooli)
        s.flush()
        hooli_id = hooli.id
    outsider = api_client(app, cast.token(sessions, "outsider"))
    linked = outsider.post(f"/api/v1/accounts/{hooli_id}/contacts",
                           json={"name": "Gina Globex", "email": "gina@globex.test"})
    assert linked.status_code == 201, linked.text
    assert linked.json()["id"] == gina and linked.json()["phone"] == "+1 555 0100"
    assert _links(db, gina) == sorted([cast.globex_id, hooli_id])


# ---------------------------------------------------------------- V3: an invisible parent


def _child_of_globex(sessions, cast) -> int:
    from accord.accounts.models import Account
    from accord.core.database import utcnow

    with sessions.begin() as s:
        now = utcnow()
        child = Account(name="Acme Subsidiary", name_key="acme subsidiary", external_id="ACME-SUB",
                        kind="company", status="active", manager_id=cast.owner.id,
                        parent_id=cast.globex_id, created_at=now, updated_at=now)
        s.add(child)
        s.flush()
        return int(child.id)


def _nothing_of_globex(text: str, cast) -> None:
    assert "Globex" not in text and "GLOBEX" not in text
    assert f"/accounts/{cast.globex_id}" not in text
    assert f'"parent_id":{cast.globex_id}' not in text.replace(" ", "")


def test_v3_the_api_shows_nothing_of_an_invisible_parent(app, cast, sessions) -> None:
    child = _child_of_globex(sessions, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    one = owner.get(f"/api/v1/accounts/{child}")
    assert one.status_code == 200
    _nothing_of_globex(one.text, cast)
    assert one.json()["parent_id"] is None and one.json()["parent_hidden"] is True
    listed = owner.get("/api/v1/accounts?q=Subsidiary")
    assert listed.json()["items"][0]["name"] == "Acme Subsidiary"
    _nothing_of_globex(listed.text, cast)
    exported = owner.get("/api/v1/exports/accounts")
    assert exported.status_code == 200 and "ACME-SUB" in exported.text
    _nothing_of_globex(exported.text, cast)
    # re-importing an export keeps the parent it does not show (accounts: a head imports)
    head = api_client(app, cast.token(sessions, "head"))
    exported = head.get("/api/v1/exports/accounts")
    assert "ACME-SUB" in exported.text
    _nothing_of_globex(exported.text, cast)
    files = {"file": ("accounts.csv", exported.content, "text/csv")}
    again = head.post("/api/v1/imports/accounts", files=files)
    assert again.status_code == 200, again.text
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.get(f"/api/v1/accounts/{child}").json()["parent_id"] == cast.globex_id
    # whoever sees the parent sees it named
    seen = admin.get(f"/api/v1/accounts/{child}")
    assert seen.json()["parent_id"] == cast.globex_id
    assert seen.json()["parent_name"] == "Globex Corporation"
    assert seen.json()["parent_hidden"] is False


def test_v3_the_page_and_the_cli_show_nothing_of_it_and_an_edit_keeps_it(
    app, cast, sessions, client, database_url, db
) -> None:
    from accord.accounts.models import Account

    child = _child_of_globex(sessions, cast)
    csrf = sign_in(client, "owner@accord.test")
    page = client.get(f"/accounts/{child}")
    assert page.status_code == 200 and "Acme Subsidiary" in page.text
    _nothing_of_globex(page.text, cast)
    assert "a parent account you cannot see" in page.text
    form = client.get(f"/accounts/{child}/edit")
    _nothing_of_globex(form.text, cast)
    assert 'name="parent_id"' not in form.text
    saved = client.post(f"/accounts/{child}/edit",
                        data={"csrf_token": csrf, "name": "Acme Subsidiary GmbH", "kind": "company",
                              "status": "active", "manager_id": str(cast.owner.id)},
                        follow_redirects=False)
    assert saved.status_code == 303, saved.text
    db.rollback()
    assert db.get(Account, child).parent_id == cast.globex_id
    db.rollback()
    shown = runner.invoke(cli, ["--database-url", database_url, "--as", "owner@accord.test",
                                "accounts", "show", str(child), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    _nothing_of_globex(shown.output, cast)
    table = runner.invoke(cli, ["--database-url", database_url, "--as", "owner@accord.test",
                                "accounts", "show", "ACME-SUB"])
    assert table.exit_code == 0, table.output
    _nothing_of_globex(table.output, cast)
    assert "a parent account you cannot see" in table.output


# ---------------------------------------------------------------- V4: an external id in use


def test_v4_an_external_id_out_of_reach_is_only_said_to_be_in_use(app, cast, sessions) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    for response in (
        owner.patch(f"/api/v1/accounts/{cast.acme_id}", json={"external_id": "GLOBEX"}),
        owner.post("/api/v1/accounts", json={"name": "Copy", "external_id": "GLOBEX"}),
    ):
        assert response.status_code == 422, response.text
        problem = response.json()["errors"][0]
        assert problem["field"] == "external_id" and problem["message"] == "already in use"
        assert f"account {cast.globex_id}" not in response.text and "Globex" not in response.text
    # an account the caller sees is named, as before
    admin = api_client(app, cast.token(sessions, "admin"))
    named = admin.patch(f"/api/v1/accounts/{cast.acme_id}", json={"external_id": "GLOBEX"})
    assert named.status_code == 422
    assert named.json()["errors"][0]["message"] == f"already used by account {cast.globex_id}"


# ---------------------------------------------------------------- V6: a head's new account


def _accounts(db) -> int:
    from sqlalchemy import func

    from accord.accounts.models import Account

    db.rollback()
    count = int(db.scalar(select(func.count()).select_from(Account)) or 0)
    db.rollback()
    return count


def test_v6_a_head_must_name_a_manager_within_reach(app, cast, sessions, db) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    before = _accounts(db)
    for body in ({"name": "New Co"}, {"name": "New Co", "manager_id": cast.outsider.id}):
        response = head.post("/api/v1/accounts", json=body)
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["manager_id"]
    assert _accounts(db) == before
    made = head.post("/api/v1/accounts", json={"name": "New Co", "manager_id": cast.teammate.id})
    assert made.status_code == 201, made.text
    assert head.get(f"/api/v1/accounts/{made.json()['id']}").status_code == 200
    # a manager naming someone else would lose the account the same way
    owner = api_client(app, cast.token(sessions, "owner"))
    given = owner.post("/api/v1/accounts", json={"name": "Gift", "manager_id": cast.outsider.id})
    assert given.status_code == 422 and given.json()["errors"][0]["field"] == "manager_id"
    # an admin may still create an account that nobody manages yet
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.post("/api/v1/accounts", json={"name": "Unassigned"}).status_code == 201


def test_v6_the_new_account_form_offers_a_head_their_managers(app, cast, client) -> None:
    csrf = sign_in(client, "head@accord.test")
    form = client.get("/accounts/new").text
    for name in ("Olivia Owner", "Tom Teammate", "Hannah Head"):
        assert name in form
    assert "Oscar Outsider" not in form and "Ada Admin" not in form
    refused = client.post("/accounts/new", data={"csrf_token": csrf, "name": "New Co",
                                                 "kind": "company", "status": "active",
                                                 "manager_id": ""})
    assert refused.status_code == 422 and "a-manager_id-error" in refused.text


# ---------------------------------------------------------------- V2: ?manager= on the dashboard


def test_v2_a_chosen_manager_never_widens_what_a_head_sees(app, cast, sessions, client) -> None:
    from accord.accounts.models import AccountMember
    from accord.core.models import User as UserRow
    from test_kpi_pages import arrange_portfolio

    arrange_portfolio(sessions, cast)  # Globex (outsider's, South) churned; Hooli reactivated
    with sessions.begin() as s:
        s.get(UserRow, cast.viewer.id).team_id = s.get(UserRow, cast.owner.id).team_id
        s.add(AccountMember(account_id=cast.globex_id, user_id=cast.teammate.id, role="member"))
    sign_in(client, "head@accord.test")
    own = client.get("/dashboard/export/accounts.csv?as_of=2025-12&movement=churned")
    assert own.status_code == 200 and "Globex" not in own.text
    for chosen in ("viewer@accord.test", "teammate@accord.test"):
        query = f"as_of=2025-12&manager={chosen}"
        for url in (f"/dashboard?{query}", f"/dashboard/accounts?movement=churned&{query}",
                    f"/dashboard/export/accounts.csv?movement=churned&{query}",
                    f"/dashboard/export/accounts.csv?movement=reactivated&{query}",
                    f"/dashboard/export/managers.csv?{query}", f"/dashboard/report?{query}"):
            response = client.get(url)
            assert response.status_code == 200, (url, response.text[:300])
            for secret in ("Globex", "GLOBEX", "Hooli", "outsider@accord.test"):
                assert secret not in response.text, (url, secret)
    # the viewer in the head's team: figures within the head's own view, not the portfolio's
    managers = client.get("/dashboard/export/managers.csv?as_of=2025-12"
                          "&manager=viewer@accord.test").text
    assert "owner@accord.test" in managers


# ---------------------------------------------------------------- V5: storing a health score


def test_v5_only_a_writer_who_sees_the_account_stores_its_health_and_it_is_audited(
    app, cast, sessions, client, db
) -> None:
    from accord.health.models import AccountHealth, HealthHistory

    url = f"/api/v1/accounts/{cast.acme_id}/health/recompute"
    for who, status in (("viewer", 403), ("billing", 403), ("outsider", 404)):
        response = api_client(app, cast.token(sessions, who)).post(url)
        assert response.status_code == status, (who, response.text)
    missing = api_client(app, cast.token(sessions, "outsider")).post(
        "/api/v1/accounts/999999/health/recompute")
    assert missing.status_code == 404
    assert missing.json().keys() == api_client(app, cast.token(sessions, "outsider")).post(
        url).json().keys()
    csrf = sign_in(client, "viewer@accord.test")
    page = client.post(f"/accounts/{cast.acme_id}/kam/health", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert page.status_code == 403
    db.rollback()
    assert db.scalars(select(AccountHealth)).all() == []
    assert db.scalars(select(HealthHistory)).all() == []
    db.rollback()
    stored = api_client(app, cast.token(sessions, "owner")).post(url)
    assert stored.status_code == 200, stored.text
    db.rollback()
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "health")).one()
    assert entry.action == "recompute" and entry.entity_id == str(cast.acme_id)
    assert entry.actor_id == cast.owner.id


def test_v1_a_person_in_reach_is_linked_even_when_the_e_mail_is_also_out_of_reach(
    app, cast, sessions, db
) -> None:
    from accord.accounts.models import Account, AccountContact, Contact
    from accord.core.database import utcnow

    _globex_contact(sessions, cast)  # the lower id
    with sessions.begin() as s:
        now = utcnow()
        mine = Contact(name="Gina at Acme", email="gina@globex.test", created_at=now,
                       updated_at=now)
        other = Account(name="Acme Two", name_key="acme two", kind="company", status="active",
                        manager_id=cast.owner.id, created_at=now, updated_at=now)
        s.add_all([mine, other])
        s.flush()
        s.add(AccountContact(account_id=cast.acme_id, contact_id=mine.id))
        mine_id, other_id = mine.id, other.id
    owner = api_client(app, cast.token(sessions, "owner"))
    linked = owner.post(f"/api/v1/accounts/{other_id}/contacts",
                        json={"name": "Gina", "email": "gina@globex.test"})
    assert linked.status_code == 201, linked.text
    assert linked.json()["id"] == mine_id and linked.json()["name"] == "Gina at Acme"
    assert _links(db, mine_id) == sorted([cast.acme_id, other_id])


def test_v6_a_new_manager_out_of_the_editors_view_is_refused_not_lost(app, cast, sessions) -> None:
    url = f"/api/v1/accounts/{cast.acme_id}"
    for who in ("owner", "head"):
        client = api_client(app, cast.token(sessions, who))
        moved = client.patch(url, json={"manager_id": cast.outsider.id})
        assert moved.status_code == 422, (who, moved.text)
        assert moved.json()["errors"][0]["field"] == "manager_id"
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.get(url).json()["manager_id"] == cast.owner.id
    # a member of the account's team still sees it after handing it over
    teammate = api_client(app, cast.token(sessions, "teammate"))
    handed = teammate.patch(url, json={"manager_id": cast.outsider.id})
    assert handed.status_code == 200, handed.text
    assert admin.get(url).json()["manager_id"] == cast.outsider.id
    # and a head moves an account within their teams
    head = api_client(app, cast.token(sessions, "head"))
    admin.patch(url, json={"manager_id": cast.owner.id})
    assert head.patch(url, json={"manager_id": cast.teammate.id}).status_code == 200
