"""The import page: upload a file, see the report; export links."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile

from accord.accounts.visibility import can_write
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import MAX_ID
from accord.exchange.importing import import_user_map, run_import
from accord.exchange.kinds import exported, imported
from accord.exchange.schemas import ExportFormat, ImportReport, ImportSource
from accord.web.deps import today
from accord.web.page_deps import Db, PageUser, csrf
from accord.web.templating import render

router = APIRouter()


def _context(user: object, **extra: object) -> dict[str, object]:
    return {
        "user": user,
        "can_write": can_write(user),  # type: ignore[arg-type]
        "kinds": [k.value for k in exported()],
        "import_kinds": [*(k.value for k in imported()), "user-map"],
        "sources": [s.value for s in ImportSource],
        "formats": [f.value for f in ExportFormat],
        "values": {"kind": "revenue", "source": "accord"},
        "report": None,
        **extra,
    }


@router.get("/import")
def import_page(request: Request, user: PageUser) -> object:
    return render(request, "exchange/import.html", _context(user))


@router.post("/import", dependencies=csrf)
def import_upload(
    request: Request,
    user: PageUser,
    db: Db,
    kind: str = Form("revenue"),
    source: str = Form("accord"),
    dry_run: bool = Form(False),
    skip_invalid: bool = Form(False),
    unassign_unknown_owners: bool = Form(False),
    account_id: str = Form(""),
    file: UploadFile = File(...),
) -> object:
    name = file.filename or "upload"
    account = _account_id(account_id)
    report: ImportReport
    if kind == "user-map":  # CRM user ids -> users, for accounts files naming owners by id
        report = import_user_map(db, user, file.file, filename=name, source=source,
                                 dry_run=dry_run, skip_invalid=skip_invalid)
    else:
        report = run_import(db, user, kind, file.file, filename=name, source=source,
                            dry_run=dry_run, skip_invalid=skip_invalid,
                            unassign_unknown_owners=unassign_unknown_owners,
                            account_id=account, today=today())
    values = {"kind": kind, "source": source, "dry_run": dry_run, "skip_invalid": skip_invalid,
              "unassign_unknown_owners": unassign_unknown_owners, "account_id": account_id}
    return render(request, "exchange/import.html", _context(user, report=report, values=values),
                  status_code=422 if report.rejected else 200)


def _account_id(text: str) -> int | None:
    """The account field (Microsoft 365 files): blank, or an account id."""
    value = text.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 10) or not (
            1 <= int(value) <= MAX_ID):
        raise ValidationFailed([FieldProblem("account_id", "an account id (a whole number)")])
    return int(value)
