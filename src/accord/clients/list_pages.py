"""The Clients page (issue 16) for B2C managers: tiles, the RFM grid, the P(alive)
distribution, the latest fit and its validation chart, and the lists (win-back, at risk,
best, all) filtered, sorted, paged and exported. Parses the query, calls
``reading.dashboard`` (one service, as the API and the CLI call theirs) and renders; a bad
filter comes back on the page with its message (422)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from accord.clients import charts, exporting, reading
from accord.core.errors import ValidationFailed
from accord.core.schemas import PageNumber, SearchText, Word
from accord.web.page_deps import Db, PageUser, form_errors
from accord.web.templating import render

router = APIRouter()
PER_PAGE = 50
LIST_LABELS = [("winback", "Win-back"), ("at_risk", "At risk"), ("best", "Best clients"),
               ("all", "All clients")]
SORT_LABELS = [("name", "Name"), ("segment", "Segment"), ("purchases", "Purchases"),
               ("last_purchase", "Last purchase"), ("past_value", "Past value"),
               ("p_alive", "P(alive)"), ("drop", "Fall"),
               ("expected_purchases", "Expected purchases"), ("value", "Value")]
#: who may create a win-back campaign (the campaigns' page checks again)
CAMPAIGNERS = ("admin", "head", "manager")
Text40 = Annotated[str | None, Query(max_length=40)]
Text30 = Annotated[str | None, Query(max_length=30)]


def _filters(list_: str | None, segment: str | None, manager_id: str | None,
             min_value: str | None, p_alive_min: str | None, p_alive_max: str | None,
             q: str | None, sort: str | None) -> reading.Filters:
    return reading.filters(list_name=list_, segment=segment, manager_id=manager_id,
                           min_value=min_value, p_alive_min=p_alive_min,
                           p_alive_max=p_alive_max, q=q, sort=sort)


def campaign_source(f: reading.Filters) -> str | None:
    """The campaign source of a list: the list itself, a segment for ``all`` narrowed to
    one (None: every client is no win-back list)."""
    if f.list != "all":
        return f.list
    return "segment" if f.segment else None


@router.get("/clients")
def clients_page(
    request: Request, user: PageUser, db: Db,
    list_: Annotated[Word | None, Query(alias="list")] = None, segment: Text40 = None,
    manager_id: Text30 = None, min_value: Text30 = None, p_alive_min: Text30 = None,
    p_alive_max: Text30 = None, q: SearchText | None = None, sort: Word | None = None,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=reading.MAX_PER_PAGE)] = PER_PAGE,
) -> Any:
    shown = {"list": list_, "segment": segment, "manager_id": manager_id,
             "min_value": min_value, "p_alive_min": p_alive_min, "p_alive_max": p_alive_max,
             "q": q, "sort": sort}
    errors: dict[str, str] = {}
    try:
        f = _filters(list_, segment, manager_id, min_value, p_alive_min, p_alive_max, q, sort)
    except ValidationFailed as exc:
        errors = form_errors(exc)
        f = reading.filters(list_name=list_ if list_ in reading.LISTS else None)
    board = reading.dashboard(db, user, f, page=page, per_page=per_page)
    shown["list"], shown["sort"] = f.list, f.sort

    def query(**change: Any) -> str:
        merged = {**shown, **change}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    over = board.overview
    source = campaign_source(f)
    campaign_url = None
    if source and user.role in CAMPAIGNERS and board.listing and board.listing.total:
        params = {k: v for k, v in f.params().items() if k not in ("list", "sort")}
        campaign_url = "/clients/campaigns/new?" + urlencode({"source": source, **params})
    view = charts.validation_view(over.validation.validation if over.validation else None)
    segments = list(dict.fromkeys([*over.thresholds.segments,
                                   *(s.segment for s in over.segments if s.segment)]))
    return render(request, "clients/dashboard.html", {
        "user": user, "board": board, "over": over, "listing": board.listing, "f": f,
        "filters": shown, "errors": errors, "query": query, "lists": LIST_LABELS,
        "sort_labels": SORT_LABELS, "segments": segments, "managers": board.managers,
        "campaign_url": campaign_url, "histogram": charts.p_alive_histogram(over.histogram),
        "validation": view,
        "cumulative_chart": charts.cumulative_chart(view) if view.cumulative else None,
        "purchases_chart": charts.by_purchases_chart(view) if view.by_purchases else None,
        "bins": charts.bin_labels(len(over.histogram)),
    }, status_code=422 if errors else 200)


@router.get("/clients/export")
def clients_export(
    user: PageUser, db: Db, format: Literal["csv", "xlsx"] = "csv",
    list_: Annotated[Word | None, Query(alias="list")] = None, segment: Text40 = None,
    manager_id: Text30 = None, min_value: Text30 = None, p_alive_min: Text30 = None,
    p_alive_max: Text30 = None, q: SearchText | None = None, sort: Word | None = None,
) -> Response:
    f = _filters(list_, segment, manager_id, min_value, p_alive_min, p_alive_max, q, sort)
    rows = reading.members(db, user, f)
    name = f"clients-{f.list}{'-' + f.segment if f.segment else ''}.{format}"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return Response(exporting.export(rows, format), media_type=exporting.MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{safe}"'})
