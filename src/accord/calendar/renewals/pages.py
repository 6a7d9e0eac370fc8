"""The Renewals page: the accounts whose contract comes up for renewal, by notice deadline,
with their reminder and renewal opportunity (filters: scope, manager)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from accord.calendar.renewals import rules, service
from accord.core.errors import ValidationFailed
from accord.core.schemas import Id, PageNumber, Word
from accord.web.page_deps import Db, PageToday, PageUser, form_errors
from accord.web.templating import render

router = APIRouter()
PAGE_SIZE = 50
Today = PageToday  # the user's own date (their time zone)
SCOPE_LABELS = {"window": "In the notice window", "upcoming": "Not ended yet",
                "all": "Every contract end"}


@router.get("/renewals")
def renewals_page(request: Request, user: PageUser, db: Db, day: Today,
                  scope: Word = "window", manager_id: Id | None = None,
                  page: PageNumber = 1) -> Any:
    shown = {"scope": scope, "manager_id": manager_id}
    errors: dict[str, str] = {}
    listing = None
    try:
        listing = service.renewal_page(db, user, day, scope=scope, manager_id=manager_id,
                                       page=page, page_size=PAGE_SIZE)
    except ValidationFailed as exc:
        errors = form_errors(exc)

    def query(**change: Any) -> str:
        merged = {**shown, **change}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    return render(request, "calendar/renewals_list.html", {
        "user": user, "listing": listing, "errors": errors, "filters": shown, "today": day,
        "scopes": [(s, SCOPE_LABELS[s]) for s in rules.SCOPES],
        "managers": service.manager_choices(db, user), "labels": rules.STATE_LABELS,
        "query": query,
    }, status_code=422 if errors else 200)
