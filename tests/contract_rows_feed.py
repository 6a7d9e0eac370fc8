"""The calendar feed's resources of the API contract table; see ``contract_rows.py``.

The owner makes a feed token (its URL shown once), lists and revokes it; the meetings import
reads a past meeting with Acme's contact. Another user's token is not found; a viewer may
not import; a file that is not a calendar is a 422 on ``file`` (tests/test_meetings_import_*).
"""

from __future__ import annotations

from contract_rows import MISSING, Call, Resource, Upload
from route_policy import MEETINGS_ICS

FEED = [
    Resource(
        name="calendar feed tokens",
        actor="owner",
        collection=lambda c: "/api/v1/me/feed-tokens",
        create={},
        shows=("active", True),
        delete_url=lambda c, made: f"/api/v1/me/feed-tokens/{made['id']}",
        delete_actor="owner",
        also=[
            Call("POST", lambda c, made: "/api/v1/calendar/meetings/import",
                 files={"file": MEETINGS_ICS}, shows=("events", 1)),
        ],
        denied=[
            ("viewer", "POST", lambda c: "/api/v1/calendar/meetings/import",
             Upload({"file": MEETINGS_ICS}), 403),
        ],
        missing=[
            ("owner", "DELETE", lambda c: f"/api/v1/me/feed-tokens/{MISSING}"),
        ],
    ),
]
