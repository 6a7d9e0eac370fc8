"""REST API of the reconciliation (issue 15): subscription MRR beside invoiced revenue per
account and month, the differences listed (``reading.reconcile``, as the page and the CLI)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from accord.api.common import Caller, CallerToday, Db, IdQuery, problems
from accord.core.schemas import PageNumber, SearchText, Word
from accord.licences.reconciliation import reading
from accord.licences.reconciliation.schemas import ReconciliationPage

router = APIRouter(tags=["licences"])
MONTH = r"^\d{4}-\d{2}$"


@router.get("/licences/reconciliation", response_model=ReconciliationPage,
            response_model_by_alias=True, responses=problems(404),
            summary="Subscription MRR beside invoiced revenue, per account and month",
            description="The months `from`…`to` (default: the twelve up to last month; at "
            "most 120) of the accounts you see, where |subscriptions − invoiced| is above "
            "`min_difference` (default 0: every difference). `q` searches account names; "
            "`account_id` is one account's (404 when you do not see it). `sort`: gap (the "
            "size of the difference), difference, account, month, subscriptions or invoiced, "
            "`-` before for descending (default `-gap`). Totals are over every row listed.")
def get_reconciliation(
    db: Db, user: Caller, day: CallerToday,
    first: Annotated[str | None, Query(alias="from", max_length=7, pattern=MONTH)] = None,
    to: Annotated[str | None, Query(max_length=7, pattern=MONTH)] = None,
    min_difference: Annotated[str | None, Query(max_length=30)] = None,
    q: SearchText | None = None, account_id: IdQuery = None, sort: Word | None = None,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=reading.MAX_PAGE_SIZE)] = 50,
) -> Any:
    f = reading.filters(day, first=first, last=to, min_difference=min_difference, q=q,
                        account_id=account_id, sort=sort)
    return reading.reconcile(db, user, f, page=page, page_size=page_size).as_dict()
