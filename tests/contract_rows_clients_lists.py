"""The client lists' rows of the API contract table (see ``contract_rows.py``): the owner
reads a list and the overview; the client figures of Acme, a company, are a 422 naming
``account_id``; a missing account's are a 404. (The lists' contents, filters and visibility:
tests/test_clients_reading.py; one person's figures: tests/test_clients_pages.py.)"""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource, acme

ROWS = [
    Resource(
        name="client lists",
        actor="owner",
        collection=lambda c: "/api/v1/clients?list=all",
        also=[
            Call("GET", lambda c, made: "/api/v1/clients/overview"),
            Call("GET", lambda c, made: "/api/v1/clients?list=winback&sort=name&per_page=5"),
            Call("GET", lambda c, made: acme(c, "/client"), status=422),
        ],
        missing=[("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/client"),
                 ("outsider", "GET", lambda c: acme(c, "/client"))],
    ),
]
