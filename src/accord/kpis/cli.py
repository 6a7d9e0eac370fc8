"""``accord kpi``: the portfolio KPI document as a table, JSON or CSV; policy and refresh."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.kpis import report_cli, service
from accord.kpis.formulas import RETENTION_FIELDS
from accord.kpis.registry import BY_SLUG, REGISTRY
from accord.kpis.schemas import plain


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def _shown(field: str, value: Any) -> str:
    if value is None:
        return "—"
    unit = BY_SLUG[field].unit if field in BY_SLUG else "count"
    if unit == "ratio":
        return f"{Decimal(value) * 100:.1f} %"
    if unit == "money":
        return f"{Decimal(value):,.2f}"
    return str(value)


def _csv(rows: list[dict[str, Any]], key: str | None) -> str:
    out = io.StringIO()
    columns = ([key] if key else []) + list(RETENTION_FIELDS)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def _group_table(title: str, rows: list[dict[str, Any]], key: str) -> Table:
    fields = {"starting_revenue": "start", "ending_revenue": "end", "nrr": "NRR", "grr": "GRR",
              "logo_churn_rate": "logo churn"}
    table = Table(title=title)
    table.add_column(key, no_wrap=True)
    for label in fields.values():
        table.add_column(label, justify="right")
    for row in rows:
        table.add_row(str(row[key] or "—"), *(_shown(f, row[f]) for f in fields))
    return table


def _print_tables(doc: dict[str, Any], by: str | None) -> None:
    caption = (f"as of {doc['as_of']} · window {doc['window_months']} months · basis "
               f"{doc['basis']} · source {doc['source']} · ABC cut-offs "
               f"{doc['abc_cutoffs']['A']}/{doc['abc_cutoffs']['B']}")
    table = Table(title="Portfolio", caption=caption)
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for field in RETENTION_FIELDS:
        table.add_row(BY_SLUG[field].label, _shown(field, doc["portfolio"][field]))
    conc = doc["concentration"]
    table.add_row("Paying accounts", str(conc["accounts"]))
    table.add_row("Top-20 % share", _shown("top20_share", conc["top20_share"]))
    table.add_row("Herfindahl index", "—" if conc["hhi"] is None else f"{conc['hhi']:.4f}")
    table.add_row("ABC classes", " / ".join(f"{k} {v}" for k, v in conc["abc"].items()))
    console.print(table)
    if by:
        console.print(_group_table(f"By {by}", doc[f"by_{by}"], by))
    if "series" in doc:
        console.print(_group_table("Monthly series", doc["series"], "as_of"))


@handles_errors
def kpi(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM (default: last "
                                              "complete month in the data)")] = None,
    window: Annotated[int | None, typer.Option(help="Window in months (default: policy)")] = None,
    basis: Annotated[str | None, typer.Option(help="trailing or point (default: policy)")] = None,
    by: Annotated[str | None, typer.Option(help="manager, segment or tier")] = None,
    series: Annotated[bool, typer.Option("--series", help="Add the monthly series")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv")] = Format.TABLE,
    source: Annotated[str | None, typer.Option(
        help="invoices or subscriptions: what the KPIs read (default: the policy's)")] = None,
) -> None:
    """Portfolio KPIs: retention, movement, concentration, breakdowns (see docs/kpis.md)."""
    with unit_of_work() as session:
        user = acting_user(session)
        doc = service.kpi_report(session, user, today=utcnow().date(), as_of=as_of,
                                 window=window, basis=basis, by=by, series=series, source=source)
    data = plain(doc)
    if fmt is Format.JSON:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif fmt is Format.CSV:  # exact decimals as text: 1234.50, 0.981370
        if by:
            typer.echo(_csv(doc[f"by_{by}"], by), nl=False)
        elif series:
            typer.echo(_csv(doc["series"], "as_of"), nl=False)
        else:
            typer.echo(_csv([{"as_of": doc["as_of"], **doc["portfolio"]}], "as_of"), nl=False)
    else:
        _print_tables(data, by)


@handles_errors
def kpi_policy(
    window: Annotated[int | None, typer.Option(help="Window in months")] = None,
    basis: Annotated[str | None, typer.Option(help="trailing or point")] = None,
    abc_a: Annotated[str | None, typer.Option("--abc-a", help="A cut-off, e.g. 0.80")] = None,
    abc_b: Annotated[str | None, typer.Option("--abc-b", help="B cut-off, e.g. 0.95")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM to pin, 'auto' to "
                                              "follow the data")] = None,
    source: Annotated[str | None, typer.Option(
        help="invoices or subscriptions: what the KPI engine reads")] = None,
) -> None:
    """Show the KPI policy settings, or change them (given options only; audited)."""
    def amount(name: str, text: str | None) -> Decimal | None:
        if text is None:
            return None
        try:
            return Decimal(text)
        except ArithmeticError:
            raise ValidationFailed([FieldProblem(name, f"not a number: {text!r}")]) from None

    with unit_of_work() as session:
        user = acting_user(session)
        if any(v is not None for v in (window, basis, abc_a, abc_b, as_of, source)):
            settings = service.update_policy(
                session, user, window_months=window, basis=basis,
                abc_a=amount("abc_a", abc_a), abc_b=amount("abc_b", abc_b),
                as_of=None if as_of == "auto" else as_of, unpin_as_of=as_of == "auto",
                source=source, today=utcnow().date(),
            )
        else:
            settings = service.get_policy(session)
    for key, value in plain(settings.as_dict()).items():
        typer.echo(f"{key}: {'auto (last complete month)' if value is None else value}")


@handles_errors
def kpi_refresh() -> None:
    """Rebuild the derived monthly data the KPIs are computed from."""
    with unit_of_work() as session:
        service.refresh(session, acting_user(session))
    typer.echo("KPI data rebuilt")


def kpi_registry() -> None:
    """List every KPI: slug, unit, label, formula."""
    for k in REGISTRY:
        typer.echo(f"{k.slug}\t{k.unit}\t{k.label}\t{k.formula}")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the accord CLI."""
    app.command("kpi")(kpi)
    app.command("kpi-policy")(kpi_policy)
    app.command("kpi-refresh")(kpi_refresh)
    app.command("kpi-registry")(kpi_registry)
    report_cli.register(app)
