"""The route table's rows for individual clients (issue 16): privacy — marketing consent
(whoever may write the person account), the suppression list (admins and heads), erasure
(admins and heads over the accounts they see).

Acme, the route table's account, is a company: the consent and erasure writes answer its
allowed callers 422 (only person accounts have them; rolled back anyway), the erase page
explains it (200). See route_policy.py: this file holds one section of its POLICY."""

from __future__ import annotations

from route_policy import Rule, read, write

# route_policy's sets of the same names (imported from it, mypy cannot type them: the
# module imports this one at its end)
ADMIN_HEAD = frozenset({"admin", "head"})
WRITERS = frozenset({"admin", "head", "manager", "sales"})

SUPPRESSION = {"email": "route.suppressed@example.test", "reason": "route table"}

ROWS: dict[tuple[str, str], Rule] = {
    ("PUT", "/api/v1/accounts/{account_id}/client/consent"): write(
        WRITERS, body={"marketing_consent": True}),
    ("POST", "/api/v1/accounts/{account_id}/client/erase"): write(ADMIN_HEAD),
    ("GET", "/api/v1/clients/suppressions"): read(ADMIN_HEAD, query="q=example"),
    ("POST", "/api/v1/clients/suppressions"): write(ADMIN_HEAD, body=SUPPRESSION),
    # tests/route_samples_clients_privacy.py's "suppression"
    ("DELETE", "/api/v1/clients/suppressions/{suppression_id}"): write(ADMIN_HEAD),
    ("POST", "/accounts/{account_id}/client/consent"): write(
        WRITERS, form={"marketing_consent": "true"}),
    ("GET", "/accounts/{account_id}/client/erase"): read(ADMIN_HEAD),
    ("POST", "/accounts/{account_id}/client/erase"): write(ADMIN_HEAD, form={"confirm": "yes"}),
    ("GET", "/clients/suppressions"): read(ADMIN_HEAD, query="q=example"),
    ("POST", "/clients/suppressions"): write(ADMIN_HEAD, form=SUPPRESSION),
    ("POST", "/clients/suppressions/{suppression_id}/remove"): write(ADMIN_HEAD),
}
