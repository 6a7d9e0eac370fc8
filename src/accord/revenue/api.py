"""REST: imports, exports, and one account's revenue (monthly figures and lines)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import StreamingResponse

from accord.accounts.user_map import import_user_map
from accord.core.models import User
from accord.core.schemas import MAX_ID, Flag, Id
from accord.revenue import exporting, service
from accord.revenue.load.importing import ImportRejected, run_import
from accord.revenue.schemas import (
    ExportFormat,
    ImportKind,
    ImportReport,
    ImportSource,
    MonthlyRevenueRow,
    RevenueLinePage,
    UserMapReport,
)
from accord.web.deps import Db, api_user

router = APIRouter(tags=["import, export and revenue"])
ApiUser = Annotated[User, Depends(api_user)]
SPOOL_BYTES = 16 * 1024 * 1024


@router.post(
    "/imports/user-map",
    response_model=UserMapReport,
    responses={422: {"description": "Rejected: a problem body whose errors list each bad "
                                    "row (row, column, reason); nothing was written"}},
)
def post_user_map(
    user: ApiUser,
    db: Db,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or Excel .xlsx: "
                                                 "crm_user_id,email")],
    source: Annotated[ImportSource, Form()] = ImportSource.SALESFORCE,
    dry_run: Annotated[Flag, Form()] = False,
    skip_invalid: Annotated[Flag, Form()] = False,
) -> UserMapReport:
    """Map a CRM's user ids to users (by e-mail), for accounts imports naming owners by id."""
    report = import_user_map(db, user, file.file, filename=file.filename or "upload",
                             source=source.value, dry_run=dry_run, skip_invalid=skip_invalid)
    if report.rejected:
        raise ImportRejected(report)
    return report


@router.post(
    "/imports/{kind}",
    response_model=ImportReport,
    responses={422: {"description": "Rejected: a problem body whose errors list each bad "
                                    "row (row, column, reason); nothing was written"}},
)
def post_import(
    kind: ImportKind,
    user: ApiUser,
    db: Db,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or Excel .xlsx")],
    source: Annotated[ImportSource, Form()] = ImportSource.ACCORD,
    dry_run: Annotated[Flag, Form()] = False,
    skip_invalid: Annotated[Flag, Form()] = False,
    unassign_unknown_owners: Annotated[Flag, Form()] = False,
) -> ImportReport:
    """Import a file. Bad rows reject the whole file (422) unless ``skip_invalid``. Accounts:
    ``unassign_unknown_owners`` imports an account whose owner matches no user without a
    manager (counted in ``owners_unassigned``) instead of rejecting its row."""
    report = run_import(db, user, kind.value, file.file, filename=file.filename or "upload",
                        source=source.value, dry_run=dry_run, skip_invalid=skip_invalid,
                        unassign_unknown_owners=unassign_unknown_owners)
    if report.rejected:
        raise ImportRejected(report)
    return report


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := spool.read(64 * 1024):
            yield chunk
    finally:
        spool.close()


@router.get("/exports/{kind}", response_class=StreamingResponse)
def get_export(
    kind: ImportKind, user: ApiUser, db: Db, format: ExportFormat = ExportFormat.CSV
) -> StreamingResponse:
    """Accounts, contacts or revenue lines you can see, in the import columns."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by _chunks
    exporting.export(db, user, kind.value, format.value, spool)
    spool.seek(0)
    name = exporting.filename(kind.value, format.value)
    return StreamingResponse(
        _chunks(spool), media_type=exporting.MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/accounts/{account_id}/revenue/monthly", response_model=list[MonthlyRevenueRow])
def get_monthly(account_id: Id, user: ApiUser, db: Db) -> list[MonthlyRevenueRow]:
    """Monthly revenue of one account with the running total and line count."""
    return service.monthly_revenue(db, user, account_id)


@router.get("/accounts/{account_id}/revenue/lines", response_model=RevenueLinePage)
def get_lines(
    account_id: Id, user: ApiUser, db: Db,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 100,
) -> RevenueLinePage:
    """One account's revenue lines, newest first, a page at a time."""
    return service.revenue_lines(db, user, account_id, page=page, page_size=page_size)
