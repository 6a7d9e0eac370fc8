"""The route table's rows for team and capacity (issue 17): scorecard.

See route_policy.py: this file holds one section of its POLICY.

Everyone reads the table (a manager their own row, a head their teams', the roles that see
every account all; anyone else an empty table). One manager's scorecard and the accounts
behind a figure (the sample manager is the owner, tests/route_samples_team_scorecard.py):
the owner themself, North's head, the admin and the roles that see every account; another
manager or head is answered like a missing manager (404), a role that holds no book (sales,
specialist) likewise."""

from __future__ import annotations

from route_policy import Rule, read

#: the roles that may read a manager's scorecard (when it is in their reach)
READERS = frozenset({"admin", "head", "manager", "billing", "viewer"})
#: who reaches the owner's scorecard
SEE_OWNER = ("admin", "head", "owner", "billing", "viewer")
MONTH = "period=2025-12"

ROWS: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/team/scorecards"): read(query=f"{MONTH}&sort=-nrr"),
    ("GET", "/api/v1/team/scorecards/export"): read(query=f"format=csv&{MONTH}"),
    ("GET", "/api/v1/team/scorecards/{manager_id}"): read(READERS, reach=SEE_OWNER,
                                                           query=MONTH),
    ("GET", "/api/v1/team/scorecards/{manager_id}/accounts"): read(
        READERS, reach=SEE_OWNER, query=f"figure=revenue&{MONTH}"),
    ("GET", "/team/scorecards"): read(query=f"{MONTH}&sort=-revenue"),
    ("GET", "/team/scorecards/{manager_id}"): read(READERS, reach=SEE_OWNER, query=MONTH),
    ("GET", "/team/scorecards/{manager_id}/accounts"): read(
        READERS, reach=SEE_OWNER, query=f"figure=nrr&{MONTH}"),
}
