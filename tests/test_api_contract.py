"""The same contract for every REST resource, NetBox style: supply data, not copied tests.

List, create, read, update, delete (where the resource allows it), the resource's other
actions (``also``), permission denied, not found, and bad input giving a 422 problem body
naming the field, with nothing written.

Every API operation the app serves (its own route table, ``tests/route_walk.py``) must be
called by some row: ``test_every_api_route_has_a_contract_row`` fails for a new route until
a row (or an ``also`` call of one) reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import api_client
from route_policy import CONTACTS_CSV, SCORING, USER_MAP_CSV
from route_walk import route_of, served

Url = Callable[[Any], str]  # cast -> url
ItemUrl = Callable[[Any, dict[str, Any]], str]  # cast, created body -> url
MISSING = 987654
#: API routes no row calls on purpose: the document and its viewer (tests/test_openapi.py)
UNDOCUMENTED = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs")}


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
    count: Callable[[list[Any] | dict[str, Any]], int] = len  # type: ignore[assignment]
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
        count=lambda page: len(page["items"]),  # type: ignore[index]
        also=[Call("GET", lambda c, made: "/api/v1/audit/export.csv")],
        denied=[
            ("owner", "GET", lambda c: "/api/v1/audit", None, 403),
            ("viewer", "GET", lambda c: "/api/v1/audit/export.csv", None, 403),
        ],
    ),
    Resource(
        name="scorings",
        actor="owner",
        collection=lambda c: acme(c, "/scorings"),
        create=lambda c, api: scoring(api),
        shows=("competitor_name", "Rival Ltd"),
        also=[
            Call("GET", lambda c, made: acme(c, "/selection"), shows=("deselected", False)),
            Call("GET", lambda c, made: acme(c, "/kam")),
            Call("GET", lambda c, made: "/api/v1/matrix"),
            Call("GET", lambda c, made: "/api/v1/decisions"),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/scorings"), SCORING, 403),
            ("outsider", "POST", lambda c: acme(c, "/scorings"), SCORING, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/scorings"),
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/selection"),
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/kam"),
        ],
        bad=[
            ({**SCORING, "attractiveness": "all"}, "attractiveness"),
            ({**SCORING, "competitor_name": "x" * 500}, "competitor_name"),
            ({"attractiveness": [], "buying": []}, "competitor_name"),
        ],
    ),
    Resource(
        name="deselection",
        actor="head",
        collection=lambda c: acme(c, "/selection"),
        create={"reason": "no longer strategic"},
        create_status=200,
        create_url=lambda c: acme(c, "/deselection"),
        adds=False,
        shows=("deselected", True),
        delete_url=lambda c, made: acme(c, "/deselection"),
        delete_actor="head",
        delete_status=200,
        denied=[
            ("owner", "POST", lambda c: acme(c, "/deselection"), {"reason": "r"}, 403),
            ("owner", "DELETE", lambda c: acme(c, "/deselection"), None, 403),
            ("other_head", "POST", lambda c: acme(c, "/deselection"), {"reason": "r"}, 404),
        ],
        missing=[("admin", "DELETE", lambda c: f"/api/v1/accounts/{MISSING}/deselection")],
        bad=[({"reason": ""}, "reason"), ({"why": "x"}, "reason")],
    ),
    Resource(
        name="stage assessments and overrides",
        actor="owner",
        collection=lambda c: acme(c, "/stage"),
        create={"comment": "first review"},
        create_url=lambda c: acme(c, "/stage-assessments"),
        adds=False,
        shows=("recorded_stage", "Tactical"),  # the suggested stage: Acme has no history
        also=[
            Call("PUT", lambda c, made: acme(c, "/stage-overrides/contact_points"),
                 body={"score": 2, "reason": "seen at the fair"}),
            Call("DELETE", lambda c, made: acme(c, "/stage-overrides/contact_points")),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/stage-assessments"), {}, 403),
            ("billing", "PUT", lambda c: acme(c, "/stage-overrides/contact_points"),
             {"score": 2, "reason": "r"}, 403),
            ("outsider", "POST", lambda c: acme(c, "/stage-assessments"), {}, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/stage"),
            ("admin", "POST", lambda c: f"/api/v1/accounts/{MISSING}/stage-assessments"),
            ("admin", "DELETE",
             lambda c: f"/api/v1/accounts/{MISSING}/stage-overrides/contact_points"),
        ],
        bad=[({"stage": "Best friends"}, "stage"), ({"comment": "x" * 5001}, "comment"),
             ({"mood": "good"}, "mood")],
    ),
    Resource(
        name="health",
        actor="owner",
        collection=lambda c: acme(c, "/health"),
        shows=("segment", "Manufacturing"),
        also=[
            Call("POST", lambda c, made: acme(c, "/health/recompute"),
                 shows=("segment", "Manufacturing")),
            Call("POST", lambda c, made: "/api/v1/health/recompute", who="head"),
            Call("GET", lambda c, made: "/api/v1/health", who="head"),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/health/recompute"), None, 403),
            ("owner", "POST", lambda c: "/api/v1/health/recompute", None, 403),
            ("outsider", "POST", lambda c: acme(c, "/health/recompute"), None, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/health"),
            ("admin", "POST", lambda c: f"/api/v1/accounts/{MISSING}/health/recompute"),
        ],
    ),
    Resource(
        name="health settings",
        actor="head",
        collection=lambda c: "/api/v1/health/settings",
        create={"green_from": 75},
        create_method="PUT",
        create_status=200,
        shows=("green_from", 75),
        listing=lambda settings: [settings["default"]],
        also=[
            Call("PUT", lambda c, made: "/api/v1/health/settings/segments/Manufacturing",
                 body={"green_from": 80}, shows=("green_from", 80)),
            Call("DELETE", lambda c, made: "/api/v1/health/settings/segments/Manufacturing",
                 status=204),
        ],
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/health/settings", {"green_from": 75}, 403),
            ("owner", "PUT", lambda c: "/api/v1/health/settings/segments/Energy", {}, 403),
            ("viewer", "DELETE", lambda c: "/api/v1/health/settings/segments/Energy", None, 403),
        ],
        bad=[({"green_from": "green"}, "green_from"), ({"cadence_days": 7}, "cadence_days")],
    ),
    Resource(
        name="selection settings",
        actor="head",
        collection=lambda c: "/api/v1/selection/settings",
        create={"attractiveness_cut": "6.5"},
        create_method="PUT",
        create_status=200,
        shows=("attractiveness_cut", "6.5"),
        denied=[("owner", "PUT", lambda c: "/api/v1/selection/settings", {}, 403)],
        bad=[({"attractiveness_cut": "11"}, "attractiveness_cut"),
             ({"min_criteria": "many"}, "min_criteria"), ({"colour": "red"}, "colour")],
    ),
    Resource(
        name="selection criteria",
        actor="head",
        collection=lambda c: "/api/v1/selection/criteria",
        create={"criteria": [{"name": "Price", "weight": 60}, {"name": "Quality", "weight": 40}]},
        create_method="PUT",
        create_status=200,
        create_url=lambda c: "/api/v1/selection/criteria/buying",
        shows=("name", "Price"),
        count=lambda criteria: len(criteria["buying"]),  # type: ignore[index]
        listing=lambda criteria: criteria["buying"],  # type: ignore[no-any-return]
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/selection/criteria/buying",
             {"criteria": []}, 403),
        ],
        bad=[({"criteria": "all"}, "criteria"),
             ({"criteria": [{"name": "", "weight": 100}]}, "criteria.0.name")],
    ),
    Resource(
        name="stage settings",
        actor="head",
        collection=lambda c: "/api/v1/stages/settings",
        create={"contact_lookback_days": 300},
        create_method="PUT",
        create_status=200,
        shows=("contact_lookback_days", 300),
        denied=[("owner", "PUT", lambda c: "/api/v1/stages/settings", {}, 403)],
        bad=[({"contacts_for_2": "two"}, "contacts_for_2"), ({"colour": "red"}, "colour")],
    ),
    Resource(
        name="KPIs",
        actor="admin",
        collection=lambda c: "/api/v1/kpis/policy",
        create={"window_months": 6},
        create_method="PUT",
        create_status=200,
        shows=("window_months", 6),
        also=[
            Call("GET", lambda c, made: "/api/v1/kpis?as_of=2025-12",
                 shows=("window_months", 6)),
            Call("GET", lambda c, made: "/api/v1/kpis/accounts?movement=churned&as_of=2025-12"),
            Call("GET", lambda c, made: "/api/v1/kpis/registry", shows=("slug", "hhi")),
        ],
        denied=[("owner", "PUT", lambda c: "/api/v1/kpis/policy", {"window_months": 3}, 403)],
        bad=[({"window_months": "six"}, "window_months"), ({"basis": "lunar"}, "basis")],
    ),
    Resource(
        name="revenue",
        actor="owner",
        collection=lambda c: acme(c, "/revenue/monthly"),
        also=[Call("GET", lambda c, made: acme(c, "/revenue/lines"))],
        denied=[
            ("outsider", "GET", lambda c: acme(c, "/revenue/monthly"), None, 404),
            ("outsider", "GET", lambda c: acme(c, "/revenue/lines"), None, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/revenue/monthly"),
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/revenue/lines"),
        ],
    ),
    Resource(
        name="imports and exports",
        actor="owner",
        collection=lambda c: "/api/v1/exports/accounts",
        also=[
            Call("POST", lambda c, made: "/api/v1/imports/contacts",
                 files={"file": CONTACTS_CSV}),
            Call("POST", lambda c, made: "/api/v1/imports/user-map",
                 files={"file": USER_MAP_CSV}, who="head"),
        ],
        denied=[
            ("owner", "POST", lambda c: "/api/v1/imports/user-map",
             Upload({"file": USER_MAP_CSV}), 403),
            ("viewer", "POST", lambda c: "/api/v1/imports/contacts",
             Upload({"file": CONTACTS_CSV}), 403),
        ],
    ),
]


def create_url(resource: Resource, cast: Any) -> str:
    return (resource.create_url or resource.collection)(cast)


def items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        return body["items"] if "items" in body else [body]  # type: ignore[no-any-return]
    return body  # type: ignore[no-any-return]


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
    created: dict[str, Any] = {}
    if resource.create is not None:
        created = _create(resource, client, cast, listed)
    elif resource.shows:
        key, value = resource.shows
        assert any(r.get(key) == value for r in resource.items(listed.json())), listed.text

    if resource.update:
        name, new = resource.update
        url = (resource.update_url or resource.item)(cast, created)  # type: ignore[misc]
        changed = client.patch(url, json={name: new})
        assert changed.status_code == 200, changed.text
        assert changed.json()[name] == new
        if resource.item:
            assert client.get(resource.item(cast, created)).json()[name] == new
    for call in resource.also:
        url = call.url(cast, created)
        body = call.body(cast) if callable(call.body) else call.body
        done = as_(call.who or resource.actor).request(
            call.method, url, json=body, files=call.files)
        assert done.status_code == call.status, (call.method, url, done.text)
        if call.shows:
            key, value = call.shows
            assert any(r.get(key) == value for r in items(done.json())), (url, done.text)
    if resource.delete_url:
        gone = as_(resource.delete_actor).delete(resource.delete_url(cast, created))
        assert gone.status_code == resource.delete_status, gone.text
        if resource.delete_status == 204:
            assert gone.content == b""
        if resource.item:
            assert client.get(resource.item(cast, created)).status_code == 404


def _create(resource: Resource, client: Any, cast: Any, listed: Any) -> dict[str, Any]:
    """Create (or set) the item; it shows in the answer, its location and the collection."""
    before = resource.count(listed.json())
    made = client.request(
        resource.create_method, create_url(resource, cast), json=resource.body(cast, client)
    )
    assert made.status_code == resource.create_status, made.text
    body = made.json()
    assert resource.shows, f"{resource}: say which field the created item shows"
    key, value = resource.shows
    rows = body if isinstance(body, list) else [body]
    assert any(r[key] == value for r in rows), body
    created: dict[str, Any] = rows[0]
    if resource.create_status == 201 and resource.item:
        assert made.headers["location"] == resource.item(cast, created)

    after = client.get(resource.collection(cast)).json()
    if resource.create_method == "POST" and resource.adds:
        assert resource.count(after) == before + 1
    assert any(r.get(key) == value for r in resource.items(after)), after

    if resource.item:
        read = client.get(resource.item(cast, created))
        assert read.status_code == 200 and read.json()[key] == value
    return created


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_it_refuses_callers_without_permission(resource: Resource, as_, cast) -> None:  # type: ignore[no-untyped-def]
    for who, method, url, body, status in resource.denied:
        sent = {"files": body.files} if isinstance(body, Upload) else {"json": body}
        response = as_(who).request(method, url(cast), **sent)
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


# ---------------------------------------------------------------- every route has a row


class _StandIn:
    """A cast for reading the rows' URLs without a database: every person has an id."""

    acme_id, globex_id = 101, 102

    def __getattr__(self, name: str) -> Any:
        return SimpleNamespace(id=103, email=f"{name}@accord.test")


