"""``accord clients fit|validate|fits|settings``: the clients' models from the shell (as the
operator, or ``--as EMAIL``: admins and heads). Other modules add ``list``/``show``
(``clients.list_cli``) and ``consent``/``suppressions``/``erase`` (``clients.privacy.cli``)
to this ``app``."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from accord.cli.common import (
    Format,
    acting_today,
    acting_user,
    console,
    fail,
    handles_errors,
    option_date,
    unit_of_work,
)
from accord.clients import fitting
from accord.clients import settings as clients_settings
from accord.clients.models import ClientFit
from accord.clients.schemas import fit_out, model_figures

app = typer.Typer(help="Individual clients (B2C): who is still a client, their value, and "
                  "winning them back.", no_args_is_help=True)


class ModelChoice(StrEnum):
    BGNBD = "bgnbd"
    MBGNBD = "mbgnbd"


UnitOption = Annotated[str | None, typer.Option(
    "--unit", help="day, week or month (default: the setting's)")]
FormatOption = Annotated[Format, typer.Option("--format", help="table or json")]


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)



def _table(fit: ClientFit) -> None:
    out = fit_out(fit)
    _print(f"fit {fit.id} ({fit.kind}): {fit.clients:,} clients, {fit.triples:,} distinct "
           f"(x, t_x, T); unit {fit.unit}; purchases {fit.first_purchase_on} to "
           f"{fit.calibration_end}" + (f", holdout to {fit.holdout_end}"
                                       if fit.holdout_end else ""))
    table = Table("model", "r", "alpha", "a", "b", "log-likelihood", "converged")
    for name, m in (("bgnbd", out.bgnbd), ("mbgnbd", out.mbgnbd)):
        mark = " (used)" if name == fit.model else ""
        table.add_row(name + mark, *(f"{v:.4f}" if v is not None else "-"
                                     for v in (m.r, m.alpha, m.a, m.b)),
                      f"{m.log_likelihood:,.2f}" if m.log_likelihood is not None else "-",
                      "yes" if m.converged else "NO")
    console.print(table)
    if out.spend:
        _print(f"spend (Gamma-Gamma): p {out.spend.p:.4f}, q {out.spend.q:.4f}, "
               f"v {out.spend.v:,.2f} cents" + ("" if out.spend.converged else
                                                 " (did not converge)"))
    if fit.message:
        _print(f"note: {fit.message}")


@app.command("fit")
@handles_errors
def fit_command(
    calibration_end: Annotated[str | None, typer.Option(
        "--calibration-end", help="Last day of the data (YYYY-MM-DD, inclusive; default "
        "today)")] = None,
    unit: UnitOption = None,
    model: Annotated[ModelChoice, typer.Option(
        "--model", help="The model whose figures --format json prints")] = ModelChoice.BGNBD,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Fit the models on every client's purchases and store every client's scores."""
    end = option_date(calibration_end, "--calibration-end")
    with unit_of_work() as session:
        done = fitting.run_fit(session, acting_user(session), acting_today(session, None),
                               calibration_end=end, unit=unit)
        fit = done.fit
    if fmt == Format.JSON:
        typer.echo(json.dumps(model_figures(fit, model.value)))
        return
    _table(fit)
    _print(f"{done.scores:,} clients scored"
           + (f"; lifecycle: {_counts(done.lifecycle)}" if done.lifecycle is not None else
              " (the calibration does not end today: statuses left as they are)"))


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:,.3f}"


def _counts(counts: dict[str, int] | None) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in (counts or {}).items() if v) \
        or "no change"


@app.command("validate")
@handles_errors
def validate_command(
    calibration_end: Annotated[str, typer.Option(
        "--calibration-end", help="Last day of the calibration period (YYYY-MM-DD)")],
    holdout_end: Annotated[str, typer.Option(
        "--holdout-end", help="Last day of the holdout period (YYYY-MM-DD)")],
    unit: UnitOption = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Fit on a calibration period and compare the predictions with the holdout period."""
    end = option_date(calibration_end, "--calibration-end")
    hold = option_date(holdout_end, "--holdout-end")
    assert end is not None and hold is not None
    with unit_of_work() as session:
        done = fitting.run_validation(session, acting_user(session),
                                      acting_today(session, None), calibration_end=end,
                                      holdout_end=hold, unit=unit)
        fit = done.fit
    doc: dict[str, Any] = json.loads(fit.validation or "{}")
    if fmt == Format.JSON:
        typer.echo(json.dumps(fit_out(fit).model_dump(mode="json")))
        return
    _table(fit)
    table = Table("calibration repeat purchases", "clients", "actual (mean)",
                  "predicted (mean)", title=f"holdout, model {doc.get('model')}")
    for row in doc.get("by_purchases", []):
        table.add_row(str(row["purchases"]), f"{row['clients']:,}", _figure(row["actual"]),
                      _figure(row["predicted"]))
    console.print(table)
    for key, value in (doc.get("errors") or {}).items():
        _print(f"{key.replace('_', ' ')}: {_figure(value)}")


@app.command("fits")
@handles_errors
def fits_command(
    kind: Annotated[str | None, typer.Option("--kind", help="scores or validation")] = None,
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """The stored fits and validations, newest first."""
    with unit_of_work() as session:
        found = fitting.fits(session, acting_user(session), kind=kind, page=page)
        items = [fit_out(f) for f in found.items]
    if fmt == Format.JSON:
        typer.echo(json.dumps({"items": [i.model_dump(mode="json") for i in items],
                               "total": found.total, "page": found.page,
                               "pages": found.pages}))
        return
    table = Table("id", "kind", "fitted at", "unit", "data", "clients", "model", "r", "alpha",
                  "a", "b", "LL", "converged", title=f"fits (page {found.page} of "
                  f"{found.pages}, {found.total:,} in all)")
    for i in items:
        m = i.bgnbd if i.model == "bgnbd" else i.mbgnbd
        table.add_row(str(i.id), i.kind, f"{i.fitted_at:%Y-%m-%d %H:%M}", i.unit,
                      f"{i.first_purchase_on} – {i.calibration_end}"
                      + (f" → {i.holdout_end}" if i.holdout_end else ""),
                      f"{i.clients:,}", i.model,
                      *(f"{v:.3f}" if v is not None else "-" for v in (m.r, m.alpha, m.a, m.b)),
                      f"{m.log_likelihood:,.1f}" if m.log_likelihood is not None else "-",
                      "yes" if m.converged else "NO")
    console.print(table)


def _value(text: str) -> Any:
    """A ``--set`` value: JSON when it reads as JSON (numbers, lists), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


@app.command("settings")
@handles_errors
def settings_command(
    assignments: Annotated[list[str] | None, typer.Option(
        "--set", help="key=value (repeatable; a list as JSON), e.g. --set horizon=26")] = None,
) -> None:
    """Show the clients settings; with --set, change those given (admins and heads)."""
    given: dict[str, Any] = {}
    for item in assignments or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--set {item!r}: write key=value", 2)
        given[key.strip()] = _value(value.strip())
    with unit_of_work() as session:
        policy = (clients_settings.save_policy(session, acting_user(session), given)
                  if given else clients_settings.policy(session))
    if given:
        _print("clients settings saved")
    for key, value in policy.to_dict().items():
        if key == "segments":
            _print("segments:")
            for s in value:
                _print(f"  {s['name']}: R {s['r'][0]}-{s['r'][1]}, FM {s['fm'][0]}-{s['fm'][1]}")
        else:
            _print(f"{key}: {value}")
