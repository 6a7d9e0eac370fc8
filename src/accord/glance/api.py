"""``GET /api/v1/accounts/{id}/kam``: one account's KAM panel as JSON."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from accord.api.common import Caller, Db, problems
from accord.core.schemas import Id
from accord.glance.kam import account_kam_summary
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["selection matrix"]
Today = Annotated[date, Depends(today)]


@router.get(
    "/accounts/{account_id}/kam",
    tags=TAGS,
    responses=problems(404),
    summary="Quadrant, potential, stage, decision and health of one account",
)
def get_kam_summary(account_id: Id, db: Db, user: Caller, day: Today) -> dict[str, Any]:
    return account_kam_summary(db, user, account_id, day).as_json()
