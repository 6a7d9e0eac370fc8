"""The audit log page: filters, a page of entries with their changes, CSV export.

Plain GET forms (no script needed); bad filter values are shown next to their field rather
than refused, and the page then lists nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from accord.audit import service
from accord.audit.changes import changes
from accord.audit.schemas import AuditFilter
from accord.web.page_deps import Db, PageUser, form_errors
from accord.web.templating import render

router = APIRouter()

FILTER_FIELDS = ("actor", "entity", "entity_id", "account_id", "action", "since", "until")
PAGE_SIZES = (25, 50, 100, 200)
#: suggestions for the entity and action fields (any value may be typed)
ENTITIES = (
    "account", "account_members", "account_contact", "contact", "interaction", "user", "team",
    "api_token", "kam_setting", "selection_criteria", "scoring", "account_selection",
    "stage_criterion", "stage_assessment", "health", "import", "kpi_policy", "kpi_data",
)
ACTIONS = (
    "create", "update", "delete", "link", "unlink", "login", "logout", "revoke", "recompute",
    "refresh", "override", "deselect", "reselect", "import",
)


def _cursor(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


def _filter(params: dict[str, str]) -> tuple[AuditFilter, dict[str, str], dict[str, str]]:
    """The filter, the form's values and the errors of the values that are not valid."""
    values = {k: (params.get(k) or "").strip()[:254] for k in FILTER_FIELDS}
    try:
        return AuditFilter.model_validate({k: v for k, v in values.items() if v}), values, {}
    except ValidationError as exc:
        return AuditFilter(), values, form_errors(exc)


@router.get("/audit")
def audit_page(request: Request, user: PageUser, db: Db) -> Any:
    params = dict(request.query_params)
    flt, values, errors = _filter(params)
    limit = _cursor(params.get("limit")) or service.DEFAULT_LIMIT
    limit = limit if limit in PAGE_SIZES else service.DEFAULT_LIMIT
    if errors:
        page = None
    else:
        page = service.list_entries(
            db,
            user,
            flt,
            before=_cursor(params.get("before")),
            after=None if params.get("before") else _cursor(params.get("after")),
            limit=limit,
        )
    query = {k: v for k, v in values.items() if v}
    if limit != service.DEFAULT_LIMIT:
        query["limit"] = str(limit)

    def url(**cursor: int) -> str:
        return "/audit?" + urlencode({**query, **{k: str(v) for k, v in cursor.items()}})

    return render(
        request,
        "audit/log.html",
        {
            "user": user,
            "values": values,
            "errors": errors,
            "page": page,
            "rows": [(e, changes(e.before, e.after)) for e in (page.items if page else [])],
            "filtered": bool(query),
            "url": url,
            "export_url": "/audit/export.csv" + ("?" + urlencode(query) if query else ""),
            "limit": limit,
            "page_sizes": PAGE_SIZES,
            "entities": ENTITIES,
            "actions": ACTIONS,
            "paged": bool(params.get("before") or params.get("after")),
        },
    )


@router.get("/audit/export.csv")
def audit_export(request: Request, user: PageUser, db: Db) -> Any:
    flt, _, errors = _filter(dict(request.query_params))
    if errors:
        return render(
            request,
            "web/error.html",
            {"status": 422, "title": "Validation failed", "user": user,
             "detail": "; ".join(f"{k}: {v}" for k, v in errors.items())},
            status_code=422,
        )
    return Response(
        service.export_csv(db, user, flt),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
