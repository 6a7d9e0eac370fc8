"""The rows of the API contract table (``tests/test_api_contract.py``): what each REST
resource is called with, who may call it and what it must refuse. The foundation's resources
are here, the key-account resources in ``contract_rows_kam.py``.

A ``Resource`` is read as: its ``actor`` lists ``collection``; creates (or sets) an item with
``create`` (none: a read-only resource) which then ``shows`` a field and value; reads it at
``item``; patches ``update``; runs its other actions (``also``, a ``Call`` each); deletes it.
``denied``: (who, method, url, body, status) refused; ``missing``: (who, method, url) a 404;
``bad``: (body, field) a 422 naming the field, nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from route_policy import CONTACTS_CSV, SCORING, USER_MAP_CSV

__all__ = ["CONTACTS_CSV", "SCORING", "USER_MAP_CSV"]  # for the key-account rows

Url = Callable[[Any], str]  # cast -> url
ItemUrl = Callable[[Any, dict[str, Any]], str]  # cast, created body -> url
MISSING = 987654


@dataclass(frozen=True)
class Upload:
    """The files of a denied call that uploads (instead of a JSON body)."""

    files: dict[str, tuple[str, bytes, str]]


@dataclass(frozen=True)
class Call:
    """One more call of a resource's happy path, after create and update, before delete."""

    method: str
    url: ItemUrl
    status: int = 200
    body: Any = None  # a callable gets the cast
    files: dict[str, tuple[str, bytes, str]] | None = None
    who: str | None = None  # the resource's actor unless given
    shows: tuple[str, Any] | None = None  # a field of the (JSON) answer and its value


@dataclass(frozen=True)
class Resource:
    name: str
    actor: str  # who runs the happy path
    collection: Url
    #: the body of the create call (none: a read-only resource, its list is read); a
    #: callable gets the cast and the actor's client
    create: dict[str, Any] | Callable[[Any, Any], dict[str, Any]] | None = None
    shows: tuple[str, Any] | None = None  # a field of the created (or listed) item, its value
    create_method: str = "POST"
    create_status: int = 201
    create_url: Url | None = None  # defaults to the collection
    adds: bool = True  # a POST adds one item to the collection
    item: ItemUrl | None = None
    update: tuple[str, Any] | None = None  # field, new value
    update_url: ItemUrl | None = None  # defaults to item
    delete_url: ItemUrl | None = None
    delete_actor: str | None = None
    delete_status: int = 204
    also: list[Call] = field(default_factory=list)
    denied: list[tuple[str, str, Url, Any, int]] = field(default_factory=list)
    missing: list[tuple[str, str, Url]] = field(default_factory=list)
    bad: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    count: Callable[[Any], int] = len
    #: the items of the collection's answer, where ``items`` cannot tell
    listing: Callable[[Any], list[dict[str, Any]]] | None = None

    def __str__(self) -> str:
        return self.name

    def items(self, body: Any) -> list[dict[str, Any]]:
        return self.listing(body) if self.listing else items(body)

    def body(self, cast: Any, client: Any) -> dict[str, Any]:
        if callable(self.create):
            return self.create(cast, client)
        return dict(self.create or {})


def acme(cast: Any, tail: str = "") -> str:
    return f"/api/v1/accounts/{cast.acme_id}{tail}"


def scoring(client: Any) -> dict[str, Any]:
    """A full scoring of every active criterion (their ids read through the API)."""
    criteria = client.get("/api/v1/selection/criteria").json()
    return {
        "attractiveness": [{"criterion_id": c["id"], "score": "6"}
                           for c in criteria["attractiveness"]],
        "buying": [{"criterion_id": c["id"], "us": "6", "competitor": "5"}
                   for c in criteria["buying"]],
        "competitor_name": "Rival Ltd",
    }



def items(body: Any) -> list[dict[str, Any]]:
    """The items of a list answer: a page's ``items``, a plain list, or the one object."""
    if isinstance(body, dict):
        return body["items"] if "items" in body else [body]
    return list(body)


FOUNDATION = [
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
        also=[Call("GET", lambda c, made: "/api/v1/accounts/by-external-id/ACME",
                   shows=("name", "Acme Industries"))],
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
        count=lambda page: page["total"],
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
        create=lambda c, api: {"user_ids": [c.teammate.id, c.head.id]},
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
        also=[Call("POST", lambda c, made: f"/api/v1/users/{made['id']}/logout-everywhere",
                   shows=("sessions_ended", 0))],
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
        create_url=lambda c: f"/api/v1/users/{c.owner.id}/tokens",
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
    Resource(
        name="me",
        actor="owner",
        collection=lambda c: "/api/v1/me",
        shows=("email", "owner@accord.test"),
    ),
    Resource(
        name="teams",
        actor="admin",
        collection=lambda c: "/api/v1/teams",
        create=lambda c, api: {"name": "East", "head_id": c.head.id},
        shows=("name", "East"),
        item=lambda c, made: f"/api/v1/teams/{made['id']}",
        update=("name", "Eastern"),
        also=[
            Call("POST", lambda c, made: f"/api/v1/teams/{made['id']}/members",
                 body=lambda c: {"user_id": c.teammate.id}, shows=("name", "Eastern")),
            Call("DELETE",
                 lambda c, made: f"/api/v1/teams/{made['id']}/members/{c.teammate.id}",
                 status=204),
        ],
        delete_url=lambda c, made: f"/api/v1/teams/{made['id']}",
        delete_actor="admin",
        denied=[
            ("owner", "GET", lambda c: "/api/v1/teams", None, 403),
            ("head", "POST", lambda c: "/api/v1/teams", {"name": "Mine"}, 403),
            ("owner", "DELETE", lambda c: f"/api/v1/teams/{MISSING}", None, 403),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/teams/{MISSING}"),
            ("admin", "PATCH", lambda c: f"/api/v1/teams/{MISSING}"),
            ("admin", "DELETE", lambda c: f"/api/v1/teams/{MISSING}"),
        ],
        bad=[({"name": ""}, "name"), ({"name": "x" * 121}, "name"),
             ({"name": "X", "head_id": "1"}, "head_id")],
    ),
    Resource(
        name="audit",
        actor="admin",
        collection=lambda c: "/api/v1/audit",
        shows=("entity", "api_token"),  # the actor's own token, made for this test
        count=lambda page: len(page["items"]),
        also=[Call("GET", lambda c, made: "/api/v1/audit/export.csv")],
        denied=[
            ("owner", "GET", lambda c: "/api/v1/audit", None, 403),
            ("viewer", "GET", lambda c: "/api/v1/audit/export.csv", None, 403),
        ],
    ),
]
