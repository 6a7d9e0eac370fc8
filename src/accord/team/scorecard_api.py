"""REST API of the scorecards (issue 17): the managers' table with a row per team and for
all of them, its CSV or Excel export, one manager's scorecard, the accounts behind a figure.
Who is shown and every figure are the service's (``team.scorecard``)."""

from __future__ import annotations

import csv
import io
from enum import Enum, StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.core.cells import neutralise, number_or_text, text_cell
from accord.core.schemas import Id, PageNumber, Word
from accord.team import scorecard as service
from accord.team.scorecard_rules import (
    KEYS,
    PERIOD_HELP,
    SORT_KEYS,
    AccountsOut,
    ScorecardOut,
    ScorecardsOut,
)

router = APIRouter()
TAGS: list[str | Enum] = ["team scorecards"]
Period = Annotated[Word | None, Query(
    description=PERIOD_HELP + "; none: the last complete month (the month before today's)")]
Sort = Annotated[Word, Query(description="manager, team or a figure (" + ", ".join(KEYS)
                             + "); a leading - sorts descending; rows without a value last")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURES = ("Figures (each with its definition; `registry` names its KPI registry entry, "
           "null when the KPI registry has none): " + ", ".join(KEYS) + ". ")


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@router.get(
    "/team/scorecards", tags=TAGS, response_model=ScorecardsOut, responses=problems(404),
    summary="The managers' scorecards: a row per manager, per team and for all of them",
    description=FIGURES + "The managers whose scorecards you read (a manager: their own; a "
    "head: their teams' and their own; admin and the roles that see every account: all), "
    "each figure of the period with its direction against the period before and its status "
    "against a target where one is set; the team and portfolio rows recompute each figure "
    "from the managers' parts. `team_id`: one team's (a team you cannot pick is a 404). "
    "`sort`: " + ", ".join(SORT_KEYS) + ".")
def list_scorecards(db: Db, user: Caller, day: CallerToday, team_id: Id | None = None,
                    period: Period = None, sort: Sort = "manager") -> ScorecardsOut:
    return service.scorecards(db, user, day, team_id=team_id, period=period, sort=sort)


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([text_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook  # here: slow to load, and only this export needs it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Scorecards")

    def cell(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            return neutralise(value)  # never a formula
        number = WriteOnlyCell(sheet, value=number_or_text(value))
        number.number_format = "0.00##"
        return number

    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@router.get(
    "/team/scorecards/export", tags=TAGS, responses={
        **problems(404), 200: {"content": {"text/csv": {}, XLSX: {}},
                               "description": "The table as a file"}},
    response_class=Response,
    summary="The managers' table as CSV or Excel",
    description="The rows of `GET /team/scorecards` (managers, teams, all) with the same "
    "parameters; numbers as numbers, and no text cell can start a formula.")
def export(db: Db, user: Caller, day: CallerToday, format: Format = Format.CSV,
           team_id: Id | None = None, period: Period = None,
           sort: Sort = "manager") -> Response:
    label, rows = service.export_rows(db, user, day, team_id=team_id, period=period,
                                      sort=sort)
    body = _xlsx(rows) if format is Format.XLSX else _csv(rows)
    media = XLSX if format is Format.XLSX else "text/csv; charset=utf-8"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="scorecards-{label}.{format.value}"'})


@router.get(
    "/team/scorecards/{manager_id}", tags=TAGS, response_model=ScorecardOut,
    responses=problems(404), summary="One manager's scorecard",
    description=FIGURES + "Each over the period and the four periods of the same kind "
    "before it (`trend`), with the direction against the period before, its target and "
    "status where one is set, and `accounts`: the path of the accounts behind it. Figures "
    "kept without history (`history` false) are today's. A manager whose scorecard you "
    "cannot read is a 404, like a missing one.")
def get_scorecard(manager_id: IdPath, db: Db, user: Caller, day: CallerToday,
                  period: Period = None) -> ScorecardOut:
    return service.scorecard(db, user, day, manager_id=manager_id, period=period)


@router.get(
    "/team/scorecards/{manager_id}/accounts", tags=TAGS, response_model=AccountsOut,
    responses=problems(404), summary="The accounts behind a figure of a manager's scorecard",
    description="The accounts of the manager's book you see that make the figure over the "
    "period, each with what it brings (`columns` names the values); paged.")
def figure_accounts(
    manager_id: IdPath, db: Db, user: Caller, day: CallerToday,
    figure: Annotated[Word, Query(description=", ".join(KEYS))], period: Period = None,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> AccountsOut:
    return service.figure_accounts(db, user, day, manager_id, figure=figure, period=period,
                                   page=page, page_size=page_size)
