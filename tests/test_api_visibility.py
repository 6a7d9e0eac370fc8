"""The visibility rule on every account endpoint of the REST API, for the whole cast.

Acme is the owner's (teammate on its team, head over both); Globex is the outsider's (under
other_head). viewer and billing read everything and change nothing; admin does anything.
An account the caller may not see is a 404 whose body never names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from conftest import api_client

CAST = ["admin", "head", "owner", "teammate", "outsider", "other_head", "viewer", "billing"]
SEES = {
    "acme": {"admin", "head", "owner", "teammate", "viewer", "billing"},
    "globex": {"admin", "other_head", "outsider", "viewer", "billing"},
}
NAMES = {"acme": "Acme", "globex": "Globex"}
WRITERS = {"admin", "head", "owner", "teammate", "outsider", "other_head"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {acc}, {ext}, {contact} are filled in per account
    kind: str  # read | write | admin
    ok: int = 200
    body: Any = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint("GET", "/api/v1/accounts/{acc}", "read"),
    Endpoint("GET", "/api/v1/accounts/by-external-id/{ext}", "read"),
    Endpoint("GET", "/api/v1/accounts/{acc}/members", "read"),
    Endpoint("GET", "/api/v1/accounts/{acc}/contacts", "read"),
    Endpoint("GET", "/api/v1/contacts/{contact}", "read"),
    Endpoint("GET", "/api/v1/accounts/{acc}/interactions", "read"),
    Endpoint("PATCH", "/api/v1/accounts/{acc}", "write", 200, {"notes": "changed"}),
    Endpoint("PUT", "/api/v1/accounts/{acc}/members", "write", 200, {"user_ids": ["teammate"]}),
    Endpoint("POST", "/api/v1/accounts/{acc}/contacts", "write", 201, {"name": "New Person"}),
    Endpoint("PATCH", "/api/v1/accounts/{acc}/contacts/{contact}", "write", 200, {"title": "CFO"}),
    Endpoint("DELETE", "/api/v1/accounts/{acc}/contacts/{contact}", "write", 204),
    Endpoint(
        "POST",
        "/api/v1/accounts/{acc}/interactions",
        "write",
        201,
        {"kind": "call", "occurred_on": "2024-03-01", "summary": "Quarterly call"},
    ),
    Endpoint("DELETE", "/api/v1/accounts/{acc}", "admin", 204),
]


def make_contact(sessions, cast, account_id: int, person: str) -> int:
    from accord.accounts.contacts import add_contact
    from accord.accounts.schemas import ContactIn

    with sessions.begin() as s:
        return add_contact(s, s.merge(cast.admin), account_id, ContactIn(name=person)).id


@pytest.fixture
def world(cast, sessions):
    """A contact and an interaction at each account, made through the services as admin."""
    from accord.accounts.contacts import add_contact, log_interaction
    from accord.accounts.models import InteractionKind
    from accord.accounts.schemas import ContactIn, InteractionIn

    ids: dict[str, dict[str, Any]] = {}
    with sessions.begin() as s:
        admin = s.merge(cast.admin)
        for key, account_id, ext, person in [
            ("acme", cast.acme_id, "ACME", "Ann Acmeson"),
            ("globex", cast.globex_id, "GLOBEX", "Greg Globexson"),
        ]:
            c = add_contact(s, admin, account_id, ContactIn(name=person, email=f"{ext}@x.test"))
            log_interaction(
                s,
                admin,
                account_id,
                InteractionIn(
                    kind=InteractionKind.MEETING,
                    occurred_on=date(2024, 1, 5),
                    summary=f"Kick-off with {person}",
                    contact_ids=[c.id],
                ),
                today=date(2024, 6, 1),
            )
            ids[key] = {"acc": account_id, "ext": ext, "contact": c.id}
    return ids


@pytest.fixture
def tokens(cast, sessions) -> dict[str, str]:
    return {who: cast.token(sessions, who) for who in CAST}


def expected(endpoint: Endpoint, who: str, target: str) -> int:
    if who not in SEES[target]:
        return 404
    if endpoint.kind == "write" and who not in WRITERS:
        return 403
    if endpoint.kind == "admin" and who != "admin":
        return 403
    return endpoint.ok


@pytest.mark.parametrize("target", ["acme", "globex"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_each_endpoint_obeys_the_visibility_rule_for_the_whole_cast(
    app, cast, sessions, world, tokens, endpoint: Endpoint, target: str
) -> None:
    wrong = []
    # those who are refused go first and change nothing; the admin deletes last
    order = sorted(CAST, key=lambda who: (expected(endpoint, who, target) < 400, who == "admin"))
    for who in order:
        values = dict(world[target])
        if endpoint.method == "DELETE" and "{contact}" in endpoint.path:
            values["contact"] = make_contact(sessions, cast, values["acc"], f"Dee Letable {who}")
        body = endpoint.body
        if body and "user_ids" in body:  # cast members by name
            body = {"user_ids": [getattr(cast, name).id for name in body["user_ids"]]}
        response = api_client(app, tokens[who]).request(
            endpoint.method, endpoint.path.format(**values), json=body
        )
        want = expected(endpoint, who, target)
        if response.status_code != want:
            wrong.append((who, want, response.status_code, response.text[:200]))
            continue
        if want >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["status"] == want
        if want == 404:
            assert NAMES[target] not in response.text, who
            assert "Ann" not in response.text and "Greg" not in response.text, who
    assert wrong == []


@pytest.mark.parametrize("who", CAST)
def test_the_account_list_holds_exactly_what_the_caller_may_see(app, cast, sessions, who) -> None:
    client = api_client(app, cast.token(sessions, who))
    page = client.get("/api/v1/accounts").json()
    names = {item["name"].split()[0] for item in page["items"]}
    assert names == {NAMES[t] for t in SEES if who in SEES[t]}
    assert page["total"] == len(names)
    searched = client.get("/api/v1/accounts", params={"q": "acme"}).json()
    assert searched["total"] == (1 if who in SEES["acme"] else 0)
    assert ("Acme" in str(searched)) is (who in SEES["acme"])


def test_an_outsider_cannot_hang_an_account_under_acme(app, cast, sessions) -> None:
    client = api_client(app, cast.token(sessions, "outsider"))
    response = client.patch(f"/api/v1/accounts/{cast.globex_id}", json={"parent_id": cast.acme_id})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parent_id"
    assert "Acme" not in response.text


def test_an_outsider_cannot_see_a_shared_contact_through_acme(app, cast, sessions, world) -> None:
    """A person linked to both accounts shows the outsider only Globex's link.

    (The owner cannot link the outsider's contact to Acme by its e-mail (V1): the admin,
    who sees both accounts, does.)"""
    owner = api_client(app, cast.token(sessions, "owner"))
    outsider = api_client(app, cast.token(sessions, "outsider"))
    admin = api_client(app, cast.token(sessions, "admin"))
    made = outsider.post(
        f"/api/v1/accounts/{cast.globex_id}/contacts",
        json={"name": "Sam Shared", "email": "sam@shared.test"},
    ).json()
    linked = admin.post(
        f"/api/v1/accounts/{cast.acme_id}/contacts",
        json={"name": "Sam Shared", "email": "sam@shared.test"},
    ).json()
    assert linked["id"] == made["id"]
    seen = outsider.get(f"/api/v1/contacts/{made['id']}").json()
    assert seen["account_ids"] == [cast.globex_id]
    assert sorted(owner.get(f"/api/v1/contacts/{made['id']}").json()["account_ids"]) == [
        cast.acme_id
    ]
