"""The same contract for every REST resource, NetBox style: supply data, not copied tests.

List, create, read, update, delete (where the resource allows it), the resource's other
actions (``also``), permission denied, not found, and bad input giving a 422 problem body
naming the field, with nothing written.

Every API operation the app serves (its own route table, ``tests/route_walk.py``) must be
called by some row: ``test_every_api_route_has_a_contract_row`` fails for a new route until
a row (or an ``also`` call of one) reaches it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from conftest import api_client
from contract_rows import FOUNDATION, Resource, Upload, items
from contract_rows_kam import KEY_ACCOUNTS
from route_walk import route_of, served

RESOURCES = FOUNDATION + KEY_ACCOUNTS
#: API routes no row calls on purpose: the document and its viewer (tests/test_openapi.py)
UNDOCUMENTED = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs")}



def create_url(resource: Resource, cast: Any) -> str:
    return (resource.create_url or resource.collection)(cast)


@pytest.fixture
def as_(app, cast, sessions):
    clients: dict[str, Any] = {}

    def client(who: str):
        if who not in clients:
            clients[who] = api_client(app, cast.token(sessions, who))
        return clients[who]

    return client


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_it_lists_creates_reads_updates_and_deletes(resource: Resource, as_, cast) -> None:
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
        body: Any = call.body(cast) if callable(call.body) else call.body
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
def test_it_refuses_callers_without_permission(resource: Resource, as_, cast) -> None:
    for who, method, url, body, status in resource.denied:
        sent = {"files": body.files} if isinstance(body, Upload) else {"json": body}
        response = as_(who).request(method, url(cast), **sent)
        assert response.status_code == status, (who, method, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == status


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_it_answers_404_for_what_does_not_exist(resource: Resource, as_, cast) -> None:
    for who, method, url in resource.missing:
        body: dict[str, Any] | None = {} if method in ("PATCH", "POST") else None
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
) -> None:
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
def test_it_requires_a_token(resource: Resource, app, cast) -> None:
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


def test_every_api_route_has_a_contract_row(app) -> None:
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
