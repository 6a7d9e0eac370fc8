"""The privacy resources of the API contract table (issue 16); see ``contract_rows.py``.

Client privacy: the owner creates a person account (Paula) through the accounts API, gives
her marketing consent (PUT, 200); North's head erases her personal data (200) and again
(409). A viewer may not set consent, the owner may not erase (403), an outsider does not
find Acme (404); a missing account is a 404. Consent on a company, a non-boolean consent
and an unknown field are 422s in ``tests/test_clients_privacy.py`` (this row's create call
is the accounts API's).

The suppression list: an admin adds an address (kept lower case, trimmed), adds it again
(409), a head finds it and deletes it; a manager may neither read nor add, a viewer not
delete (403); a missing id is a 404; a malformed address, a reason too long or an unknown
field is a 422 naming the field."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource, acme

SUPPRESSIONS = "/api/v1/clients/suppressions"


def _client(tail: str) -> Any:
    return lambda c, made: f"/api/v1/accounts/{made['id']}/client{tail}"


ROWS = [
    Resource(
        name="client privacy",
        actor="owner",
        collection=lambda c: "/api/v1/accounts",
        count=lambda page: int(page["total"]),
        create={"name": "Paula Contract", "kind": "person", "notes": "prefers e-mail"},
        shows=("name", "Paula Contract"),
        also=[
            Call("PUT", _client("/consent"), body={"marketing_consent": True},
                 shows=("marketing_consent", True)),
            Call("POST", _client("/erase"), who="head", shows=("contacts_erased", 0)),
            Call("POST", _client("/erase"), who="head", status=409),
        ],
        denied=[
            ("viewer", "PUT", lambda c: acme(c, "/client/consent"),
             {"marketing_consent": True}, 403),
            ("owner", "POST", lambda c: acme(c, "/client/erase"), None, 403),
            ("outsider", "PUT", lambda c: acme(c, "/client/consent"),
             {"marketing_consent": True}, 404),
        ],
        missing=[
            ("admin", "POST", lambda c: f"/api/v1/accounts/{MISSING}/client/erase"),
        ],
    ),
    Resource(
        name="client suppressions",
        actor="admin",
        collection=lambda c: SUPPRESSIONS,
        count=lambda page: int(page["total"]),
        create={"email": "  Someone@Example.TEST ", "reason": "asked not to be contacted"},
        shows=("email", "someone@example.test"),
        also=[
            Call("POST", lambda c, made: SUPPRESSIONS, status=409,
                 body={"email": "SOMEONE@example.test"}),
            Call("GET", lambda c, made: f"{SUPPRESSIONS}?q=someone", who="head",
                 shows=("email", "someone@example.test")),
        ],
        delete_url=lambda c, made: f"{SUPPRESSIONS}/{made['id']}",
        delete_actor="head",
        denied=[
            ("owner", "GET", lambda c: SUPPRESSIONS, None, 403),
            ("owner", "POST", lambda c: SUPPRESSIONS, {"email": "x@y.test"}, 403),
            ("viewer", "DELETE", lambda c: f"{SUPPRESSIONS}/{MISSING}", None, 403),
        ],
        missing=[("admin", "DELETE", lambda c: f"{SUPPRESSIONS}/{MISSING}")],
        bad=[
            ({"email": "not-an-address"}, "email"),
            ({"email": "a@b.test", "reason": "x" * 201}, "reason"),
            ({"email": "a@b.test", "colour": "red"}, "colour"),
        ],
    ),
]
