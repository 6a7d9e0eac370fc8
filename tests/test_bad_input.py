"""Bad input never reaches a 500 (issue 9, section 4: B1–B5, B7, B9).

The B1 and B2 cases are generated from the app's route table, so a route added later is
covered the day it lands: every integer in a path or query is bounded to the 32-bit ids
both databases hold, and a control character anywhere in a path, query or body is a 422.
"""

from __future__ import annotations

import asyncio
import enum
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from conftest import TEST_SECRET
from page_helpers import sign_in

MAX_ID = 2**31 - 1
TOO_BIG = (2**63, 3_000_000_000)  # past SQLite's INTEGER, past PostgreSQL's int4


@dataclass
class Param:
    name: str
    where: str  # "path" or "query"
    annotation: Any


@dataclass
class Operation:
    method: str
    path: str  # with {placeholders}
    params: list[Param]
    route: APIRoute

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def _params(dependant) -> Iterator[Param]:
    for p in dependant.path_params:
        yield Param(p.name, "path", p.field_info.annotation)
    for p in dependant.query_params:
        yield Param(p.alias or p.name, "query", p.field_info.annotation)
    for sub in dependant.dependencies:
        yield from _params(sub)


def operations(app) -> list[Operation]:
    """Every route and method of the app (API and pages), with the full path."""
    found = []
    for context in iter_route_contexts(app.router.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not context.path:
            continue
        params = list({(p.name, p.where): p for p in _params(route.dependant)}.values())
        for method in sorted((context.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Operation(method, context.path, params, route))
    return found


def _base(annotation: Any) -> Any:
    """``int | None`` -> int; an Annotated or Optional wrapper removed."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return _base(args[0]) if len(args) == 1 else annotation
    return annotation


def _is_int(annotation: Any) -> bool:
    base = _base(annotation)
    return base is int


def _sample(param: Param, cast) -> str:
    """A plausible value for a path parameter (the one under test is replaced)."""
    base = _base(param.annotation)
    if base is int:
        return str(cast.acme_id)
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return str(next(iter(base)).value)
    return {"fmt": "csv", "table": "accounts", "kind": "attractiveness"}.get(param.name, "x")


def _url(op: Operation, cast, override: dict[str, str]) -> tuple[str, dict[str, str]]:
    path = op.path
    query: dict[str, str] = {}
    for p in op.params:
        value = override.get(p.name)
        if p.where == "path":
            path = path.replace("{" + p.name + "}", quote(value or _sample(p, cast), safe=""))
        elif value is not None:
            query[p.name] = value
    return path, query


@pytest.fixture
def callers(app, cast, sessions):
    """An admin API client and an admin signed into the pages (with the CSRF header)."""
    api = TestClient(app, raise_server_exceptions=False)
    api.headers["Authorization"] = f"Bearer {cast.token(sessions, 'admin')}"
    pages = TestClient(app, raise_server_exceptions=False)
    pages.headers["X-CSRF-Token"] = sign_in(pages, "admin@accord.test")
    return api, pages


def _call(op: Operation, callers, url: str, query: dict[str, str], **kw: Any):
    api, pages = callers
    client = api if op.is_api else pages
    return client.request(op.method, url, params=query, follow_redirects=False, **kw)


# ---------------------------------------------------------------- B1: bounded integers


def _upper_bound(op: Operation, name: str) -> int | None:
    """The declared ``le`` of an integer parameter (where it is declared: route or dependency),
    None without a lower and an upper bound."""
    dependants = [op.route.dependant]
    metadata: list[Any] = []
    while dependants:
        d = dependants.pop()
        metadata.extend(m for q in d.path_params + d.query_params if q.name == name
                        for m in q.field_info.metadata)
        dependants.extend(d.dependencies)
    highs = [h for m in metadata for h in (getattr(m, "le", None), getattr(m, "lt", None))
             if h is not None]
    lows = [lo for m in metadata for lo in (getattr(m, "ge", None), getattr(m, "gt", None))
            if lo is not None]
    return min(highs) if highs and lows else None


def test_every_integer_parameter_is_bounded_in_the_route_table(app) -> None:
    """Row ids and page numbers within 32 bits; a 64-bit key (an audit cursor) within 64."""
    unbounded = sorted({
        f"{op.method} {op.path} {p.where} {p.name}"
        for op in operations(app) for p in op.params
        if _is_int(p.annotation) and ((_upper_bound(op, p.name) or 2**63) >= 2**63)
    })
    assert unbounded == []


def test_an_integer_too_large_for_the_database_is_a_422_everywhere(app, cast, callers) -> None:
    answers = {}
    cases = 0
    for op in operations(app):
        for p in op.params:
            if not _is_int(p.annotation):
                continue
            for value in TOO_BIG:
                url, query = _url(op, cast, {p.name: str(value)})
                response = _call(op, callers, url, query)
                cases += 1
                wide = (_upper_bound(op, p.name) or 0) >= value  # a declared 64-bit key
                if response.status_code >= 500 or not (wide or response.status_code == 422):
                    answers[f"{op.method} {op.path} {p.name}={value}"] = response.status_code
    assert cases > 60  # the pages and the API, not a handful
    assert answers == {}


# ---------------------------------------------------------------- B2: control characters


def test_a_control_character_in_any_path_or_query_parameter_is_a_422(app, cast, callers) -> None:
    answers = {}
    for op in operations(app):
        for p in op.params:
            if _is_int(p.annotation) or _base(p.annotation) is bool:
                continue
            for bad in ("a\x00b", "a\x1bb"):
                url, query = _url(op, cast, {p.name: bad})
                response = _call(op, callers, url, query)
                if response.status_code != 422:
                    answers[f"{op.method} {op.path} {p.name}={bad!r}"] = response.status_code
    assert answers == {}



ODD_TEXT = ("9999-12", "0000-00", "2025-1", "-1", "99999999999999999999", " ", "x" * 5000)


def test_odd_text_in_any_path_or_query_parameter_is_never_a_server_error(
    app, cast, callers
) -> None:
    """Months out of the calendar or the data, numbers as text, blanks, 5,000 characters."""
    answers = {}
    for op in operations(app):
        for p in op.params:
            if _is_int(p.annotation):
                continue
            for odd in ODD_TEXT:
                url, query = _url(op, cast, {p.name: odd})
                response = _call(op, callers, url, query)
                if response.status_code >= 500:
                    answers[f"{op.method} {op.path} {p.name}={odd[:20]}"] = response.status_code
    assert answers == {}


def _json_body(route: APIRoute, bad: str) -> dict[str, Any] | None:
    """A body for the route's model with every string field set to ``bad``."""
    body = [p for p in route.dependant.body_params if p.field_info.annotation is not None]
    if len(body) != 1:
        return None
    annotation = _base(body[0].field_info.annotation)
    fields = getattr(annotation, "model_fields", None)
    if fields is None:
        return {"name": bad}
    document = {}
    for name, field in fields.items():
        if "str" in repr(field.annotation) or field.annotation is str:
            document[name] = bad
    return document or {next(iter(fields)): bad}


def test_a_control_character_in_any_json_body_is_a_422_naming_the_field(app, cast, callers) -> None:
    answers = {}
    cases = 0
    for op in operations(app):
        if not op.is_api or op.method == "GET":
            continue
        document = _json_body(op.route, "ok\x00")
        if document is None:
            continue
        url, query = _url(op, cast, {})
        response = _call(op, callers, url, query, json=document)
        cases += 1
        named = {e["field"] for e in response.json().get("errors", [])} if (
            response.headers.get("content-type", "").endswith("json")) else set()
        if response.status_code != 422 or not named & set(document):
            answers[f"{op.method} {op.path}"] = (response.status_code, sorted(named))
    assert cases >= 15
    assert answers == {}


def _accounts(sessions) -> int:
    from sqlalchemy import func, select

    from accord.accounts.models import Account

    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Account)) or 0)


