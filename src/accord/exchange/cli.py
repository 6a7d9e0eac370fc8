"""``accord import accounts|contacts|revenue|subscriptions|m365-users|m365-usage FILE`` and
``accord export ...`` (the licences' kinds: ``cli_licences``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from accord.cli.common import (
    acting_today,
    acting_user,
    console,
    engine,
    err_console,
    fail,
    handles_errors,
    unit_of_work,
)
from accord.core.single_flight import Busy
from accord.exchange import exporting
from accord.exchange.importing import import_turn, import_user_map, run_import
from accord.exchange.schemas import ExportFormat, ImportKind, ImportReport, ImportSource

import_app = typer.Typer(
    help="Import accounts, contacts or revenue lines from a CSV or Excel (.xlsx) file.",
    no_args_is_help=True,
)
export_app = typer.Typer(
    help="Export accounts, contacts or revenue lines (Accord's columns, re-importable).",
    no_args_is_help=True,
)

SHOWN_PROBLEMS = 50
PROGRESS_ABOVE_BYTES = 2_000_000

FileArg = Annotated[Path, typer.Argument(help="CSV (UTF-8) or Excel .xlsx file.")]
SourceOpt = Annotated[
    ImportSource, typer.Option("--source", help="Whose column names the file uses.")
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
]
SkipOpt = Annotated[
    bool, typer.Option("--skip-invalid", help="Import the good rows; report the bad ones.")
]
#: how long an import waits for one already running on the database (C4)
WAIT_SECONDS = 600.0
WaitOpt = Annotated[
    float, typer.Option("--wait", min=0, help="Seconds to wait for an import already running "
                        "on the database before giving up (exit status 2).")
]
UnassignOpt = Annotated[
    bool, typer.Option("--unassign-unknown-owners",
                       help="An owner who matches no user (e-mail, name or mapped CRM id): "
                            "import the account without a manager instead of refusing the "
                            "row; the report counts them.")
]


@contextmanager
def _progress(path: Path) -> Iterator[Callable[[int, int], None] | None]:
    if path.stat().st_size < PROGRESS_ABOVE_BYTES:
        yield None
        return
    with Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TimeRemainingColumn(), console=err_console, transient=True,
    ) as bar:
        task = bar.add_task(f"Importing {path.name}", total=path.stat().st_size)

        def advance(done: int, total: int) -> None:
            # once the file is read, the database still checks and writes: say so
            stage = "Checking and writing" if total and done >= total else "Importing"
            bar.update(task, completed=done, total=total or None,
                       description=f"{stage} {path.name}")

        yield advance


def show_report(report: ImportReport) -> None:
    verdict = {
        "imported": "[green]imported[/]",
        "dry_run": "[yellow]dry run: nothing was written[/]",
        "rejected": "[red]rejected: nothing was written[/]",
    }[report.status]
    summary = Table(title=f"Import of {report.kind.value} from {report.file}", show_header=False)
    summary.add_column("what")
    summary.add_column("count", justify="right")
    summary.add_row("status", verdict)
    for label, value in (
        ("rows read", report.rows), ("inserted", report.inserted), ("updated", report.updated),
        ("unchanged", report.unchanged), ("invalid rows", report.invalid_rows),
        ("skipped", report.skipped),
    ):
        summary.add_row(label, f"{value:,}")
    if report.kind is ImportKind.REVENUE:
        summary.add_row("accounts refreshed", f"{report.accounts_refreshed:,}")
    if report.unassign_unknown_owners:
        summary.add_row("owners unknown: no manager", f"{report.owners_unassigned:,}")
    if report.kind in (ImportKind.M365_USERS, ImportKind.M365_USAGE):
        summary.add_row("account", str(report.account_id or "—"))
        summary.add_row("as of", report.as_of.isoformat() if report.as_of else "—")
        for label, value in (("people who left", report.people_left),
                             ("seats assigned", report.seats_assigned),
                             ("seats freed", report.seats_freed)):
            summary.add_row(label, f"{value:,}")
    summary.add_row("seconds", f"{report.seconds:.2f}")
    console.print(summary)
    for flag in report.over_assigned:
        console.print(f"[yellow]over-assigned (recorded, flagged):[/] {flag}", highlight=False)
    if report.problems:
        problems = Table(title="Problems")
        problems.add_column("row", justify="right")
        problems.add_column("column")
        problems.add_column("reason")
        for p in report.problems[:SHOWN_PROBLEMS]:
            problems.add_row(str(p.row), p.column, p.reason)
        console.print(problems)
        more = len(report.problems) - SHOWN_PROBLEMS
        if report.invalid_rows > len(report.problems):
            more = max(more, 0)
            console.print(f"and {more:,} more problems ({report.invalid_rows:,} invalid rows)")
        elif more > 0:
            console.print(f"and {more:,} more")


def _import(kind: ImportKind, file: Path, source: ImportSource, dry_run: bool,
            skip_invalid: bool, unassign_unknown_owners: bool = False,
            wait: float = WAIT_SECONDS, account_id: int | None = None,
            today: str | None = None) -> None:
    if not file.is_file():
        fail(f"no such file: {file}", 1)

    def waiting(what: str) -> None:
        err_console.print(f"Waiting for {what} to finish (up to {wait:g} s; --wait to "
                          "change)…", highlight=False)

    try:
        # our turn first, then the transaction (C4): a second import waits, saying for what
        turn = import_turn(engine(), f"the {kind.value} import of {file.name}", wait=wait,
                           on_wait=waiting)
        with turn, _progress(file) as progress, unit_of_work() as session:
            report = _run(session, kind, file, source, dry_run, skip_invalid, progress,
                          unassign_unknown_owners, account_id, today)
    except Busy as exc:
        fail(exc.detail, 2)
        return
    show_report(report)
    if report.rejected:
        raise typer.Exit(2)


def _run(session: Any, kind: ImportKind, file: Path, source: ImportSource, dry_run: bool,
         skip_invalid: bool, progress: Any, unassign_unknown_owners: bool,
         account_id: int | None = None, today: str | None = None) -> ImportReport:
    return run_import(
        session, acting_user(session), kind.value, file, filename=file.name,
        source=source.value, dry_run=dry_run, skip_invalid=skip_invalid, progress=progress,
        unassign_unknown_owners=unassign_unknown_owners, account_id=account_id,
        today=acting_today(session, today),
    )


@import_app.command("accounts")
@handles_errors
def import_accounts(file: FileArg, source: SourceOpt = ImportSource.ACCORD,
                    dry_run: DryRunOpt = False, skip_invalid: SkipOpt = False,
                    unassign_unknown_owners: UnassignOpt = False) -> None:
    """Accounts (admins and heads only): external_id,name,kind,segment,business_line,
    manager_email,parent_external_id,status. The owner may be an e-mail, a user's name or
    a CRM user id mapped with `accord import user-map`."""
    _import(ImportKind.ACCOUNTS, file, source, dry_run, skip_invalid, unassign_unknown_owners)


@import_app.command("user-map")
@handles_errors
def import_crm_user_map(file: FileArg, source: SourceOpt = ImportSource.SALESFORCE,
                        dry_run: DryRunOpt = False, skip_invalid: SkipOpt = False) -> None:
    """CRM user ids -> Accord users (admins and heads): crm_user_id,email. Lets an accounts
    import name owners by CRM id (Salesforce OwnerId 005...)."""
    if not file.is_file():
        fail(f"no such file: {file}", 1)
    with unit_of_work() as session:
        report = import_user_map(session, acting_user(session), file, filename=file.name,
                                 source=source.value, dry_run=dry_run,
                                 skip_invalid=skip_invalid)
    show_report(report)
    if report.rejected:
        raise typer.Exit(2)


@import_app.command("contacts")
@handles_errors
def import_contacts(file: FileArg, source: SourceOpt = ImportSource.ACCORD,
                    dry_run: DryRunOpt = False, skip_invalid: SkipOpt = False) -> None:
    """Contacts: external_id,account_external_id,name,email,function,seniority,buying_role"""
    _import(ImportKind.CONTACTS, file, source, dry_run, skip_invalid)


@import_app.command("revenue")
@handles_errors
def import_revenue(file: FileArg, source: SourceOpt = ImportSource.ACCORD,
                   dry_run: DryRunOpt = False, skip_invalid: SkipOpt = False,
                   wait: WaitOpt = WAIT_SECONDS) -> None:
    """Revenue lines: account_external_id,date,amount[,product_line][,line_id]"""
    _import(ImportKind.REVENUE, file, source, dry_run, skip_invalid, wait=wait)


FormatOpt = Annotated[ExportFormat, typer.Option("--format", help="csv or xlsx.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="File to write (CSV: default stdout).")
]


def _export(kind: ImportKind, fmt: ExportFormat, output: Path | None,
            today: str | None = None) -> None:
    if output is None and fmt is ExportFormat.XLSX:
        fail("an Excel export needs --output FILE", 1)
    with unit_of_work() as session:
        user = acting_user(session)
        day = acting_today(session, today)
        if output is None:
            sys.stdout.flush()
            exporting.export(session, user, kind.value, fmt.value, sys.stdout.buffer, day)
            sys.stdout.buffer.flush()
            return
        with open(output, "wb") as out:
            count = exporting.export(session, user, kind.value, fmt.value, out, day)
    err_console.print(f"{count:,} {kind.value} written to {output}", highlight=False)


@export_app.command("accounts")
@handles_errors
def export_accounts(format: FormatOpt = ExportFormat.CSV, output: OutputOpt = None) -> None:
    """Accounts you can see, in the import columns."""
    _export(ImportKind.ACCOUNTS, format, output)


@export_app.command("contacts")
@handles_errors
def export_contacts(format: FormatOpt = ExportFormat.CSV, output: OutputOpt = None) -> None:
    """Contacts (one row per account link), in the import columns."""
    _export(ImportKind.CONTACTS, format, output)


@export_app.command("revenue")
@handles_errors
def export_revenue(format: FormatOpt = ExportFormat.CSV, output: OutputOpt = None) -> None:
    """Revenue lines of the accounts you can see, in the import columns."""
    _export(ImportKind.REVENUE, format, output)


from accord.exchange import cli_licences  # noqa: E402,F401  (registers the licences' commands)
