"""The follow-up resources of the API contract table; see ``contract_rows.py``.

Acme's manager adds a follow-up, renames it, snoozes it and marks it done (a cancel after
that is a 422: it is closed); another is closed by logging an interaction, a third is
cancelled with a reason; the caller sets their time zone. A viewer may not add one, an
outsider does not find Acme, and a year out of bounds, a time that is not HH:MM, no title or a
source of another account is a 422 naming the field. Bad bodies name Acme as account 1 (the
contract world's first account)."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource, acme

FOLLOW_UP = {"title": "Send the price list", "due_on": "2027-03-10", "due_time": "09:30"}
COLLECTION = "/api/v1/follow-ups"


def _body(cast: Any, client: Any) -> dict[str, Any]:
    return {**FOLLOW_UP, "account_id": cast.acme_id}


def item(made: dict[str, Any], tail: str = "") -> str:
    return f"/api/v1/follow-ups/{made['id']}{tail}"


def _bad(**change: Any) -> dict[str, Any]:
    return {**FOLLOW_UP, "account_id": 1, **change}


FOLLOW_UPS = [
    Resource(
        name="follow-ups",
        actor="owner",
        collection=lambda c: COLLECTION,
        count=lambda body: int(body["total"]),
        create=_body,
        shows=("title", "Send the price list"),
        item=lambda c, made: item(made),
        update=("title", "Call back about the price list"),
        also=[
            Call("GET", lambda c, made: f"{COLLECTION}?q=price&sort=-due",
                 shows=("due_time", "09:30")),
            Call("POST", lambda c, made: item(made, "/snooze"), body={"until": "2000-01-01"},
                 status=422),
            Call("POST", lambda c, made: item(made, "/snooze"), body={"until": "2099-01-01"},
                 shows=("status", "snoozed")),
            Call("POST", lambda c, made: item(made, "/done"), shows=("status", "done")),
            Call("POST", lambda c, made: item(made, "/cancel"), body={"reason": "Late"},
                 status=422),
            Call("GET", lambda c, made: acme(c, "/follow-ups"), shows=("status", "done")),
            Call("PATCH", lambda c, made: "/api/v1/me", body={"time_zone": "Europe/London"},
                 shows=("time_zone", "Europe/London")),
            Call("PATCH", lambda c, made: "/api/v1/me", body={"time_zone": "Europe/Londn"},
                 status=422),
        ],
        denied=[
            ("viewer", "POST", lambda c: COLLECTION, _bad(), 403),
            ("outsider", "POST", lambda c: COLLECTION, _bad(), 404),
            ("outsider", "GET", lambda c: acme(c, "/follow-ups"), None, 404),
        ],
        missing=[
            ("owner", "GET", lambda c: f"{COLLECTION}/{MISSING}"),
            ("owner", "PATCH", lambda c: f"{COLLECTION}/{MISSING}"),
            ("owner", "POST", lambda c: f"{COLLECTION}/{MISSING}/done"),
            ("owner", "GET", lambda c: f"/api/v1/accounts/{MISSING}/follow-ups"),
        ],
        bad=[
            (_bad(due_on="1999-12-31"), "due_on"),
            (_bad(due_time="24:00"), "due_time"),
            (_bad(title=""), "title"),
            (_bad(source_kind="opportunity", source_id=MISSING), "source_id"),
            (_bad(owner_id=MISSING), "owner_id"),
        ],
    ),
    Resource(
        name="follow-ups closed by an interaction",
        actor="owner",
        collection=lambda c: COLLECTION,
        count=lambda body: int(body["total"]),
        create=_body,
        shows=("status", "open"),
        item=lambda c, made: item(made),
        also=[
            Call("POST", lambda c, made: item(made, "/log"),
                 body={"kind": "call", "occurred_on": "2026-01-05", "summary": "Sent it"},
                 shows=("status", "done")),
        ],
    ),
    Resource(
        name="follow-ups cancelled",
        actor="owner",
        collection=lambda c: COLLECTION,
        count=lambda body: int(body["total"]),
        create=_body,
        shows=("status", "open"),
        item=lambda c, made: item(made),
        also=[
            Call("POST", lambda c, made: item(made, "/cancel"), body={"reason": "Not needed"},
                 shows=("cancel_reason", "Not needed")),
        ],
    ),
]
