"""API tokens: stored hashed, shown once, listed without secrets, revocable; sessions too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.core.models import ApiToken
from conftest import api_client


def test_the_database_never_holds_the_clear_token(app, cast, sessions, db) -> None:
    client = api_client(app, cast.token(sessions, "owner"))
    made = client.post(f"/api/v1/users/{cast.owner.id}/tokens", json={"name": "laptop"})
    assert made.status_code == 201
    clear = made.json()["token"]
    assert clear.startswith("acc_") and len(clear) > 40
    rows = db.scalars(select(ApiToken)).all()
    stored = " ".join(f"{r.token_hash} {r.prefix} {r.name}" for r in rows)
    assert clear not in stored
    assert clear[:10] == made.json()["prefix"]
    assert api_client(app, clear).get("/api/v1/me").json()["email"] == "owner@accord.test"


def test_the_token_list_shows_no_secrets_and_only_ones_own(app, cast, sessions) -> None:
    cast.token(sessions, "outsider")
    client = api_client(app, cast.token(sessions, "owner"))
    listed = client.get("/api/v1/tokens").json()
    assert [t["user_id"] for t in listed] == [cast.owner.id]
    assert "token" not in listed[0] and "token_hash" not in listed[0]


def test_a_revoked_token_is_refused(app, cast, sessions) -> None:
    token = cast.token(sessions, "owner")
    client = api_client(app, token)
    token_id = client.get("/api/v1/tokens").json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "revoked" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer acc_not-a-real-token", "Bearer ", "Basic b3duZXI6cHc=", "acc_no_scheme"],
)
def test_a_missing_or_bad_token_gives_401_with_a_problem_body(app, cast, header) -> None:
    client = TestClient(app)
    headers = {"Authorization": header} if header else {}
    response = client.get(f"/api/v1/accounts/{cast.acme_id}", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Not authenticated"
    assert "Acme" not in response.text


def test_a_disabled_users_token_stops_working(app, cast, sessions) -> None:
    client = api_client(app, cast.token(sessions, "owner"))
    admin = api_client(app, cast.token(sessions, "admin"))
    assert (
        admin.patch(f"/api/v1/users/{cast.owner.id}", json={"is_active": False}).status_code == 200
    )
    assert client.get("/api/v1/me").status_code == 401


def test_an_admin_makes_tokens_for_others_and_a_manager_only_for_themself(
    app, cast, sessions
) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    owner = api_client(app, cast.token(sessions, "owner"))
    made = admin.post(f"/api/v1/users/{cast.viewer.id}/tokens", json={"name": "report bot"})
    assert made.status_code == 201 and made.json()["user_id"] == cast.viewer.id
    assert api_client(app, made.json()["token"]).get("/api/v1/me").json()["role"] == "viewer"
    refused = owner.post(f"/api/v1/users/{cast.viewer.id}/tokens", json={"name": "x"})
    assert refused.status_code == 404 and "viewer" not in refused.text
    assert owner.post(f"/api/v1/users/{cast.owner.id}/tokens").status_code == 201


def test_nobody_but_an_admin_revokes_anothers_token(app, cast, sessions) -> None:
    victim = api_client(app, cast.token(sessions, "owner"))
    token_id = victim.get("/api/v1/tokens").json()[0]["id"]
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert outsider.delete(f"/api/v1/tokens/{token_id}").status_code == 404
    assert victim.get("/api/v1/me").status_code == 200
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert victim.get("/api/v1/me").status_code == 401


def test_me_describes_the_caller(app, cast, sessions) -> None:
    me = api_client(app, cast.token(sessions, "head")).get("/api/v1/me").json()
    assert me["email"] == "head@accord.test" and me["role"] == "head"
    assert "password_hash" not in me


def test_a_browser_session_needs_the_csrf_header_to_write(app, cast, client) -> None:
    """api_user also accepts the page session, but a write needs X-CSRF-Token."""
    from conftest import PASSWORD

    login = client.get("/login")
    assert login.status_code == 200
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert found, "the login form carries a CSRF token"
    done = client.post(
        "/login",
        data={"email": "owner@accord.test", "password": PASSWORD, "csrf_token": found.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get("/api/v1/me").json()["email"] == "owner@accord.test"
    url = f"/api/v1/accounts/{cast.acme_id}"
    refused = client.patch(url, json={"notes": "from the browser"})
    assert refused.status_code == 403
    page = client.get("/accounts")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text) or re.search(
        r'name="csrf-token" content="([^"]+)"', page.text
    )
    assert token is not None, "a page exposes the session's CSRF token"
    accepted = client.patch(
        url, json={"notes": "from the browser"}, headers={"X-CSRF-Token": token.group(1)}
    )
    assert accepted.status_code == 200


# ---------------------------------------------------------------- the rules, on this door
# (the same rules on the admin pages: test_pages_admin.py; on the CLI: test_cli_users.py)


def _live_tokens(sessions, user_id: int) -> int:
    from sqlalchemy import func

    with sessions() as s:
        return s.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        )


def test_the_api_makes_no_token_for_a_deactivated_user(app, cast, sessions) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    off = admin.patch(f"/api/v1/users/{cast.viewer.id}", json={"is_active": False})
    assert off.status_code == 200
    refused = admin.post(f"/api/v1/users/{cast.viewer.id}/tokens", json={"name": "report bot"})
    assert refused.status_code == 422
    assert "deactivated" in refused.json()["errors"][0]["message"]
    assert _live_tokens(sessions, cast.viewer.id) == 0


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_the_api_refuses_a_token_without_a_fitting_name(app, cast, sessions, name) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    before = _live_tokens(sessions, cast.owner.id)
    refused = owner.post(f"/api/v1/users/{cast.owner.id}/tokens", json={"name": name})
    assert refused.status_code == 422
    assert "name" in str(refused.json()["errors"][0]["field"])
    assert _live_tokens(sessions, cast.owner.id) == before


def test_the_service_holds_the_token_rules_whatever_the_door(cast, sessions) -> None:
    """Below every door: the one service refuses a nameless token and a deactivated user."""
    from accord.core.errors import ValidationFailed
    from accord.core.models import User
    from accord.users.service import issue_token

    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        with pytest.raises(ValidationFailed) as nameless:
            issue_token(s, admin, cast.owner.id, "  ")
        assert nameless.value.problems[0].field == "name"
        s.get(User, cast.viewer.id).is_active = False
        with pytest.raises(ValidationFailed) as deactivated:
            issue_token(s, admin, cast.viewer.id, "bot")
        assert "deactivated" in deactivated.value.problems[0].message