def _reads_form(dependant) -> bool:
    from accord.web import page_deps

    return bool(dependant.body_params) or any(
        d.call is page_deps._form or _reads_form(d) for d in dependant.dependencies
    )


def test_a_control_character_in_any_page_form_is_a_422(app, cast, callers) -> None:
    """Every page that takes a form: URL-encoded (refused at the edge, whether the page reads
    the form or not) and multipart (refused where the form is parsed)."""
    _, pages = callers
    answers = {}
    posts = [op for op in operations(app) if not op.is_api and op.method == "POST"]
    form = {"name": "ok\x00", "summary": "a\x07b"}
    for op in posts:
        url, query = _url(op, cast, {})
        response = pages.post(url, params=query, data=form, follow_redirects=False)
        if response.status_code != 422:
            answers[f"POST {op.path} urlencoded"] = response.status_code
    for op in [op for op in posts if _reads_form(op.route.dependant)]:
        url, query = _url(op, cast, {})
        response = pages.post(url, params=query, data=form, files={"file": ("a.csv", b"x\n")},
                              follow_redirects=False)
        if response.status_code != 422:
            answers[f"POST {op.path} multipart"] = response.status_code
    assert len(posts) > 20
    assert answers == {}


def test_nul_in_a_new_account_is_refused_and_nothing_is_stored(client, cast, sessions) -> None:
    client.headers["Authorization"] = f"Bearer {cast.token(sessions, 'admin')}"
    before = _accounts(sessions)
    response = client.post("/api/v1/accounts", json={"name": "Initech\u0000", "notes": "ok\nok"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "name", "message": "must not contain control characters"}
    ]
    assert _accounts(sessions) == before
    # several lines and tabs are text in a body
    ok = client.post("/api/v1/accounts", json={"name": "Initech", "notes": "a\n\tb\r\n"})
    assert ok.status_code == 201


