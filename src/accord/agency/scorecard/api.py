"""REST API of the department scorecard: the on-time rate per department or account, one
department's scorecard, effort estimated against actual."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query

from accord.agency.scorecard import service
from accord.agency.scorecard.schemas import (
    MAX_PAGE_SIZE,
    PERIOD_HELP,
    SORTS,
    By,
    EffortReport,
    OnTimeReport,
    Scorecard,
    period_of,
)
from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.core.schemas import Id, PageNumber, Word

router = APIRouter()
TAGS: list[str | Enum] = ["agency scorecard"]
PERIOD = ("The period is one of first deliveries: `period` (" + PERIOD_HELP + ") or `from` "
          "and `to` (dates, both inclusive; years 1900-2199, shorter than ten years); "
          "neither: the quarter holding today. ")
Period = Annotated[Word | None, Query(description=PERIOD_HELP)]
From = Annotated[date | None, Query(alias="from", description="First day (inclusive)")]
To = Annotated[date | None, Query(alias="to", description="Last day (inclusive)")]
Sort = Annotated[Word, Query(description=", ".join(SORTS))]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


@router.get("/agency/on-time", tags=TAGS, response_model=OnTimeReport, responses=problems(404),
            summary="The on-time rate of briefs per department or per account",
            description=PERIOD + "Counts the briefs you see first delivered in the period: "
            "`on_time` those delivered on or before the agreed due date extended by the "
            "working days they were blocked by a client input, `on_time_original` the same "
            "against the original due date; `rate` and `rate_original` divide by "
            "`delivered` (null when none). `by=department` lists every department shown to "
            "you, `by=account` the accounts with deliveries; `overall` sums all of them. "
            "`department_id`: only that department's briefs.")
def on_time(
    db: Db, user: Caller, day: CallerToday,
    by: Annotated[By, Query(description="department or account")] = "department",
    period: Period = None, start: From = None, end: To = None,
    department_id: Id | None = None, sort: Sort = "name", page: PageNumber = 1,
    page_size: PageSize = 50,
) -> OnTimeReport:
    p = period_of(period=period, start=start, end=end, today=day)
    return service.on_time(db, user, start=p.start, end=p.end, by=by,
                           department_id=department_id, sort=sort, page=page,
                           page_size=page_size)


@router.get("/departments/{department_id}/scorecard", tags=TAGS, response_model=Scorecard,
            responses=problems(404), summary="A department's scorecard",
            description=PERIOD + "The department's figures over the period (briefs you "
            "see), its on-time rate in each of the 12 months up to this one, its figures "
            "per account (`sort`, `page`), its late briefs of the period (the latest 50; "
            "`late_total` counts them all) and its effort per account and month. A "
            "department you are not shown is a 404.")
def department_scorecard(
    department_id: IdPath, db: Db, user: Caller, day: CallerToday, period: Period = None,
    start: From = None, end: To = None, sort: Sort = "name", page: PageNumber = 1,
) -> Scorecard:
    p = period_of(period=period, start=start, end=end, today=day)
    return service.department_scorecard(db, user, department_id, start=p.start, end=p.end,
                                        today=day, sort=sort, page=page)


@router.get("/agency/effort", tags=TAGS, response_model=EffortReport, responses=problems(404),
            summary="Hours estimated against actual, per account and month",
            description=PERIOD + "The briefs you see first delivered in the period, per "
            "account and month of first delivery (latest first): the sums of their estimated "
            "and actual hours and the difference (actual − estimated); briefs without hours "
            "count as none. `account_id`, `department_id`: only theirs.")
def effort(
    db: Db, user: Caller, day: CallerToday, period: Period = None, start: From = None,
    end: To = None, account_id: Id | None = None, department_id: Id | None = None,
    page: PageNumber = 1, page_size: PageSize = 50,
) -> EffortReport:
    p = period_of(period=period, start=start, end=end, today=day)
    return service.effort(db, user, start=p.start, end=p.end, account_id=account_id,
                          department_id=department_id, page=page, page_size=page_size)
