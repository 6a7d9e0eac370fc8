"""``accord clients consent|suppressions|erase``: individual clients' personal data (issue
16), as the operator or ``--as EMAIL``. Each command calls one function of
``clients.privacy.service``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import (
    acting_today,
    acting_user,
    console,
    fail,
    handles_errors,
    unit_of_work,
)
from accord.clients.privacy import service

AccountArg = Annotated[str, typer.Argument(metavar="ACCOUNT", help="Account id or external id")]
suppressions_app = typer.Typer(help="The suppression list: addresses never exported to an "
                               "e-mail tool (admins and heads).", no_args_is_help=True)


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


@handles_errors
def consent(
    account: AccountArg,
    given: Annotated[bool | None, typer.Option(
        "--yes/--no", help="Consent given (--yes) or withdrawn (--no)")] = None,
) -> None:
    """Give or withdraw a person's marketing consent (audited)."""
    if given is None:
        fail("say --yes (consent given) or --no (consent withdrawn)", 2)
        return
    with unit_of_work() as session:
        out = service.set_consent(session, acting_user(session), account, given,
                                  acting_today(session, None))
    _print(f"account {out.account_id}: marketing consent "
           f"{'given' if out.marketing_consent else 'withdrawn'}"
           f"{f' since {out.consent_changed_on}' if out.consent_changed_on else ''}")


@suppressions_app.command("list")
@handles_errors
def list_suppressions(
    q: Annotated[str | None, typer.Option("--search", help="Part of an address")] = None,
    page: Annotated[int, typer.Option("--page", min=1, max=10_000)] = 1,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The suppressed addresses, by address (50 a page)."""
    if fmt not in ("table", "json"):
        fail("--format: table or json", 2)
    with unit_of_work() as session:
        listed = service.suppressions(session, acting_user(session), q=q, page=page)
    if fmt == "json":
        typer.echo(listed.model_dump_json(indent=2))
        return
    if not listed.items:
        _print("No suppressed address." if listed.total == 0 else
               f"No address on page {page} of {listed.pages}.")
        return
    table = Table(title=f"Suppression list ({listed.total}, page {listed.page} of "
                  f"{listed.pages})")
    for column in ("id", "address", "reason", "added", "by"):
        table.add_column(column)
    for r in listed.items:
        table.add_row(str(r.id), r.email, r.reason or "", r.added_at.date().isoformat(),
                      r.added_by or "command line")
    console.print(table)


@suppressions_app.command("add")
@handles_errors
def add_suppression(
    email: Annotated[str, typer.Argument(help="The address")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (optional)")] = None,
) -> None:
    """Add an address to the suppression list (audited)."""
    with unit_of_work() as session:
        row = service.add_suppression(session, acting_user(session), email, reason)
    _print(f"{row.email} is on the suppression list (id {row.id})")


@suppressions_app.command("remove")
@handles_errors
def remove_suppression(email: Annotated[str, typer.Argument(help="The address")]) -> None:
    """Take an address off the suppression list (audited)."""
    with unit_of_work() as session:
        key = service.remove_suppression(session, acting_user(session), email)
    _print(f"{key} is off the suppression list")


@handles_errors
def erase(
    account: AccountArg,
    confirm: Annotated[bool, typer.Option(
        "--confirm", help="Erase: without it, only what would be erased is shown")] = False,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Erase a person's personal data on request; cannot be undone (admins and heads).
    Revenue lines are kept; earlier audit entries keep ids, not values."""
    if fmt not in ("text", "json"):
        fail("--format: text or json", 2)
    with unit_of_work() as session:
        user = acting_user(session)
        if not confirm:
            preview = service.erasure_preview(session, user, account)
        else:
            done = service.erase_client(session, user, account, acting_today(session, None))
    if not confirm:
        if preview.kind != "person":
            fail(f"account {preview.account_id} is a company: erasure is for individual "
                 "clients (person accounts) only", 2)
        if preview.erased_at is not None:
            fail(f"account {preview.account_id}'s personal data was erased already "
                 f"({preview.erased_at.date().isoformat()})")
        _print(f"{preview.name} (account {preview.account_id}): {preview.contacts_erased} "
               f"contacts would be anonymised, {preview.contacts_unlinked} unlinked, "
               f"{preview.interactions} interactions, {preview.follow_ups} follow-ups and "
               f"{preview.events} meetings cleared; {preview.revenue_lines} revenue lines "
               "kept.")
        fail("an erasure cannot be undone: add --confirm to erase", 2)
        return
    if fmt == "json":
        typer.echo(json.dumps(done.model_dump(mode="json"), indent=2))
        return
    _print(f"account {done.account_id}: personal data erased ({done.contacts_erased} contacts "
           f"anonymised, {done.contacts_unlinked} unlinked, {done.interactions} interactions, "
           f"{done.follow_ups} follow-ups and {done.events} meetings cleared, "
           f"{done.audit_entries_redacted} audit entries redacted, {done.revenue_lines_kept} "
           "revenue lines kept)")


def register(app: typer.Typer) -> None:
    """Adds ``consent``, ``suppressions`` and ``erase`` to ``accord clients``."""
    app.command("consent")(consent)
    app.add_typer(suppressions_app, name="suppressions")
    app.command("erase")(erase)
