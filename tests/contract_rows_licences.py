"""The licences resources of the API contract table (subscriptions and the requests for a
change); see ``contract_rows.py``.

An admin (billing's rights, and the catalogue's: the service is added through the API in
the same call) adds Acme's subscription of 100 seats from 2027-01-01, and changes it to 150
from February (read on a day of March: 150; a second change the same day: 409). Acme's
manager may not change it (403) and requests 120 from June instead, which shows in billing's
queue; a viewer reads Acme's subscriptions; billing cancels it. A request's id cannot be
read from the happy path, so its read, approval and decline are called on a missing one
(404): ``tests/test_licences_api.py`` decides real ones. The manager may not add one, an
outsider does not find Acme's, and a negative quantity, a fifth decimal, a state other than
trial or active, another currency or an unknown service is a 422 naming the field. Bad bodies
name Acme as account 1 (the contract world's first account)."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource, acme

SUBSCRIPTIONS = "/api/v1/subscriptions"
REQUESTS = "/api/v1/quantity-requests"
SUBSCRIPTION = {"start_on": "2027-01-01", "term_months": 12, "quantity": 100,
                "unit_price": "120.00", "auto_renew": True, "notice_days": 60}
CHANGE = {"quantity": 150, "effective_on": "2027-02-01", "reason": "new office"}
REQUEST = {"quantity": 120, "effective_on": "2027-06-01", "reason": "new hires"}


def subscription(made: dict[str, Any], tail: str = "") -> str:
    return f"{SUBSCRIPTIONS}/{made['id']}{tail}"


def _subscription(cast: Any, client: Any) -> dict[str, Any]:
    """Acme's subscription to a new service, Contract E3 (the admin adds it to the
    catalogue: a product line, an offering, the SKU, a year's price per seat)."""
    line = client.post("/api/v1/catalogue/lines", json={"name": "Contract Workplace"})
    assert line.status_code == 201, line.text
    offering = client.post(f"/api/v1/catalogue/lines/{line.json()['id']}/offerings",
                           json={"name": "Contract Microsoft 365"})
    assert offering.status_code == 201, offering.text
    sku = client.post(f"/api/v1/catalogue/offerings/{offering.json()['id']}/skus",
                      json={"code": "CONTRACT-E3", "name": "Contract E3", "unit": "seat"})
    assert sku.status_code == 201, sku.text
    return {**SUBSCRIPTION, "account_id": cast.acme_id, "sku_id": sku.json()["id"]}


def _bad(**change: Any) -> dict[str, Any]:
    return {**SUBSCRIPTION, "account_id": 1, "sku_id": MISSING, **change}


LICENCES = [
    Resource(
        name="subscriptions",
        actor="admin",
        collection=lambda c: SUBSCRIPTIONS,
        count=lambda body: int(body["total"]),
        create=_subscription,
        shows=("service", "Contract E3"),
        item=lambda c, made: subscription(made),
        also=[
            Call("POST", lambda c, made: subscription(made, "/changes"), body=CHANGE,
                 shows=("version", 2)),
            Call("POST", lambda c, made: subscription(made, "/changes"), status=409,
                 body={**CHANGE, "quantity": 160}),
            Call("GET", lambda c, made: subscription(made, "?on=2027-03-15"), who="billing",
                 shows=("quantity", 150)),
            Call("POST", lambda c, made: subscription(made, "/changes"), who="owner",
                 body=REQUEST, status=403),
            Call("POST", lambda c, made: subscription(made, "/requests"), who="owner",
                 body=REQUEST, status=201, shows=("status", "pending")),
            Call("GET", lambda c, made: REQUESTS, who="billing", shows=("quantity", 120)),
            Call("GET", lambda c, made: "/api/v1/licences/signals?signal=risk", who="viewer"),
            Call("GET", lambda c, made: f"{REQUESTS}/{MISSING}", who="billing", status=404),
            Call("POST", lambda c, made: f"{REQUESTS}/{MISSING}/approve", who="billing",
                 body={"note": "checked"}, status=404),
            Call("POST", lambda c, made: f"{REQUESTS}/{MISSING}/decline", who="billing",
                 body={"note": "not now"}, status=404),
            Call("GET", lambda c, made: acme(c, "/subscriptions"), who="viewer",
                 shows=("service", "Contract E3")),
            Call("POST", lambda c, made: subscription(made, "/end"), who="billing",
                 body={"status": "cancelled", "on": "2027-06-30",
                       "reason": "moved to a reseller"}, shows=("status", "cancelled")),
            Call("GET", lambda c, made: f"{SUBSCRIPTIONS}?status=cancelled", who="owner",
                 shows=("ended_on", "2027-06-30")),
        ],
        denied=[
            ("owner", "POST", lambda c: SUBSCRIPTIONS, _bad(), 403),
            ("viewer", "POST", lambda c: f"{SUBSCRIPTIONS}/{MISSING}/changes", CHANGE, 403),
            ("owner", "POST", lambda c: f"{REQUESTS}/{MISSING}/approve", {}, 403),
            ("outsider", "GET", lambda c: acme(c, "/subscriptions"), None, 404),
            ("outsider", "GET", lambda c: f"{SUBSCRIPTIONS}?account_id={c.acme_id}", None, 404),
        ],
        missing=[
            ("billing", "GET", lambda c: f"{SUBSCRIPTIONS}/{MISSING}"),
            ("billing", "GET", lambda c: f"{REQUESTS}/{MISSING}"),
            ("billing", "POST", lambda c: f"{REQUESTS}/{MISSING}/decline"),
            ("billing", "GET", lambda c: f"/api/v1/accounts/{MISSING}/subscriptions"),
        ],
        bad=[
            (_bad(quantity=-1), "quantity"),
            (_bad(unit_price="1.23456"), "unit_price"),
            (_bad(status="cancelled"), "status"),
            (_bad(currency="USD"), "currency"),
            (_bad(), "sku_id"),
        ],
    ),
    Resource(
        name="licences settings",
        actor="head",
        collection=lambda c: "/api/v1/licences/settings",
        create={"active_days": 45},
        create_method="PUT",
        create_status=200,
        shows=("active_days", 45),
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/licences/settings", {"active_days": 7}, 403),
            ("billing", "PUT", lambda c: "/api/v1/licences/settings", {}, 403),
        ],
        bad=[({"active_days": 0}, "active_days"),
             ({"upsell_allocation": "1.01"}, "upsell_allocation"),
             ({"risk_adoption": "a lot"}, "risk_adoption"),
             ({"currency": "USD"}, "currency")],
    ),
]
