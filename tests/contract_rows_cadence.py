"""The cadence resources of the API contract table; see ``contract_rows.py``.

An admin changes the cadence policy (a head may not; an interval of 0 or an unknown tier is a
422 naming the field). Acme's manager gives Acme its own cadence, reads it, reads the
coverage per manager and clears the override; a viewer may not set one, an outsider does not
find Acme, and a touch interval of 0 or a missing reason is a 422 naming the field."""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource, acme

SETTINGS = "/api/v1/cadence/settings"

CADENCE = [
    Resource(
        name="cadence settings",
        actor="admin",
        collection=lambda c: SETTINGS,
        create={"tiers": {"Star": {"touch_days": 20}}, "due_ratio": "0.75"},
        create_method="PUT",
        create_status=200,
        shows=("due_ratio", "0.75"),
        listing=lambda settings: [settings],
        denied=[("head", "PUT", lambda c: SETTINGS, {"due_ratio": "0.7"}, 403),
                ("owner", "PUT", lambda c: SETTINGS, {}, 403)],
        bad=[({"tiers": {"Star": {"touch_days": 0}}}, "tiers.Star.touch_days"),
             ({"tiers": {"Gold": {"touch_days": 5}}}, "tiers.Gold"),
             ({"due_ratio": "1.5"}, "due_ratio"), ({"colour": "red"}, "colour")],
    ),
    Resource(
        name="account cadence override",
        actor="owner",
        collection=lambda c: acme(c, "/cadence"),
        listing=lambda body: [body],
        create_url=lambda c: acme(c, "/cadence/override"),
        create={"touch_days": 1, "reason": "wants a call every day"},
        create_method="PUT",
        create_status=200,
        adds=False,
        shows=("source", "override"),
        also=[Call("GET", lambda c, made: "/api/v1/kpis/coverage?by=manager",
                   shows=("by", "manager"))],
        delete_url=lambda c, made: acme(c, "/cadence/override"),
        delete_actor="owner",
        denied=[
            ("viewer", "PUT", lambda c: acme(c, "/cadence/override"),
             {"touch_days": 3, "reason": "x"}, 403),
            ("outsider", "GET", lambda c: acme(c, "/cadence"), None, 404),
            ("outsider", "PUT", lambda c: acme(c, "/cadence/override"),
             {"touch_days": 3, "reason": "x"}, 404),
            ("outsider", "DELETE", lambda c: acme(c, "/cadence/override"), None, 404),
        ],
        missing=[
            ("owner", "GET", lambda c: f"/api/v1/accounts/{MISSING}/cadence"),
            ("owner", "DELETE", lambda c: f"/api/v1/accounts/{MISSING}/cadence/override"),
        ],
        bad=[({"touch_days": 0, "reason": "x"}, "touch_days"),
             ({"touch_days": 3, "reason": " "}, "reason"),
             ({"touch_days": 3}, "reason"),
             ({"touch_days": 3, "review_days": 0, "reason": "x"}, "review_days")],
    ),
]
