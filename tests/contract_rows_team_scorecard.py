"""The scorecards of the API contract table (issue 17); see ``contract_rows.py``.

A read-only resource: North's head lists the managers' table (the owner's row among them),
reads the owner's scorecard, the accounts behind a figure and the export; the owner may not
read the teammate's scorecard (404, like a missing manager), nor the other team's head the
owner's; a missing manager is a 404."""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource

API = "/api/v1/team/scorecards"

ROWS = [
    Resource(
        name="team scorecards",
        actor="head",
        collection=lambda c: f"{API}?period=2025-12&sort=manager",
        listing=lambda body: body["rows"],
        shows=("label", "Olivia Owner"),
        also=[
            Call("GET", lambda c, made: f"{API}/{c.owner.id}?period=2025-12",
                 shows=("period", "2025-12")),
            Call("GET", lambda c, made: f"{API}/{c.owner.id}?period=2025-12", who="owner",
                 shows=("period", "2025-12")),
            Call("GET", lambda c, made: f"{API}/{c.owner.id}/accounts?figure=nrr&page_size=5"),
            Call("GET", lambda c, made: f"{API}/export?format=xlsx"),
        ],
        denied=[
            ("owner", "GET", lambda c: f"{API}/{c.teammate.id}", None, 404),
            ("other_head", "GET", lambda c: f"{API}/{c.owner.id}/accounts?figure=revenue", None,
             404),
        ],
        missing=[("admin", "GET", lambda c: f"{API}/{MISSING}"),
                 ("admin", "GET", lambda c: f"{API}/{MISSING}/accounts?figure=nrr")],
    ),
]
