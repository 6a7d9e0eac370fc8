"""The API contract rows of win-back campaigns (issue 16); see ``contract_rows.py``.

The owner creates a campaign of one client named by id — an individual client of theirs
with scores, written straight into the app's database by the create call (the scores come
from a fit, which this table does not run) — reads it, its result and its export. A viewer
may not create one; missing campaigns are 404s; bad input (no name, an unknown source, a
holdout above 0.9, an account nobody sees) is a 422 naming the field, nothing written."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource
from route_samples_clients_campaigns import add_client

URL = "/api/v1/clients/campaigns"


def _campaign(cast: Any, client: Any) -> dict[str, Any]:
    with client.app.state.sessions.begin() as session:
        person = add_client(session, cast.owner.id, "Contract Client")
    return {"name": "Contract campaign", "source": "accounts", "account_ids": [person],
            "holdout": 0}


ROWS = [
    Resource(
        name="win-back campaigns",
        actor="owner",
        collection=lambda c: URL,
        create=_campaign,
        shows=("name", "Contract campaign"),
        count=lambda body: int(body["total"]),
        item=lambda c, made: f"{URL}/{made['id']}",
        also=[
            Call("GET", lambda c, made: f"{URL}/{made['id']}/result?months=2",
                 shows=("months", 2)),
            Call("GET", lambda c, made: f"{URL}/{made['id']}/export"),
        ],
        denied=[("viewer", "POST", lambda c: URL, {"name": "No", "source": "winback"}, 403),
                ("billing", "GET", lambda c: URL, None, 403)],
        missing=[("admin", "GET", lambda c: f"{URL}/{MISSING}"),
                 ("admin", "GET", lambda c: f"{URL}/{MISSING}/result"),
                 ("admin", "GET", lambda c: f"{URL}/{MISSING}/export")],
        bad=[({"name": "", "source": "winback"}, "name"),
             ({"name": "x", "source": "everyone"}, "source"),
             ({"name": "x", "source": "winback", "holdout": 0.95}, "holdout"),
             ({"name": "x", "source": "accounts", "account_ids": [MISSING]}, "account_ids")],
    ),
]
