"""The team-assignment resource of the API contract table (issue 17): who should take an
account, one move, the rebalance; see ``contract_rows.py``.

North's head reads the suggestions for Acme (the owner's), gives Acme to the teammate (a
move: 200, the account named), reads the rebalance proposal of North and applies a move
giving Acme back to the owner. A manager and a viewer are refused (403); an account that
does not exist is a 404; a negative manager id, a text id or a reason too long is a 422
naming the field, nothing written."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource

MOVES = "/api/v1/team/moves"
REBALANCE = "/api/v1/team/rebalance"


def _suggestions(cast: Any, account_id: int | None = None) -> str:
    return f"/api/v1/team/suggestions?account_id={account_id or cast.acme_id}"


ROWS = [
    Resource(
        name="team moves",
        actor="head",
        collection=lambda c: _suggestions(c),
        create=lambda c, client: {"account_id": c.acme_id, "to_manager_id": c.teammate.id},
        create_url=lambda c: MOVES,
        create_status=200,
        adds=False,
        shows=("account_name", "Acme Industries"),
        also=[
            Call("GET", lambda c, made: REBALANCE, shows=("over_before", 0)),
            Call("POST", lambda c, made: REBALANCE,
                 body=lambda c: {"moves": [{"account_id": c.acme_id,
                                            "to_manager_id": c.owner.id}]}),
        ],
        denied=[
            ("owner", "GET", lambda c: _suggestions(c), None, 403),
            ("owner", "POST", lambda c: MOVES,
             {"account_id": 1, "to_manager_id": 5}, 403),
            ("viewer", "GET", lambda c: REBALANCE, None, 403),
            ("owner", "POST", lambda c: REBALANCE,
             {"moves": [{"account_id": 1, "to_manager_id": 5}]}, 403),
        ],
        missing=[("head", "GET", lambda c: _suggestions(c, MISSING))],
        bad=[
            ({"account_id": 1, "to_manager_id": -1}, "to_manager_id"),
            ({"account_id": "1", "to_manager_id": 5}, "account_id"),
            ({"account_id": 1, "to_manager_id": 5, "reason": "x" * 501}, "reason"),
        ],
    ),
]
