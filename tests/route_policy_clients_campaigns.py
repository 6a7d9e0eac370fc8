"""The route table's rows for individual clients (issue 16): win-back campaigns.

See route_policy.py: this file holds one section of its POLICY. Campaigns are for
managers, heads and admins (``clients.campaigns.reading.CAMPAIGNERS``); a campaign is shown
to a campaigner who sees every one of its members. The sample (route_samples_clients_
campaigns.py): a campaign of one member, a client of the owner's (North), so its head, the
owner and those who see everything see it; the outsider and the other head do not (404)."""

from __future__ import annotations

from route_policy import Rule, read, write

CAMPAIGNERS: frozenset[str] = frozenset({"admin", "head", "manager"})
#: who sees the sample campaign's member (billing and viewer see it but may not use campaigns)
SEE_CAMPAIGN = ("admin", "head", "owner", "billing", "viewer")
API = "/api/v1/clients/campaigns"
PAGE = "/clients/campaigns"
#: a new campaign of the caller's win-back list (empty for some: a 422, allowed)
BODY = {"name": "Route campaign", "source": "winback", "holdout": 0.2}
FORM = {"name": "Route campaign", "source": "winback", "holdout": "0.2"}

ROWS: dict[tuple[str, str], Rule] = {
    ("POST", API): write(CAMPAIGNERS, body=BODY),
    ("GET", API): read(CAMPAIGNERS),
    ("GET", f"{API}/{{campaign_id}}"): read(CAMPAIGNERS, reach=SEE_CAMPAIGN),
    ("GET", f"{API}/{{campaign_id}}/result"): read(CAMPAIGNERS, reach=SEE_CAMPAIGN,
                                                   query="months=3"),
    ("GET", f"{API}/{{campaign_id}}/export"): read(CAMPAIGNERS, reach=SEE_CAMPAIGN),
    ("GET", PAGE): read(CAMPAIGNERS),
    ("GET", f"{PAGE}/new"): read(CAMPAIGNERS, query="source=winback&min_value=10"),
    ("POST", PAGE): write(CAMPAIGNERS, form=FORM),
    ("GET", f"{PAGE}/{{campaign_id}}"): read(CAMPAIGNERS, reach=SEE_CAMPAIGN,
                                             query="months=3"),
    ("GET", f"{PAGE}/{{campaign_id}}/export"): read(CAMPAIGNERS, reach=SEE_CAMPAIGN),
}
