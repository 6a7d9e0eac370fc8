"""The route table's rows for licences: seats, licence users, domains, product names.

See route_policy.py: this file holds one section of its POLICY. Samples
(tests/route_samples_seats.py): ``licence_user`` (Acme's Rita Route) holding the
``assignment`` of a ROUTE-E3 seat from 2027-01-01 on Acme's subscription; Acme's domain
``route-acme.test``; the ``product_name`` "Route E3" mapped to ROUTE-E3. Seats, licence
users and domains are written by whoever may change the account and by billing
(``seats.service.require_seat_writer``); product names by billing and admins, read by
everyone signed in (they name services, no account)."""

from __future__ import annotations

from route_policy import Rule, read, write

#: billing and admins (route_policy.BILLING; spelt out: that module imports this one)
BILLING: frozenset[str] = frozenset({"admin", "billing"})
#: whoever may change the account (route_policy.WRITERS), and billing
SEAT_WRITERS: frozenset[str] = frozenset({"admin", "head", "manager", "sales", "billing"})
#: who sees Acme (the sample's account)
ACME_READERS = ("admin", "head", "owner", "sales", "billing", "viewer")
ACCOUNT = "/api/v1/accounts/{account_id}"
PAGE = "/accounts/{account_id}"
#: the first licence user of the route world is the sample (id 1); the service is a 422 or
#: a 409 for whoever may (the sample subscription starts in 2027): never a success to others
ASSIGN = {"licence_user_id": 1, "sku_id": 1}

ROWS: dict[tuple[str, str], Rule] = {
    ("GET", f"{ACCOUNT}/licence-users"): read(query="q=route&page_size=10"),
    ("POST", f"{ACCOUNT}/licence-users"): write(
        SEAT_WRITERS, body={"principal": "route.new@acme.test", "display_name": "New"}),
    ("POST", f"{ACCOUNT}/seats"): write(SEAT_WRITERS, body=ASSIGN),
    ("POST", f"{ACCOUNT}/seats/{{assignment_id}}/end"): write(
        SEAT_WRITERS, body={"on": "2027-06-01"}),
    ("GET", f"{ACCOUNT}/seat-usage"): read(query="on=2027-03-01"),
    ("GET", f"{ACCOUNT}/domains"): read(),
    ("POST", f"{ACCOUNT}/domains"): write(SEAT_WRITERS, body={"domain": "route-new.test"}),
    ("DELETE", f"{ACCOUNT}/domains/{{domain}}"): write(
        SEAT_WRITERS, params={"domain": "route-acme.test"}),
    ("GET", "/api/v1/product-names"): read(query="q=route"),
    ("POST", "/api/v1/product-names"): write(BILLING, body={"name": "Route E5", "sku_id": 1}),
    ("DELETE", "/api/v1/product-names/{product_name_id}"): write(BILLING),
    ("POST", f"{PAGE}/seats"): write(SEAT_WRITERS, form={"person": "1", "seat": "1:1"}),
    ("POST", f"{PAGE}/licence-users"): write(
        SEAT_WRITERS, form={"principal": "route.page@acme.test"}),
    ("POST", f"{PAGE}/domains"): write(SEAT_WRITERS, form={"domain": "route-page.test"}),
    ("POST", f"{PAGE}/domains/remove"): write(SEAT_WRITERS,
                                              form={"domain": "route-acme.test"}),
    ("GET", "/admin/product-names"): read(BILLING, query="q=route"),
    ("POST", "/admin/product-names"): write(BILLING, form={"name": "Route E5", "sku_id": "1"}),
    ("POST", "/admin/product-names/{product_name_id}/delete"): write(BILLING),
}
