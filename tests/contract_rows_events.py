"""The scheduled-event resources of the API contract table; see ``contract_rows.py``.

Acme's manager schedules a business review on 1 June 2026, 10:00 in Paris (08:00 UTC), finds
it in the window's occurrences, changes its agenda, makes it quarterly (four times: the last
on 1 March 2027), records the first occurrence's outcome (once: again is a 409), cancels the
second, reads the review pack and cancels the event. A viewer may not schedule one, an
outsider does not find Acme, and an RRULE that does not parse, an interval of 0, a start the
clocks skip, an unknown kind, no title or a contact of no account are each a 422 naming the
field, nothing written."""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource

WINDOW = "/api/v1/events?start=2026-01-01&end=2026-12-31"


def _event(cast, client) -> dict[str, object]:
    return {"account_id": cast.acme_id, "title": "Quarterly review", "kind": "business_review",
            "starts_at": "2026-06-01T10:00", "time_zone": "Europe/Paris",
            "agenda": "The year so far"}


def _bad(**changes) -> dict[str, object]:
    body = {"account_id": 1, "title": "Quarterly review", "kind": "business_review",
            "starts_at": "2026-06-01T10:00", "time_zone": "Europe/Paris", **changes}
    return {k: v for k, v in body.items() if v is not None}


def item(made: dict[str, object], tail: str = "") -> str:
    return f"/api/v1/events/{made['id']}{tail}"


EVENTS = [
    Resource(
        name="events",
        actor="owner",
        collection=lambda c: f"{WINDOW}&account_id={c.acme_id}",
        create=_event,
        create_url=lambda c: "/api/v1/events",
        shows=("title", "Quarterly review"),
        item=lambda c, made: item(made),
        update=("agenda", "Figures, plan, open items"),
        also=[
            Call("PATCH", lambda c, made: item(made),
                 body={"rrule": "FREQ=MONTHLY;INTERVAL=3;COUNT=4"},
                 shows=("last_on", "2027-03-01")),
            Call("GET", lambda c, made: WINDOW, shows=("starts_at", "2026-09-01T08:00:00Z")),
            Call("POST", lambda c, made: item(made, "/occurrences/20260601T080000Z/outcome"),
                 body={"summary": "Went through the year", "sentiment": 8},
                 shows=("status", "held")),
            Call("POST", lambda c, made: item(made, "/occurrences/20260601T080000Z/outcome"),
                 body={"summary": "Again"}, status=409),
            Call("POST", lambda c, made: item(made, "/occurrences/20260901T080000Z/cancel"),
                 shows=("status", "cancelled")),
            Call("POST", lambda c, made: item(made, "/occurrences/20260902T080000Z/cancel"),
                 status=404),
            Call("GET", lambda c, made: item(made, "/review-pack.pdf"), who="head"),
            Call("DELETE", lambda c, made: item(made), status=204),
        ],
        denied=[
            ("viewer", "POST", lambda c: "/api/v1/events", _bad(), 403),
            ("outsider", "POST", lambda c: "/api/v1/events", _bad(), 404),
            ("outsider", "GET", lambda c: f"{WINDOW}&account_id={c.acme_id}", None, 404),
        ],
        missing=[
            ("owner", "GET", lambda c: f"/api/v1/events/{MISSING}"),
            ("owner", "PATCH", lambda c: f"/api/v1/events/{MISSING}"),
            ("owner", "GET", lambda c: f"/api/v1/events/{MISSING}/review-pack.pdf"),
            ("owner", "POST",
             lambda c: f"/api/v1/events/{MISSING}/occurrences/20260601T080000Z/cancel"),
            ("owner", "GET", lambda c: f"{WINDOW}&account_id={MISSING}"),
        ],
        bad=[
            (_bad(rrule="EVERY MONDAY"), "rrule"),
            (_bad(rrule="FREQ=WEEKLY;INTERVAL=0"), "rrule"),
            (_bad(rrule="FREQ=HOURLY"), "rrule"),
            (_bad(starts_at="2027-03-28T02:30"), "starts_at"),
            (_bad(kind="party"), "kind"),
            (_bad(title=""), "title"),
            (_bad(time_zone="Mars/Olympus"), "time_zone"),
            (_bad(contact_ids=[MISSING]), "contact_ids"),
        ],
    ),
]
