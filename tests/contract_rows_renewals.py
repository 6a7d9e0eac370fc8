"""The renewals resources of the API contract table; see ``contract_rows.py``.

A manager creates an account with a contract end date and a notice period; the renewals list
(every contract end) finds it; the notice period is changed through the account; the
renewals setting is read and changed by an admin. A manager may not change the setting, and
a notice period of -1 or 99999 days or a contract end date that is not a date is a 422
naming the field, nothing written."""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource

CONTRACT = {"name": "Initech Renewals", "kind": "company", "contract_end_on": "2027-06-30",
            "notice_days": 90}

RENEWALS = [
    Resource(
        name="renewals",
        actor="owner",
        collection=lambda c: "/api/v1/renewals?scope=all",
        create=CONTRACT,
        create_url=lambda c: "/api/v1/accounts",
        shows=("contract_end_on", "2027-06-30"),
        item=lambda c, made: f"/api/v1/accounts/{made['id']}",
        update=("notice_days", 60),
        also=[
            Call("GET", lambda c, made: "/api/v1/renewals/settings", shows=("lead_days", 30)),
            Call("PUT", lambda c, made: "/api/v1/renewals/settings", who="admin",
                 body={"lead_days": 45}, shows=("lead_days", 45)),
            Call("GET", lambda c, made: "/api/v1/renewals?scope=upcoming",
                 shows=("notice_deadline", "2027-05-01")),
        ],
        denied=[
            ("owner", "PUT", lambda c: "/api/v1/renewals/settings", {"lead_days": 5}, 403),
            ("head", "PUT", lambda c: "/api/v1/renewals/settings", {"lead_days": 5}, 403),
        ],
        missing=[
            ("owner", "PATCH", lambda c: f"/api/v1/accounts/{MISSING}"),
        ],
        bad=[
            ({**CONTRACT, "notice_days": -1}, "notice_days"),
            ({**CONTRACT, "notice_days": 99999}, "notice_days"),
            ({**CONTRACT, "contract_end_on": "nonsense"}, "contract_end_on"),
            ({**CONTRACT, "contract_end_on": "2027-02-30"}, "contract_end_on"),
            ({**CONTRACT, "contract_end_on": "1999-12-31"}, "contract_end_on"),
        ],
        count=lambda page: page["total"],
    ),
]