def happy_path(resource: Resource) -> list[tuple[str, str]]:
    """(method, url) of every call of the resource's happy path (its list, create, read,
    update, other actions and delete), denied and not-found calls aside."""
    cast, made = _StandIn(), {"id": 104}
    calls = [("GET", resource.collection(cast))]
    if resource.create is not None:
        calls.append((resource.create_method, create_url(resource, cast)))
    if resource.item:
        calls.append(("GET", resource.item(cast, made)))
    if resource.update:
        calls.append(("PATCH", (resource.update_url or resource.item)(cast, made)))  # type: ignore[misc]
    calls += [(call.method, call.url(cast, made)) for call in resource.also]
    if resource.delete_url:
        calls.append(("DELETE", resource.delete_url(cast, made)))
    return calls


def test_every_api_route_has_a_contract_row(app) -> None:  # type: ignore[no-untyped-def]
    routes = [r.key for r in served(app)]
    api = {r.key for r in served(app) if r.is_api and r.key not in UNDOCUMENTED}
    assert len(api) >= 65, f"only {len(api)} API operations walked: is the walker broken?"
    reached: dict[tuple[str, str], str] = {}
    for resource in RESOURCES:
        for method, url in happy_path(resource):
            route = route_of(routes, method, url)
            assert route, f"{resource}: {method} {url} reaches no route of the app"
            reached.setdefault(route, resource.name)
    missing = sorted(api - set(reached))
    assert not missing, (
        "These API operations have no row in the contract table (tests/test_api_contract.py):"
        " add a Resource, or a Call to a resource's `also`, whose happy path calls each:\n"
        + "\n".join(f"    {method} {path}" for method, path in missing)
    )
