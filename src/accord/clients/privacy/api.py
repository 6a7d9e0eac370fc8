"""REST API of individual clients' personal data (issue 16): marketing consent, the
suppression list, erasure on request. Each route parses, calls one function of
``clients.privacy.service`` and returns its answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.clients.privacy import service
from accord.clients.privacy.schemas import (
    ConsentIn,
    ConsentOut,
    ErasureOut,
    SuppressionIn,
    SuppressionOut,
    SuppressionPage,
)
from accord.core.schemas import PageNumber, SearchText

router = APIRouter(tags=["clients"])
SUPPRESSIONS = "/clients/suppressions"


@router.put("/accounts/{account_id}/client/consent", response_model=ConsentOut,
            responses=problems(403, 404, 409),
            summary="Give or withdraw a person's marketing consent",
            description="Whoever may change the account (admins, heads, managers and sales "
            "over the accounts they see). Only person accounts have it (a company is a 422); "
            "an erased client keeps none (409). Audited when it changes; clients without "
            "consent are left out of campaign exports.")
def put_consent(account_id: IdPath, body: ConsentIn, db: Db, user: Caller,
                day: CallerToday) -> ConsentOut:
    return service.set_consent(db, user, account_id, body.marketing_consent, day)


@router.get(SUPPRESSIONS, response_model=SuppressionPage, responses=problems(403),
            summary="The suppression list: addresses never exported to an e-mail tool",
            description="Admins and heads. By address; `q` is part of an address.")
def get_suppressions(
    db: Db, user: Caller, q: SearchText = "", page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = service.PAGE_SIZE,
) -> SuppressionPage:
    return service.suppressions(db, user, q=q or None, page=page, page_size=page_size)


@router.post(SUPPRESSIONS, response_model=SuppressionOut, status_code=201,
             responses=problems(403, 409),
             summary="Add an address to the suppression list (admins and heads)",
             description="Kept in lower case, trimmed. A malformed address is a 422 on "
             "`email`, one listed already a 409. Audited.")
def post_suppression(body: SuppressionIn, db: Db, user: Caller) -> SuppressionOut:
    return service.add_suppression(db, user, body.email, body.reason)


@router.delete(SUPPRESSIONS + "/{suppression_id}", status_code=204,
               responses=problems(403, 404),
               summary="Take an address off the suppression list (admins and heads)")
def delete_suppression(suppression_id: IdPath, db: Db, user: Caller) -> Response:
    service.remove_suppression(db, user, suppression_id)
    return Response(status_code=204)


@router.post("/accounts/{account_id}/client/erase", response_model=ErasureOut,
             responses=problems(403, 404, 409),
             summary="Erase a person's personal data on request (cannot be undone)",
             description="Admins and heads, over the person accounts they see (a company is "
             "a 422, a second erasure a 409). The account's name becomes `Erased client "
             "#<id>` and its free text is dropped; its own contacts are anonymised, contacts "
             "also at other accounts unlinked; interactions' and follow-ups' text erased; "
             "marketing consent withdrawn. Revenue lines are kept, so figures do not change. "
             "Earlier audit entries of the account keep ids, not values. See "
             "docs/clients-privacy.md.")
def post_erase(account_id: IdPath, db: Db, user: Caller, day: CallerToday) -> Any:
    return service.erase_client(db, user, account_id, day)