def test_a_control_character_in_a_page_form_is_a_422(client, cast) -> None:
    csrf = sign_in(client, "admin@accord.test")
    plain = client.post(
        "/accounts/new", data={"name": "Initech\x00", "csrf_token": csrf}, follow_redirects=False
    )
    assert plain.status_code == 422
    multipart = client.post(
        "/import",
        data={"kind": "accounts\x00", "source": "generic", "csrf_token": csrf},
        files={"file": ("a.csv", b"name\nAcme\n", "text/csv")},
        follow_redirects=False,
    )
    assert multipart.status_code == 422


# ---------------------------------------------------------------- B9: request size


async def _asgi(app, method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes],
                ) -> tuple[int, bytes, int]:
    """Call the app as a server would, streaming ``chunks``; (status, body, bytes read)."""
    read = 0
    sent: list[dict[str, Any]] = []
    finished = False

    async def receive() -> dict[str, Any]:
        nonlocal read, finished
        if finished:
            await asyncio.sleep(3600)
        chunk = next(chunks, None)
        if chunk is None:
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, read


def _megabytes(n: int) -> Iterator[bytes]:
    chunk = b"[" + b"1," * 32767 + b"1"  # 64 KiB of one JSON array, never closed
    for _ in range(n * 16):
        yield chunk


def test_a_huge_unauthenticated_body_is_refused_before_it_is_read(app) -> None:
    size = str(200 * 1024 * 1024)
    for headers in (
        {"content-type": "application/json", "content-length": size},
        {"content-type": "application/json", "transfer-encoding": "chunked"},
    ):
        status, body, read = asyncio.run(
            _asgi(app, "POST", "/api/v1/accounts", headers, _megabytes(200))
        )
        assert status == 401
        assert json.loads(body)["status"] == 401
        assert read == 0


def test_a_body_over_the_cap_is_a_413_without_reading_it_all(app, cast, sessions) -> None:
    token = cast.token(sessions, "admin")
    auth = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    status, body, read = asyncio.run(_asgi(
        app, "POST", "/api/v1/accounts", {**auth, "content-length": str(200 * 1024 * 1024)},
        _megabytes(200),
    ))
    assert (status, read) == (413, 0)
    assert json.loads(body)["title"] == "Content too large"
    status, body, read = asyncio.run(_asgi(
        app, "POST", "/api/v1/accounts", {**auth, "transfer-encoding": "chunked"},
        _megabytes(200),
    ))
    assert status == 413
    assert read <= app.state.settings.max_body_bytes + 64 * 1024
    status, _, read = asyncio.run(_asgi(  # a length past any integer the server would parse
        app, "POST", "/api/v1/accounts", {**auth, "content-length": "9" * 5000}, _megabytes(1),
    ))
    assert (status, read) == (413, 0)


def test_uploads_have_their_own_larger_cap(engine, cast, sessions, database_url) -> None:
    from accord.app.asgi import create_app
    from accord.core.settings import Settings

    app = create_app(Settings(mode="test", database_url=database_url, secret_key=TEST_SECRET,
                              max_body_bytes=4096, max_upload_bytes=64 * 1024))
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {cast.token(sessions, 'admin')}"
    rows = "external_id,name\n" + "".join(f"A{i:06d},Account {i:06d}\n" for i in range(400))
    small = client.post("/api/v1/imports/accounts", data={"dry_run": "true"},
                        files={"file": ("a.csv", rows.encode(), "text/csv")})
    assert small.status_code == 200, small.text  # over the body cap, within the upload cap
    big = client.post("/api/v1/imports/accounts", data={"dry_run": "true"},
                      files={"file": ("a.csv", (rows * 10).encode(), "text/csv")})
    assert big.status_code == 413
    assert big.headers["content-type"] == "application/problem+json"
    form = client.post("/api/v1/accounts", json={"name": "x" * 5000})
    assert form.status_code == 413  # any other route keeps the small cap


