"""The agency resources of the API contract table (departments, deliverable checklists,
briefs, client inputs, the agency setting and the on-time scorecard); see
``contract_rows.py``.

An admin creates the department "Studio" (a template of its own kind, Prague time, four
working weekdays), sets its members, adds and removes a day off and reads its scorecard; the
deliverable type "brochure" is written with PUT. A brief is written by an admin (to a
"Creative" department the admin creates in the same call, led by the outsider, who does not
see Acme): the draft is the account side's alone (the lead gets a 404), Acme's manager sends
it, the lead accepts it proposing another due date, the manager declines the date, the lead
starts and delivers, the manager asks for changes (a round), the lead delivers again and the
manager approves; a cancel after that is a 409, a department move by the manager a 403. The
on-time report, the effort report and the department's scorecard then count it. Another
brief has its proposed date agreed and is cancelled. Acme's manager requests a client input,
renames it, sets Acme's chase interval, and records it received; an admin runs the chases
and changes the agency setting; another input is cancelled (received after that: a 422,
it is closed). Bad bodies name Acme as account 1 (the contract world's first account)."""

from __future__ import annotations

from typing import Any

from contract_rows import MISSING, Call, Resource, acme

DEPARTMENTS = "/api/v1/departments"
BRIEFS = "/api/v1/briefs"
INPUTS = "/api/v1/inputs"
TYPES = "/api/v1/deliverable-types"
PROPOSED = "2027-03-15"  # a Monday
STUDIO = {"name": "Studio", "time_zone": "Europe/Prague", "turnaround_days": 3,
          "weekdays": [0, 1, 2, 3]}
CHECKLIST = {"name": "Brochure", "items": [{"key": "proofread", "label": "Proofread"},
                                           {"key": "print_ready", "label": "Print-ready PDF"}]}
INPUT = {"title": "Brand book", "due_on": "2027-03-10", "chase_days": 2,
         "reason": "The key visual waits on it"}


def department(made: dict[str, Any], tail: str = "") -> str:
    return f"{DEPARTMENTS}/{made['id']}{tail}"


def brief(made: dict[str, Any], tail: str = "") -> str:
    return f"{BRIEFS}/{made['id']}{tail}"


def brief_department(made: dict[str, Any], tail: str = "") -> str:
    """The brief's department (the route walk's stand-in brief has none: any id)."""
    return f"{DEPARTMENTS}/{made.get('department_id', made['id'])}{tail}"


def entry(made: dict[str, Any], tail: str = "") -> str:
    return f"{INPUTS}/{made['id']}{tail}"


def _brief(cast: Any, client: Any) -> dict[str, Any]:
    """A brief to a new Creative department led by the outsider (the admin creates it)."""
    made = client.post(DEPARTMENTS, json={"name": "Creative", "lead_id": cast.outsider.id})
    assert made.status_code == 201, made.text
    return {"account_id": cast.acme_id, "department_id": made.json()["id"],
            "title": "Spring campaign key visual", "priority": "high",
            "sections": {"objective": "Launch the spring range"}, "estimated_hours": "4"}


def _bad_brief(**change: Any) -> dict[str, Any]:
    return {"account_id": 1, "department_id": MISSING, "title": "Key visual", **change}


def _input(cast: Any, client: Any) -> dict[str, Any]:
    return {**INPUT, "account_id": cast.acme_id}


def _bad_input(**change: Any) -> dict[str, Any]:
    return {**INPUT, "account_id": 1, **change}


def _sent_and_proposed() -> list[Call]:
    """Acme's manager sends the brief; its department's lead accepts it proposing a date."""
    return [
        Call("POST", lambda c, made: brief(made, "/send"), who="owner", shows=("status", "sent")),
        Call("POST", lambda c, made: brief(made, "/accept"), who="outsider",
             body={"proposed_due_on": PROPOSED, "reason": "The photographer is away"},
             shows=("proposed_due_on", PROPOSED)),
    ]


