"""REST API of the individual clients' lists and figures (issue 16): the lists (win-back,
at risk, best, all; ``reading.client_list``), the overview of the Clients page
(``reading.overview``) and one person account's figures (``reading.client_figures``).
Everyone may read them, over the accounts they see."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from accord.api.common import Caller, Db, IdPath, IdQuery, problems
from accord.clients import reading
from accord.clients.schemas import ClientFitOut
from accord.core.schemas import PageNumber, SearchText, Word

router = APIRouter(tags=["clients"])
ListName = Literal["winback", "at_risk", "best", "all"]


class ClientItem(BaseModel):
    account_id: int
    name: str
    external_id: str | None
    segment: str | None = Field(description="RFM segment (none: no purchase in the window)")
    r: int | None
    f: int | None
    m: int | None
    purchases: int = Field(description="purchase days in the fit's data window")
    first_purchase_on: date
    last_purchase_on: date
    recency_days: int
    past_value: Decimal = Field(description="what the client spent in the data window")
    p_alive: float = Field(description="P(alive) of the setting's model")
    p_alive_previous: float | None = Field(description="P(alive) at the previous fit")
    drop: float | None = Field(description="previous − current P(alive)")
    expected_purchases: float = Field(description="over the fit's horizon")
    expected_spend: Decimal = Field(description="expected value of one purchase")
    value: Decimal = Field(description="customer value over the horizon, discounted")


class ClientListPage(BaseModel):
    model_config = {"populate_by_name": True}

    list_name: str = Field(alias="list", description="winback, at_risk, best or all")
    filters: dict[str, str] = Field(description="the filters in force, as query parameters")
    total: int = Field(description="clients listed over every page")
    page: int
    per_page: int
    pages: int
    items: list[ClientItem]


class SegmentOut(BaseModel):
    segment: str | None
    clients: int
    past_value: Decimal
    value: Decimal
    mean_p_alive: float


class BinOut(BaseModel):
    p_from: float
    p_to: float
    clients: int


class OverviewOut(BaseModel):
    fit: ClientFitOut | None = Field(description="the latest scores fit (null: none yet)")
    validation: ClientFitOut | None = Field(description="the latest validation")
    clients: int = Field(description="scored clients you see")
    expected_purchases: float = Field(description="their expected purchases over the horizon")
    expected_value: Decimal = Field(description="their customer value over the horizon")
    past_value: Decimal
    lapsed: int = Field(description="clients with P(alive) below the lapsed threshold")
    lapsed_share: float | None
    lapsed_below: float
    lists: dict[str, int] = Field(description="clients on each list")
    segments: list[SegmentOut]
    rfm_grid: list[list[int]] = Field(description="clients by R (rows 1–5) and FM (1–5)")
    p_alive_histogram: list[BinOut]


class ClientFiguresOut(BaseModel):
    account_id: int
    name: str
    scored: bool = Field(description="false: no score yet (no purchase in the last fit)")
    fit_id: int | None
    fitted_at: datetime | None
    model: str | None
    unit: str | None
    horizon: int | None
    p_alive: float | None
    p_alive_bgnbd: float | None
    p_alive_mbgnbd: float | None
    p_alive_previous: float | None
    expected_purchases: float | None
    expected_spend: Decimal | None
    value: Decimal | None
    past_value: Decimal | None
    purchases: int | None
    first_purchase_on: date | None
    last_purchase_on: date | None
    recency_days: int | None
    rfm: dict[str, int | str | None] | None
    status: str | None = Field(description="lifecycle: active, lapsed or churned")
    status_set_by: str | None = Field(description="hand or model")
    status_on: date | None
    reason: str | None


def overview_dict(over: reading.Overview) -> dict[str, Any]:
    bins = len(over.histogram)
    return {
        "fit": over.fit, "validation": over.validation, "clients": over.clients,
        "expected_purchases": over.expected_purchases, "expected_value": over.expected_value,
        "past_value": over.past_value, "lapsed": over.lapsed,
        "lapsed_share": over.lapsed_share, "lapsed_below": over.thresholds.lapsed_below,
        "lists": over.counts, "segments": over.segments, "rfm_grid": over.grid,
        "p_alive_histogram": [{"p_from": k / bins, "p_to": (k + 1) / bins, "clients": n}
                              for k, n in enumerate(over.histogram)],
    }


@router.get("/clients", response_model=ClientListPage, responses=problems(),
            summary="A list of clients: win-back, at risk, best, or all",
            description="Person accounts you see with a score from the latest fit. `list`: "
            "`winback` (P(alive) below the setting's threshold, by past value), `at_risk` "
            "(P(alive) fell by at least the setting's drop since the previous fit), `best` "
            "(P(alive) above the setting's threshold, by value) or `all`. Narrowed by "
            "`segment` (RFM), `manager_id`, `min_value` (past value at least), "
            "`p_alive_min`/`p_alive_max` and `q` (name, or exact external id). `sort`: "
            "past_value, value, p_alive, drop, expected_purchases, last_purchase, "
            "purchases, segment or name, `-` before for descending.")
def get_clients(
    db: Db, user: Caller, list_: Annotated[ListName, Query(alias="list")] = "winback",
    segment: Annotated[str | None, Query(max_length=40)] = None,
    manager_id: IdQuery = None,
    min_value: Annotated[str | None, Query(max_length=30)] = None,
    p_alive_min: Annotated[str | None, Query(max_length=12)] = None,
    p_alive_max: Annotated[str | None, Query(max_length=12)] = None,
    q: SearchText | None = None, sort: Word | None = None, page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=reading.MAX_PER_PAGE)] = 50,
) -> Any:
    f = reading.filters(list_name=list_, segment=segment, manager_id=manager_id,
                        min_value=min_value, p_alive_min=p_alive_min,
                        p_alive_max=p_alive_max, q=q, sort=sort)
    return reading.client_list(db, user, f, page=page, per_page=per_page).as_dict()


@router.get("/clients/overview", response_model=OverviewOut, responses=problems(),
            summary="The Clients page's figures: tiles, RFM grid, P(alive), latest fits",
            description="Over the scored clients you see: how many, their expected purchases "
            "and value over the fit's horizon, the share below the lapsed threshold, each "
            "list's count, the RFM segments (clients, past value, value, mean P(alive)), the "
            "R × FM count grid, P(alive) in ten bins; and the latest scores fit's parameters "
            "and the latest validation's rows.")
def get_overview(db: Db, user: Caller) -> Any:
    return overview_dict(reading.overview(db, user))


@router.get("/accounts/{account_id}/client", response_model=ClientFiguresOut,
            responses=problems(404),
            summary="One person account's client figures",
            description="P(alive) under both models, expected purchases and spend, customer "
            "value, RFM scores and segment, and the lifecycle status with its reason. 404 "
            "for an account you do not see; 422 for a company account.")
def get_account_client(account_id: IdPath, db: Db, user: Caller) -> Any:
    return reading.client_figures(db, user, account_id).as_dict()