# ---------------------------------------------------------------- B3: settings bodies

SETTINGS: dict[str, list[dict[str, Any]]] = {
    "/api/v1/health/settings": [
        {"measures": "x"}, {"measures": {"sentiment": "x"}}, {"measures": ["sentiment"]},
        {"cadence_days": "x"}, {"cadence_days": {"Star": [1]}}, {"green_from": {"a": 1}},
        {"green_from": 2**63},
    ],
    "/api/v1/health/settings/segments/Retail": [{"measures": "x"}, {"cadence_days": 3}],
    "/api/v1/selection/settings": [
        {"window_months": [1]}, {"attractiveness_cut": {"a": 1}}, {"min_criteria": 2**70},
    ],
    "/api/v1/stages/settings": [
        {"decisions": "x"}, {"decisions": {"Tactical": "x"}}, {"contacts_for_2": [2]},
        {"share_for_2": {"a": 1}},
    ],
    "/api/v1/kpis/policy": [
        {"window_months": "x"}, {"abc_a": [1]}, {"basis": 3}, {"as_of": 202501},
        {"window_months": 2**63},
    ],
}


def test_settings_bodies_of_the_wrong_type_are_a_422(client, cast, sessions) -> None:
    client.headers["Authorization"] = f"Bearer {cast.token(sessions, 'admin')}"
    answers = {}
    for url, bodies in SETTINGS.items():
        for body in bodies:
            response = client.put(url, json=body)
            ok = (response.status_code == 422
                  and response.headers["content-type"] == "application/problem+json"
                  and response.json()["errors"][0]["field"].split(".")[0] in body)
            if not ok:
                answers[f"{url} {body}"] = (response.status_code, response.text[:200])
    assert answers == {}
    # and the right types still work, numbers given as text where they are decimals
    assert client.put("/api/v1/health/settings", json={
        "measures": {"sentiment": {"weight": "30"}}, "green_from": 71,
    }).status_code == 200
    assert client.put("/api/v1/selection/settings",
                      json={"attractiveness_cut": 5.5}).json()["attractiveness_cut"] == "5.5"


# ---------------------------------------------------------------- B4: the scoring form


def test_a_scoring_field_not_named_after_a_criterion_is_a_form_error(client, cast) -> None:
    csrf = sign_in(client, "owner@accord.test")
    for name in ("a_x", "us_", "a_²", "us_99999999999999999999"):
        response = client.post(
            f"/accounts/{cast.acme_id}/kam/score",
            data={name: "5", "competitor_name": "Rival", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert response.status_code == 422, name
        assert "not a criterion of this form" in response.text


# ---------------------------------------------------------------- B5: string lengths


def test_a_segment_longer_than_the_column_is_a_422_naming_it(client, cast, sessions) -> None:
    client.headers["Authorization"] = f"Bearer {cast.token(sessions, 'admin')}"
    long = "S" * 5000
    cases = [
        ("PUT", f"/api/v1/health/settings/segments/{long}", {"green_from": 80}, "segment"),
        ("DELETE", f"/api/v1/health/settings/segments/{long}", None, "segment"),
        ("POST", "/api/v1/accounts", {"name": "Initech", "segment": long}, "segment"),
        ("PATCH", f"/api/v1/accounts/{cast.acme_id}", {"segment": long}, "segment"),
        ("GET", f"/api/v1/accounts/by-external-id/{long}", None, "external_id"),
        ("PUT", f"/api/v1/accounts/{cast.acme_id}/stage-overrides/{long}",
         {"score": 2, "reason": "x"}, "criterion"),
    ]
    for method, url, body, field in cases:
        response = client.request(method, url, json=body)
        assert response.status_code == 422, (method, url[:60], response.text[:200])
        assert field in {e["field"] for e in response.json()["errors"]}, url[:60]


def test_every_string_the_api_takes_has_a_declared_length(client) -> None:
    """Parameters and request bodies: every text is bounded (or an enum, a pattern, a date,
    a file, a decimal number), so a too long value is a 422 before it reaches a column."""
    doc = client.get("/api/v1/openapi.json").json()
    components = doc["components"]["schemas"]
    found: list[str] = []

    def walk(schema: dict[str, Any], where: str, seen: tuple[str, ...] = ()) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(components[name], where, (*seen, name))
            return
        options = schema.get("anyOf", [])
        if any(o.get("type") == "number" for o in options):
            return  # a decimal: a number, or the same number as text
        for option in options:
            walk(option, where, seen)
        if _unbounded_text(schema):
            found.append(where)
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{name}", seen)
        if isinstance(schema.get("additionalProperties"), dict):
            walk(schema["additionalProperties"], f"{where}.*", seen)
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], f"{where}[]", seen)

    for schema, where in _inputs(doc):
        walk(schema, where)
    assert found == []


