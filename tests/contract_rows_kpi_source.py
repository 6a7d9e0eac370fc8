"""The KPI source and the reconciliation in the API contract table (issue 15).

The reconciliation is read-only: an admin lists it (the contract world has no subscription
MRR, so its rows are the invoiced months, each a difference); the KPI document and the
drill-down answer for either source and say which they read; an outsider asking for Acme's
months gets 404, as for an account that does not exist."""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource

RECONCILIATION = "/api/v1/licences/reconciliation"

ROWS = [
    Resource(
        name="licences reconciliation",
        actor="admin",
        collection=lambda c: f"{RECONCILIATION}?from=2020-01&to=2029-12",
        count=lambda body: int(body["total"]),
        also=[
            Call("GET", lambda c, made: f"{RECONCILIATION}?account_id={c.acme_id}&sort=month",
                 who="owner"),
            Call("GET", lambda c, made: f"{RECONCILIATION}?sort=colour", status=422),
            Call("GET", lambda c, made: "/api/v1/kpis?source=subscriptions", who="viewer",
                 shows=("source", "subscriptions")),
            Call("GET", lambda c, made: "/api/v1/kpis?source=invoices", who="viewer",
                 shows=("source", "invoices")),
            Call("GET", lambda c, made: "/api/v1/kpis?source=orders", status=422),
        ],
        denied=[
            ("outsider", "GET", lambda c: f"{RECONCILIATION}?account_id={c.acme_id}", None,
             404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"{RECONCILIATION}?account_id={MISSING}"),
        ],
    ),
]
