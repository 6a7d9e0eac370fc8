"""The route table's rows for team and capacity (issue 17): assign — who should take an
account, one move, the rebalance proposal and applying it (``team.assign_api``,
``team.assign_pages``).

See route_policy.py: this file holds one section of its POLICY. Heads (for the accounts
managed in their teams, to their teams' managers) and admins; every other role is refused.
The samples name Acme (account 1, the owner's, North) and the teammate (user 5: the cast's
fifth user, North) as the manager to give it to. Suggestions and a move name an account, so
South's head (``other_head``), who does not see Acme, gets a 404 (``reach``); a rebalance
proposal is of the caller's own teams (South's for South's head), and a refused move of
an apply is a 422 naming it. No path carries an id: no samples needed
(``tests/route_samples_team_assign.py``)."""

from __future__ import annotations

from route_policy import Rule, read, write

#: admins and heads (route_policy.ADMIN_HEAD; spelt out: that module imports this one)
ADMIN_HEAD: frozenset[str] = frozenset({"admin", "head"})
#: who may act on Acme here: its team's head and the admin
ACME_ASSIGNERS = ("admin", "head")
#: Acme to the teammate
MOVE = {"account_id": 1, "to_manager_id": 5}

ROWS: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/team/suggestions"): read(ADMIN_HEAD, query="account_id=1",
                                              reach=ACME_ASSIGNERS),
    ("POST", "/api/v1/team/moves"): write(ADMIN_HEAD, body=MOVE, reach=ACME_ASSIGNERS),
    ("GET", "/api/v1/team/rebalance"): read(ADMIN_HEAD),
    ("POST", "/api/v1/team/rebalance"): write(ADMIN_HEAD, body={"moves": [MOVE]}),
    ("GET", "/team/suggest"): read(ADMIN_HEAD, query="account_id=1", reach=ACME_ASSIGNERS),
    ("POST", "/team/moves"): write(ADMIN_HEAD, form={"account_id": "1", "to_manager_id": "5"},
                                   reach=ACME_ASSIGNERS),
    ("GET", "/team/rebalance"): read(ADMIN_HEAD),
    ("POST", "/team/rebalance"): write(ADMIN_HEAD, form={"move": "1:5"}),
}