def _unbounded_text(schema: dict[str, Any]) -> bool:
    """A string with no enum, length, constant or pattern that is not a date, a file or media."""
    return (
        schema.get("type") == "string"
        and not {"enum", "maxLength", "const", "pattern"} & set(schema)
        and schema.get("format") not in ("date", "date-time", "binary")
        and "contentMediaType" not in schema
    )


def _inputs(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """(schema, where) of every parameter and request body of the OpenAPI document."""
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []):
                yield p["schema"], f"{method.upper()} {path} {p['name']}"
            for content in op.get("requestBody", {}).get("content", {}).values():
                yield content["schema"], f"{method.upper()} {path} body"


# ---------------------------------------------------------------- B7: the pinned KPI month


def test_a_kpi_month_without_data_cannot_be_pinned(client, cast, sessions) -> None:
    from accord.kpis import service
    from import_helpers import write_monthly

    client.headers["Authorization"] = f"Bearer {cast.token(sessions, 'admin')}"
    assert client.put("/api/v1/kpis/policy", json={"as_of": "9999-12"}).status_code == 422
    service.clear_cache()
    with sessions.begin() as db:
        write_monthly(db, cast.acme_id, {2024 * 12 + m: 10_000 for m in range(24)})
        service.rebuild(db)
    for month in ("9999-12", "2026-01", "2023-12", "0001-01", "2024-13"):
        response = client.put("/api/v1/kpis/policy", json={"as_of": month})
        assert response.status_code == 422, month
        assert response.json()["errors"][0]["field"] == "as_of"
    assert client.get("/api/v1/kpis").status_code == 200  # the dashboards still work
    pinned = client.put("/api/v1/kpis/policy", json={"as_of": "2025-06"})
    assert pinned.status_code == 200 and pinned.json()["as_of"] == "2025-06"
    assert client.get("/api/v1/kpis").json()["as_of"] == "2025-06"
    assert client.put("/api/v1/kpis/policy", json={"as_of": "auto"}).json()["as_of"] is None


def test_numbers_past_the_columns_in_page_forms_are_form_errors(client, cast) -> None:
    """B1 in forms: a number typed into a page form past its column is a 422, not a crash."""
    client = TestClient(client.app, raise_server_exceptions=False)
    csrf = sign_in(client, "admin@accord.test")
    answers = {}
    for url, data in (
        (f"/admin/users/{cast.owner.id}", {"name": "Olivia", "role": "manager",
                                           "team_id": "99999999999", "capacity": "100"}),
        (f"/admin/users/{cast.owner.id}", {"name": "Olivia", "role": "manager",
                                           "capacity": str(2**63)}),
        ("/admin/users", {"email": "new@accord.test", "name": "New", "role": "manager",
                          "capacity": "99999999999"}),
        (f"/accounts/{cast.acme_id}/members", {"user_ids": str(2**63)}),
        (f"/accounts/{cast.acme_id}/members", {"user_ids": "3000000000"}),
        (f"/admin/teams/{cast.owner.team_id}/members", {"user_id": "99999999999"}),
    ):
        response = client.post(url, data={**data, "csrf_token": csrf}, follow_redirects=False)
        if response.status_code != 422:
            answers[f"{url} {data}"] = response.status_code
    assert answers == {}


