"""Importing files (accounts, contacts, revenue lines) and the revenue fast path.

``run_import`` is the one use case every front door calls (CLI, API, web page): it reads a
CSV or Excel file through a column map, validates every row, writes in one savepoint, and
returns an :class:`ImportReport`. A file with bad rows is rejected whole (nothing written)
unless ``skip_invalid``; ``dry_run`` does all the work and rolls it back, so the report says
exactly what would change. A successful import writes one audit entry summarising it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.errors import AccordError, FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.visibility import require_writer
from accord.revenue.bulk import (  # noqa: F401 - the fast path's public home is here
    DEFAULT_BATCH,
    LoadStats,
    Prepared,
    RevenueRow,
    bulk_load_revenue,
    load_batches,
    load_prepared,
)
from accord.revenue.columns import Resolved, resolve
from accord.revenue.lookups import account_ids_by_external_id
from accord.revenue.readers import READ_ERRORS, Table, UnreadableFile, open_table
from accord.revenue.schemas import ImportKind, ImportReport, ImportSource

Progress = Callable[[int, int], None]  # (bytes read, total bytes)


class ImportRejected(AccordError):
    """For front doors that answer a rejected import with an error (the API's 422)."""

    status = 422
    title = "Import rejected"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"{report.invalid_rows} invalid row(s) in {report.file}; nothing was written",
            errors=[p.model_dump() for p in report.problems],
        )
        self.report = report

_AMOUNT = re.compile(r"(-?\d+)(?:\.(\d\d?))?", re.ASCII).fullmatch
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII).fullmatch
MAX_TEXT = 100


def parse_cents(text: str) -> int | None:
    """``-1234.5`` -> -123450; None when not an amount with at most two decimals."""
    match = _AMOUNT(text)
    if match is None:
        match = _AMOUNT(text.strip())
        if match is None:
            return None
    whole, frac = match.group(1, 2)
    cents = int(whole) * 100
    if frac:
        part = int(frac) * 10 if len(frac) == 1 else int(frac)
        cents += -part if whole[0] == "-" else part
    return cents


def parse_month_of_day(text: str) -> int | None:
    """Month index of an ISO ``YYYY-MM-DD`` date; None when malformed or not a real day."""
    if _DATE(text) is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day.year * 12 + day.month - 1


