"""The account-plan resources of the API contract table; see ``contract_rows.py``.

The happy path starts Acme's first plan in a fresh database, so the objective, action and
share link it makes along the way are each the first of their table (id 1)."""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource, acme

FIRST = 1


def plan(made: dict[str, object], tail: str = "") -> str:
    return f"/api/v1/plans/{made['id']}{tail}"


PLANS = [
    Resource(
        name="account plans",
        actor="owner",
        collection=lambda c: acme(c, "/plans"),
        create={"horizon_months": 12},
        create_url=lambda c: acme(c, "/plan"),
        shows=("horizon_months", 12),
        item=lambda c, made: plan(made),
        update=("business", "Pumps and valves for the food industry"),
        also=[
            Call("GET", lambda c, made: acme(c, "/plan"), shows=("is_current", True)),
            Call("GET", lambda c, made: "/api/v1/plans?sort=-completeness",
                 shows=("account_name", "Acme Industries")),
            Call("POST", lambda c, made: plan(made, "/objectives"), status=201,
                 body={"title": "Second plant", "metric": "manual", "baseline": "0",
                       "target": "2"},
                 shows=("title", "Second plant")),
            Call("PATCH", lambda c, made: f"/api/v1/objectives/{FIRST}",
                 body={"target": "3"}, shows=("target", "3.0000")),
            Call("POST", lambda c, made: f"/api/v1/objectives/{FIRST}/updates", status=201,
                 body={"value": "1", "note": "the first plant signed"},
                 shows=("current", "1.0000")),
            Call("POST", lambda c, made: f"/api/v1/objectives/{FIRST}/actions", status=201,
                 body={"title": "Visit the second plant"}, shows=("status", "open")),
            Call("PATCH", lambda c, made: f"/api/v1/actions/{FIRST}",
                 body={"status": "done"}, shows=("status", "done")),
            Call("POST", lambda c, made: plan(made, "/key-people"), status=422,
                 body={"contact_id": MISSING}),
            Call("DELETE", lambda c, made: plan(made, f"/key-people/{MISSING}"), status=404),
            Call("POST", lambda c, made: plan(made, "/review"), shows=("stale", False)),
            Call("POST", lambda c, made: plan(made, "/share-links"), status=201,
                 shows=("active", True)),
            Call("GET", lambda c, made: plan(made, "/share-links"), shows=("active", True)),
            Call("DELETE", lambda c, made: f"/api/v1/share-links/{FIRST}",
                 shows=("active", False)),
            Call("DELETE", lambda c, made: f"/api/v1/objectives/{FIRST}", status=204),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/plan"), {}, 403),
            ("billing", "POST", lambda c: acme(c, "/plan"), {"horizon_months": 6}, 403),
            ("outsider", "POST", lambda c: acme(c, "/plan"), {}, 404),
            ("outsider", "GET", lambda c: acme(c, "/plan"), None, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/plan"),
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/plans"),
            ("admin", "GET", lambda c: f"/api/v1/plans/{MISSING}"),
            ("admin", "PATCH", lambda c: f"/api/v1/plans/{MISSING}"),
            ("admin", "PATCH", lambda c: f"/api/v1/objectives/{MISSING}"),
            ("admin", "PATCH", lambda c: f"/api/v1/actions/{MISSING}"),
            ("admin", "POST", lambda c: f"/api/v1/plans/{MISSING}/review"),
            ("admin", "DELETE", lambda c: f"/api/v1/share-links/{MISSING}"),
        ],
        bad=[({"horizon_months": 7}, "horizon_months"), ({"starts_on": "soon"}, "starts_on")],
    ),
    Resource(
        name="plans settings",
        actor="head",
        collection=lambda c: "/api/v1/plans/settings",
        create={"review_interval_days": 60},
        create_method="PUT",
        create_status=200,
        shows=("review_interval_days", 60),
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/plans/settings", {"share_link_days": 7}, 403),
            ("viewer", "PUT", lambda c: "/api/v1/plans/settings", {}, 403),
        ],
        bad=[({"review_interval_days": 3}, "review_interval_days"),
             ({"share_link_days": 366}, "share_link_days"),
             ({"share_link_days": "a week"}, "share_link_days"),
             ({"colour": "red"}, "colour")],
    ),
]
