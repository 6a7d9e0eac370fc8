"""KPI API: the report document, the drill-down, the registry, the policy settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from accord.core.models import User
from accord.core.schemas import MAX_ID, Flag, Word
from accord.kpis import service
from accord.kpis.formulas import MAX_WINDOW
from accord.kpis.registry import REGISTRY
from accord.kpis.schemas import (
    KpiDefinition,
    KpiDocument,
    MovementPage,
    PolicyIn,
    PolicyOut,
    plain,
)
from accord.web.deps import Db, api_user, today

router = APIRouter(tags=["kpis"])


@router.get("/kpis", response_model=KpiDocument, response_model_exclude_none=False)
def get_kpis(
    db: Db,
    as_of: Word | None = Query(None, description="YYYY-MM; default: last complete month"),
    window: int | None = Query(None, ge=1, le=MAX_WINDOW,
                               description="months; default: the policy setting"),
    basis: Word | None = Query(None, description="trailing or point"),
    by: Word | None = Query(None, description="manager, segment or tier; default: all three"),
    series: Annotated[Flag, Query(description="add the monthly series")] = False,
    source: Word | None = Query(None, description="invoices or subscriptions; default: the "
                                                   "policy setting"),
    user: User = Depends(api_user),
) -> Any:
    doc = service.kpi_report(db, user, today=today(), as_of=as_of, window=window, basis=basis,
                             by=by, series=series, source=source)
    return JSONResponse(plain(doc))


@router.get("/kpis/accounts", response_model=MovementPage)
def get_kpi_accounts(
    db: Db,
    movement: str = Query(..., max_length=60, description="churned, contracted, expanded, "
                                                          "retained, new, reactivated"),
    as_of: Word | None = None,
    window: int | None = Query(None, ge=1, le=MAX_WINDOW),
    basis: Word | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
    source: Word | None = Query(None, description="invoices or subscriptions"),
    user: User = Depends(api_user),
) -> Any:
    page = service.account_movements(db, user, movement=movement, today=today(), as_of=as_of,
                                     window=window, basis=basis, limit=limit, offset=offset,
                                     source=source)
    return plain(page)


@router.get("/kpis/registry", response_model=list[KpiDefinition])
def get_kpi_registry(user: User = Depends(api_user)) -> Any:
    return [k.as_dict() for k in REGISTRY]


@router.get("/kpis/policy", response_model=PolicyOut)
def get_kpi_policy(
    db: Db, user: User = Depends(api_user)
) -> Any:
    return plain(service.get_policy(db).as_dict())


@router.put("/kpis/policy", response_model=PolicyOut)
def put_kpi_policy(
    body: PolicyIn, db: Db, user: User = Depends(api_user)
) -> Any:
    unpin = body.as_of == "auto"
    settings = service.update_policy(
        db, user, window_months=body.window_months, basis=body.basis, abc_a=body.abc_a,
        abc_b=body.abc_b, as_of=None if unpin else body.as_of, unpin_as_of=unpin,
        source=body.source, today=today(),
    )
    return plain(settings.as_dict())
