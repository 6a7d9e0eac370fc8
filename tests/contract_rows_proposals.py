"""The proposal and company resources of the API contract table; see ``contract_rows.py``.

Acme's manager adds an opportunity and builds a proposal from it (one offer line), renames
it, sends it, edits it after sending (version 2), sends and accepts it (its opportunity won);
declining it then is a 409. The company settings are read and changed by an admin. A viewer
may not create one, an outsider does not find Acme, and a discount above the price, an
opportunity not of this account, no opportunity or a bad validity date is a 422 naming the
field."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource, acme

OFFER = {"description": "Pumps", "quantity": "2", "unit_price": "1000.00", "tax_rate": "20"}
PROPOSAL = {"title": "Second plant", "opportunity_ids": [MISSING], "offers": [OFFER]}


def _proposal(cast: Any, client: Any) -> dict[str, Any]:
    made = client.post(acme(cast, "/opportunities"), json={
        "title": "Pumps for plant 2", "kind": "cross_sell", "value": "2000.00"}).json()
    return {**PROPOSAL, "opportunity_ids": [made["id"]]}


def item(made: dict[str, Any], tail: str = "") -> str:
    return f"/api/v1/proposals/{made['id']}{tail}"


PROPOSALS = [
    Resource(
        name="proposals",
        actor="owner",
        collection=lambda c: acme(c, "/proposals"),
        create=_proposal,
        shows=("title", "Second plant"),
        item=lambda c, made: item(made),
        update=("title", "Second plant, revised"),
        count=lambda body: int(body["total"]),
        also=[
            Call("POST", lambda c, made: item(made, "/send"), shows=("status", "sent")),
            Call("PATCH", lambda c, made: item(made),
                 body={"offers": [{**OFFER, "unit_price": "900.00"}]},
                 shows=("current_version", 2)),
            Call("GET", lambda c, made: item(made, "?version=1"), shows=("read_only", True)),
            Call("POST", lambda c, made: item(made, "/send"), shows=("status", "sent")),
            Call("POST", lambda c, made: item(made, "/accept"), shows=("status", "accepted")),
            Call("POST", lambda c, made: item(made, "/decline"), status=409),
            Call("GET", lambda c, made: "/api/v1/proposals", who="head",
                 shows=("status", "accepted")),
            Call("GET", lambda c, made: "/api/v1/company", shows=("currency", "EUR")),
            Call("PUT", lambda c, made: "/api/v1/company", who="admin",
                 body={"name": "Northwind"}, shows=("name", "Northwind")),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/proposals"), PROPOSAL, 403),
            ("outsider", "POST", lambda c: acme(c, "/proposals"), PROPOSAL, 404),
            ("outsider", "GET", lambda c: acme(c, "/proposals"), None, 404),
            ("owner", "PUT", lambda c: "/api/v1/company", {"name": "Mine"}, 403),
        ],
        missing=[
            ("owner", "GET", lambda c: f"/api/v1/proposals/{MISSING}"),
            ("owner", "PATCH", lambda c: f"/api/v1/proposals/{MISSING}"),
            ("owner", "POST", lambda c: f"/api/v1/proposals/{MISSING}/send"),
            ("owner", "GET", lambda c: f"/api/v1/accounts/{MISSING}/proposals"),
        ],
        bad=[
            ({**PROPOSAL, "offers": [{**OFFER, "discount": "1000.01"}]}, "offers.0.discount"),
            (PROPOSAL, "opportunity_ids.0"),
            ({**PROPOSAL, "opportunity_ids": []}, "opportunity_ids"),
            ({**PROPOSAL, "valid_until": "2001-01-01"}, "valid_until"),
            ({**PROPOSAL, "offers": [{**OFFER, "unit_price": "abc"}]}, "offers.0.unit_price"),
        ],
    ),
]
