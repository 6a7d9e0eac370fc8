"""REST: the Plans list, ``GET /api/v1/plans`` (the same filters, sorting and pages as the
Plans page)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from accord.api.common import Caller, Db, IdQuery, problems
from accord.core.schemas import Flag
from accord.plans import listing
from accord.selection.rules import TIERS
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["plans"]
Today = Annotated[date, Depends(today)]
PlanSort = StrEnum("PlanSort", [(key, key) for key in listing.SORTS])  # type: ignore[misc]
Tier = StrEnum("Tier", [(t.replace(" ", "_"), t) for t in TIERS])  # type: ignore[misc]


class ObjectiveProgressOut(BaseModel):
    id: int
    title: str
    metric: str
    baseline: Decimal | None
    target: Decimal | None
    current: Decimal | None
    progress: Decimal | None  # 0..1; None when it cannot be told
    due_on: date | None


class PlanListItem(BaseModel):
    plan_id: int
    account_id: int
    account_name: str
    manager_id: int | None
    manager: str | None
    segment: str | None
    tier: str
    horizon_months: int
    starts_on: date
    ends_on: date
    last_reviewed_on: date | None
    stale: bool
    completeness: Decimal
    overdue_actions: int
    objectives: list[ObjectiveProgressOut]


class PlanListPage(BaseModel):
    items: list[PlanListItem]
    total: int
    page: int
    page_size: int
    pages: int
    sort: str
    review_interval_days: int


@router.get(
    "/plans",
    tags=TAGS,
    summary="List the current plans",
    description="The current plans of the accounts the caller may see: completeness (0-1), "
    "the last review and whether the plan is stale (older than the review interval), the "
    "number of overdue actions, and each objective with its current value and progress "
    "(tied metrics computed from Accord's figures). Filter by the account's manager, tier "
    "and segment, stale plans, plans with overdue actions.",
    response_model=PlanListPage,
    responses=problems(),
)
def list_plans(
    db: Db,
    user: Caller,
    day: Today,
    manager_id: IdQuery = None,
    tier: Tier | None = None,
    segment: Annotated[str | None, Query(max_length=60)] = None,
    stale: Flag | None = None,
    overdue: Flag | None = None,
    sort: PlanSort = PlanSort("account"),
    page: Annotated[int, Query(ge=1, le=listing.MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=listing.MAX_PAGE_SIZE)] = listing.PAGE_SIZE,
) -> PlanListPage:
    filters = listing.PlanFilter(
        manager_id=manager_id, tier=tier.value if tier else None, segment=segment or None,
        stale=stale, overdue=overdue,
    )
    result = listing.list_plans(db, user, today=day, filters=filters, sort=sort.value,
                                page=page, page_size=page_size)
    return PlanListPage(
        items=[PlanListItem.model_validate(p, from_attributes=True) for p in result.items],
        total=result.total, page=result.page, page_size=result.page_size, pages=result.pages,
        sort=result.sort, review_interval_days=result.review_interval_days,
    )

