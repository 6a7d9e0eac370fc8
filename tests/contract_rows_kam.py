"""The key-account resources of the API contract table (scorings, selection, stages,
health, settings, KPIs, revenue, imports and exports); see ``contract_rows.py``."""

from __future__ import annotations

import importlib
import importlib.util

from contract_rows import (
    CONTACTS_CSV,
    MISSING,
    SCORING,
    USER_MAP_CSV,
    Call,
    Resource,
    Upload,
    acme,
    scoring,
)
from route_policy import HOLIDAYS_ICS

KEY_ACCOUNTS = [
    Resource(
        name="scorings",
        actor="owner",
        collection=lambda c: acme(c, "/scorings"),
        create=lambda c, api: scoring(api),
        shows=("competitor_name", "Rival Ltd"),
        also=[
            Call("GET", lambda c, made: acme(c, "/selection"), shows=("deselected", False)),
            Call("GET", lambda c, made: acme(c, "/kam")),
            Call("GET", lambda c, made: "/api/v1/matrix"),
            Call("GET", lambda c, made: "/api/v1/decisions"),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/scorings"), SCORING, 403),
            ("outsider", "POST", lambda c: acme(c, "/scorings"), SCORING, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/scorings"),
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/selection"),
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/kam"),
        ],
        bad=[
            ({**SCORING, "attractiveness": "all"}, "attractiveness"),
            ({**SCORING, "competitor_name": "x" * 500}, "competitor_name"),
            ({"attractiveness": [], "buying": []}, "competitor_name"),
        ],
    ),
    Resource(
        name="deselection",
        actor="head",
        collection=lambda c: acme(c, "/selection"),
        create={"reason": "no longer strategic"},
        create_status=200,
        create_url=lambda c: acme(c, "/deselection"),
        adds=False,
        shows=("deselected", True),
        delete_url=lambda c, made: acme(c, "/deselection"),
        delete_actor="head",
        delete_status=200,
        denied=[
            ("owner", "POST", lambda c: acme(c, "/deselection"), {"reason": "r"}, 403),
            ("owner", "DELETE", lambda c: acme(c, "/deselection"), None, 403),
            ("other_head", "POST", lambda c: acme(c, "/deselection"), {"reason": "r"}, 404),
        ],
        missing=[("admin", "DELETE", lambda c: f"/api/v1/accounts/{MISSING}/deselection")],
        bad=[({"reason": ""}, "reason"), ({"why": "x"}, "reason")],
    ),
    Resource(
        name="stage assessments and overrides",
        actor="owner",
        collection=lambda c: acme(c, "/stage"),
        create={"comment": "first review"},
        create_url=lambda c: acme(c, "/stage-assessments"),
        adds=False,
        shows=("recorded_stage", "Tactical"),  # the suggested stage: Acme has no history
        also=[
            Call("PUT", lambda c, made: acme(c, "/stage-overrides/contact_points"),
                 body={"score": 2, "reason": "seen at the fair"}),
            Call("DELETE", lambda c, made: acme(c, "/stage-overrides/contact_points")),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/stage-assessments"), {}, 403),
            ("billing", "PUT", lambda c: acme(c, "/stage-overrides/contact_points"),
             {"score": 2, "reason": "r"}, 403),
            ("outsider", "POST", lambda c: acme(c, "/stage-assessments"), {}, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/stage"),
            ("admin", "POST", lambda c: f"/api/v1/accounts/{MISSING}/stage-assessments"),
            ("admin", "DELETE",
             lambda c: f"/api/v1/accounts/{MISSING}/stage-overrides/contact_points"),
        ],
        bad=[({"stage": "Best friends"}, "stage"), ({"comment": "x" * 5001}, "comment"),
             ({"mood": "good"}, "mood")],
    ),
    Resource(
        name="health",
        actor="owner",
        collection=lambda c: acme(c, "/health"),
        shows=("segment", "Manufacturing"),
        also=[
            Call("POST", lambda c, made: acme(c, "/health/recompute"),
                 shows=("segment", "Manufacturing")),
            Call("POST", lambda c, made: "/api/v1/health/recompute", who="head"),
            Call("GET", lambda c, made: "/api/v1/health", who="head"),
        ],
        denied=[
            ("viewer", "POST", lambda c: acme(c, "/health/recompute"), None, 403),
            ("owner", "POST", lambda c: "/api/v1/health/recompute", None, 403),
            ("outsider", "POST", lambda c: acme(c, "/health/recompute"), None, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/health"),
            ("admin", "POST", lambda c: f"/api/v1/accounts/{MISSING}/health/recompute"),
        ],
    ),
    Resource(
        name="health settings",
        actor="head",
        collection=lambda c: "/api/v1/health/settings",
        create={"green_from": 75},
        create_method="PUT",
        create_status=200,
        shows=("green_from", 75),
        listing=lambda settings: [settings["default"]],
        also=[
            Call("PUT", lambda c, made: "/api/v1/health/settings/segments/Manufacturing",
                 body={"green_from": 80}, shows=("green_from", 80)),
            Call("DELETE", lambda c, made: "/api/v1/health/settings/segments/Manufacturing",
                 status=204),
        ],
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/health/settings", {"green_from": 75}, 403),
            ("owner", "PUT", lambda c: "/api/v1/health/settings/segments/Energy", {}, 403),
            ("viewer", "DELETE", lambda c: "/api/v1/health/settings/segments/Energy", None, 403),
        ],
        bad=[({"green_from": "green"}, "green_from"), ({"cadence_days": 7}, "cadence_days")],
    ),
    Resource(
        name="selection settings",
        actor="head",
        collection=lambda c: "/api/v1/selection/settings",
        create={"attractiveness_cut": "6.5"},
        create_method="PUT",
        create_status=200,
        shows=("attractiveness_cut", "6.5"),
        denied=[("owner", "PUT", lambda c: "/api/v1/selection/settings", {}, 403)],
        bad=[({"attractiveness_cut": "11"}, "attractiveness_cut"),
             ({"min_criteria": "many"}, "min_criteria"), ({"colour": "red"}, "colour")],
    ),
    Resource(
        name="selection criteria",
        actor="head",
        collection=lambda c: "/api/v1/selection/criteria",
        create={"criteria": [{"name": "Price", "weight": 60}, {"name": "Quality", "weight": 40}]},
        create_method="PUT",
        create_status=200,
        create_url=lambda c: "/api/v1/selection/criteria/buying",
        shows=("name", "Price"),
        count=lambda criteria: len(criteria["buying"]),
        listing=lambda criteria: criteria["buying"],
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/selection/criteria/buying",
             {"criteria": []}, 403),
        ],
        bad=[({"criteria": "all"}, "criteria"),
             ({"criteria": [{"name": "", "weight": 100}]}, "criteria.0.name")],
    ),
    Resource(
        name="stage settings",
        actor="head",
        collection=lambda c: "/api/v1/stages/settings",
        create={"contact_lookback_days": 300},
        create_method="PUT",
        create_status=200,
        shows=("contact_lookback_days", 300),
        denied=[("owner", "PUT", lambda c: "/api/v1/stages/settings", {}, 403)],
        bad=[({"contacts_for_2": "two"}, "contacts_for_2"), ({"colour": "red"}, "colour")],
    ),
    Resource(
        name="KPIs",
        actor="admin",
        collection=lambda c: "/api/v1/kpis/policy",
        create={"window_months": 6},
        create_method="PUT",
        create_status=200,
        shows=("window_months", 6),
        also=[
            Call("GET", lambda c, made: "/api/v1/kpis?as_of=2025-12",
                 shows=("window_months", 6)),
            Call("GET", lambda c, made: "/api/v1/kpis/accounts?movement=churned&as_of=2025-12"),
            Call("GET", lambda c, made: "/api/v1/kpis/registry", shows=("slug", "hhi")),
        ],
        denied=[("owner", "PUT", lambda c: "/api/v1/kpis/policy", {"window_months": 3}, 403)],
        bad=[({"window_months": "six"}, "window_months"), ({"basis": "lunar"}, "basis")],
    ),
    Resource(
        name="revenue",
        actor="owner",
        collection=lambda c: acme(c, "/revenue/monthly"),
        also=[Call("GET", lambda c, made: acme(c, "/revenue/lines"))],
        denied=[
            ("outsider", "GET", lambda c: acme(c, "/revenue/monthly"), None, 404),
            ("outsider", "GET", lambda c: acme(c, "/revenue/lines"), None, 404),
        ],
        missing=[
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/revenue/monthly"),
            ("admin", "GET", lambda c: f"/api/v1/accounts/{MISSING}/revenue/lines"),
        ],
    ),
    Resource(
        name="imports and exports",
        actor="owner",
        collection=lambda c: "/api/v1/exports/accounts",
        also=[
            Call("POST", lambda c, made: "/api/v1/imports/contacts",
                 files={"file": CONTACTS_CSV}),
            Call("POST", lambda c, made: "/api/v1/imports/user-map",
                 files={"file": USER_MAP_CSV}, who="head"),
        ],
        denied=[
            ("owner", "POST", lambda c: "/api/v1/imports/user-map",
             Upload({"file": USER_MAP_CSV}), 403),
            ("viewer", "POST", lambda c: "/api/v1/imports/contacts",
             Upload({"file": CONTACTS_CSV}), 403),
        ],
    ),
    Resource(
        name="working-day calendar",
        actor="admin",
        collection=lambda c: "/api/v1/calendar",
        create={"working_weekdays": [0, 1, 2, 3],
                "holidays": [{"on": "2026-12-25", "name": "Christmas Day"}]},
        create_method="PUT",
        create_status=200,
        shows=("working_weekdays", [0, 1, 2, 3]),
        also=[
            Call("POST", lambda c, made: "/api/v1/calendar/holidays", status=201,
                 body={"on": "2027-12-25", "name": "Christmas Day"}),
            Call("DELETE", lambda c, made: "/api/v1/calendar/holidays/2027-12-25", status=204),
            Call("POST", lambda c, made: "/api/v1/calendar/holidays/import",
                 files={"file": HOLIDAYS_ICS}, shows=("added", 1)),
            Call("GET", lambda c, made: "/api/v1/calendar/working-days?start=2026-12-18&days=10",
                 who="viewer", shows=("end", "2027-01-05")),
        ],
        denied=[
            ("head", "PUT", lambda c: "/api/v1/calendar", {"working_weekdays": [0]}, 403),
            ("owner", "POST", lambda c: "/api/v1/calendar/holidays",
             {"on": "2027-01-01", "name": "x"}, 403),
            ("owner", "DELETE", lambda c: "/api/v1/calendar/holidays/2026-12-25", None, 403),
            ("owner", "POST", lambda c: "/api/v1/calendar/holidays/import",
             Upload({"file": HOLIDAYS_ICS}), 403),
        ],
        missing=[("admin", "DELETE", lambda c: "/api/v1/calendar/holidays/2031-01-01")],
        bad=[
            ({"working_weekdays": []}, "working_weekdays"),
            ({"working_weekdays": [7]}, "working_weekdays.0"),
            ({"holidays": [{"on": "2026-12-25", "name": "a\u0007b"}]}, "holidays.0.name"),
            ({"holidays": [{"on": "2026-12-25", "name": "a"}, {"on": "2026-12-25", "name": "b"}]},
             "holidays.1.on"),
        ],
    ),
]

