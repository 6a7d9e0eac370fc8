"""The managers' targets of the API contract table; see ``contract_rows.py``.

North's head sets the owner's target (``PUT`` creates it: 201; again: 200 and the new value),
lists it and removes it; the owner may not set one, the other team's head does not find the
owner, and a target without a metric, with an unknown one, an unreadable period or a value
out of bounds is a 422 naming the field."""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource

TARGET = {"manager": "owner@accord.test", "period": "2027-Q1", "metric": "book_revenue",
          "target": "250000"}

TARGETS = [
    Resource(
        name="managers' targets",
        actor="head",
        collection=lambda c: "/api/v1/targets",
        create=TARGET,
        create_method="PUT",
        create_status=201,
        shows=("metric", "book_revenue"),
        also=[
            Call("PUT", lambda c, made: "/api/v1/targets", body={**TARGET, "target": "300000"},
                 shows=("target", "300000")),
            Call("GET", lambda c, made: "/api/v1/targets?period=2027&manager=owner@accord.test",
                 who="owner", shows=("period", "2027-Q1")),
        ],
        delete_url=lambda c, made: f"/api/v1/targets/{made['id']}",
        delete_actor="head",
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/targets", TARGET, 403),
            ("viewer", "PUT", lambda c: "/api/v1/targets", TARGET, 403),
            ("other_head", "PUT", lambda c: "/api/v1/targets", TARGET, 404),
            ("owner", "DELETE", lambda c: "/api/v1/targets/1", None, 403),
        ],
        missing=[
            ("head", "DELETE", lambda c: f"/api/v1/targets/{MISSING}"),
            ("head", "GET", lambda c: "/api/v1/targets?manager=outsider@accord.test"),
        ],
        bad=[
            ({k: v for k, v in TARGET.items() if k != "metric"}, "metric"),
            ({**TARGET, "metric": "profit"}, "metric"),
            ({**TARGET, "period": "2027-Q5"}, "period"),
            ({**TARGET, "target": "-1"}, "target"),
            ({**TARGET, "target": "1e30"}, "target"),
            ({**TARGET, "metric": "book_nrr", "target": "1.23456"}, "target"),
        ],
    ),
]
