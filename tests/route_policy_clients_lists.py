"""The route table's rows for individual clients (issue 16): lists.

See route_policy.py: this file holds one section of its POLICY. Everyone reads the lists,
the Clients page, its export and one person account's client figures, over the accounts
they see (a specialist sees none: empty lists). The account route is called for Petra
Person (tests/route_samples_clients_lists.py), a person account seen exactly as Acme is:
Acme is a company, whose client figures are a 422."""

from __future__ import annotations

from route_policy import Rule, read

#: ``{account_id}`` of the account route: Petra Person's id, set by the samples module when
#: it creates her (before any route is called; empty, the route table's Acme is used)
PERSON: dict[str, str] = {}

ROWS: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/clients"): read(query="list=all"),
    ("GET", "/api/v1/clients/overview"): read(),
    ("GET", "/api/v1/accounts/{account_id}/client"): read(params=PERSON),
    ("GET", "/clients"): read(query="list=all"),
    ("GET", "/clients/export"): read(query="format=xlsx&list=all"),
}
