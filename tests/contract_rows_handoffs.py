"""The hand-off resources of the API contract table; see ``contract_rows.py``.

The happy path: the owner opens a hand-off of Acme (they manage it: they write it and
receive it), answers every item, submits, returns it, submits again and accepts it; the
admin replaces the manager checklist."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource, acme

SALES_KEYS = ("decision_makers", "sold_and_promised", "contract_term", "success_criteria",
              "open_issues", "billing_contact", "first_review")


def handoff(made: dict[str, Any], tail: str = "") -> str:
    return f"/api/v1/handoffs/{made['id']}{tail}"


def _answer(key: str) -> Call:
    return Call("PUT", lambda c, made: handoff(made, f"/items/{key}"),
                body={"kind": "text", "text": f"about {key}"}, shows=("answer_kind", "text"))


HANDOFFS = [
    Resource(
        name="hand-offs",
        actor="owner",
        collection=lambda c: acme(c, "/handoffs"),
        create={"kind": "sales"},
        shows=("state", "draft"),
        item=lambda c, made: handoff(made),
        count=lambda page: page["total"],
        also=[
            Call("POST", lambda c, made: handoff(made, "/submit"), status=422),
            *[_answer(key) for key in SALES_KEYS],
            Call("PUT", lambda c, made: handoff(made, "/items/open_issues"),
                 body={"kind": "not_applicable", "reason": "nothing open"},
                 shows=("answer_kind", "not_applicable")),
            # a hand-off's answer holds its checklist as ``items``: its state is read in a box
            Call("POST", lambda c, made: handoff(made, "/submit")),
            Call("GET", lambda c, made: "/api/v1/handoffs?box=waiting",
                 shows=("state", "submitted")),
            Call("POST", lambda c, made: handoff(made, "/return"), body={"reason": "vague"}),
            Call("GET", lambda c, made: "/api/v1/handoffs?box=returned",
                 shows=("return_reason", "vague")),
            Call("POST", lambda c, made: handoff(made, "/submit")),
            Call("POST", lambda c, made: handoff(made, "/accept")),
            Call("GET", lambda c, made: "/api/v1/handoffs?box=mine&state=accepted",
                 shows=("account_name", "Acme Industries")),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/handoffs"), {}, 403),
            ("billing", "POST", lambda c: acme(c, "/handoffs"), {"kind": "manager"}, 403),
            ("outsider", "POST", lambda c: acme(c, "/handoffs"), {}, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/handoffs/{MISSING}"),
            ("admin", "POST", lambda c: f"/api/v1/handoffs/{MISSING}/accept"),
            ("admin", "POST", lambda c: f"/api/v1/handoffs/{MISSING}/submit"),
        ],
        bad=[
            ({"kind": "friendly"}, "kind"),
            ({"kind": "sales", "note": "x"}, "note"),
        ],
    ),
    Resource(
        name="hand-off checklists",
        actor="admin",
        collection=lambda c: "/api/v1/handoff-checklists/manager",
        create={"items": [
            {"key": "open_issues", "label": "Open issues", "required": True},
            {"key": "next_dates", "label": "Next dates", "required": False, "hint": "renewals"},
        ]},
        create_method="PUT",
        create_status=200,
        adds=False,
        shows=("kind", "manager"),
        listing=lambda body: [body],
        also=[Call("GET", lambda c, made: "/api/v1/handoff-checklists/sales",
                   shows=("key", "decision_makers"))],
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/handoff-checklists/manager",
             {"items": [{"key": "a", "label": "A"}]}, 403),
            ("head", "PUT", lambda c: "/api/v1/handoff-checklists/sales",
             {"items": [{"key": "a", "label": "A"}]}, 403),
        ],
        bad=[
            ({"items": []}, "items"),
            ({"items": [{"key": "Bad Key", "label": "A"}]}, "items.0.key"),
            ({"items": [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}]}, "items.1.key"),
        ],
    ),
    Resource(
        name="hand-off settings",
        actor="head",
        collection=lambda c: "/api/v1/handoff-settings",
        create={"deadline_working_days": 5},
        create_method="PUT",
        create_status=200,
        adds=False,
        shows=("deadline_working_days", 5),
        listing=lambda body: [body],
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/handoff-settings",
             {"deadline_working_days": 3}, 403),
        ],
        bad=[
            ({"deadline_working_days": "ten"}, "deadline_working_days"),
            ({"deadline_working_days": 999}, "deadline_working_days"),
        ],
    ),
]
