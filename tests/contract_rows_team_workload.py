"""The workload resources of the API contract table (issue 17); see ``contract_rows.py``.

North's head reads the loads (the owner's among them), the accounts behind the owner's
figures (Acme) and tries moving Acme to the teammate (nothing written: the what-if is the
"create" call of the bad inputs, which name the move refused). A viewer may not read loads,
the owner may not try moves; a manager the head does not see is a 404. An admin changes the
team settings (a PUT: only the fields given); a manager may not; a negative number of
points or a number of key accounts given as text is a 422 naming the field."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource

WORKLOAD = "/api/v1/team/workload"
WHAT_IF = "/api/v1/team/what-if"
SETTINGS = "/api/v1/team/settings"


def _accounts(cast: Any, tail: str = "") -> str:
    return f"/api/v1/team/managers/{cast.owner.id}/accounts{tail}"


def _move(cast: Any) -> dict[str, Any]:
    return {"moves": [{"account_id": cast.acme_id, "to_manager_id": cast.teammate.id}]}


ROWS = [
    Resource(
        name="team workload",
        actor="head",
        collection=lambda c: WORKLOAD,
        listing=lambda body: list(body["managers"]),
        shows=("email", "owner@accord.test"),
        create_url=lambda c: WHAT_IF,
        also=[
            Call("GET", lambda c, made: _accounts(c, "?figure=accounts"),
                 shows=("name", "Acme Industries")),
            Call("POST", lambda c, made: WHAT_IF, body=_move),
            Call("GET", lambda c, made: f"{WORKLOAD}?team_id={MISSING}", status=404),
        ],
        denied=[
            ("viewer", "GET", lambda c: WORKLOAD, None, 403),
            ("owner", "POST", lambda c: WHAT_IF,
             {"moves": [{"account_id": 1, "to_manager_id": 5}]}, 403),
        ],
        missing=[
            ("head", "GET", lambda c: f"/api/v1/team/managers/{MISSING}/accounts"),
            ("head", "GET", lambda c: f"/api/v1/team/managers/{c.outsider.id}/accounts"),
        ],
        bad=[
            ({"moves": []}, "moves"),
            ({"moves": [{"account_id": MISSING, "to_manager_id": MISSING}]},
             "moves.0.account_id"),
        ],
    ),
    Resource(
        name="team settings",
        actor="admin",
        collection=lambda c: SETTINGS,
        create={"strategic": "12", "coverage_below": "0.75"},
        create_method="PUT",
        create_status=200,
        adds=False,
        shows=("strategic", "12"),
        denied=[("owner", "PUT", lambda c: SETTINGS, {"strategic": "12"}, 403)],
        bad=[({"strategic": "-1"}, "strategic"),
             ({"key_accounts_limit": "5"}, "key_accounts_limit")],
    ),
]