AGENCY = [
    Resource(
        name="departments",
        actor="admin",
        collection=lambda c: DEPARTMENTS,
        count=lambda body: int(body["total"]),
        create=STUDIO,
        shows=("name", "Studio"),
        item=lambda c, made: department(made),
        update=("turnaround_days", 7),
        also=[
            Call("PUT", lambda c, made: department(made, "/members"),
                 body=lambda c: {"user_ids": [c.teammate.id, c.viewer.id]},
                 shows=("member_count", 2)),
            Call("POST", lambda c, made: department(made, "/holidays"),
                 body={"day": "2027-12-24", "name": "Studio day"}, shows=("name", "Studio")),
            Call("POST", lambda c, made: department(made, "/holidays"),
                 body={"day": "1899-12-31"}, status=422),
            Call("DELETE", lambda c, made: department(made, "/holidays/2027-12-24"),
                 shows=("holidays", [])),
            Call("GET", lambda c, made: department(made, "/scorecard"), who="viewer",
                 shows=("late_total", 0)),
            Call("GET", lambda c, made: f"{DEPARTMENTS}?include_inactive=true", who="teammate",
                 shows=("is_mine", True)),
        ],
        denied=[
            ("owner", "POST", lambda c: DEPARTMENTS, STUDIO, 403),
            ("head", "PATCH", lambda c: f"{DEPARTMENTS}/1", {"turnaround_days": 2}, 403),
        ],
        missing=[
            ("admin", "GET", lambda c: f"{DEPARTMENTS}/{MISSING}"),
            ("admin", "PATCH", lambda c: f"{DEPARTMENTS}/{MISSING}"),
            ("admin", "DELETE", lambda c: f"{DEPARTMENTS}/{MISSING}/holidays/2027-12-24"),
            ("owner", "GET", lambda c: f"{DEPARTMENTS}/{MISSING}/scorecard"),
        ],
        bad=[
            ({**STUDIO, "name": ""}, "name"),
            ({**STUDIO, "time_zone": "Mars/Olympus"}, "time_zone"),
            ({**STUDIO, "turnaround_days": 0}, "turnaround_days"),
            ({**STUDIO, "weekdays": [7]}, "weekdays.0"),
            ({**STUDIO, "lead_id": MISSING}, "lead_id"),
        ],
    ),
    Resource(
        name="deliverable types",
        actor="admin",
        collection=lambda c: TYPES,
        count=lambda body: int(body["total"]),
        create=CHECKLIST,
        create_method="PUT",
        create_url=lambda c: f"{TYPES}/brochure",
        create_status=200,
        shows=("name", "Brochure"),
        item=lambda c, made: f"{TYPES}/brochure",
        also=[
            Call("GET", lambda c, made: f"{TYPES}/brochure", who="viewer",
                 shows=("label", "Print-ready PDF")),
        ],
        denied=[
            ("viewer", "PUT", lambda c: f"{TYPES}/brochure", CHECKLIST, 403),
            ("owner", "PUT", lambda c: f"{TYPES}/brochure", CHECKLIST, 403),
        ],
        missing=[("owner", "GET", lambda c: f"{TYPES}/nope")],
        bad=[
            ({**CHECKLIST, "name": ""}, "name"),
            ({**CHECKLIST, "items": []}, "items"),
        ],
    ),
    Resource(
        name="briefs",
        actor="admin",
        collection=lambda c: BRIEFS,
        count=lambda body: int(body["total"]),
        create=_brief,
        shows=("status", "draft"),
        item=lambda c, made: brief(made),
        update=("title", "Spring campaign key visuals"),
        also=[
            # a draft is the account side's alone: its department's lead does not find it
            Call("GET", lambda c, made: brief(made), who="outsider", status=404),
            Call("POST", lambda c, made: brief(made, "/send"), who="owner",
                 shows=("status", "sent")),
            # once sent, the lead sees it with the account's name and nothing else of it
            Call("GET", lambda c, made: brief(made), who="outsider", shows=("account_id", None)),
            Call("POST", lambda c, made: brief(made, "/start"), who="outsider", status=409),
            Call("POST", lambda c, made: brief(made, "/accept"), who="owner", body={},
                 status=403),
            Call("POST", lambda c, made: brief(made, "/accept"), who="outsider",
                 body={"proposed_due_on": PROPOSED, "reason": "The photographer is away"},
                 shows=("status", "accepted")),
            Call("POST", lambda c, made: brief(made, "/decline-date"), who="owner",
                 body={"reason": "The launch cannot move"}, shows=("proposed_due_on", None)),
            Call("POST", lambda c, made: brief(made, "/start"), who="outsider",
                 shows=("status", "in_progress")),
            Call("POST", lambda c, made: brief(made, "/deliver"), who="outsider",
                 body={"actual_hours": "5.5"}, shows=("status", "delivered")),
            Call("POST", lambda c, made: brief(made, "/request-changes"), who="owner",
                 body={"reason": "The logo is too small"}, shows=("rounds", 1)),
            Call("POST", lambda c, made: brief(made, "/deliver"), who="outsider", body={},
                 shows=("status", "delivered")),
            Call("POST", lambda c, made: brief(made, "/approve"), who="owner", body={},
                 shows=("status", "approved")),
            Call("POST", lambda c, made: brief(made, "/cancel"), who="owner",
                 body={"reason": "Too late"}, status=409),
            Call("GET", lambda c, made: brief(made, "/transitions"), shows=("action", "approve")),
            Call("GET", lambda c, made: f"{BRIEFS}/board", who="outsider",
                 shows=("department_name", "Creative")),
            Call("GET", lambda c, made: f"{BRIEFS}?status=approved&q=spring", who="owner",
                 shows=("title", "Spring campaign key visuals")),
            Call("GET", lambda c, made: acme(c, "/briefs"), who="owner",
                 shows=("status", "approved")),
            Call("GET", lambda c, made: "/api/v1/agency/on-time", who="owner",
                 shows=("delivered", 1)),
            Call("GET", lambda c, made: "/api/v1/agency/effort", who="owner",
                 shows=("account_name", "Acme Industries")),
            Call("GET", lambda c, made: brief_department(made, "/scorecard"), who="outsider",
                 shows=("late_total", 0)),
        ],
        denied=[
            ("viewer", "POST", lambda c: BRIEFS, _bad_brief(), 403),
            ("outsider", "POST", lambda c: BRIEFS, _bad_brief(), 404),
            ("outsider", "GET", lambda c: acme(c, "/briefs"), None, 404),
            ("outsider", "GET", lambda c: f"{BRIEFS}/board?account_id={c.acme_id}", None, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"{BRIEFS}/{MISSING}"),
            ("admin", "PATCH", lambda c: f"{BRIEFS}/{MISSING}"),
            ("admin", "POST", lambda c: f"{BRIEFS}/{MISSING}/send"),
            ("admin", "GET", lambda c: f"{BRIEFS}/{MISSING}/transitions"),
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/briefs"),
        ],
        bad=[
            (_bad_brief(), "department_id"),
            (_bad_brief(title=""), "title"),
            (_bad_brief(priority="asap"), "priority"),
            (_bad_brief(estimated_hours="0"), "estimated_hours"),
        ],
    ),
    Resource(
        name="briefs with another date agreed",
        actor="admin",
        collection=lambda c: BRIEFS,
        count=lambda body: int(body["total"]),
        create=_brief,
        shows=("status", "draft"),
        item=lambda c, made: brief(made),
        also=[
            *_sent_and_proposed(),
            Call("POST", lambda c, made: brief(made, "/agree-date"), who="owner",
                 shows=("due_on", PROPOSED)),
            Call("POST", lambda c, made: brief(made, "/cancel"), who="owner",
                 body={"reason": "The client dropped the campaign"},
                 shows=("status", "cancelled")),
        ],
    ),
    Resource(
        name="client inputs",
        actor="owner",
        collection=lambda c: INPUTS,
        count=lambda body: int(body["total"]),
        create=_input,
        shows=("title", "Brand book"),
        item=lambda c, made: entry(made),
        update=("title", "Brand book and logos"),
        also=[
            Call("PUT", lambda c, made: acme(c, "/chase-interval"), body={"chase_days": 4},
                 shows=("account_chase_days", 4)),
            Call("GET", lambda c, made: acme(c, "/inputs"), who="teammate",
                 shows=("effective_chase_days", 4)),
            Call("GET", lambda c, made: "/api/v1/agency/settings", shows=("escalate_after", 3)),
            Call("PUT", lambda c, made: "/api/v1/agency/settings", who="admin",
                 body={"escalate_after": 2, "default_chase_days": 5},
                 shows=("default_chase_days", 5)),
            # nothing is due the day it is requested: the run chases none
            Call("POST", lambda c, made: f"{INPUTS}/chase-now", who="admin",
                 shows=("chased", 0)),
            Call("POST", lambda c, made: f"/api/v1/chases/{MISSING}/sent", status=404),
            Call("POST", lambda c, made: entry(made, "/received"),
                 body={"note": "Came by mail"}, shows=("status", "received")),
            Call("GET", lambda c, made: f"{INPUTS}?status=received",
                 shows=("close_note", "Came by mail")),
        ],
        denied=[
            ("viewer", "POST", lambda c: INPUTS, _bad_input(), 403),
            ("outsider", "POST", lambda c: INPUTS, _bad_input(), 404),
            ("outsider", "GET", lambda c: acme(c, "/inputs"), None, 404),
            ("owner", "PUT", lambda c: "/api/v1/agency/settings",
             {"escalate_after": 2, "default_chase_days": 5}, 403),
            ("owner", "POST", lambda c: f"{INPUTS}/chase-now", None, 403),
        ],
        missing=[
            ("owner", "GET", lambda c: f"{INPUTS}/{MISSING}"),
            ("owner", "PATCH", lambda c: f"{INPUTS}/{MISSING}"),
            ("owner", "POST", lambda c: f"{INPUTS}/{MISSING}/received"),
            ("owner", "POST", lambda c: f"/api/v1/chases/{MISSING}/sent"),
            ("owner", "GET", lambda c: f"/api/v1/accounts/{MISSING}/inputs"),
        ],
        bad=[
            (_bad_input(due_on="2000-01-03"), "due_on"),
            (_bad_input(chase_days=0), "chase_days"),
            (_bad_input(title=""), "title"),
            (_bad_input(contact_id=MISSING), "contact_id"),
            (_bad_input(brief_id=MISSING), "brief_id"),
        ],
    ),
    Resource(
        name="client inputs cancelled",
        actor="owner",
        collection=lambda c: INPUTS,
        count=lambda body: int(body["total"]),
        create=_input,
        shows=("status", "open"),
        item=lambda c, made: entry(made),
        also=[
            Call("POST", lambda c, made: entry(made, "/cancel"), body={"reason": ""},
                 status=422),
            Call("POST", lambda c, made: entry(made, "/cancel"),
                 body={"reason": "The client sent it to the studio"},
                 shows=("status", "cancelled")),
            Call("POST", lambda c, made: entry(made, "/received"), body={}, status=422),
        ],
    ),
]
