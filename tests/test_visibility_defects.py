"""Issue 9, section 2: the visibility and role defects V1-V7, each through its front doors.

The cast (tests/conftest.py): head heads North (owner, teammate); other_head heads South
(outsider, who manages Globex). Acme is owner's; Globex is out of reach of North.
"""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from accord.cli.main import app as cli
from accord.core.models import ApiToken, AuditEntry, User
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()


# ---------------------------------------------------------------- V7: tokens stay revoked


def _revoked(db, user_id: int) -> list[bool]:  # type: ignore[no-untyped-def]
    db.rollback()  # a fresh snapshot (SQLite WAL keeps the old one until the end)
    rows = db.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    return [r.revoked_at is not None for r in rows]


def test_v7_reactivating_a_user_over_the_api_does_not_revive_their_tokens(
    app, cast, sessions, db
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.patch(f"/api/v1/users/{cast.owner.id}", json={"is_active": False}).is_success
    made = admin.post(f"/api/v1/users/{cast.owner.id}/tokens", json={"name": "late"})
    assert made.status_code == 422, made.text
    result = runner.invoke(cli, ["--database-url", database_url, "users", "token",
                                 "owner@accord.test"])
    assert result.exit_code != 0 and "deactivated" in result.output
    assert _revoked(db, cast.owner.id) == []


# ---------------------------------------------------------------- V1: another team's contact


def _globex_contact(sessions, cast) -> int:  # type: ignore[no-untyped-def]
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


def _links(db, contact_id: int) -> list[int]:  # type: ignore[no-untyped-def]
    from accord.accounts.models import AccountContact

    db.rollback()  # a fresh snapshot (SQLite WAL keeps the old one until the end)
    return sorted(db.scalars(
        select(AccountContact.account_id).where(AccountContact.contact_id == contact_id)))


def test_v1_the_api_refuses_to_link_another_teams_contact_by_its_email(
    app, cast, sessions, db
) -> None:  # type: ignore[no-untyped-def]
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
        for secret in ("555", "CFO", "Gina Globex", "SF-GINA", str(gina), "Globex"):
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
) -> None:  # type: ignore[no-untyped-def]
    gina = _globex_contact(sessions, cast)
    csrf = sign_in(client, "owner@accord.test")
    response = client.post(f"/accounts/{cast.acme_id}/contacts",
                           data={"csrf_token": csrf, "name": "Someone",
                                 "email": "gina@globex.test"}, follow_redirects=False)
    assert response.status_code == 422
    assert "a contact at an account you cannot see" in response.text
    assert "555" not in response.text and "CFO" not in response.text
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
