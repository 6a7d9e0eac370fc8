"""The import page: upload a file, see the report; export links."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile

from accord.core.visibility import can_write
from accord.revenue.importing import run_import
from accord.revenue.schemas import ExportFormat, ImportKind, ImportSource
from accord.web.page_deps import Db, PageUser, csrf
from accord.web.templating import render

router = APIRouter()


def _context(user: object, **extra: object) -> dict[str, object]:
    return {
        "user": user,
        "can_write": can_write(user),  # type: ignore[arg-type]
        "kinds": [k.value for k in ImportKind],
        "sources": [s.value for s in ImportSource],
        "formats": [f.value for f in ExportFormat],
        "values": {"kind": "revenue", "source": "accord"},
        "report": None,
        **extra,
    }


@router.get("/import")
def import_page(request: Request, user: PageUser) -> object:
    return render(request, "import.html", _context(user))


@router.post("/import", dependencies=csrf)
def import_upload(
    request: Request,
    user: PageUser,
    db: Db,
    kind: str = Form("revenue"),
    source: str = Form("accord"),
    dry_run: bool = Form(False),
    skip_invalid: bool = Form(False),
    file: UploadFile = File(...),
) -> object:
    report = run_import(db, user, kind, file.file, filename=file.filename or "upload",
                        source=source, dry_run=dry_run, skip_invalid=skip_invalid)
    values = {"kind": kind, "source": source, "dry_run": dry_run, "skip_invalid": skip_invalid}
    return render(request, "import.html", _context(user, report=report, values=values),
                  status_code=422 if report.rejected else 200)