def test_text_past_the_columns_in_the_user_forms_is_a_form_error(client, cast) -> None:
    """B5 in forms: the user administration page bounds text like the users table."""
    client = TestClient(client.app, raise_server_exceptions=False)
    csrf = sign_in(client, "admin@accord.test")
    long = "x" * 5000
    base = {"email": "new@accord.test", "name": "New", "role": "manager", "capacity": "10"}
    for url, data, field in (
        ("/admin/users", {**base, "name": long}, "name"),
        ("/admin/users", {**base, "segment": long}, "segment"),
        ("/admin/users", {**base, "email": long + "@accord.test"}, "email"),
        (f"/admin/users/{cast.owner.id}",
         {"name": "Olivia", "role": "manager", "capacity": "10", "segment": long}, "segment"),
    ):
        response = client.post(url, data={**data, "csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == 422, (url, field)
        assert "at most" in response.text


def test_json_nested_too_deeply_is_a_400_not_a_crash(client, cast, sessions) -> None:
    """B9: within the size cap, 100,000 nested brackets would exhaust the parser's stack."""
    client.headers["Authorization"] = f"Bearer {cast.token(sessions, 'admin')}"
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000):
        response = client.post("/api/v1/accounts", content=body,
                               headers={"content-type": "application/json"})
        assert response.status_code == 400
        assert response.json()["detail"] == "the JSON nests deeper than 32 levels"
    brackets = {"name": "Initech [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ {{{{"}
    assert client.post("/api/v1/accounts", json=brackets).status_code == 201


#: each request schema and the tables its text fields are stored in
STORED_IN = {
    "accord.users.schemas:UserIn": ("users",),
    "accord.users.schemas:UserPatch": ("users",),
    "accord.users.schemas:TokenIn": ("api_tokens",),
    "accord.users.schemas:TeamIn": ("teams",),
    "accord.users.schemas:TeamPatch": ("teams",),
    "accord.accounts.schemas:AccountIn": ("accounts",),
    "accord.accounts.schemas:AccountPatch": ("accounts",),
    "accord.accounts.schemas:ContactIn": ("contacts", "account_contacts"),
    "accord.accounts.api_schemas:ContactPatch": ("contacts", "account_contacts"),
    "accord.accounts.schemas:InteractionIn": ("interactions",),
    "accord.selection.schemas:CriterionIn": ("selection_criteria",),
    "accord.selection.schemas:ScoringIn": ("selection_scorings",),
    "accord.selection.schemas:DeselectIn": ("selection_deselections",),
    "accord.relationships.schemas:AssessmentIn": ("stage_assessments",),
    "accord.relationships.schemas:OverrideIn": ("stage_overrides",),
}


def test_text_lengths_in_the_request_schemas_match_their_columns() -> None:
    """B5: a schema never lets through more characters than its column holds."""
    import importlib

    from sqlalchemy import String

    import accord.schema  # noqa: F401 - every model registered
    from accord.core.database import Base

    too_long, checked = [], 0
    for ref, tables in STORED_IN.items():
        module, name = ref.split(":")
        schema = getattr(importlib.import_module(module), name).model_json_schema()
        for field, spec in schema["properties"].items():
            texts = [o for o in [spec, *spec.get("anyOf", [])]
                     if o.get("type") == "string" and not {"enum", "format", "const"} & set(o)]
            if not texts:
                continue  # an enum, a date, a number: not free text
            lengths = [o["maxLength"] for o in texts if "maxLength" in o]
            for table in tables:
                column = Base.metadata.tables[table].columns.get(field)
                if column is None or not isinstance(column.type, String):
                    continue
                limit = column.type.length
                checked += 1
                if limit is not None and (not lengths or max(lengths) > limit):
                    too_long.append(f"{name}.{field}: {lengths} > {table}.{field} {limit}")
    assert checked > 25
    assert too_long == []


def test_a_month_pinned_past_the_data_before_the_check_no_longer_breaks_the_dashboards(
    client, cast, sessions
) -> None:
    """B7 for databases that already hold such a pin: reports show the data's last month."""
    from accord.kpis import service
    from accord.kpis.models import KpiPolicy
    from import_helpers import write_monthly

    service.clear_cache()
    with sessions.begin() as db:
        write_monthly(db, cast.acme_id, {2024 * 12 + m: 10_000 for m in range(24)})
        service.rebuild(db)
        db.merge(KpiPolicy(id=service.POLICY_ID, window_months=12, basis="trailing",
                           as_of_month=9999 * 12 + 11))
    client.headers["Authorization"] = f"Bearer {cast.token(sessions, 'admin')}"
    response = client.get("/api/v1/kpis")
    assert response.status_code == 200 and response.json()["as_of"] == "2025-12"
    assert client.get("/api/v1/kpis", params={"as_of": "2026-01"}).status_code == 422
    del client.headers["Authorization"]
    sign_in(client, "admin@accord.test")
    assert client.get("/dashboard").status_code == 200
