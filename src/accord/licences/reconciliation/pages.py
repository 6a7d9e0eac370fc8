"""The reconciliation page (issue 15): subscription MRR beside invoiced revenue per account
and month, the differences listed, and their CSV. Parses the query, calls
``reading.reconcile`` (as the API and the CLI do) and renders; a bad filter comes back on the
page with its message (422)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from accord.core.errors import ValidationFailed
from accord.core.schemas import Id, PageNumber, SearchText, Word
from accord.licences.reconciliation import exporting, reading
from accord.web.page_deps import Db, PageToday, PageUser, form_errors
from accord.web.templating import render

router = APIRouter()
PAGE_SIZE = 50
SORT_LABELS = [("account", "Account"), ("month", "Month"), ("subscriptions", "Subscriptions"),
               ("invoiced", "Invoiced"), ("difference", "Difference"), ("gap", "Size")]


def _filters(day: Any, first: str | None, to: str | None, min_difference: str | None,
             q: str | None, account_id: int | None, sort: str | None) -> reading.Filters:
    return reading.filters(day, first=first or None, last=to or None,
                           min_difference=min_difference or None, q=q or None,
                           account_id=account_id, sort=sort or None)


@router.get("/licences/reconciliation")
def reconciliation_page(
    request: Request, user: PageUser, db: Db, day: PageToday,
    first: Annotated[Word | None, Query(alias="from")] = None, to: Word | None = None,
    min_difference: Word | None = None, q: SearchText | None = None,
    account_id: Id | None = None, sort: Word | None = None, page: PageNumber = 1,
) -> Any:
    shown = {"from": first, "to": to, "min_difference": min_difference, "q": q,
             "account_id": account_id, "sort": sort}
    errors: dict[str, str] = {}
    result = None
    try:
        f = _filters(day, first, to, min_difference, q, account_id, sort)
        result = reading.reconcile(db, user, f, page=page, page_size=PAGE_SIZE)
    except ValidationFailed as exc:
        errors = form_errors(exc)

    def query(**change: Any) -> str:
        merged = {**shown, **change}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    if result is not None:  # the form shows the months in force (defaults filled in)
        shown["from"] = f"{result.as_dict()['from']}"
        shown["to"] = f"{result.as_dict()['to']}"
    return render(request, "licences/reconciliation.html", {
        "user": user, "result": result, "errors": errors, "filters": shown,
        "sort": sort or reading.DEFAULT_SORT, "sort_labels": SORT_LABELS, "query": query,
    }, status_code=422 if errors else 200)


@router.get("/licences/reconciliation/export.csv")
def reconciliation_csv(
    user: PageUser, db: Db, day: PageToday,
    first: Annotated[Word | None, Query(alias="from")] = None, to: Word | None = None,
    min_difference: Word | None = None, q: SearchText | None = None,
    account_id: Id | None = None, sort: Word | None = None,
) -> Response:
    f = _filters(day, first, to, min_difference, q, account_id, sort)
    result = reading.reconcile(db, user, f, page_size=reading.MAX_EXPORT)
    name = f"reconciliation-{result.as_dict()['from']}-{result.as_dict()['to']}.csv"
    return Response(exporting.to_csv(result), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
