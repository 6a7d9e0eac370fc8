"""``accord kpi-report``: the monthly performance report as an HTML or PDF file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import acting_user, handles_errors, unit_of_work
from accord.core.database import utcnow
from accord.kpis import report


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


@handles_errors
def kpi_report(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM (default: last "
                                              "complete month in the data)")] = None,
    manager: Annotated[str | None, typer.Option("--manager", help="A manager's e-mail: the "
                                                "report covers their accounts")] = None,
    fmt: Annotated[ReportFormat | None, typer.Option(
        "--format", help="html or pdf (default: from the file name, else pdf)")] = None,
    source: Annotated[str | None, typer.Option(
        help="invoices or subscriptions (default: the KPI policy's)")] = None,
) -> None:
    """Monthly performance report (tiles, bridge, trend, concentration, tables) to a file."""
    chosen = fmt or (ReportFormat.HTML if output.suffix.lower() in (".html", ".htm")
                     else ReportFormat.PDF)
    with unit_of_work() as session:
        user = acting_user(session)
        data = report.monthly(session, user, today=utcnow().date(), as_of=as_of,
                              manager=manager, source=source)
        body: str | bytes = (report.render_pdf(data) if chosen is ReportFormat.PDF
                             else report.render_html(data))
    if isinstance(body, bytes):
        output.write_bytes(body)
    else:
        output.write_text(body, encoding="utf-8")
    typer.echo(f"{chosen.value.upper()} report for {data['subject'].label}, as of "
               f"{data['doc']['as_of']}, written to {output} ({len(body):,} bytes)")


def register(app: typer.Typer) -> None:
    """Add ``kpi-report`` to the accord CLI (called from ``accord.kpis.cli.register``)."""
    app.command("kpi-report")(kpi_report)
