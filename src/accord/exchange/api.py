"""REST: imports and exports of every kind (``kinds.KINDS``) and the CRM user map."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import StreamingResponse

from accord.core.models import User
from accord.core.schemas import MAX_ID, Flag
from accord.exchange import exporting
from accord.exchange.importing import ImportRejected, import_user_map, run_import
from accord.exchange.schemas import (
    ExportFormat,
    ImportKind,
    ImportReport,
    ImportSource,
    UserMapReport,
)
from accord.web.deps import Db, api_user
from accord.web.deps import today as today_

#: the tag the imports and exports have always had in the API document
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
    account_id: Annotated[int | None, Form(
        ge=1, le=MAX_ID, description="m365-users, m365-usage: the account whose tenant the "
        "file is (default: the account whose domains its sign-in names use)")] = None,
) -> ImportReport:
    """Import a file. Bad rows reject the whole file (422) unless ``skip_invalid``. Accounts:
    ``unassign_unknown_owners`` imports an account whose owner matches no user without a
    manager (counted in ``owners_unassigned``) instead of rejecting its row. Microsoft 365
    files (``m365-users``, ``m365-usage``): ``account_id`` names the tenant's account; any
    bad row refuses the file; ``over_assigned`` flags services with more seats assigned
    than purchased (written, not refused). Seats and utilisation are exported only (422)."""
    report = run_import(db, user, kind.value, file.file, filename=file.filename or "upload",
                        source=source.value, dry_run=dry_run, skip_invalid=skip_invalid,
                        unassign_unknown_owners=unassign_unknown_owners,
                        account_id=account_id, today=today_())
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
    """Accounts, contacts, revenue lines or subscriptions you can see, in the import
    columns; seats (assignments) and utilisation per account and service as of today. The
    Microsoft 365 kinds are imported only (404)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by _chunks
    try:
        exporting.export(db, user, kind.value, format.value, spool, today_())
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    name = exporting.filename(kind.value, format.value)
    return StreamingResponse(
        _chunks(spool), media_type=exporting.MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
