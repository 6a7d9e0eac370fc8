"""User administration over the API: admin only, validated, and no self-lockout."""

from __future__ import annotations

import pytest

from conftest import api_client


@pytest.mark.parametrize("who", ["head", "owner", "viewer", "billing", "outsider"])
def test_only_an_admin_lists_creates_and_changes_users(app, cast, sessions, who) -> None:
    client = api_client(app, cast.token(sessions, who))
    assert client.get("/api/v1/users").status_code == 403
    assert (
        client.post("/api/v1/users", json={"email": "x@y.test", "role": "admin"}).status_code == 403
    )
    promote = client.patch(f"/api/v1/users/{getattr(cast, who).id}", json={"role": "admin"})
    assert promote.status_code == 403
    assert client.get("/api/v1/me").json()["role"] != "admin"


def test_an_admin_creates_a_user_who_can_then_log_in(app, cast, sessions, db) -> None:
    from accord.core.identity import authenticate

    admin = api_client(app, cast.token(sessions, "admin"))
    made = admin.post(
        "/api/v1/users",
        json={
            "email": "Mia@Accord.test",
            "role": "manager",
            "password": "a long password",
            "segment": "Retail",
        },
    )
    assert made.status_code == 201
    assert made.headers["location"] == f"/api/v1/users/{made.json()['id']}"
    assert "password" not in made.text
    assert authenticate(db, "mia@accord.test", "a long password").segment == "Retail"
    again = admin.post("/api/v1/users", json={"email": "mia@accord.test", "role": "viewer"})
    assert again.status_code == 409


def test_an_admin_moves_a_manager_into_a_team_and_the_head_then_sees_their_accounts(
    app, cast, sessions
) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    head = api_client(app, cast.token(sessions, "head"))
    assert head.get(f"/api/v1/accounts/{cast.globex_id}").status_code == 404
    team = admin.get(f"/api/v1/users/{cast.owner.id}").json()["team_id"]
    moved = admin.patch(f"/api/v1/users/{cast.outsider.id}", json={"team_id": team})
    assert moved.status_code == 200 and moved.json()["team_id"] == team
    assert head.get(f"/api/v1/accounts/{cast.globex_id}").status_code == 200


def test_an_admin_cannot_lock_themself_out(app, cast, sessions) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    for change, field in (({"is_active": False}, "is_active"), ({"role": "viewer"}, "role")):
        response = admin.patch(f"/api/v1/users/{cast.admin.id}", json=change)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
    assert admin.get("/api/v1/me").json()["role"] == "admin"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "owner@accord.test"}, None),
        ({"email": "bad"}, "email"),
        ({"role": None}, "role"),
        ({"capacity": -1}, "capacity"),
        ({"team_id": 987654}, "team_id"),
        ({"password": "short"}, "password"),
        ({"nickname": "x"}, "nickname"),
    ],
)
def test_a_bad_user_change_is_refused_with_the_field_named(
    app, cast, sessions, change, field
) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    response = admin.patch(f"/api/v1/users/{cast.teammate.id}", json=change)
    if field is None:  # the e-mail of somebody else
        assert response.status_code == 409
    else:
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]
    assert admin.get(f"/api/v1/users/{cast.teammate.id}").json()["email"] == "teammate@accord.test"


def test_the_user_rules_are_one_pure_definition() -> None:
    """The limits every door applies (the API schemas take theirs from the same module)."""
    from accord.users import rules
    from accord.users.schemas import UserIn

    fine = {"email": " Ada@Example.com ", "name": "Ada", "password": "x" * 8, "capacity": 0}
    assert rules.field_problems(fine) == []
    bad = {"email": "x" * 250 + "@a.test", "name": " ", "segment": "s" * 61,
           "password": "short", "capacity": rules.MAX_CAPACITY + 1}
    assert [p.field for p in rules.field_problems(bad)] == [
        "email", "name", "segment", "password", "capacity"]
    assert rules.field_problems({"capacity": True})[0].field == "capacity"
    assert [p.field for p in rules.self_change_problems(
        {"is_active": False, "role": "viewer"}, "admin")] == ["is_active", "role"]
    assert rules.self_change_problems({"is_active": True, "role": "admin"}, "admin") == []
    assert rules.token_name("  ERP sync ") == "ERP sync"
    assert UserIn.model_json_schema()["properties"]["capacity"]["maximum"] == rules.MAX_CAPACITY
