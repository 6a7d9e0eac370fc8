"""The same contract for every REST resource, NetBox style: supply data, not copied tests.

List, create, read, update, delete (where the resource allows it), permission denied, not
found, and bad input giving a 422 problem body naming the field, with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from conftest import api_client

Url = Callable[[Any], str]  # cast -> url
ItemUrl = Callable[[Any, dict[str, Any]], str]  # cast, created body -> url
MISSING = 987654


@dataclass(frozen=True)
class Resource:
    name: str
    actor: str  # who runs the happy path
    collection: Url
    create: dict[str, Any] | Callable[[Any], dict[str, Any]]
    shows: tuple[str, Any]  # a field of the created item and its value
    create_method: str = "POST"
    create_status: int = 201
    item: ItemUrl | None = None
    update: tuple[str, Any] | None = None  # field, new value
    update_url: ItemUrl | None = None  # defaults to item
    delete_url: ItemUrl | None = None
    delete_actor: str | None = None
    denied: list[tuple[str, str, Url, Any, int]] = field(default_factory=list)
    missing: list[tuple[str, str, Url]] = field(default_factory=list)
    bad: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    count: Callable[[list[Any] | dict[str, Any]], int] = len  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.name

    def body(self, cast: Any) -> dict[str, Any]:
        return self.create(cast) if callable(self.create) else dict(self.create)


def acme(cast: Any, tail: str = "") -> str:
    return f"/api/v1/accounts/{cast.acme_id}{tail}"


RESOURCES = [
    Resource(
        name="accounts",
        actor="owner",
        collection=lambda c: "/api/v1/accounts",
        create={
            "name": "Initech",
            "segment": "Retail",
            "kind": "company",
            "estimated_spend": "125000.50",
        },
        shows=("name", "Initech"),
        item=lambda c, made: f"/api/v1/accounts/{made['id']}",
        update=("status", "lapsed"),
        delete_url=lambda c, made: f"/api/v1/accounts/{made['id']}",
        delete_actor="admin",
        denied=[
            ("viewer", "POST", lambda c: "/api/v1/accounts", {"name": "Nope"}, 403),
            ("billing", "PATCH", lambda c: acme(c), {"notes": "no"}, 403),
            ("owner", "DELETE", lambda c: acme(c), None, 403),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}"),
            ("admin", "PATCH", lambda c: f"/api/v1/accounts/{MISSING}"),
            ("admin", "GET", lambda c: "/api/v1/accounts/by-external-id/NOPE"),
        ],
        bad=[
            ({"name": ""}, "name"),
            ({"name": "X", "status": "zombie"}, "status"),
            ({"name": "X", "estimated_spend": "1.234"}, "estimated_spend"),
            ({"name": "X", "manager_id": MISSING}, "manager_id"),
            ({"name": "X", "external_id": "ACME"}, "external_id"),
            ({"name": "X", "colour": "red"}, "colour"),
        ],
        count=lambda page: page["total"],  # type: ignore[index]
    ),
    Resource(
        name="contacts",
        actor="owner",
        collection=lambda c: acme(c, "/contacts"),
        create={
            "name": "Ann Buyer",
            "email": "ann@acme.test",
            "buying_role": "champion",
            "seniority": "director",
            "influence": 4,
        },
        shows=("name", "Ann Buyer"),
        item=lambda c, made: f"/api/v1/contacts/{made['id']}",
        update=("phone", "+44 20 7946 0000"),
        update_url=lambda c, made: acme(c, f"/contacts/{made['id']}"),
        delete_url=lambda c, made: acme(c, f"/contacts/{made['id']}"),
        delete_actor="owner",
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/contacts"), {"name": "No"}, 403),
            ("outsider", "POST", lambda c: acme(c, "/contacts"), {"name": "No"}, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/contacts/{MISSING}"),
            ("admin", "PATCH", lambda c: acme(c, f"/contacts/{MISSING}")),
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/contacts"),
        ],
        bad=[
            ({"name": "Ann", "influence": 9}, "influence"),
            ({"email": "a@b.test"}, "name"),
            ({"name": "Ann", "email": "not-an-email"}, "email"),
            ({"name": "Ann", "buying_role": "king"}, "buying_role"),
        ],
    ),
    Resource(
        name="interactions",
        actor="teammate",
        collection=lambda c: acme(c, "/interactions"),
        create={
            "kind": "business_review",
            "occurred_on": "2024-05-02",
            "summary": "Annual review",
            "sentiment": 7,
        },
        shows=("kind", "business_review"),
        denied=[
            (
                "billing",
                "POST",
                lambda c: acme(c, "/interactions"),
                {"kind": "call", "occurred_on": "2024-01-01", "summary": "x"},
                403,
            )
        ],
        missing=[("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/interactions")],
        bad=[
            ({"kind": "fax", "occurred_on": "2024-01-01", "summary": "x"}, "kind"),
            ({"kind": "call", "occurred_on": "2999-01-01", "summary": "x"}, "occurred_on"),
            ({"kind": "call", "occurred_on": "2024-13-01", "summary": "x"}, "occurred_on"),
            ({"kind": "call", "occurred_on": "2024-01-01", "summary": ""}, "summary"),
            (
                {
                    "kind": "call",
                    "occurred_on": "2024-01-01",
                    "summary": "x",
                    "contact_ids": [MISSING],
                },
                "contact_ids",
            ),
        ],
    ),
    Resource(
        name="members",
        actor="owner",
        collection=lambda c: acme(c, "/members"),
        create=lambda c: {"user_ids": [c.teammate.id, c.head.id]},
        create_method="PUT",
        create_status=200,
        shows=("email", "head@accord.test"),
        denied=[("viewer", "PUT", lambda c: acme(c, "/members"), {"user_ids": []}, 403)],
        missing=[("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/members")],
        bad=[
            ({"user_ids": [MISSING]}, "user_ids"),
            ({"user_ids": "all"}, "user_ids"),
            ({"user_ids": [2**63]}, "user_ids.0"),
        ],
    ),
    Resource(
        name="users",
        actor="admin",
        collection=lambda c: "/api/v1/users",
        create={
            "email": "Newbie@Accord.test",
            "role": "manager",
            "name": "Nina Newbie",
            "password": "long enough password",
            "capacity": 30,
        },
        shows=("email", "newbie@accord.test"),
        item=lambda c, made: f"/api/v1/users/{made['id']}",
        update=("capacity", 45),
        denied=[
            ("owner", "GET", lambda c: "/api/v1/users", None, 403),
            (
                "head",
                "POST",
                lambda c: "/api/v1/users",
                {"email": "x@y.test", "role": "admin"},
                403,
            ),
            ("owner", "PATCH", lambda c: f"/api/v1/users/{c.owner.id}", {"role": "admin"}, 403),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/users/{MISSING}"),
            ("admin", "PATCH", lambda c: f"/api/v1/users/{MISSING}"),
        ],
        bad=[
            ({"email": "nope", "role": "manager"}, "email"),
            ({"email": "x@y.test", "role": "emperor"}, "role"),
            ({"email": "x@y.test", "role": "manager", "password": "short"}, "password"),
            ({"email": "x@y.test", "role": "manager", "team_id": MISSING}, "team_id"),
            ({"email": "x@y.test", "role": "manager", "team_id": 2**63}, "team_id"),
        ],
    ),
    Resource(
        name="tokens",
        actor="owner",
        collection=lambda c: "/api/v1/tokens",
        create={"name": "laptop"},
        shows=("name", "laptop"),
        delete_url=lambda c, made: f"/api/v1/tokens/{made['id']}",
        delete_actor="owner",
        denied=[
            (
                "owner",
                "POST",
                lambda c: f"/api/v1/users/{c.outsider.id}/tokens",
                {"name": "x"},
                404,
            ),
            ("outsider", "DELETE", lambda c: "/api/v1/tokens/1", None, 404),
        ],
        missing=[
            ("admin", "DELETE", lambda c: f"/api/v1/tokens/{MISSING}"),
            ("admin", "POST", lambda c: f"/api/v1/users/{MISSING}/tokens"),
        ],
        bad=[({"name": ""}, "name"), ({"name": "x" * 121}, "name"), ({"label": "x"}, "label")],
    ),
]


def create_url(resource: Resource, cast: Any) -> str:
    if resource.name == "tokens":
        return f"/api/v1/users/{cast.owner.id}/tokens"
    return resource.collection(cast)


def items(body: Any) -> list[dict[str, Any]]:
    return body["items"] if isinstance(body, dict) else body


@pytest.fixture
def as_(app, cast, sessions):  # type: ignore[no-untyped-def]
    clients: dict[str, Any] = {}

    def client(who: str):  # type: ignore[no-untyped-def]
        if who not in clients:
            clients[who] = api_client(app, cast.token(sessions, who))
        return clients[who]

    return client


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_it_lists_creates_reads_updates_and_deletes(resource: Resource, as_, cast) -> None:  # type: ignore[no-untyped-def]
    client = as_(resource.actor)
    listed = client.get(resource.collection(cast))
    assert listed.status_code == 200, listed.text
    before = resource.count(listed.json())

    made = client.request(
        resource.create_method, create_url(resource, cast), json=resource.body(cast)
    )
    assert made.status_code == resource.create_status, made.text
    body = made.json()
    key, value = resource.shows
    rows = body if isinstance(body, list) else [body]
    assert any(r[key] == value for r in rows), body
    created = rows[0]
    if resource.create_status == 201 and resource.item:
        assert made.headers["location"] == resource.item(cast, created)

    after = client.get(resource.collection(cast)).json()
    if resource.create_method == "POST":
        assert resource.count(after) == before + 1
    assert any(r.get(key) == value for r in items(after))

    if resource.item:
        read = client.get(resource.item(cast, created))
        assert read.status_code == 200 and read.json()[key] == value
    if resource.update:
        name, new = resource.update
        url = (resource.update_url or resource.item)(cast, created)  # type: ignore[misc]
        changed = client.patch(url, json={name: new})
        assert changed.status_code == 200, changed.text
        assert changed.json()[name] == new
        if resource.item:
            assert client.get(resource.item(cast, created)).json()[name] == new
    if resource.delete_url:
        gone = as_(resource.delete_actor).delete(resource.delete_url(cast, created))
        assert gone.status_code == 204, gone.text
        assert gone.content == b""
        if resource.item:
            assert client.get(resource.item(cast, created)).status_code == 404


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_it_refuses_callers_without_permission(resource: Resource, as_, cast) -> None:  # type: ignore[no-untyped-def]
    for who, method, url, body, status in resource.denied:
        response = as_(who).request(method, url(cast), json=body)
        assert response.status_code == status, (who, method, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == status


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_it_answers_404_for_what_does_not_exist(resource: Resource, as_, cast) -> None:  # type: ignore[no-untyped-def]
    for who, method, url in resource.missing:
        body = {} if method in ("PATCH", "POST") else None
        response = as_(who).request(method, url(cast), json=body)
        assert response.status_code == 404, (method, url(cast), response.text)
        assert response.json()["title"] == "Not found"


@pytest.mark.parametrize(
    ("resource", "bad", "field_name"),
    [(r, bad, f) for r in RESOURCES for bad, f in r.bad],
    ids=[f"{r}-{f}" for r in RESOURCES for _, f in r.bad],
)
def test_it_rejects_bad_input_naming_the_field_and_writes_nothing(
    resource: Resource, bad: dict[str, Any], field_name: str, as_, cast, db
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from accord.core.models import AuditEntry

    client = as_(resource.actor)
    audit_before = db.scalar(select(func.count()).select_from(AuditEntry))
    listed_before = client.get(resource.collection(cast)).json()
    response = client.request(resource.create_method, create_url(resource, cast), json=bad)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Validation failed"
    assert field_name in [e["field"] for e in problem["errors"]], problem
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert _without_use(client.get(resource.collection(cast)).json()) == _without_use(
        listed_before
    )


def _without_use(listed: Any) -> Any:
    """A token's ``last_used_at`` is bookkeeping recorded after each response (at most once a
    minute), not a write of the refused request: left out of the before/after comparison."""
    if isinstance(listed, list):
        return [
            {k: v for k, v in row.items() if k != "last_used_at"} if isinstance(row, dict)
            else row
            for row in listed
        ]
    return listed


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_it_requires_a_token(resource: Resource, app, cast) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    response = TestClient(app).get(resource.collection(cast))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "Not authenticated"
