"""REST API of win-back campaigns (issue 16): create one from a list of the Clients page (or
accounts named), list them, read one with a page of its members, its result (treatment
against holdout, with a 95 % bootstrap interval) and its e-mail export. Each route calls one
function of ``service`` (creating) or ``reading``; managers, heads and admins only, over the
accounts they see."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.clients.campaigns import reading, service
from accord.clients.campaigns.rules import MAX_MONTHS, MIN_MONTHS
from accord.clients.campaigns.schemas import CampaignDetail, CampaignIn, CampaignsPage, ResultOut
from accord.core.schemas import PageNumber

router = APIRouter(tags=["clients"])
BASE = "/clients/campaigns"
PageSize = Annotated[int, Query(ge=1, le=reading.MAX_PAGE_SIZE)]
Months = Annotated[int | None, Query(ge=MIN_MONTHS, le=MAX_MONTHS, description=(
    "Months after the freeze the result counts (default: the campaign's)"))]


@router.post(BASE, status_code=201, response_model=CampaignDetail, responses=problems(403),
             summary="Create a win-back campaign: a list frozen today, with a holdout",
             description="The list (`winback`, `at_risk`, `best`, `segment` with `segment`, "
             "or `accounts` with `account_ids`) of the clients you see, frozen today with "
             "their P(alive) and value; `holdout` (0 to 0.9) of it drawn at random and left "
             "uncontacted; a follow-up per treatment member for its manager when "
             "`follow_ups_due_on` is given. Members without marketing consent or on the "
             "suppression list are marked and counted. Accounts you do not see are refused "
             "with their ids (422), nothing written. Managers, heads and admins.")
def create_campaign(data: CampaignIn, db: Db, user: Caller, day: CallerToday,
                    response: Response) -> Any:
    made = service.create_campaign(db, user, data, day)
    response.headers["Location"] = f"/api/v1{BASE}/{made.id}"
    return made


@router.get(BASE, response_model=CampaignsPage, responses=problems(403),
            summary="The win-back campaigns you may see, newest first",
            description="Those whose every member is an account you see.")
def list_campaigns(db: Db, user: Caller, page: PageNumber = 1, page_size: PageSize = 50
                   ) -> Any:
    return reading.list_campaigns(db, user, page=page, page_size=page_size)


@router.get(f"{BASE}/{{campaign_id}}", response_model=CampaignDetail, responses=problems(403),
            summary="One campaign with a page of its members")
def get_campaign(campaign_id: IdPath, db: Db, user: Caller, page: PageNumber = 1,
                 page_size: PageSize = 50) -> Any:
    return reading.show(db, user, campaign_id, page=page, page_size=page_size)


@router.get(f"{BASE}/{{campaign_id}}/result", response_model=ResultOut,
            responses=problems(403),
            summary="The campaign's result: treatment against holdout",
            description="Per group the share of members with a purchase (a revenue line of "
            "amount ≥ 0) after the freeze, within `months` months (and up to today), and "
            "their net revenue per member; the differences treatment − holdout with a 95 % "
            "percentile-bootstrap interval (2,000 resamples, seeded by the campaign).")
def campaign_result(campaign_id: IdPath, db: Db, user: Caller, day: CallerToday,
                    months: Months = None) -> Any:
    return reading.result(db, user, campaign_id, months, day)


@router.get(f"{BASE}/{{campaign_id}}/export", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": (
                "The treatment group: name, email, p_alive, value. The headers "
                "X-Left-Out-No-Consent, X-Left-Out-Suppressed, X-Left-Out-No-Email and "
                "X-Left-Out-Held-Out count who was left out")}, **problems(403)},
            summary="The treatment group as CSV for an e-mail tool")
def export_campaign(campaign_id: IdPath, db: Db, user: Caller) -> Response:
    text, counts = reading.export(db, user, campaign_id)
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="campaign-{campaign_id}.csv"',
        "X-Left-Out-No-Consent": str(counts.no_consent),
        "X-Left-Out-Suppressed": str(counts.suppressed),
        "X-Left-Out-No-Email": str(counts.no_email),
        "X-Left-Out-Held-Out": str(counts.held_out)})