def run_import(
    session: Session,
    user: User,
    kind: str,
    file: str | Path | IO[bytes],
    *,
    filename: str | None = None,
    source: str = "accord",
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> ImportReport:
    problems = []
    try:
        kind_ = ImportKind(kind)
    except ValueError:
        problems.append(FieldProblem("kind", f"one of {', '.join(k.value for k in ImportKind)}"))
    try:
        source_ = ImportSource(source)
    except ValueError:
        sources = ", ".join(s.value for s in ImportSource)
        problems.append(FieldProblem("source", f"one of {sources}"))
    if problems:
        raise ValidationFailed(problems)
    require_writer(user)
    name = filename or (Path(file).name if isinstance(file, (str, Path)) else "upload")
    report = ImportReport(kind=kind_, source=source_, file=name, dry_run=dry_run,
                          skip_invalid=skip_invalid)
    started = time.perf_counter()
    savepoint = session.begin_nested()
    try:
        with open_table(file, name) as table:
            fatal = not _import_table(session, user, table, report, progress, batch_size)
    except (UnreadableFile, *READ_ERRORS) as exc:
        savepoint.rollback()
        report.add_problem(1, "file", str(exc) if isinstance(exc, UnreadableFile)
                           else f"unreadable file (is it UTF-8 CSV or .xlsx?): {exc}")
        report.invalid_rows += 1
        report.status = "rejected"
        return report
    except ValidationFailed:
        savepoint.rollback()
        raise
    except BaseException:
        savepoint.rollback()
        raise
    report.seconds = round(time.perf_counter() - started, 3)
    if fatal or (report.invalid_rows and not skip_invalid):
        report.status = "rejected"
        report.inserted = report.updated = report.unchanged = report.accounts_refreshed = 0
        savepoint.rollback()
    elif dry_run:
        report.status = "dry_run"
        savepoint.rollback()
    else:
        report.skipped = report.invalid_rows
        savepoint.commit()
        audit.record(session, user, "import", "import", None, after=report.summary(),
                     note=f"{kind_.value} from {name}")
    return report


def _import_table(
    session: Session, user: User, table: Table, report: ImportReport,
    progress: Progress | None, batch_size: int,
) -> bool:
    """False when the file cannot be imported at all (a required column is missing)."""
    kind = report.kind.value
    try:
        cols = resolve(kind, report.source.value, table.header)
    except KeyError:
        raise ValidationFailed(
            [FieldProblem("source", f"no {report.source.value} column map for {kind}")]
        ) from None
    if cols.missing:
        for header in cols.missing:
            report.add_problem(1, header, "missing required column")
        report.invalid_rows += 1
        return False
    if report.kind is ImportKind.REVENUE:
        import_revenue(session, user, table, cols, report, progress, batch_size)
    elif report.kind is ImportKind.ACCOUNTS:
        from accord.accounts.importing import import_accounts

        import_accounts(session, user, table, cols, report, progress)
    else:
        from accord.accounts.importing_contacts import import_contacts

        import_contacts(session, user, table, cols, report, progress)
    return True


def import_revenue(
    session: Session, user: User, table: Table, cols: Resolved, report: ImportReport,
    progress: Progress | None, batch_size: int,
) -> None:
    accounts = account_ids_by_external_id(session, user, report.source.value)
    batches = _revenue_batches(table, cols, accounts, report, batch_size)

    def on_batch(_lines: int) -> None:
        if progress:
            progress(table.position(), table.size)

    stats = load_batches(session, batches, on_batch=on_batch)
    if progress:
        progress(table.size, table.size)
    report.inserted, report.updated = stats.inserted, stats.updated
    report.unchanged = stats.unchanged
    report.accounts_refreshed = stats.accounts
    report.phases = {k: round(v, 3) for k, v in stats.seconds.items()}
    if stats.account_ids:
        started = time.perf_counter()
        _kpi_hook(session, stats.account_ids)
        report.phases["kpis"] = round(time.perf_counter() - started, 3)


def _kpi_hook(session: Session, account_ids: list[int]) -> None:
    """Tell the KPI engine which accounts' monthly revenue changed (same transaction)."""
    try:
        from accord.kpis.derived import refresh_after_import
    except ImportError:  # pragma: no cover - a build without the KPI package
        return
    refresh_after_import(session, account_ids)


def _revenue_batches(
    table: Table, cols: Resolved, accounts: dict[str, int], report: ImportReport, size: int
) -> Iterator[list[Prepared]]:
    """Validate and shape each row, in a tight loop. Bad rows are reported, never yielded;
    after the first bad row without skip_invalid nothing more is yielded (the import will be
    rolled back) but every row is still checked so the report is complete."""
    ia, idate, iamt = cols.index["account_external_id"], cols.index["date"], cols.index["amount"]
    ip = cols.index.get("product_line")
    il = cols.index.get("line_id")
    width = max(cols.index.values()) + 1
    head = cols.header
    months: dict[str, int] = {}
    skip = report.skip_invalid
    writing = True
    count = 0
    bad = 0
    line = table.line
    batch: list[Prepared] = []
    add = batch.append

    def problem(column: str, reason: str) -> None:
        report.add_problem(line(), head[column], reason)

    for rec in table.rows:
        if len(rec) < width:
            if not any(rec):
                continue  # blank line
            rec = rec + [""] * (width - len(rec))
        count += 1
        ext = rec[ia]
        account_id = accounts.get(ext)
        day = rec[idate]
        month = months.get(day)
        amount = rec[iamt]
        cents = None
        if _AMOUNT(amount):  # inline parse_cents for the common shapes
            if amount[-3:-2] == ".":
                cents = int(amount[:-3] + amount[-2:])
            elif "." not in amount:
                cents = int(amount) * 100
            else:
                cents = parse_cents(amount)
        product = rec[ip].strip() if ip is not None else ""
        line_id = rec[il].strip() if il is not None else ""
        if account_id is None or month is None or cents is None or len(product) > MAX_TEXT \
                or len(line_id) > MAX_TEXT:
            if account_id is None:
                account_id = accounts.get(ext.strip())
                if account_id is None:
                    problem("account_external_id",
                            "missing required field" if not ext.strip() else
                            f"unknown account {ext.strip()!r}")
            if month is None:
                day = day.strip()
                month = parse_month_of_day(day)
                if month is None:
                    problem("date", "missing required field" if not day else
                            f"malformed date {day!r} (expected YYYY-MM-DD)")
                else:
                    months[day] = month
            if cents is None:
                cents = parse_cents(amount)
                if cents is None:
                    text = amount.strip()
                    problem("amount", "missing required field" if not text else
                            f"malformed amount {text!r} (expected e.g. 1234.56, "
                            "at most 2 decimals)")
            if len(product) > MAX_TEXT:
                problem("product_line", f"longer than {MAX_TEXT} characters")
            if len(line_id) > MAX_TEXT:
                problem("line_id", f"longer than {MAX_TEXT} characters")
            if account_id is None or month is None or cents is None or len(product) > MAX_TEXT \
                    or len(line_id) > MAX_TEXT:
                bad += 1
                report.invalid_rows = bad
                if not skip:
                    writing = False
                continue
        if writing:
            if line_id:
                add((account_id, "#" + line_id, day, month, cents, product or None, line_id))
            else:
                add((account_id, day + "|" + product, day, month, cents, product or None, None))
            if len(batch) >= size:
                yield batch
                batch = []
                add = batch.append
    if batch and writing:
        yield batch
    report.rows = count
    report.invalid_rows = bad
