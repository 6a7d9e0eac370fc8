"""``accord import m365-users|m365-usage|subscriptions FILE`` and ``accord export
subscriptions|seats|utilisation``: the licences' kinds on the command line (the same
``run_import`` and ``exporting.export`` as every kind)."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.common import handles_errors
from accord.exchange.cli import (
    WAIT_SECONDS,
    DryRunOpt,
    FileArg,
    FormatOpt,
    OutputOpt,
    SkipOpt,
    WaitOpt,
    _export,
    _import,
    export_app,
    import_app,
)
from accord.exchange.schemas import ExportFormat, ImportKind, ImportSource

AccountOpt = Annotated[
    int | None, typer.Option("--account", min=1, help="The account whose tenant the file is "
                             "(default: the account whose domains its sign-in names use).")
]
TodayOpt = Annotated[
    str | None, typer.Option("--today", help="Act as of this day (YYYY-MM-DD).")
]


@import_app.command("m365-users")
@handles_errors
def import_m365_users(file: FileArg, account: AccountOpt = None, dry_run: DryRunOpt = False,
                      today: TodayOpt = None, wait: WaitOpt = WAIT_SECONDS) -> None:
    """A Microsoft 365 admin centre Active users export (Display name, User principal name,
    Licenses, Department, Block credential): the tenant's people and seats as of today;
    whoever is absent has left and frees their seats."""
    _import(ImportKind.M365_USERS, file, ImportSource.ACCORD, dry_run, False, wait=wait,
            account_id=account, today=today)


@import_app.command("m365-usage")
@handles_errors
def import_m365_usage(file: FileArg, account: AccountOpt = None, dry_run: DryRunOpt = False,
                      today: TodayOpt = None, wait: WaitOpt = WAIT_SECONDS) -> None:
    """A Microsoft 365 active user detail report: people and seats as of its refresh date
    (a deleted user frees their seats), and the last activity per person and workload."""
    _import(ImportKind.M365_USAGE, file, ImportSource.ACCORD, dry_run, False, wait=wait,
            account_id=account, today=today)


@import_app.command("subscriptions")
@handles_errors
def import_subscriptions(file: FileArg, dry_run: DryRunOpt = False,
                         skip_invalid: SkipOpt = False, today: TodayOpt = None,
                         wait: WaitOpt = WAIT_SECONDS) -> None:
    """Subscriptions (billing and admins): account_external_id,sku_code,start_on,
    term_months,quantity,unit_price,auto_renew,notice_days,status,reference[,effective_on]"""
    _import(ImportKind.SUBSCRIPTIONS, file, ImportSource.ACCORD, dry_run, skip_invalid,
            wait=wait, today=today)


def _exporter(kind: ImportKind, what: str) -> None:
    def command(format: FormatOpt = ExportFormat.CSV, output: OutputOpt = None,
                today: TodayOpt = None) -> None:
        _export(kind, format, output, today)

    command.__doc__ = what
    export_app.command(kind.value)(handles_errors(command))


_exporter(ImportKind.SUBSCRIPTIONS, "Subscriptions of the accounts you can see, with their "
          "latest term, in the import columns.")
_exporter(ImportKind.SEATS, "Seat assignments (held and past) of the accounts you can see.")
_exporter(ImportKind.UTILISATION, "Per account and service: purchased, assigned, active, "
          "allocation, adoption and utilisation (percent) as of today.")
