"""The opportunity resources of the API contract table; see ``contract_rows.py``.

Acme's manager adds an opportunity, edits it, moves it to ``proposed`` and loses it with a
reason; the pipeline and the list find it; the stages setting is read and changed by an
admin. A viewer may not add one, an outsider does not find Acme, and a probability of 140 %,
an unknown kind or product line, a closed stage or no value is a 422 naming the field."""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource, acme

OPPORTUNITY = {"title": "Second plant", "kind": "cross_sell", "value": "40000.00",
               "expected_close_on": "2027-02-15"}


def item(made: dict[str, object], tail: str = "") -> str:
    return f"/api/v1/opportunities/{made['id']}{tail}"


OPPORTUNITIES = [
    Resource(
        name="opportunities",
        actor="owner",
        collection=lambda c: acme(c, "/opportunities"),
        create=OPPORTUNITY,
        shows=("title", "Second plant"),
        item=lambda c, made: item(made),
        update=("next_step", "Send the offer"),
        also=[
            Call("POST", lambda c, made: item(made, "/stage"), body={"stage": "proposed"},
                 shows=("probability", 50)),
            Call("GET", lambda c, made: "/api/v1/opportunities?stage=open&sort=-weighted",
                 shows=("weighted_value", "20000.00")),
            Call("GET", lambda c, made: "/api/v1/pipeline?by=account", who="head",
                 shows=("weighted_value", "20000.00")),
            Call("POST", lambda c, made: item(made, "/stage"), body={"stage": "lost"},
                 status=422),
            Call("POST", lambda c, made: item(made, "/stage"),
                 body={"stage": "lost", "reason": "A rival was cheaper"},
                 shows=("lost_reason", "A rival was cheaper")),
            Call("GET", lambda c, made: "/api/v1/opportunities/settings",
                 shows=("proposed", 50)),
            Call("PUT", lambda c, made: "/api/v1/opportunities/settings", who="admin",
                 body={"identified": 15}, shows=("identified", 15)),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/opportunities"), OPPORTUNITY, 403),
            ("outsider", "POST", lambda c: acme(c, "/opportunities"), OPPORTUNITY, 404),
            ("outsider", "GET", lambda c: acme(c, "/opportunities"), None, 404),
            ("owner", "PUT", lambda c: "/api/v1/opportunities/settings", {"identified": 5},
             403),
        ],
        missing=[
            ("owner", "GET", lambda c: f"/api/v1/opportunities/{MISSING}"),
            ("owner", "PATCH", lambda c: f"/api/v1/opportunities/{MISSING}"),
            ("owner", "GET", lambda c: f"/api/v1/accounts/{MISSING}/opportunities"),
        ],
        bad=[
            ({**OPPORTUNITY, "probability": 140}, "probability"),
            ({**OPPORTUNITY, "kind": "resale"}, "kind"),
            ({**OPPORTUNITY, "stage": "won"}, "stage"),
            ({**OPPORTUNITY, "product_line_ids": [MISSING]}, "product_line_ids"),
            ({k: v for k, v in OPPORTUNITY.items() if k != "value"}, "value"),
            ({**OPPORTUNITY, "value": "-5"}, "value"),
        ],
    ),
]


def _objective(cast, client) -> dict[str, object]:
    """Acme's plan with a manual objective (its id in the answer), for the link rows."""
    plan = client.post(acme(cast, "/plan"), json={"horizon_months": 12}).json()
    made = client.post(f"/api/v1/plans/{plan['id']}/objectives",
                       json={"title": "Win 100k of cross-sell", "metric": "manual",
                             "baseline": "0", "target": "100000"}).json()
    return {**OPPORTUNITY, "next_step": f"objective {made['id']}"}


def _objective_id(made: dict[str, object]) -> str:
    return str(made.get("next_step") or "objective 1").split()[-1]


OPPORTUNITIES.append(Resource(
    name="opportunities under objectives",
    actor="owner",
    collection=lambda c: acme(c, "/opportunities"),
    create=_objective,
    shows=("title", "Second plant"),
    item=lambda c, made: item(made),
    also=[
        Call("PUT", lambda c, made: item(made, f"/objectives/{_objective_id(made)}"),
             status=204),
        Call("PUT", lambda c, made: item(made, f"/objectives/{_objective_id(made)}"),
             status=204),
        Call("POST", lambda c, made: item(made, "/stage"), body={"stage": "proposed"}),
        Call("POST", lambda c, made: item(made, "/stage"), body={"stage": "won"}),
        Call("GET", lambda c, made: "/api/v1/plans?sort=-completeness"),
        Call("DELETE", lambda c, made: item(made, f"/objectives/{_objective_id(made)}"),
             status=204),
        Call("DELETE", lambda c, made: item(made, f"/objectives/{_objective_id(made)}"),
             status=404),
        Call("PUT", lambda c, made: item(made, f"/objectives/{MISSING}"), status=422),
    ],
    denied=[
        ("viewer", "PUT", lambda c: f"/api/v1/opportunities/{MISSING}/objectives/1", None, 404),
    ],
))
