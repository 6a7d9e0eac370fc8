"""The Plans page, ``/plans``: the current plans the user sees with completeness, last review
and staleness, overdue actions and the objectives' progress; filters, sortable columns,
pages, CSV and Excel export (``/plans/export.csv|xlsx``, served by ``exchange``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from accord.plans import listing
from accord.selection.rules import TIERS
from accord.web.deps import today
from accord.web.page_deps import Db, PageUser
from accord.web.templating import render

router = APIRouter()

PAGE_SIZES = (25, 50, 100, 200)
#: column -> (first sort, second sort on a second click)
COLUMNS = {
    "account": ("account", "-account"),
    "manager": ("manager", "-manager"),
    "completeness": ("completeness", "-completeness"),
    "reviewed": ("reviewed", "-reviewed"),
    "overdue": ("-overdue", "overdue"),
}
def _page_numbers(page: int, pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20 — None stands for a gap."""
    numbers = sorted(n for n in {1, pages, *range(page - 2, page + 3)} if 1 <= n <= pages)
    out: list[int | None] = []
    for n in numbers:
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def _url(state: dict[str, str], path: str = "/plans", **changes: Any) -> str:
    merged = {**state, **{k: str(v) for k, v in changes.items()}}
    defaults = {"sort": "account", "page_size": "50", "page": "1"}
    query = urlencode({k: v for k, v in merged.items() if v and defaults.get(k) != v})
    return f"{path}?{query}" if query else path


@router.get("/plans")
def plans_page(request: Request, user: PageUser, db: Db) -> Any:
    params = dict(request.query_params)
    state = listing.query_state(params)
    page = max(1, min(listing.whole(params.get("page")) or 1, listing.MAX_PAGE))
    view = listing.plans_view(db, user, today=today(), filters=listing.query_filters(state),
                              sort=state["sort"], page=page, page_size=int(state["page_size"]))
    result = view.page
    headers = {}
    for col, (first, second) in COLUMNS.items():
        current = state["sort"] in (first, second)
        target = second if current and state["sort"] == first else first
        aria = ("descending" if state["sort"].startswith("-") else "ascending") if current else None
        headers[col] = {"url": _url(state, sort=target, page=1), "aria": aria}
    first_row = (result.page - 1) * result.page_size + 1 if result.total else 0
    export = {k: v for k, v in state.items() if k in (*listing.FILTERS, "sort")}
    return render(request, "plans/list.html", {
        "user": user,
        "result": result,
        "state": state,
        "headers": headers,
        "url": lambda **changes: _url(state, **changes),
        "page_numbers": _page_numbers(result.page, result.pages),
        "page_sizes": PAGE_SIZES,
        "first_row": first_row,
        "last_row": first_row + len(result.items) - 1 if result.items else 0,
        "filtered": any(state[k] for k in listing.FILTERS),
        "segments": view.segments,
        "managers": view.managers,
        "tiers": TIERS,
        "csv_url": _url(export, "/plans/export.csv"),
        "xlsx_url": _url(export, "/plans/export.xlsx"),
    })
