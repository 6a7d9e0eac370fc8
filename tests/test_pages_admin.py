"""User administration pages: admins only; create, edit, API tokens shown once."""

from __future__ import annotations

import pytest

from page_helpers import csrf_from, found, sign_in


@pytest.mark.parametrize("who", ["head", "owner", "viewer", "billing"])
def test_only_admins_reach_user_administration(client, cast, who):
    token = sign_in(client, getattr(cast, who).email)
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{cast.owner.id}").status_code == 403
    response = client.post(
        "/admin/users",
        data={"csrf_token": token, "email": "x@accord.test", "role": "admin", "capacity": "100"},
    )
    assert response.status_code == 403
    response = client.post(
        f"/admin/users/{cast.owner.id}/tokens", data={"csrf_token": token, "name": "steal"}
    )
    assert response.status_code == 403


def test_the_admin_lists_every_user(client, cast):
    sign_in(client, "admin@accord.test")
    html = client.get("/admin/users").text
    for name in ("Ada Admin", "Hannah Head", "Olivia Owner", "Vera Viewer"):
        assert name in html
    assert "North" in html


def test_the_admin_creates_a_user_who_can_log_in(client, app, cast):
    token = sign_in(client, "admin@accord.test")
    html = client.get("/admin/users").text
    north = found(r'<option value="(\d+)">North</option>', html)
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "New.Person@accord.test",
            "name": "Nina New",
            "role": "manager",
            "password": "a long password",
            "team_id": north,
            "segment": "Retail",
            "capacity": "80",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Nina New" in page and "new.person@accord.test" in page and 'value="80"' in page
    from fastapi.testclient import TestClient

    with TestClient(app) as other:
        login_token = csrf_from(other.get("/login").text)
        r = other.post(
            "/login",
            data={
                "email": "new.person@accord.test",
                "password": "a long password",
                "csrf_token": login_token,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303


def test_create_errors_are_shown_next_to_the_fields(client, cast):
    token = sign_in(client, "admin@accord.test")
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "not-mail",
            "role": "manager",
            "password": "short",
            "capacity": "lots",
            "name": "Kept Name",
        },
    )
    assert response.status_code == 422
    assert 'id="u-capacity-error"' in response.text
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "not-mail",
            "role": "manager",
            "password": "short",
            "capacity": "10",
            "name": "Kept Name",
        },
    )
    assert 'id="u-email-error"' in response.text and 'id="u-password-error"' in response.text
    assert 'value="Kept Name"' in response.text and 'id="new-user" open' in response.text
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "owner@accord.test",
            "role": "manager",
            "capacity": "10",
        },
    )
    assert response.status_code == 422 and "already exists" in response.text


def test_the_admin_changes_role_capacity_and_deactivates(client, cast):
    token = sign_in(client, "admin@accord.test")
    response = client.post(
        f"/admin/users/{cast.owner.id}",
        data={
            "csrf_token": token,
            "name": "Olivia Owner",
            "role": "head",
            "team_id": "",
            "segment": "",
            "capacity": "60",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    html = client.get("/admin/users").text
    row = html.split("Olivia Owner", 1)[1].split("</tr>", 1)[0]
    assert "head" in row and ">60<" in row and "deactivated" in row


def test_the_admin_cannot_lock_themselves_out(client, cast):
    token = sign_in(client, "admin@accord.test")
    response = client.post(
        f"/admin/users/{cast.admin.id}",
        data={"csrf_token": token, "name": "Ada Admin", "role": "viewer", "capacity": "100"},
    )
    assert response.status_code == 422
    assert "own admin role" in response.text and "deactivate yourself" in response.text


def test_an_api_token_is_shown_once_and_works(client, app, cast):
    token = sign_in(client, "admin@accord.test")
    response = client.post(
        f"/admin/users/{cast.owner.id}/tokens", data={"csrf_token": token, "name": "ERP sync"}
    )
    assert response.status_code == 200
    secret = found(r'<p class="token-box" id="new-token">([^<]+)</p>', response.text)
    assert response.headers["cache-control"] == "no-store"
    again = client.get(f"/admin/users/{cast.owner.id}").text
    assert secret not in again and "ERP sync" in again and secret[:10] in again
    from conftest import api_client

    me = api_client(app, secret).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == "owner@accord.test"


def test_a_revoked_token_stops_working(client, app, cast):
    token = sign_in(client, "admin@accord.test")
    html = client.post(
        f"/admin/users/{cast.owner.id}/tokens", data={"csrf_token": token, "name": "short-lived"}
    ).text
    secret = found(r'id="new-token">([^<]+)<', html)
    revoke = found(r'action="(/admin/users/\d+/tokens/\d+/revoke)"', html)
    assert (
        client.post(revoke, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    )
    from conftest import api_client

    assert api_client(app, secret).get("/api/v1/me").status_code == 401


# ---------------------------------------------------------------- the rules, on this door
# (the same rules on the API: test_api_tokens.py; on the CLI: test_cli_users.py)


def test_the_page_makes_no_token_for_a_deactivated_user(client, cast, sessions):
    from accord.core.models import User

    with sessions.begin() as s:
        s.get(User, cast.viewer.id).is_active = False
    token = sign_in(client, "admin@accord.test")
    response = client.post(
        f"/admin/users/{cast.viewer.id}/tokens", data={"csrf_token": token, "name": "bot"}
    )
    assert response.status_code == 422
    assert "deactivated" in response.text and 'id="new-token"' not in response.text


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_the_page_refuses_a_token_without_a_fitting_name(client, cast, name):
    token = sign_in(client, "admin@accord.test")
    response = client.post(
        f"/admin/users/{cast.owner.id}/tokens", data={"csrf_token": token, "name": name}
    )
    assert response.status_code == 422
    assert "give the token a name" in response.text and 'id="new-token"' not in response.text
