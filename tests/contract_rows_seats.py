"""The seats resources of the API contract table (licence users with their seats, usage and
domains; the product names); see ``contract_rows.py``.

An admin (the catalogue's rights and billing's: the service and Acme's subscription of one
seat since 2020, renewing itself, are added through the API in the create call) adds the
licence user Ann, gives her the seat (201) and again (409: she holds it); a viewer reads the
licence users and the usage; the owner adds and removes a domain. An assignment's id cannot
be read from the happy path, so ending one is called on a missing one (404):
``tests/test_licences_seats_doors.py`` ends real ones. A viewer may not add a person, an
outsider does not find Acme's; a malformed sign-in name or another account's contact is a
422 naming the field. Product names: an admin maps one, billing deletes it; a manager may
not add one; a duplicate key is a 409 (the doors test), an unknown service a 422."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource, acme

NAMES = "/api/v1/product-names"
#: what the create calls learnt (a Call's body sees only the cast)
_MADE: dict[str, int] = {}


def _service(client: Any, code: str) -> int:
    line = client.post("/api/v1/catalogue/lines", json={"name": f"{code} line"})
    assert line.status_code == 201, line.text
    offering = client.post(f"/api/v1/catalogue/lines/{line.json()['id']}/offerings",
                           json={"name": f"{code} offering"})
    assert offering.status_code == 201, offering.text
    sku = client.post(f"/api/v1/catalogue/offerings/{offering.json()['id']}/skus",
                      json={"code": code, "name": "Seats Contract E3", "unit": "seat"})
    assert sku.status_code == 201, sku.text
    return int(sku.json()["id"])


def _licence_user(cast: Any, client: Any) -> dict[str, Any]:
    sku = _service(client, "SEATS-CONTRACT-E3")
    sub = client.post("/api/v1/subscriptions", json={
        "account_id": cast.acme_id, "sku_id": sku, "start_on": "2020-01-01",
        "term_months": 12, "quantity": 1, "unit_price": "10.00", "auto_renew": True})
    assert sub.status_code == 201, sub.text
    _MADE["sku"] = sku
    return {"principal": "Ann@Acme.test", "display_name": "Ann Contract"}


def _seats(cast: Any, made: dict[str, Any]) -> str:
    _MADE["person"] = int(made["id"])
    return acme(cast, "/seats")


def _seat(cast: Any) -> dict[str, int]:
    return {"licence_user_id": _MADE["person"], "sku_id": _MADE["sku"]}


def _name(cast: Any, client: Any) -> dict[str, Any]:
    return {"name": "Seats  Contract E3", "sku_id": _service(client, "NAMES-CONTRACT-E3")}


ROWS = [
    Resource(
        name="licence users",
        actor="admin",
        collection=lambda c: acme(c, "/licence-users"),
        count=lambda page: int(page["total"]),
        create=_licence_user,
        shows=("principal", "ann@acme.test"),
        also=[
            Call("POST", _seats, status=201, body=_seat, shows=("service", "Seats Contract E3")),
            Call("POST", _seats, status=409, body=_seat),
            Call("GET", lambda c, made: acme(c, "/licence-users?q=ann"), who="viewer",
                 shows=("principal", "ann@acme.test")),
            Call("GET", lambda c, made: acme(c, "/seat-usage"), who="viewer",
                 shows=("active_days", 30)),
            Call("POST", lambda c, made: acme(c, f"/seats/{MISSING}/end"), status=404,
                 body={}),
            Call("POST", lambda c, made: acme(c, "/domains"), who="owner", status=201,
                 body={"domain": "contract-acme.test"}),
            Call("GET", lambda c, made: acme(c, "/domains"), who="viewer"),
            Call("DELETE", lambda c, made: acme(c, "/domains/contract-acme.test"),
                 who="owner", status=204),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/licence-users"), {"principal": "v@a.test"},
             403),
            ("outsider", "GET", lambda c: acme(c, "/licence-users"), None, 404),
            ("outsider", "POST", lambda c: acme(c, "/seats"),
             {"licence_user_id": 1, "sku_id": 1}, 404),
            ("viewer", "POST", lambda c: acme(c, "/domains"), {"domain": "x.test"}, 403),
            ("outsider", "GET", lambda c: acme(c, "/seat-usage"), None, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/licence-users"),
            ("admin", "POST", lambda c: acme(c, f"/seats/{MISSING}/end")),
            ("admin", "DELETE", lambda c: acme(c, "/domains/nowhere.test")),
        ],
        bad=[
            ({"principal": "no-at-sign"}, "principal"),
            ({"principal": "a@acme.test", "contact_id": MISSING}, "contact_id"),
            ({"principal": "a@acme.test", "colour": "red"}, "colour"),
        ],
    ),
    Resource(
        name="product names",
        actor="admin",
        collection=lambda c: NAMES,
        count=lambda page: int(page["total"]),
        create=_name,
        shows=("key", "SEATS CONTRACT E3"),
        delete_url=lambda c, made: f"{NAMES}/{made['id']}",
        delete_actor="billing",
        denied=[("owner", "POST", lambda c: NAMES, {"name": "X", "sku_id": MISSING}, 403),
                ("viewer", "DELETE", lambda c: f"{NAMES}/{MISSING}", None, 403)],
        missing=[("billing", "DELETE", lambda c: f"{NAMES}/{MISSING}")],
        bad=[({"name": "X", "sku_id": MISSING}, "sku_id"),
             ({"name": "", "sku_id": 1}, "name")],
    ),
]