# each capability of issue 11 keeps its rows in its own module
from contract_rows_plans import PLANS  # noqa: E402

KEY_ACCOUNTS += PLANS

from contract_rows_targets import TARGETS  # noqa: E402

KEY_ACCOUNTS += TARGETS

from contract_rows_handoffs import HANDOFFS  # noqa: E402

KEY_ACCOUNTS += HANDOFFS

from contract_rows_opportunities import OPPORTUNITIES  # noqa: E402

KEY_ACCOUNTS += OPPORTUNITIES

from contract_rows_renewals import RENEWALS  # noqa: E402

KEY_ACCOUNTS += RENEWALS

from contract_rows_feed import FEED  # noqa: E402

KEY_ACCOUNTS += FEED

from contract_rows_growth import GROWTH  # noqa: E402

KEY_ACCOUNTS += GROWTH

from contract_rows_proposals import PROPOSALS  # noqa: E402

KEY_ACCOUNTS += PROPOSALS

from contract_rows_followups import FOLLOW_UPS  # noqa: E402

KEY_ACCOUNTS += FOLLOW_UPS

from contract_rows_events import EVENTS  # noqa: E402

KEY_ACCOUNTS += EVENTS

from contract_rows_cadence import CADENCE  # noqa: E402

KEY_ACCOUNTS += CADENCE

from contract_rows_jobs import JOBS  # noqa: E402

KEY_ACCOUNTS += JOBS

from contract_rows_myday import MYDAY  # noqa: E402

KEY_ACCOUNTS += MYDAY

from contract_rows_agency import AGENCY  # noqa: E402

KEY_ACCOUNTS += AGENCY

from contract_rows_licences import LICENCES  # noqa: E402

KEY_ACCOUNTS += LICENCES

# the licences sections built in files of their own; each defines ``ROWS`` (a list of
# resources like LICENCES) when it has any
for _name in ("contract_rows_seats", "contract_rows_m365", "contract_rows_kpi_source",
              "contract_rows_signals", "contract_rows_clients_fits", "contract_rows_clients_lists",
              "contract_rows_clients_campaigns", "contract_rows_clients_privacy",
              "contract_rows_team_workload", "contract_rows_team_assign",
              "contract_rows_team_scorecard"):
    if importlib.util.find_spec(_name) is not None:
        KEY_ACCOUNTS += importlib.import_module(_name).ROWS
