"""Who may call which route: every route and method of the app, classified (issue 9, §2).

``tests/test_route_table.py`` walks the app's own route table and checks each route against
this table; a route that is not named here FAILS that test, so a route added next month is
covered the day it lands. To classify a new route, add one line to ``POLICY``:

    ("POST", "/api/v1/accounts/{account_id}/things"): write(WRITERS, body={"name": "x"}),

- ``read(roles)``: a GET. ``roles`` may read it (200); any other role gets 403 or 404. Every
  200 body read by someone who must not see the out-of-reach account is searched for it
  (its name, external id, ``/accounts/<id>`` links, ``account_id``/``parent_id`` values).
- ``write(roles)``: a POST/PUT/PATCH/DELETE. ``roles`` may do it (any 2xx/3xx, or 409/422 for
  the sample input), every other role gets 403 or 404 — never a success. Give a ``body``
  (JSON, the API), ``form`` (pages; the CSRF token is added) or ``files`` (uploads) that
  passes request validation, else a refused role would see a 422 instead of 403/404.
- A path with ``{account_id}`` is an account route: only roles in ``roles`` *who see the
  account* may, someone who does not see it gets 404, and an out-of-reach id must answer
  exactly like a missing one (the 404 wall). ``wall=`` names other account-like parameters
  (an external id, a contact seen through its accounts).
- ``self_ok=True``: the path's ``{user_id}`` / ``{token_id}`` is the caller's own (the
  test's sample is the manager's), so that manager may too.
- ``public(...)``: a route reached by a secret in its path instead of a login (a calendar
  feed, a shared plan link): it must carry ``{token}`` and answer 404 to a wrong token,
  the same for everybody, signed in or not. ``OPEN``: needs no login and shows no account
  data (login page, health probes, static files, API description). ``SESSION``: signs in
  or out; any signed-in user.
- ``reach``: the test's people who may see the sample object of a non-account path (a
  team: its head and the admin); anyone else gets 404 from an allowed role too.
- ``as_head``: more query strings read by North's head (200) and searched for the other
  team's accounts too (``manager=`` choices: a team member on Globex's account team, a
  viewer placed in the team must not widen what the head sees).
- ``params`` / ``query``: sample path values and query string; ``who``: only these people
  (slow routes); ``leaks=False``: a body the test cannot read (a PDF; its HTML twin is).

Roles: admin, head, manager, sales, billing, viewer, specialist (sees no account: only the
briefs of their departments). A route that does not fit these
categories is a design question for the review, not a reason to leave it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = frozenset({"admin", "head", "manager", "sales", "billing", "viewer", "specialist"})
EVERYONE = ROLES
#: roles that may change the accounts they see
WRITERS = frozenset({"admin", "head", "manager", "sales"})
ADMIN = frozenset({"admin"})
ADMIN_HEAD = frozenset({"admin", "head"})
NOBODY: frozenset[str] = frozenset()
PLAN_SETTINGS_FORM = {"review_interval_days": "60", "share_link_days": "20"}
HANDOFF_SETTINGS_FORM = {"deadline_working_days": "9"}
#: who sees Acme, whose plan (tests/route_samples_plans.py) the plan routes name
PLAN_READERS = ("admin", "head", "owner", "sales", "billing", "viewer")


@dataclass(frozen=True)
class Rule:
    kind: str  # read | write | public | open | session
    roles: frozenset[str] = EVERYONE
    self_ok: bool = False
    body: Any = None
    form: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    params: dict[str, str] = field(default_factory=dict)
    query: str = ""
    who: tuple[str, ...] | None = None
    leaks: bool = True
    wall: tuple[str, ...] = ()
    reach: tuple[str, ...] | None = None
    as_head: tuple[str, ...] = ()


def read(roles: frozenset[str] = EVERYONE, **kw: Any) -> Rule:
    return Rule("read", roles, **kw)


def write(roles: frozenset[str], **kw: Any) -> Rule:
    return Rule("write", roles, **kw)


def public(**kw: Any) -> Rule:
    return Rule("public", NOBODY, **kw)


OPEN = Rule("open")
SESSION = Rule("session")

CONTACTS_CSV = ("contacts.csv", b"account_external_id,name,email\nACME,Zed Zeta,zed@acme.test\n",
                "text/csv")
USER_MAP_CSV = ("map.csv", b"crm_user_id,email\n005000000000001,owner@accord.test\n", "text/csv")
SCORING = {"attractiveness": [], "buying": [], "competitor_name": "Rival"}
#: a head's choices of whose KPI figures to see (V2)
CHOSEN = ("as_of=2025-12&movement=churned&manager=teammate@accord.test",
          "as_of=2025-12&movement=churned&manager=viewer@accord.test")
INTERACTION = {"kind": "call", "occurred_on": "2025-01-02", "summary": "Called"}
#: a target North's head may set (for the owner, in their team)
TARGET = {"manager": "owner@accord.test", "period": "2027-Q1", "metric": "book_revenue",
          "target": "250000"}
#: a follow-up on Acme (the route table's first account, id 1)
FOLLOW_UP = {"account_id": 1, "title": "Call back", "due_on": "2027-01-15"}
#: an opportunity on the account (the opportunity routes)
OPPORTUNITY = {"title": "Spare parts", "kind": "upsell", "value": "12000"}
HOLIDAYS_ICS = ("holidays.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
                b"DTSTART;VALUE=DATE:20270101\r\nSUMMARY:New Year\r\nEND:VEVENT\r\n"
                b"END:VCALENDAR\r\n", "text/calendar")
#: a past meeting with Carla (Acme's contact in the route-table world): the meetings import
MEETINGS_ICS = ("meetings.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
                b"UID:route-table-meeting@example.test\r\nDTSTART:20250310T090000Z\r\n"
                b"SUMMARY:Quarterly call\r\nATTENDEE:mailto:carla@acme.test\r\nEND:VEVENT\r\n"
                b"END:VCALENDAR\r\n", "text/calendar")

#: an event on Acme (account 1): a quarterly business review; the sample occurrence of the
#: weekly call in tests/route_samples_events.py
EVENT = {"account_id": 1, "title": "Quarterly review", "kind": "business_review",
         "starts_at": "2027-01-11T10:00", "time_zone": "Europe/Paris",
         "rrule": "FREQ=MONTHLY;INTERVAL=3"}
EVENT_FORM = {"title": "Quarterly review", "kind": "business_review",
              "starts_at": "2027-01-11T10:00", "time_zone": "Europe/Paris", "repeat": "quarterly"}
OCCURRENCE = {"start": "20260105T090000Z"}

#: the sample hand-off (Acme's, written by the sales user for the owner): who sees it, who
#: writes it (its author; an admin), who accepts or returns it (the receiver, their head, admin)
SEE_HANDOFF = ("admin", "head", "owner", "sales", "billing", "viewer")
HANDOFF_AUTHOR = frozenset({"admin", "sales"})
HANDOFF_RECEIVER = frozenset({"admin", "head", "manager"})

#: the sample brief (Acme's, sent to Sample Creative): who sees it, who acts for Creative
SEE_BRIEF = ("admin", "head", "owner", "sales", "billing", "viewer", "specialist")
BRIEF_DEPARTMENT = frozenset({"admin", "specialist"})
#: a new brief on Acme (account 1) to the first department (Sample Creative)
BRIEF = {"account_id": 1, "department_id": 1, "title": "Route brief"}
BRIEF_FORM = {"account_id": "1", "department_id": "1", "title": "Route brief"}

#: licences: who changes quantities and prices; a new subscription on Acme (account 1) of
#: the first SKU, a change, an end (tests/route_samples_licences.py)
BILLING = frozenset({"admin", "billing"})
SUBSCRIPTION = {"account_id": 1, "sku_id": 1, "start_on": "2027-01-01", "quantity": 10,
                "unit_price": "12.50"}
SUBSCRIPTION_FORM = {"account_id": "1", "sku_id": "1", "start_on": "2027-01-01",
                     "term_months": "12", "quantity": "10", "unit_price": "12.50"}
CHANGE = {"quantity": 120, "effective_on": "2027-06-01", "reason": "new hires"}
CHANGE_FORM = {"quantity": "120", "effective_on": "2027-06-01", "reason": "new hires"}
END = {"status": "cancelled", "on": "2027-06-30", "reason": "moved to a reseller"}
END_FORM = {"status": "cancelled", "on": "2027-06-30", "reason": "moved to a reseller"}
POLICY: dict[tuple[str, str], Rule] = {
    # ------------------------------------------------------------ open, session
    ("GET", "/api/v1/openapi.json"): OPEN,
    ("GET", "/api/v1/docs"): OPEN,
    ("GET", "/static"): OPEN,
    ("GET", "/healthz"): OPEN,
    ("GET", "/readyz"): OPEN,
    ("GET", "/login"): OPEN,
    ("POST", "/login"): SESSION,
    ("POST", "/logout"): SESSION,
    ("POST", "/logout/everywhere"): SESSION,
    ("GET", "/"): read(),
    # ------------------------------------------------------------ users, teams, tokens
    ("GET", "/api/v1/me"): read(),
    ("GET", "/api/v1/users"): read(ADMIN),
    ("POST", "/api/v1/users"): write(ADMIN, body={"email": "new@accord.test", "role": "viewer"}),
    ("GET", "/api/v1/users/{user_id}"): read(ADMIN),
    ("PATCH", "/api/v1/users/{user_id}"): write(ADMIN, body={"capacity": 90}),
    ("POST", "/api/v1/users/{user_id}/tokens"): write(ADMIN, self_ok=True, body={"name": "t"}),
    ("GET", "/api/v1/tokens"): read(),
    ("DELETE", "/api/v1/tokens/{token_id}"): write(ADMIN, self_ok=True),
    ("POST", "/api/v1/users/{user_id}/logout-everywhere"): write(ADMIN, self_ok=True),
    ("GET", "/api/v1/teams"): read(ADMIN_HEAD),  # a head: the teams they head
    ("POST", "/api/v1/teams"): write(ADMIN, body={"name": "East"}),
    ("GET", "/api/v1/teams/{team_id}"): read(ADMIN_HEAD, reach=("admin", "head")),
    ("PATCH", "/api/v1/teams/{team_id}"): write(ADMIN, body={"name": "Northern"}),
    ("DELETE", "/api/v1/teams/{team_id}"): write(ADMIN),
    ("POST", "/api/v1/teams/{team_id}/members"): write(ADMIN, body={"user_id": 1}),
    ("DELETE", "/api/v1/teams/{team_id}/members/{user_id}"): write(ADMIN),
    ("GET", "/admin/users"): read(ADMIN),
    ("POST", "/admin/users"): write(ADMIN, form={"email": "new@accord.test", "role": "viewer"}),
    ("GET", "/admin/users/{user_id}"): read(ADMIN),
    ("POST", "/admin/users/{user_id}"): write(ADMIN, form={"name": "Olivia", "role": "manager",
                                                          "capacity": "90", "is_active": "on"}),
    ("POST", "/admin/users/{user_id}/tokens"): write(ADMIN, form={"name": "t"}),
    ("POST", "/admin/users/{user_id}/tokens/{token_id}/revoke"): write(ADMIN),
    ("POST", "/admin/users/{user_id}/logout-everywhere"): write(ADMIN),
    ("GET", "/admin/teams"): read(ADMIN),
    ("POST", "/admin/teams"): write(ADMIN, form={"name": "East"}),
    ("GET", "/admin/teams/{team_id}"): read(ADMIN),
    ("POST", "/admin/teams/{team_id}"): write(ADMIN, form={"name": "Northern"}),
    ("POST", "/admin/teams/{team_id}/members"): write(ADMIN, form={"user_id": "1"}),
    ("POST", "/admin/teams/{team_id}/members/{member_id}/remove"): write(ADMIN),
    ("POST", "/admin/teams/{team_id}/delete"): write(ADMIN),
    # ------------------------------------------------------------ audit log
    ("GET", "/api/v1/audit"): read(ADMIN_HEAD),
    ("GET", "/api/v1/audit/export.csv"): read(ADMIN_HEAD),
    ("GET", "/audit"): read(ADMIN_HEAD),
    ("GET", "/audit/export.csv"): read(ADMIN_HEAD),
    # ------------------------------------------------------------ accounts (API)
    ("GET", "/api/v1/accounts"): read(),
    ("POST", "/api/v1/accounts"): write(WRITERS, body={"name": "New Co"}),
    ("GET", "/api/v1/accounts/by-external-id/{external_id}"): read(wall=("external_id",)),
    ("GET", "/api/v1/accounts/{account_id}"): read(),
    ("PATCH", "/api/v1/accounts/{account_id}"): write(WRITERS, body={"notes": "n"}),
    ("DELETE", "/api/v1/accounts/{account_id}"): write(ADMIN),
    ("GET", "/api/v1/accounts/{account_id}/members"): read(),
    ("PUT", "/api/v1/accounts/{account_id}/members"): write(WRITERS, body={"user_ids": []}),
    ("GET", "/api/v1/accounts/{account_id}/contacts"): read(),
    ("POST", "/api/v1/accounts/{account_id}/contacts"): write(WRITERS, body={"name": "Zed"}),
    ("PATCH", "/api/v1/accounts/{account_id}/contacts/{contact_id}"): write(
        WRITERS, body={"function": "CEO"}),
    ("DELETE", "/api/v1/accounts/{account_id}/contacts/{contact_id}"): write(WRITERS),
    ("GET", "/api/v1/contacts/{contact_id}"): read(wall=("contact_id",)),
    ("GET", "/api/v1/accounts/{account_id}/interactions"): read(),
    ("POST", "/api/v1/accounts/{account_id}/interactions"): write(WRITERS, body=INTERACTION),
    ("GET", "/api/v1/accounts/{account_id}/revenue/monthly"): read(),
    ("GET", "/api/v1/accounts/{account_id}/revenue/lines"): read(),
    # ------------------------------------------------------------ imports and exports
    ("POST", "/api/v1/imports/{kind}"): write(WRITERS, params={"kind": "contacts"},
                                              files={"file": CONTACTS_CSV}),
    ("POST", "/api/v1/imports/user-map"): write(ADMIN_HEAD, files={"file": USER_MAP_CSV}),
    ("GET", "/api/v1/exports/{kind}"): read(params={"kind": "accounts"}),
    ("GET", "/import"): read(),  # the upload form; uploading is a write
    ("POST", "/import"): write(WRITERS, form={"kind": "contacts"}, files={"file": CONTACTS_CSV}),
    # ------------------------------------------------------------ KPIs
    ("GET", "/api/v1/kpis"): read(query="as_of=2025-12"),
    ("GET", "/api/v1/kpis/accounts"): read(query="movement=churned&as_of=2025-12"),
    ("GET", "/api/v1/kpis/registry"): read(),
    ("GET", "/api/v1/kpis/policy"): read(),
    ("PUT", "/api/v1/kpis/policy"): write(ADMIN_HEAD, body={}),
    ("GET", "/dashboard"): read(query="as_of=2025-12", as_head=CHOSEN),
    ("GET", "/dashboard/accounts"): read(query="movement=churned&as_of=2025-12",
                                         as_head=CHOSEN),
    ("GET", "/dashboard/export/{table}.{fmt}"): read(
        params={"table": "accounts", "fmt": "csv"}, query="movement=churned&as_of=2025-12",
        as_head=CHOSEN),
    ("GET", "/dashboard/report"): read(query="as_of=2025-12", as_head=CHOSEN),
    ("GET", "/dashboard/report.pdf"): read(query="as_of=2025-12", who=("head",), leaks=False),
    # ------------------------------------------------------------ selection, stages, health
    ("GET", "/api/v1/selection/criteria"): read(),
    ("PUT", "/api/v1/selection/criteria/{kind}"): write(
        ADMIN_HEAD, params={"kind": "attractiveness"}, body={"criteria": []}),
    ("GET", "/api/v1/selection/settings"): read(),
    ("PUT", "/api/v1/selection/settings"): write(ADMIN_HEAD, body={}),
    ("GET", "/api/v1/accounts/{account_id}/scorings"): read(),
    ("POST", "/api/v1/accounts/{account_id}/scorings"): write(WRITERS, body=SCORING),
    ("GET", "/api/v1/accounts/{account_id}/selection"): read(),
    ("POST", "/api/v1/accounts/{account_id}/deselection"): write(ADMIN_HEAD, body={"reason": "r"}),
    ("DELETE", "/api/v1/accounts/{account_id}/deselection"): write(ADMIN_HEAD),
    ("GET", "/api/v1/matrix"): read(),
    ("GET", "/api/v1/accounts/{account_id}/kam"): read(),
    ("GET", "/api/v1/accounts/{account_id}/stage"): read(),
    ("POST", "/api/v1/accounts/{account_id}/stage-assessments"): write(WRITERS, body={}),
    ("PUT", "/api/v1/accounts/{account_id}/stage-overrides/{criterion}"): write(
        WRITERS, body={"score": 2, "reason": "r"}),
    ("DELETE", "/api/v1/accounts/{account_id}/stage-overrides/{criterion}"): write(WRITERS),
    ("GET", "/api/v1/stages/settings"): read(),
    ("PUT", "/api/v1/stages/settings"): write(ADMIN_HEAD, body={}),
    ("GET", "/api/v1/decisions"): read(),
    ("GET", "/api/v1/accounts/{account_id}/health"): read(),
    ("POST", "/api/v1/accounts/{account_id}/health/recompute"): write(WRITERS),
    ("POST", "/api/v1/health/recompute"): write(ADMIN_HEAD),
    ("GET", "/api/v1/health"): read(),
    ("GET", "/api/v1/health/settings"): read(),
    ("PUT", "/api/v1/health/settings"): write(ADMIN_HEAD, body={}),
    ("PUT", "/api/v1/health/settings/segments/{segment}"): write(ADMIN_HEAD, body={}),
    ("DELETE", "/api/v1/health/settings/segments/{segment}"): write(ADMIN_HEAD),
    # ------------------------------------------------------------ hand-offs (API)
    ("GET", "/api/v1/handoffs"): read(query="box=all"),
    ("GET", "/api/v1/accounts/{account_id}/handoffs"): read(),
    ("POST", "/api/v1/accounts/{account_id}/handoffs"): write(
        frozenset({"admin", "head", "manager"}), body={"kind": "manager"}),
    ("GET", "/api/v1/handoffs/{handoff_id}"): read(reach=SEE_HANDOFF),
    ("PUT", "/api/v1/handoffs/{handoff_id}/items/{key}"): write(
        HANDOFF_AUTHOR, reach=SEE_HANDOFF, params={"key": "open_issues"},
        body={"kind": "text", "text": "none"}),
    ("POST", "/api/v1/handoffs/{handoff_id}/submit"): write(HANDOFF_AUTHOR, reach=SEE_HANDOFF),
    ("POST", "/api/v1/handoffs/{handoff_id}/accept"): write(HANDOFF_RECEIVER, reach=SEE_HANDOFF),
    ("POST", "/api/v1/handoffs/{handoff_id}/return"): write(
        HANDOFF_RECEIVER, reach=SEE_HANDOFF, body={"reason": "r"}),
    ("GET", "/api/v1/handoff-settings"): read(),
    ("PUT", "/api/v1/handoff-settings"): write(ADMIN_HEAD, body={}),
    ("GET", "/api/v1/handoff-checklists/{kind}"): read(params={"kind": "sales"}),
    ("PUT", "/api/v1/handoff-checklists/{kind}"): write(
        ADMIN, params={"kind": "manager"},
        body={"items": [{"key": "open_issues", "label": "Open issues"}]}),
    # ------------------------------------------------------------ account plans (API)
    ("GET", "/api/v1/plans/settings"): read(),
    ("GET", "/api/v1/plans"): read(query="stale=false&sort=-completeness"),
    ("GET", "/plans"): read(query="overdue=no&sort=-reviewed"),
    ("GET", "/plans/export.{fmt}"): read(params={"fmt": "csv"}),
    ("PUT", "/api/v1/plans/settings"): write(ADMIN_HEAD, body={}),
    ("GET", "/api/v1/accounts/{account_id}/plan"): read(),
    ("POST", "/api/v1/accounts/{account_id}/plan"): write(WRITERS, body={"horizon_months": 12}),
    ("GET", "/api/v1/accounts/{account_id}/plans"): read(),
    ("GET", "/api/v1/plans/{plan_id}"): read(reach=PLAN_READERS),
    ("PATCH", "/api/v1/plans/{plan_id}"): write(WRITERS, body={"business": "Pumps"},
                                                reach=PLAN_READERS),
    ("POST", "/api/v1/plans/{plan_id}/key-people"): write(
        WRITERS, body={"buying_role": "champion"}, reach=PLAN_READERS),
    ("DELETE", "/api/v1/plans/{plan_id}/key-people/{person_id}"): write(
        WRITERS, reach=PLAN_READERS),
    ("POST", "/api/v1/plans/{plan_id}/objectives"): write(
        WRITERS, body={"title": "Grow", "metric": "manual", "target": 1}, reach=PLAN_READERS),
    ("PATCH", "/api/v1/objectives/{objective_id}"): write(
        WRITERS, body={"title": "Grow more"}, reach=PLAN_READERS),
    ("DELETE", "/api/v1/objectives/{objective_id}"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/api/v1/objectives/{objective_id}/updates"): write(
        WRITERS, body={"value": 1, "note": "signed"}, reach=PLAN_READERS),
    ("POST", "/api/v1/objectives/{objective_id}/actions"): write(
        WRITERS, body={"title": "Call"}, reach=PLAN_READERS),
    ("PATCH", "/api/v1/actions/{action_id}"): write(
        WRITERS, body={"status": "done"}, reach=PLAN_READERS),
    ("POST", "/api/v1/plans/{plan_id}/review"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/api/v1/plans/{plan_id}/share-links"): write(WRITERS, reach=PLAN_READERS),
    ("GET", "/api/v1/plans/{plan_id}/share-links"): read(reach=PLAN_READERS),
    ("DELETE", "/api/v1/share-links/{link_id}"): write(WRITERS, reach=PLAN_READERS),
    # ------------------------------------------------------------ account plan pages
    ("GET", "/accounts/{account_id}/plan"): read(),
    ("POST", "/accounts/{account_id}/plan"): write(WRITERS, form={"horizon_months": "12"}),
    ("GET", "/accounts/{account_id}/plan/edit/{section}"): read(WRITERS,
                                                                params={"section": "business"}),
    ("POST", "/accounts/{account_id}/plan/edit/{section}"): write(
        WRITERS, params={"section": "business"}, form={"business": "Pumps"}),
    ("POST", "/accounts/{account_id}/plan/sharing"): write(WRITERS,
                                                           form={"shared_sections": "goals"}),
    ("POST", "/accounts/{account_id}/plan/review"): write(WRITERS),
    ("GET", "/accounts/{account_id}/plan/people"): read(WRITERS),
    ("POST", "/accounts/{account_id}/plan/people"): write(WRITERS, form={}),
    ("POST", "/accounts/{account_id}/plan/people/{person_id}"): write(
        WRITERS, form={"buying_role": "champion"}),
    ("POST", "/accounts/{account_id}/plan/people/{person_id}/remove"): write(WRITERS),
    ("GET", "/accounts/{account_id}/plans"): read(),
    ("GET", "/accounts/{account_id}/plans/{plan_id}"): read(),
    ("GET", "/accounts/{account_id}/plan/objectives/new"): read(WRITERS),
    ("POST", "/accounts/{account_id}/plan/objectives"): write(
        WRITERS, form={"title": "Grow", "metric": "manual", "target": "1"}),
    ("GET", "/accounts/{account_id}/plan/objectives/{objective_id}/edit"): read(WRITERS),
    ("POST", "/accounts/{account_id}/plan/objectives/{objective_id}/edit"): write(
        WRITERS, form={"title": "Grow more"}),
    ("POST", "/accounts/{account_id}/plan/objectives/{objective_id}/remove"): write(WRITERS),
    ("POST", "/accounts/{account_id}/plan/objectives/{objective_id}/updates"): write(
        WRITERS, form={"value": "1", "note": "signed"}),
    ("POST", "/accounts/{account_id}/plan/objectives/{objective_id}/actions"): write(
        WRITERS, form={"title": "Call"}),
    ("POST", "/accounts/{account_id}/plan/actions/{action_id}/status"): write(
        WRITERS, form={"status": "done"}),
    ("GET", "/accounts/{account_id}/plan/links"): read(),
    ("POST", "/accounts/{account_id}/plan/links"): write(WRITERS),
    ("POST", "/accounts/{account_id}/plan/links/{link_id}/revoke"): write(WRITERS),
    ("GET", "/shared/plans/{token}"): public(),
    # ------------------------------------------------------------ account pages
    ("GET", "/accounts"): read(),
    ("GET", "/accounts/new"): read(WRITERS),
    ("POST", "/accounts/new"): write(WRITERS, form={"name": "New Co"}),
    ("GET", "/accounts/{account_id}"): read(),
    ("GET", "/accounts/{account_id}/edit"): read(WRITERS),
    ("POST", "/accounts/{account_id}/edit"): write(WRITERS, form={"name": "Acme Industries"}),
    ("POST", "/accounts/{account_id}/contacts"): write(WRITERS, form={"name": "Zed"}),
    ("GET", "/accounts/{account_id}/contacts/{contact_id}/edit"): read(WRITERS),
    ("POST", "/accounts/{account_id}/contacts/{contact_id}/edit"): write(
        WRITERS, form={"name": "Carla Acme"}),
    ("POST", "/accounts/{account_id}/contacts/{contact_id}/unlink"): write(WRITERS),
    ("POST", "/accounts/{account_id}/interactions"): write(WRITERS, form=INTERACTION),
    ("GET", "/accounts/{account_id}/timeline"): read(),
    ("POST", "/accounts/{account_id}/members"): write(WRITERS, form={}),
    ("GET", "/accounts/{account_id}/members/edit"): read(WRITERS),
    ("GET", "/accounts/{account_id}/kam"): read(),
    ("POST", "/accounts/{account_id}/kam/score"): write(WRITERS, form={}),
    ("POST", "/accounts/{account_id}/kam/stage"): write(WRITERS, form={}),
    ("POST", "/accounts/{account_id}/kam/override"): write(WRITERS, form={}),
    ("POST", "/accounts/{account_id}/kam/override/{criterion}/clear"): write(WRITERS),
    ("POST", "/accounts/{account_id}/kam/health"): write(WRITERS),
    ("POST", "/accounts/{account_id}/kam/deselect"): write(ADMIN_HEAD, form={"reason": "r"}),
    ("POST", "/accounts/{account_id}/kam/reselect"): write(ADMIN_HEAD),
    # ------------------------------------------------------------ portfolio pages
    ("GET", "/matrix"): read(),
    ("GET", "/selection/criteria"): read(),
    ("POST", "/selection/criteria/{kind}"): write(ADMIN_HEAD, params={"kind": "attractiveness"},
                                                  form={}),
    ("GET", "/decisions"): read(),
    ("GET", "/decisions/export.csv"): read(),
    ("GET", "/decisions/export.xlsx"): read(),
    ("POST", "/health/recompute"): write(ADMIN_HEAD),
    # ------------------------------------------------------------ hand-off pages
    ("GET", "/handoffs"): read(),
    ("GET", "/handoffs/{handoff_id}"): read(reach=SEE_HANDOFF),
    ("POST", "/handoffs/{handoff_id}/items/{key}"): write(
        HANDOFF_AUTHOR, reach=SEE_HANDOFF, params={"key": "open_issues"},
        form={"kind": "text", "text": "none"}),
    ("POST", "/handoffs/{handoff_id}/submit"): write(HANDOFF_AUTHOR, reach=SEE_HANDOFF),
    ("POST", "/handoffs/{handoff_id}/accept"): write(HANDOFF_RECEIVER, reach=SEE_HANDOFF),
    ("POST", "/handoffs/{handoff_id}/return"): write(HANDOFF_RECEIVER, reach=SEE_HANDOFF,
                                                     form={"reason": "r"}),
    ("GET", "/accounts/{account_id}/handoffs/new"): read(WRITERS),
    ("POST", "/accounts/{account_id}/handoffs/new"): write(WRITERS, form={"kind": "sales"}),
    ("GET", "/admin/handoff-checklists/{kind}"): read(ADMIN, params={"kind": "sales"}),
    ("POST", "/admin/handoff-checklists/{kind}"): write(
        ADMIN, params={"kind": "manager"},
        form={"key_0": "open_issues", "label_0": "Open issues", "required_0": "on"}),
    # ------------------------------------------------------------ managers' targets
    ("GET", "/api/v1/targets"): read(),
    ("PUT", "/api/v1/targets"): write(ADMIN_HEAD, body=TARGET, reach=("admin", "head")),
    ("DELETE", "/api/v1/targets/{target_id}"): write(ADMIN_HEAD, reach=("admin", "head")),
    ("GET", "/targets"): read(),
    ("POST", "/targets"): write(ADMIN_HEAD, form=TARGET, reach=("admin", "head")),
    ("POST", "/targets/{target_id}/delete"): write(ADMIN_HEAD, reach=("admin", "head")),
    # ------------------------------------------------------------ opportunities, pipeline
    ("GET", "/api/v1/opportunities/settings"): read(),
    ("PUT", "/api/v1/opportunities/settings"): write(ADMIN_HEAD, body={"identified": 15}),
    ("GET", "/api/v1/accounts/{account_id}/opportunities"): read(),
    ("POST", "/api/v1/accounts/{account_id}/opportunities"): write(WRITERS, body=OPPORTUNITY),
    ("GET", "/api/v1/opportunities"): read(query="stage=all&sort=-weighted"),
    ("GET", "/api/v1/opportunities/{opportunity_id}"): read(reach=PLAN_READERS),
    ("PATCH", "/api/v1/opportunities/{opportunity_id}"): write(
        WRITERS, body={"next_step": "Call"}, reach=PLAN_READERS),
    ("POST", "/api/v1/opportunities/{opportunity_id}/stage"): write(
        WRITERS, body={"stage": "proposed"}, reach=PLAN_READERS),
    ("GET", "/api/v1/pipeline"): read(query="by=account", as_head=("by=manager",)),
    ("PUT", "/api/v1/opportunities/{opportunity_id}/objectives/{objective_id}"): write(
        WRITERS, reach=PLAN_READERS),
    ("DELETE", "/api/v1/opportunities/{opportunity_id}/objectives/{objective_id}"): write(
        WRITERS, reach=PLAN_READERS),
    ("POST", "/opportunities/{opportunity_id}/objectives"): write(
        WRITERS, form={"objective_id": "1"}, reach=PLAN_READERS),
    ("POST", "/opportunities/{opportunity_id}/objectives/{objective_id}/remove"): write(
        WRITERS, reach=PLAN_READERS),
    ("GET", "/accounts/{account_id}/opportunities"): read(),
    ("GET", "/accounts/{account_id}/opportunities/new"): read(
        WRITERS, query="product_line_id=1&kind=cross_sell"),
    ("POST", "/accounts/{account_id}/opportunities"): write(WRITERS, form=OPPORTUNITY),
    ("GET", "/opportunities/{opportunity_id}"): read(reach=PLAN_READERS),
    ("POST", "/opportunities/{opportunity_id}"): write(
        WRITERS, form={"title": "Second plant", "kind": "cross_sell", "value": "41000"},
        reach=PLAN_READERS),
    ("POST", "/opportunities/{opportunity_id}/stage"): write(
        WRITERS, form={"stage": "proposed"}, reach=PLAN_READERS),
    ("GET", "/pipeline"): read(query="by=segment&stage=all&sort=-value"),
    ("GET", "/pipeline/export.csv"): read(query="stage=all"),
    # ------------------------------------------------------------ proposals, company
    ("GET", "/api/v1/proposals"): read(),
    ("GET", "/api/v1/accounts/{account_id}/proposals"): read(),
    ("POST", "/api/v1/accounts/{account_id}/proposals"): write(
        WRITERS, body={"title": "Spare parts", "opportunity_ids": [1]}),
    ("GET", "/api/v1/proposals/{proposal_id}"): read(reach=PLAN_READERS),
    ("PATCH", "/api/v1/proposals/{proposal_id}"): write(
        WRITERS, body={"title": "Second plant, revised"}, reach=PLAN_READERS),
    ("POST", "/api/v1/proposals/{proposal_id}/send"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/api/v1/proposals/{proposal_id}/accept"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/api/v1/proposals/{proposal_id}/decline"): write(WRITERS, reach=PLAN_READERS),
    ("GET", "/accounts/{account_id}/proposals"): read(),
    ("POST", "/accounts/{account_id}/proposals"): write(
        WRITERS, form={"title": "Spare parts", "opportunity_ids": "1"}),
    ("GET", "/proposals/{proposal_id}"): read(reach=PLAN_READERS),
    ("GET", "/proposals/{proposal_id}.pdf"): read(reach=PLAN_READERS, leaks=False),
    ("POST", "/proposals/{proposal_id}"): write(
        WRITERS, form={"title": "Second plant", "offer-0-description": "Pumps",
                       "offer-0-unit_price": "100"}, reach=PLAN_READERS),
    ("POST", "/proposals/{proposal_id}/send"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/proposals/{proposal_id}/accept"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/proposals/{proposal_id}/decline"): write(WRITERS, reach=PLAN_READERS),
    ("GET", "/api/v1/company"): read(),
    ("PUT", "/api/v1/company"): write(ADMIN_HEAD, body={}),
    ("GET", "/admin/company"): read(ADMIN_HEAD),
    ("POST", "/admin/company"): write(ADMIN_HEAD, form={"name": "Accord demo company",
                                                       "currency": "EUR"}),
    # ------------------------------------------------------------ scheduled events
    ("GET", "/api/v1/events"): read(query="start=2026-01-01&end=2026-03-31",
                                    as_head=("start=2026-01-01&end=2026-01-31&account_id=1",)),
    ("POST", "/api/v1/events"): write(WRITERS, body=EVENT, reach=PLAN_READERS),
    ("GET", "/api/v1/events/{event_id}"): read(reach=PLAN_READERS),
    ("PATCH", "/api/v1/events/{event_id}"): write(
        WRITERS, body={"agenda": "Open points, prices"}, reach=PLAN_READERS),
    ("DELETE", "/api/v1/events/{event_id}"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/api/v1/events/{event_id}/occurrences/{start}/outcome"): write(
        WRITERS, body={"summary": "Went through the open points"}, params=OCCURRENCE,
        reach=PLAN_READERS),
    ("POST", "/api/v1/events/{event_id}/occurrences/{start}/cancel"): write(
        WRITERS, params=OCCURRENCE, reach=PLAN_READERS),
    ("GET", "/api/v1/events/{event_id}/review-pack.pdf"): read(reach=PLAN_READERS,
                                                               leaks=False),
    ("GET", "/accounts/{account_id}/events/new"): read(WRITERS),
    ("POST", "/accounts/{account_id}/events"): write(WRITERS, form=EVENT_FORM),
    ("GET", "/events/{event_id}"): read(reach=PLAN_READERS),
    ("POST", "/events/{event_id}/cancel"): write(WRITERS, reach=PLAN_READERS),
    ("GET", "/events/{event_id}/occurrences/{start}/outcome"): read(
        WRITERS, params=OCCURRENCE, reach=PLAN_READERS),
    ("POST", "/events/{event_id}/occurrences/{start}/outcome"): write(
        WRITERS, form={"summary": "Went through the open points"}, params=OCCURRENCE,
        reach=PLAN_READERS),
    ("POST", "/events/{event_id}/occurrences/{start}/cancel"): write(
        WRITERS, params=OCCURRENCE, reach=PLAN_READERS),
    ("GET", "/events/{event_id}/review-pack"): read(reach=PLAN_READERS),
    ("GET", "/events/{event_id}/review-pack.pdf"): read(reach=PLAN_READERS, leaks=False),
    # ------------------------------------------------------------ renewals
    ("GET", "/api/v1/renewals"): read(query="scope=all", as_head=("scope=upcoming",)),
    ("GET", "/api/v1/renewals/settings"): read(),
    ("PUT", "/api/v1/renewals/settings"): write(ADMIN, body={"lead_days": 45}),
    ("GET", "/renewals"): read(query="scope=all", as_head=("scope=upcoming",)),
    # ------------------------------------------------------------ follow-ups, one's time zone
    ("PATCH", "/api/v1/me"): write(EVERYONE, body={"time_zone": "Europe/London"}),
    ("GET", "/me"): read(),
    ("POST", "/me"): write(EVERYONE, form={"time_zone": "Europe/London"}),
    ("GET", "/api/v1/follow-ups"): read(query="status=all&overdue=false&sort=-due",
                                        as_head=("status=open&sort=account",)),
    ("POST", "/api/v1/follow-ups"): write(WRITERS, body=FOLLOW_UP, reach=PLAN_READERS),
    ("GET", "/api/v1/follow-ups/{follow_up_id}"): read(reach=PLAN_READERS),
    ("PATCH", "/api/v1/follow-ups/{follow_up_id}"): write(
        WRITERS, body={"title": "Call back soon", "due_time": "09:30"}, reach=PLAN_READERS),
    ("POST", "/api/v1/follow-ups/{follow_up_id}/done"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/api/v1/follow-ups/{follow_up_id}/snooze"): write(
        WRITERS, body={"until": "2099-01-01"}, reach=PLAN_READERS),
    ("POST", "/api/v1/follow-ups/{follow_up_id}/cancel"): write(
        WRITERS, body={"reason": "No longer needed"}, reach=PLAN_READERS),
    ("POST", "/api/v1/follow-ups/{follow_up_id}/log"): write(
        WRITERS, body=INTERACTION, reach=PLAN_READERS),
    ("GET", "/api/v1/accounts/{account_id}/follow-ups"): read(),
    ("GET", "/follow-ups"): read(query="status=all&sort=-due",
                                 as_head=("overdue=true&sort=owner",)),
    ("GET", "/follow-ups/new"): read(WRITERS, query="account_id=1", reach=PLAN_READERS),
    ("POST", "/follow-ups"): write(
        WRITERS, form={k: str(v) for k, v in FOLLOW_UP.items()}, reach=PLAN_READERS),
    ("GET", "/follow-ups/{follow_up_id}"): read(reach=PLAN_READERS),
    ("POST", "/follow-ups/{follow_up_id}"): write(
        WRITERS, form={"title": "Call back soon", "due_on": "2027-01-20"}, reach=PLAN_READERS),
    ("POST", "/follow-ups/{follow_up_id}/done"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/follow-ups/{follow_up_id}/snooze"): write(
        WRITERS, form={"until": "2099-01-01"}, reach=PLAN_READERS),
    ("POST", "/follow-ups/{follow_up_id}/cancel"): write(
        WRITERS, form={"reason": "No longer needed"}, reach=PLAN_READERS),
    ("POST", "/follow-ups/{follow_up_id}/log"): write(
        WRITERS, form=INTERACTION, reach=PLAN_READERS),
    # ------------------------------------------------------------ calendar feed, meetings import
    ("GET", "/calendar/feed/{token}.ics"): public(),
    ("GET", "/me/calendar-feed"): read(),
    ("POST", "/me/calendar-feed"): write(EVERYONE),
    ("POST", "/me/calendar-feed/{feed_token_id}/revoke"): write(ADMIN, self_ok=True),
    ("GET", "/api/v1/me/feed-tokens"): read(),
    ("POST", "/api/v1/me/feed-tokens"): write(EVERYONE),
    ("DELETE", "/api/v1/me/feed-tokens/{feed_token_id}"): write(ADMIN, self_ok=True),
    ("GET", "/calendar/import"): read(),
    ("POST", "/calendar/import"): write(WRITERS, files={"file": MEETINGS_ICS}),
    ("POST", "/api/v1/calendar/meetings/import"): write(WRITERS, files={"file": MEETINGS_ICS}),
    # ------------------------------------------------------------ My day, calendar view, overdue
    ("GET", "/today"): read(),
    ("GET", "/calendar"): read(query="view=week&date=2026-03-30"),
    ("GET", "/overdue"): read(query="kind=follow_up"),
    ("GET", "/overdue/export.{fmt}"): read(params={"fmt": "xlsx"}),
    ("GET", "/api/v1/today"): read(),
    ("GET", "/api/v1/calendar/items"): read(query="start=2026-01-01&end=2026-01-31"),
    ("GET", "/api/v1/overdue"): read(query="format=csv"),
    # ------------------------------------------------------------ working-day calendar
    ("GET", "/api/v1/calendar"): read(),
    ("PUT", "/api/v1/calendar"): write(ADMIN, body={}),
    ("POST", "/api/v1/calendar/holidays"): write(ADMIN, body={"on": "2026-05-01", "name": "May"}),
    ("DELETE", "/api/v1/calendar/holidays/{on}"): write(ADMIN, params={"on": "2026-12-25"}),
    ("POST", "/api/v1/calendar/holidays/import"): write(ADMIN, files={"file": HOLIDAYS_ICS}),
    ("GET", "/api/v1/calendar/working-days"): read(query="start=2026-12-18&days=10"),
    # ------------------------------------------------------------ jobs, the daily digest
    ("GET", "/api/v1/jobs"): read(ADMIN),
    ("GET", "/admin/jobs"): read(ADMIN),
    ("POST", "/api/v1/digest/send"): write(ADMIN, body={"dry_run": True}),
    ("GET", "/admin/plans-handoffs"): read(ADMIN_HEAD),
    ("POST", "/admin/plans-handoffs/plans"): write(ADMIN_HEAD, form=PLAN_SETTINGS_FORM),
    ("POST", "/admin/plans-handoffs/handoffs"): write(ADMIN_HEAD, form=HANDOFF_SETTINGS_FORM),
    ("GET", "/admin/calendar"): read(ADMIN),
    # ------------------------------------------------------------ cadence and coverage
    ("GET", "/api/v1/cadence/settings"): read(),
    ("PUT", "/api/v1/cadence/settings"): write(ADMIN, body={}),
    ("GET", "/api/v1/accounts/{account_id}/cadence"): read(),
    ("PUT", "/api/v1/accounts/{account_id}/cadence/override"): write(
        WRITERS, body={"touch_days": 5, "reason": "route table"}),
    ("DELETE", "/api/v1/accounts/{account_id}/cadence/override"): write(WRITERS),
    ("GET", "/api/v1/kpis/coverage"): read(query="by=manager", as_head=("by=tier",)),
    ("GET", "/admin/cadence"): read(ADMIN),
    ("POST", "/admin/cadence"): write(ADMIN, form={"Star_touch": "20", "Star_review": "91"}),
    ("GET", "/accounts/{account_id}/cadence"): read(),
    ("POST", "/accounts/{account_id}/cadence"): write(
        WRITERS, form={"touch_days": "5", "reason": "route table"}),
    ("POST", "/accounts/{account_id}/cadence/clear"): write(WRITERS),
    ("GET", "/cadence/coverage"): read(query="by=manager"),
    # ------------------------------------------------------------ growth: catalogue, whitespace
    ("GET", "/api/v1/catalogue"): read(),
    ("POST", "/api/v1/catalogue/lines"): write(ADMIN, body={"name": "Route line"}),
    ("PATCH", "/api/v1/catalogue/lines/{line_id}"): write(ADMIN, body={"description": "d"}),
    ("POST", "/api/v1/catalogue/lines/{line_id}/offerings"): write(ADMIN, body={"name": "O"}),
    ("POST", "/api/v1/catalogue/offerings/{offering_id}/skus"): write(
        ADMIN, body={"code": "ROUTE-1", "name": "S"}),
    ("GET", "/api/v1/catalogue/aliases"): read(),
    ("POST", "/api/v1/catalogue/aliases"): write(
        ADMIN, body={"alias": "Route alias", "product_line_id": 1}),
    ("DELETE", "/api/v1/catalogue/aliases/{alias_id}"): write(ADMIN),
    ("GET", "/api/v1/catalogue/unmapped"): read(),
    ("GET", "/api/v1/accounts/{account_id}/whitespace"): read(),
    ("PUT", "/api/v1/accounts/{account_id}/whitespace/{product_line_id}"): write(
        WRITERS, body={"reason": "Not for them"}),
    ("DELETE", "/api/v1/accounts/{account_id}/whitespace/{product_line_id}"): write(WRITERS),
    ("GET", "/api/v1/whitespace"): read(),
    ("GET", "/api/v1/accounts/{account_id}/needs"): read(),
    ("POST", "/api/v1/accounts/{account_id}/needs"): write(WRITERS, body={"text": "A need"}),
    ("DELETE", "/api/v1/accounts/{account_id}/needs/{need_id}"): write(WRITERS),
    ("GET", "/api/v1/needs/gaps"): read(),
    ("GET", "/accounts/{account_id}/growth"): read(),
    ("POST", "/accounts/{account_id}/growth/cells/{product_line_id}"): write(
        WRITERS, form={"action": "set", "reason": "Not for them"}),
    ("POST", "/accounts/{account_id}/growth/needs"): write(
        WRITERS, form={"text": "A need", "category": "other"}),
    ("POST", "/accounts/{account_id}/growth/needs/{need_id}/delete"): write(WRITERS),
    ("GET", "/growth/whitespace"): read(),
    ("GET", "/admin/catalogue"): read(ADMIN),
    ("POST", "/admin/catalogue/lines"): write(ADMIN, form={"name": "Route page line"}),
    ("POST", "/admin/catalogue/lines/{line_id}/offerings"): write(ADMIN, form={"name": "P"}),
    ("POST", "/admin/catalogue/offerings/{offering_id}/skus"): write(
        ADMIN, form={"code": "ROUTE-2", "name": "S"}),
    ("POST", "/admin/catalogue/aliases"): write(
        ADMIN, form={"alias": "Route page alias", "product_line_id": "1"}),
    ("POST", "/admin/catalogue/aliases/{alias_id}/delete"): write(ADMIN),
    ("POST", "/admin/calendar"): write(ADMIN, form={"working_weekdays": "0"}),
    ("POST", "/admin/calendar/holidays"): write(ADMIN, form={"on": "2026-05-02", "name": "x"}),
    ("POST", "/admin/calendar/holidays/{on}/remove"): write(ADMIN, params={"on": "2026-12-26"}),
    ("POST", "/admin/calendar/import"): write(ADMIN, files={"file": HOLIDAYS_ICS}),
    # agency work: departments and deliverable checklists (read by everyone, no account
    # data; written by admins) — tests/route_samples_agency.py's "Sample Creative"
    ("GET", "/api/v1/departments"): read(),
    ("POST", "/api/v1/departments"): write(ADMIN, body={"name": "Route department"}),
    ("GET", "/api/v1/departments/{department_id}"): read(),
    ("PATCH", "/api/v1/departments/{department_id}"): write(
        ADMIN, body={"turnaround_days": 6}),
    ("PUT", "/api/v1/departments/{department_id}/members"): write(
        ADMIN, body={"user_ids": []}),
    ("POST", "/api/v1/departments/{department_id}/holidays"): write(
        ADMIN, body={"day": "2027-01-01", "name": "New Year"}),
    ("DELETE", "/api/v1/departments/{department_id}/holidays/{day}"): write(
        ADMIN, params={"day": "2027-01-01"}),
    ("GET", "/api/v1/deliverable-types"): read(),
    ("GET", "/api/v1/deliverable-types/{key}"): read(params={"key": "creative"}),
    ("PUT", "/api/v1/deliverable-types/{key}"): write(
        ADMIN, params={"key": "creative"},
        body={"name": "Creative", "items": [{"key": "brand", "label": "On brand"}]}),
    ("GET", "/departments"): read(),
    ("GET", "/admin/departments/new"): read(ADMIN),
    ("POST", "/admin/departments/new"): write(
        ADMIN, form={"name": "Route department", "time_zone": "UTC", "turnaround_days": "5"}),
    ("GET", "/admin/departments/{department_id}"): read(ADMIN),
    ("POST", "/admin/departments/{department_id}"): write(
        ADMIN, form={"name": "Sample Creative", "time_zone": "UTC", "turnaround_days": "6",
                     "sections-0-key": "objective", "sections-0-label": "Objective"}),
    ("POST", "/admin/departments/{department_id}/members"): write(ADMIN, form={}),
    ("POST", "/admin/departments/{department_id}/holidays"): write(
        ADMIN, form={"day": "2027-01-01", "name": "New Year"}),
    ("POST", "/admin/departments/{department_id}/holidays/{day}/remove"): write(
        ADMIN, params={"day": "2027-01-01"}),
    ("GET", "/admin/deliverable-types"): read(ADMIN),
    ("POST", "/admin/deliverable-types"): write(
        ADMIN, form={"key": "creative", "name": "Creative", "items-0-key": "brand",
                     "items-0-label": "On brand"}),
    # agency work: client inputs (account data: Acme's readers; a specialist sees none) —
    # tests/route_samples_agency.py's "input" (Brand book, chased once) and its "chase"
    ("GET", "/api/v1/inputs"): read(query="status=all&overdue=false&sort=-due"),
    ("POST", "/api/v1/inputs"): write(WRITERS, reach=PLAN_READERS, body={
        "account_id": 1, "title": "Logo files", "due_on": "2099-12-31", "chase_days": 2}),
    ("POST", "/api/v1/inputs/chase-now"): write(ADMIN),
    ("GET", "/api/v1/inputs/{input_id}"): read(reach=PLAN_READERS),
    ("PATCH", "/api/v1/inputs/{input_id}"): write(WRITERS, reach=PLAN_READERS,
                                                  body={"title": "Brand book v2"}),
    ("POST", "/api/v1/inputs/{input_id}/received"): write(WRITERS, reach=PLAN_READERS,
                                                          body={}),
    ("POST", "/api/v1/inputs/{input_id}/cancel"): write(WRITERS, reach=PLAN_READERS,
                                                        body={"reason": "not needed"}),
    ("POST", "/api/v1/chases/{chase_id}/sent"): write(WRITERS, reach=PLAN_READERS),
    ("GET", "/api/v1/accounts/{account_id}/inputs"): read(),
    ("PUT", "/api/v1/accounts/{account_id}/chase-interval"): write(WRITERS,
                                                                   body={"chase_days": 5}),
    ("GET", "/api/v1/agency/settings"): read(),
    ("PUT", "/api/v1/agency/settings"): write(
        ADMIN_HEAD, body={"escalate_after": 3, "default_chase_days": 3}),
    ("GET", "/inputs"): read(query="status=all&overdue=true&escalated=false&sort=-due"),
    ("GET", "/inputs/new"): read(WRITERS, reach=PLAN_READERS, query="account_id=1"),
    ("POST", "/inputs"): write(WRITERS, reach=PLAN_READERS, form={
        "account_id": "1", "title": "Logo files", "due_on": "2099-12-31"}),
    ("POST", "/inputs/chase-now"): write(ADMIN),
    ("GET", "/inputs/{input_id}"): read(reach=PLAN_READERS),
    ("POST", "/inputs/{input_id}/received"): write(WRITERS, reach=PLAN_READERS, form={}),
    ("POST", "/inputs/{input_id}/cancel"): write(WRITERS, reach=PLAN_READERS,
                                                 form={"reason": "not needed"}),
    ("POST", "/chases/{chase_id}/sent"): write(WRITERS, reach=PLAN_READERS),
    ("POST", "/accounts/{account_id}/chase-interval"): write(WRITERS,
                                                             form={"chase_days": "5"}),
    ("GET", "/admin/agency"): read(ADMIN_HEAD),
    ("POST", "/admin/agency"): write(
        ADMIN_HEAD, form={"escalate_after": "3", "default_chase_days": "3"}),
    # agency work: briefs — tests/route_samples_agency.py's "brief" (Acme's, sent to Sample
    # Creative): seen by Acme's readers and by the specialist (Creative's member, who sees
    # the account's name only); the account's team moves it on the account side, Creative
    # (the specialist; an admin) on the department side
    ("GET", "/api/v1/briefs"): read(),
    ("POST", "/api/v1/briefs"): write(WRITERS, body=BRIEF, reach=PLAN_READERS),
    ("GET", "/api/v1/briefs/board"): read(),
    ("GET", "/api/v1/briefs/{brief_id}"): read(reach=SEE_BRIEF),
    ("PATCH", "/api/v1/briefs/{brief_id}"): write(WRITERS, body={"title": "Summer"},
                                                  reach=SEE_BRIEF),
    ("GET", "/api/v1/briefs/{brief_id}/transitions"): read(reach=SEE_BRIEF),
    ("POST", "/api/v1/briefs/{brief_id}/send"): write(WRITERS, reach=SEE_BRIEF),
    ("POST", "/api/v1/briefs/{brief_id}/accept"): write(BRIEF_DEPARTMENT, body={},
                                                        reach=SEE_BRIEF),
    ("POST", "/api/v1/briefs/{brief_id}/agree-date"): write(WRITERS, reach=SEE_BRIEF),
    ("POST", "/api/v1/briefs/{brief_id}/decline-date"): write(
        WRITERS, body={"reason": "Fixed launch"}, reach=SEE_BRIEF),
    ("POST", "/api/v1/briefs/{brief_id}/start"): write(BRIEF_DEPARTMENT, reach=SEE_BRIEF),
    ("POST", "/api/v1/briefs/{brief_id}/deliver"): write(BRIEF_DEPARTMENT, body={},
                                                         reach=SEE_BRIEF),
    ("POST", "/api/v1/briefs/{brief_id}/request-changes"): write(
        WRITERS, body={"reason": "Bigger logo"}, reach=SEE_BRIEF),
    ("POST", "/api/v1/briefs/{brief_id}/approve"): write(WRITERS, body={"checks": {}},
                                                         reach=SEE_BRIEF),
    ("POST", "/api/v1/briefs/{brief_id}/cancel"): write(WRITERS, body={"reason": "Off"},
                                                        reach=SEE_BRIEF),
    ("GET", "/api/v1/accounts/{account_id}/briefs"): read(),
    ("GET", "/briefs"): read(),
    ("GET", "/briefs/board"): read(),
    ("GET", "/briefs/new"): read(WRITERS),
    ("POST", "/briefs"): write(WRITERS, form=BRIEF_FORM, reach=PLAN_READERS),
    ("GET", "/briefs/{brief_id}"): read(reach=SEE_BRIEF),
    ("GET", "/briefs/{brief_id}/edit"): read(WRITERS, reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/edit"): write(WRITERS, form={"title": "Summer"},
                                               reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/send"): write(WRITERS, reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/accept"): write(BRIEF_DEPARTMENT, reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/agree-date"): write(WRITERS, reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/decline-date"): write(WRITERS, form={"reason": "Fixed"},
                                                       reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/start"): write(BRIEF_DEPARTMENT, reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/deliver"): write(BRIEF_DEPARTMENT, reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/request-changes"): write(WRITERS, form={"reason": "More"},
                                                          reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/approve"): write(WRITERS, reach=SEE_BRIEF),
    ("POST", "/briefs/{brief_id}/cancel"): write(WRITERS, form={"reason": "Off"},
                                                 reach=SEE_BRIEF),
    ("GET", "/accounts/{account_id}/work"): read(),
    # ------------------------------------------------------------ agency: the scorecard
    # figures over the briefs each caller sees; the sample department is Creative (the
    # specialist's): every department is shown to whoever sees accounts
    ("GET", "/api/v1/agency/on-time"): read(query="by=department",
                                            as_head=("by=account", "period=2027")),
    ("GET", "/api/v1/agency/effort"): read(query="period=2027", as_head=("period=2027",)),
    ("GET", "/api/v1/departments/{department_id}/scorecard"): read(query="period=2027"),
    ("GET", "/briefs/scorecard"): read(query="period=2027"),
    ("GET", "/briefs/scorecard/export.csv"): read(query="period=2027"),
    ("GET", "/departments/{department_id}/scorecard"): read(query="period=2027"),
    # ------------------------------------------------------------ licences: subscriptions
    # tests/route_samples_licences.py's "subscription" (Acme's, 100 seats of ROUTE-E3) and
    # "request" (the owner's pending request for 120): read by Acme's readers; quantities,
    # prices, new and ended subscriptions are billing's and admins'; requests are made by
    # whoever may change the account
    ("GET", "/api/v1/subscriptions"): read(query="status=active"),
    ("POST", "/api/v1/subscriptions"): write(BILLING, reach=PLAN_READERS, body=SUBSCRIPTION),
    ("GET", "/api/v1/subscriptions/{subscription_id}"): read(reach=PLAN_READERS),
    ("POST", "/api/v1/subscriptions/{subscription_id}/changes"): write(
        BILLING, reach=PLAN_READERS, body=CHANGE),
    ("POST", "/api/v1/subscriptions/{subscription_id}/end"): write(
        BILLING, reach=PLAN_READERS, body=END),
    ("POST", "/api/v1/subscriptions/{subscription_id}/requests"): write(
        WRITERS, reach=PLAN_READERS, body=CHANGE),
    ("GET", "/api/v1/quantity-requests"): read(query="status=all"),
    ("GET", "/api/v1/quantity-requests/{request_id}"): read(reach=PLAN_READERS),
    ("POST", "/api/v1/quantity-requests/{request_id}/approve"): write(
        BILLING, reach=PLAN_READERS, body={"note": "checked"}),
    ("POST", "/api/v1/quantity-requests/{request_id}/decline"): write(
        BILLING, reach=PLAN_READERS, body={"note": "not now"}),
    ("GET", "/api/v1/accounts/{account_id}/subscriptions"): read(),
    ("GET", "/api/v1/licences/settings"): read(),
    ("PUT", "/api/v1/licences/settings"): write(ADMIN_HEAD, body={"active_days": 45}),
    ("GET", "/admin/licences"): read(ADMIN_HEAD),
    ("POST", "/admin/licences"): write(ADMIN_HEAD, form={"active_days": "45",
                                                         "upsell_allocation": "90",
                                                         "upsell_adoption": "80",
                                                         "risk_adoption": "40"}),
    ("GET", "/licences"): read(query="status=active"),
    ("GET", "/licences/requests"): read(query="status=all"),
    ("POST", "/licences/requests/{request_id}/approve"): write(
        BILLING, reach=PLAN_READERS, form={"note": "checked"}),
    ("POST", "/licences/requests/{request_id}/decline"): write(
        BILLING, reach=PLAN_READERS, form={"note": "not now"}),
    ("GET", "/accounts/{account_id}/licences"): read(),
    ("GET", "/subscriptions/new"): read(BILLING, reach=PLAN_READERS, query="account_id=1"),
    ("POST", "/subscriptions"): write(BILLING, reach=PLAN_READERS, form=SUBSCRIPTION_FORM),
    ("GET", "/subscriptions/{subscription_id}"): read(reach=PLAN_READERS),
    ("POST", "/subscriptions/{subscription_id}/changes"): write(
        BILLING, reach=PLAN_READERS, form=CHANGE_FORM),
    ("POST", "/subscriptions/{subscription_id}/end"): write(
        BILLING, reach=PLAN_READERS, form=END_FORM),
    ("POST", "/subscriptions/{subscription_id}/requests"): write(
        WRITERS, reach=PLAN_READERS, form=CHANGE_FORM),
}


# Sections kept in files of their own (one writer each while they are built); each file
# defines ``ROWS``, a dict of the same shape as ``POLICY``, using this module's helpers.
from route_policy_clients_campaigns import ROWS as _CLIENT_CAMPAIGNS  # noqa: E402
from route_policy_clients_fits import ROWS as _CLIENT_FITS  # noqa: E402
from route_policy_clients_lists import ROWS as _CLIENT_LISTS  # noqa: E402
from route_policy_clients_privacy import ROWS as _CLIENT_PRIVACY  # noqa: E402
from route_policy_kpi_source import ROWS as _KPI_SOURCE  # noqa: E402
from route_policy_m365 import ROWS as _M365  # noqa: E402
from route_policy_seats import ROWS as _SEATS  # noqa: E402
from route_policy_signals import ROWS as _SIGNALS  # noqa: E402
from route_policy_team_assign import ROWS as _TEAM_ASSIGN  # noqa: E402
from route_policy_team_scorecard import ROWS as _TEAM_SCORECARD  # noqa: E402
from route_policy_team_workload import ROWS as _TEAM_WORKLOAD  # noqa: E402

for _section in (_SEATS, _M365, _KPI_SOURCE, _SIGNALS, _CLIENT_FITS, _CLIENT_LISTS,
                 _CLIENT_CAMPAIGNS, _CLIENT_PRIVACY, _TEAM_WORKLOAD, _TEAM_ASSIGN, _TEAM_SCORECARD):
    assert not set(_section) & set(POLICY), set(_section) & set(POLICY)
    POLICY.update(_section)
