"""Server-side sessions (issue 9, S1) and deep links that survive the login (B8).

A cookie captured while signed in must stop working once its session ends: on logout, on a
password change, on deactivation, on "log out everywhere" (one's own or an admin's)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.core.models import AuditEntry, UserSession
from conftest import PASSWORD, api_client
from page_helpers import csrf_from, sign_in


def _replay(app, cookie: str):
    """A fresh client (another browser) sending only the captured cookie."""
    other = TestClient(app)
    other.cookies.set("accord_session", cookie)
    return other


def _captured(client, email: str) -> tuple[str, str]:
    token = sign_in(client, email)
    return client.cookies["accord_session"], token


def test_a_cookie_replayed_after_logout_is_refused(app, client, cast):
    cookie, token = _captured(client, "owner@accord.test")
    assert _replay(app, cookie).get("/accounts", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    thief = _replay(app, cookie)
    assert thief.get("/accounts", follow_redirects=False).status_code == 303
    assert thief.get("/api/v1/me").status_code == 401


def test_the_cookie_carries_no_user_id_only_an_opaque_session_id(client, cast, db):
    import base64
    import json

    cookie, _ = _captured(client, "owner@accord.test")
    data = json.loads(base64.b64decode(cookie.split(".")[0] + "=="))
    assert set(data) == {"sid"}
    stored = db.scalars(select(UserSession.token_hash)).all()
    assert len(stored) == 1 and data["sid"] not in stored  # kept hashed


def test_a_password_change_ends_open_sessions(app, client, cast):
    cookie, _ = _captured(client, "owner@accord.test")
    with TestClient(app) as admin:
        token = sign_in(admin, "admin@accord.test")
        response = admin.post(
            f"/admin/users/{cast.owner.id}",
            data={
                "csrf_token": token,
                "name": "Olivia Owner",
                "role": "manager",
                "team_id": "",
                "segment": "",
                "capacity": "100",
                "is_active": "on",
                "password": "a brand new passphrase",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
    assert _replay(app, cookie).get("/accounts", follow_redirects=False).status_code == 303


def test_deactivation_ends_open_sessions_for_good(app, client, cast, sessions):
    from accord.core.models import User
    from accord.users import service as user_service

    cookie, _ = _captured(client, "owner@accord.test")
    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        user_service.update_user(s, admin, cast.owner.id, {"is_active": False})
    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        user_service.update_user(s, admin, cast.owner.id, {"is_active": True})
    assert _replay(app, cookie).get("/accounts", follow_redirects=False).status_code == 303


def test_log_out_everywhere_on_the_page_ends_every_session_of_the_user(app, client, cast, db):
    laptop, token = _captured(client, "owner@accord.test")
    with TestClient(app) as phone_client:
        phone, _ = _captured(phone_client, "owner@accord.test")
    assert 'action="/logout/everywhere"' in client.get("/accounts").text
    with TestClient(app) as others:
        sign_in(others, "teammate@accord.test")
        response = client.post(
            "/logout/everywhere", data={"csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303 and response.headers["location"] == "/login"
        for cookie in (laptop, phone):
            assert _replay(app, cookie).get("/accounts", follow_redirects=False).status_code == 303
        assert others.get("/accounts", follow_redirects=False).status_code == 200
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "logout_everywhere")).one()
    assert entry.actor == "owner@accord.test" and entry.after == {"sessions_ended": 2}


def test_an_admin_logs_a_user_out_everywhere_on_the_user_page(app, client, cast):
    cookie, _ = _captured(client, "owner@accord.test")
    with TestClient(app) as admin:
        token = sign_in(admin, "admin@accord.test")
        page = admin.get(f"/admin/users/{cast.owner.id}").text
        assert f'action="/admin/users/{cast.owner.id}/logout-everywhere"' in page
        response = admin.post(
            f"/admin/users/{cast.owner.id}/logout-everywhere",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert admin.get("/accounts", follow_redirects=False).status_code == 200
    assert _replay(app, cookie).get("/accounts", follow_redirects=False).status_code == 303


def test_the_api_logs_out_everywhere_oneself_or_an_admin_for_anybody(app, client, cast, sessions):
    cookie, _ = _captured(client, "owner@accord.test")
    outsider = api_client(app, cast.token(sessions, "outsider"))
    denied = outsider.post(f"/api/v1/users/{cast.owner.id}/logout-everywhere")
    assert denied.status_code == 404
    assert _replay(app, cookie).get("/accounts", follow_redirects=False).status_code == 200
    admin = api_client(app, cast.token(sessions, "admin"))
    done = admin.post(f"/api/v1/users/{cast.owner.id}/logout-everywhere")
    assert done.status_code == 200 and done.json() == {"sessions_ended": 1}
    assert _replay(app, cookie).get("/accounts", follow_redirects=False).status_code == 303
    own = api_client(app, cast.token(sessions, "outsider"))
    assert own.post(f"/api/v1/users/{cast.outsider.id}/logout-everywhere").status_code == 200


def test_the_cli_logs_a_user_out_everywhere(app, client, cast, database_url, db):
    from typer.testing import CliRunner

    from accord.app.commands import app as cli

    cookie, _ = _captured(client, "owner@accord.test")
    result = CliRunner().invoke(
        cli, ["--database-url", database_url, "users", "logout-everywhere", "owner@accord.test"]
    )
    assert result.exit_code == 0, result.output
    assert "1 session" in result.output
    assert _replay(app, cookie).get("/accounts", follow_redirects=False).status_code == 303
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "logout_everywhere")).one()
    assert entry.entity_id == str(cast.owner.id)


def test_gets_do_not_write_last_seen_in_their_transaction_and_at_most_once_a_minute(
    app, client, cast, sessions
):
    sign_in(client, "owner@accord.test")
    with sessions() as s:
        row = s.scalars(select(UserSession)).one()
        first = row.last_seen_at
    assert client.get("/accounts").status_code == 200
    with sessions() as s:
        assert s.scalars(select(UserSession.last_seen_at)).one() == first  # within the minute
    with sessions.begin() as s:
        s.scalars(select(UserSession)).one().last_seen_at = first - timedelta(minutes=5)
    assert client.get("/accounts").status_code == 200  # touched after the response
    with sessions() as s:
        assert s.scalars(select(UserSession.last_seen_at)).one() > first - timedelta(minutes=1)


def test_an_expired_session_is_nobody(app, client, cast, sessions):
    cookie, _ = _captured(client, "owner@accord.test")
    with sessions.begin() as s:
        row = s.scalars(select(UserSession)).one()
        row.expires_at = row.created_at - timedelta(seconds=1)
    assert _replay(app, cookie).get("/accounts", follow_redirects=False).status_code == 303


def test_a_new_login_gets_a_new_session_id(client, cast):
    client.get("/login")
    before = client.cookies["accord_session"]
    sign_in(client, "owner@accord.test")
    assert client.cookies["accord_session"] != before


def test_a_deep_link_keeps_its_whole_query_through_the_login(client, cast):
    response = client.get("/accounts?q=acme&page=2", follow_redirects=False)
    assert response.status_code == 303
    login_page = client.get(response.headers["location"])
    token = csrf_from(login_page.text)
    assert 'name="next" value="/accounts?q=acme&amp;page=2"' in login_page.text
    done = client.post(
        "/login",
        data={
            "email": "owner@accord.test",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/accounts?q=acme&page=2",
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == "/accounts?q=acme&page=2"
