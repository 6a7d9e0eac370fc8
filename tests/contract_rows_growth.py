"""The growth resources of the API contract table; see ``contract_rows.py``.

An admin adds a product line, changes it, adds an offering and maps a revenue value to it;
Acme's manager records a need (a product gap) and reads the whitespace matrix, the portfolio
view and the gaps. A manager may not change the catalogue, a viewer may not add a need, an
outsider does not find Acme, and an empty name, a negative price, an empty need or an unknown
category is a 422 naming the field."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource, acme


def _line(made: dict[str, Any], tail: str = "") -> str:
    return f"/api/v1/catalogue/lines/{made['id']}{tail}"


def _alias_body(cast: Any, client: Any) -> dict[str, Any]:
    line = client.post("/api/v1/catalogue/lines", json={"name": "Aliased line"}).json()
    return {"alias": "Old name", "product_line_id": line["id"]}


GROWTH = [
    Resource(
        name="catalogue lines",
        actor="admin",
        collection=lambda c: "/api/v1/catalogue",
        create_url=lambda c: "/api/v1/catalogue/lines",
        listing=lambda body: body["lines"],
        count=lambda body: len(body["lines"]),
        create={"name": "Maintenance", "list_price": "1200.00"},
        shows=("name", "Maintenance"),
        update=("description", "Spare parts and service"),
        update_url=lambda c, made: _line(made),
        also=[
            Call("POST", lambda c, made: _line(made, "/offerings"), status=201,
                 body={"name": "Premium"}, shows=("name", "Premium")),
            Call("POST", lambda c, made: f"/api/v1/catalogue/offerings/{MISSING}/skus",
                 status=404, body={"code": "X-1", "name": "X"}),
            Call("GET", lambda c, made: "/api/v1/catalogue/unmapped", who="viewer"),
        ],
        denied=[
            ("owner", "POST", lambda c: "/api/v1/catalogue/lines", {"name": "X"}, 403),
            ("head", "PATCH", lambda c: "/api/v1/catalogue/lines/1", {"name": "X"}, 403),
        ],
        missing=[("admin", "PATCH", lambda c: f"/api/v1/catalogue/lines/{MISSING}")],
        bad=[({"name": ""}, "name"), ({"name": "A", "list_price": "-1"}, "list_price")],
    ),
    Resource(
        name="product-line aliases",
        actor="admin",
        collection=lambda c: "/api/v1/catalogue/aliases",
        create=_alias_body,
        shows=("alias", "Old name"),
        delete_url=lambda c, made: f"/api/v1/catalogue/aliases/{made['id']}",
        delete_actor="admin",
        denied=[("owner", "POST", lambda c: "/api/v1/catalogue/aliases",
                 {"alias": "x", "product_line_id": 1}, 403)],
        missing=[("admin", "DELETE", lambda c: f"/api/v1/catalogue/aliases/{MISSING}")],
        bad=[({"alias": "", "product_line_id": 1}, "alias"),
             ({"alias": "x", "product_line_id": "1"}, "product_line_id")],
    ),
    Resource(
        name="needs",
        actor="owner",
        collection=lambda c: acme(c, "/needs"),
        create={"text": "Drones to inspect remote sites", "category": "technology"},
        shows=("text", "Drones to inspect remote sites"),
        also=[
            Call("GET", lambda c, made: "/api/v1/needs/gaps",
                 shows=("text", "Drones to inspect remote sites")),
            Call("GET", lambda c, made: acme(c, "/whitespace")),
            Call("GET", lambda c, made: "/api/v1/whitespace", who="head"),
            Call("PUT", lambda c, made: acme(c, f"/whitespace/{MISSING}"), status=404,
                 body={"reason": "Not for them"}),
            Call("DELETE", lambda c, made: acme(c, f"/whitespace/{MISSING}"), status=404),
        ],
        delete_url=lambda c, made: acme(c, f"/needs/{made['id']}"),
        delete_actor="owner",
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/needs"), {"text": "x"}, 403),
            ("outsider", "POST", lambda c: acme(c, "/needs"), {"text": "x"}, 404),
        ],
        missing=[("owner", "DELETE", lambda c: acme(c, f"/needs/{MISSING}")),
                 ("outsider", "GET", lambda c: acme(c, "/whitespace"))],
        bad=[({"text": ""}, "text"), ({"text": "x", "category": "astrology"}, "category")],
    ),
]
