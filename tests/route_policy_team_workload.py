"""The route table's rows for team and capacity (issue 17): workload.

See route_policy.py: this file holds one section of its POLICY. Loads are read by managers
and sales reps (their own), heads (their teams') and admins; a manager's accounts behind the
figures (``{manager_id}``: the owner, tests/route_samples_team_workload.py) by those who see
the owner's load — the admin, North's head, the owner —, a 404 for anyone else of those
roles. The what-if (nothing written) is for heads and admins: moving Acme (account 1) to the
teammate (user 5 in the route world). The settings are read by everyone signed in, changed
by admins and heads."""

from __future__ import annotations

from route_policy import Rule, read, write

#: who reads loads (each their own part: team.workload)
LOAD_READERS: frozenset[str] = frozenset({"admin", "head", "manager", "sales"})
ADMIN_HEAD: frozenset[str] = frozenset({"admin", "head"})
#: who sees the owner's load (the sample manager)
SEE_OWNER = ("admin", "head", "owner")
MOVE = {"moves": [{"account_id": 1, "to_manager_id": 5}]}

ROWS: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/team/workload"): read(LOAD_READERS),
    ("GET", "/api/v1/team/managers/{manager_id}/accounts"): read(
        LOAD_READERS, reach=SEE_OWNER, query="figure=key_accounts&page_size=10"),
    ("POST", "/api/v1/team/what-if"): write(ADMIN_HEAD, body=MOVE),
    ("GET", "/api/v1/team/settings"): read(),
    ("PUT", "/api/v1/team/settings"): write(ADMIN_HEAD, body={"strategic": "12"}),
    ("GET", "/team"): read(LOAD_READERS),
    ("GET", "/team/managers/{manager_id}"): read(LOAD_READERS, reach=SEE_OWNER,
                                                query="figure=coverage"),
    ("POST", "/team/what-if"): write(ADMIN_HEAD, form={"account_id": "1", "to_manager_id": "5"}),
    ("GET", "/admin/team"): read(ADMIN_HEAD),
    ("POST", "/admin/team"): write(ADMIN_HEAD, form={"strategic": "12", "coverage_below": "75"}),
}
