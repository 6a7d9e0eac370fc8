"""B11: schemathesis over EVERY operation of the OpenAPI document, as an admin, with data.

Each operation gets a few derandomised examples drawn from the document (valid inputs, and
inputs that break the document where the operation takes any); every answer must be no
server error and conform to the document (status code declared, media type, body schema,
headers). Failures are collected over all operations so one run names them all.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 3}


def _run(
    operation, mode: GenerationMode, headers: dict[str, str], known: dict[str, int]
) -> str | None:
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def conforms(data) -> None:
        fixed = {p.name: known[p.name] for p in operation.path_parameters if p.name in known}
        drawn = operation.as_strategy(generation_mode=mode)
        if fixed and data.draw(st.booleans()):  # half the cases on the cast's own rows
            drawn = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
        case = data.draw(drawn)
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        conforms()
    except Unsatisfiable:
        return None  # nothing to break: an operation without parameters or body
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported together below
        return f"{operation.label} [{mode.value}]: {exc}"
    return None


def test_every_operation_answers_as_documented(app, cast, sessions) -> None:
    token = cast.token(sessions, "admin")
    loaded = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    results = list(loaded.get_all_operations())
    assert all(isinstance(r, Ok) for r in results), [r for r in results if not isinstance(r, Ok)]
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) >= 50  # every operation, not a chosen few
    headers = {"Authorization": f"Bearer {token}"}
    known = {"account_id": cast.acme_id, "user_id": cast.owner.id, "team_id": cast.owner.team_id}
    failures = [
        failure
        for operation in operations
        for mode in EXAMPLES
        if (failure := _run(operation, mode, headers, known)) is not None
    ]
    assert failures == [], "\n\n".join(failures)


# ------------------------------------------------------------ what the document declares


def _document(client) -> dict:
    return client.get("/api/v1/openapi.json").json()


def test_every_operation_declares_its_problems(client) -> None:
    doc = _document(client)
    missing = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            wanted = {"401", "422"}
            if "requestBody" in op:
                wanted |= {"400", "413"}
            if any(p["in"] == "path" for p in op.get("parameters", [])):
                wanted.add("404")
            if method != "get":
                wanted.add("403")
            for code in sorted(wanted - set(op["responses"])):
                missing.append(f"{method.upper()} {path} {code}")
            for code, response in op["responses"].items():
                if code[0] in "45":
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}, (path, code)
    assert missing == []


def _integers(schema: dict, components: dict, where: str, seen: tuple = ()):
    """(where, schema) of every integer in a parameter's or a body's schema."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _integers(components[name], components, where, (*seen, name))
        return
    if schema.get("type") == "integer":
        yield where, schema
    for option in schema.get("anyOf", []):
        yield from _integers(option, components, where, seen)
    for name, sub in schema.get("properties", {}).items():
        yield from _integers(sub, components, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _integers(schema[key], components, f"{where}[]", seen)


def test_every_integer_parameter_declares_its_bounds(client) -> None:
    """Parameters and request bodies: no integer the database could not hold (B1)."""
    doc = _document(client)
    components = doc["components"]["schemas"]
    unbounded = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            schemas = [(p["name"], p["schema"]) for p in op.get("parameters", [])] + [
                ("body", c["schema"]) for c in op.get("requestBody", {}).get("content", {}).values()
            ]
            for name, schema in schemas:
                for where, integer in _integers(schema, components, name):
                    bounded = "minimum" in integer and "maximum" in integer
                    if not (bounded or integer.get("enum")):  # an enumeration: its values
                        unbounded.append(f"{method.upper()} {path} {where}")
    assert unbounded == []
    page_size = next(p for p in doc["paths"]["/api/v1/accounts"]["get"]["parameters"]
                     if p["name"] == "page_size")
    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 200)


def test_booleans_and_integers_are_taken_as_the_document_types_them(client, cast, sessions) -> None:
    client.headers["Authorization"] = f"Bearer {cast.token(sessions, 'admin')}"
    user = f"/api/v1/users/{cast.owner.id}"
    for body in ({"is_active": "true"}, {"is_active": 1}, {"capacity": "5"}, {"capacity": 5.0},
                 {"team_id": "1"}):
        response = client.patch(user, json=body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == next(iter(body))
    assert client.patch(user, json={"capacity": 5}).status_code == 200
    members = f"/api/v1/accounts/{cast.acme_id}/members"
    assert client.put(members, json={"user_ids": [str(cast.teammate.id)]}).status_code == 422
    assert client.get("/api/v1/kpis", params={"series": "yes"}).status_code == 422
    assert client.get("/api/v1/kpis", params={"series": "true"}).status_code == 200
