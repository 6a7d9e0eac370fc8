"""Health on the pages: the breakdown is a partial of the account's KAM page
(``health/breakdown.html``); this router stores one account's score (the KAM page's button)
and recomputes every visible account's score."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from accord.core.schemas import Id
from accord.health import service
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, PageUser, csrf

router = APIRouter()
Today = Annotated[date, Depends(today)]


@router.post("/health/recompute", dependencies=csrf)
def recompute(
    request: Request, db: Db, user: PageUser, day: Annotated[date, Depends(today)]
) -> Any:
    out = service.recompute_all(db, user, today=day)
    flash(
        request,
        f"Health recomputed for {out.accounts} accounts: {out.green} green, "
        f"{out.amber} amber, {out.red} red.",
    )
    return RedirectResponse("/decisions", status_code=303)


@router.post("/accounts/{account_id}/kam/health", dependencies=csrf)
def recompute_health(request: Request, account_id: Id, db: Db, user: PageUser, day: Today) -> Any:
    out = service.recompute_account(db, user, account_id, today=day)
    flash(request, f"Health stored: {out.score if out.score is not None else '—'}.")
    return RedirectResponse(f"/accounts/{account_id}/kam#health", status_code=303)
