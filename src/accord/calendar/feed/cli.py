"""``accord calendar feed-url [--revoke ID] [--list]`` and ``accord calendar import-ics FILE``:
the command-line doors to ``accord.calendar.feed.service``. Both act as a user (``--as
EMAIL``): a feed and an imported meeting are a user's. Registered on ``accord calendar`` by
``register`` (``calendar/cli.py``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.calendar import ics
from accord.calendar.feed import rules, service
from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.core.settings import get_settings


def _base() -> str:
    try:
        settings = get_settings()
    except Exception:  # noqa: BLE001 - a bad setting elsewhere: the defaults' address
        return "http://127.0.0.1:8000"
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    return rules.base_url(settings, f"http://{host}:{settings.port}")


@handles_errors
def feed_url(
    revoke: Annotated[int | None, typer.Option(
        "--revoke", help="Revoke the feed token with this id instead", min=1,
        max=2_147_483_647)] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the tokens instead")] = False,
) -> None:
    """A new calendar feed URL for the user given with --as (shown once), or --list / --revoke
    their tokens."""
    with unit_of_work() as session:
        user = acting_user(session)
        if revoke is not None:
            out = service.revoke_token(session, user, revoke)
            console.print(f"feed token {out.id} ({out.prefix}…) revoked", highlight=False)
            return
        if user.id is None:
            fail(service.NOT_A_USER, 2)
        if list_:
            tokens = service.list_tokens(session, user)
            table = Table("id", "starts with", "created (UTC)", "state")
            for t in tokens:
                table.add_row(str(t.id), f"{t.prefix}…", t.created_at.strftime("%Y-%m-%d %H:%M"),
                              "active" if t.active else "revoked")
            console.print(table if tokens else "no feed tokens", highlight=False)
            return
        created = service.new_feed_url(session, user, base=_base())
    typer.echo(created.url)
    console.print(f"feed token {created.id}: copy the URL now, it is shown only once",
                  highlight=False, style="dim")


@handles_errors
def import_ics(
    file: Annotated[Path, typer.Argument(help="An iCalendar file (.ics)", metavar="FILE")],
    today: Annotated[str | None, typer.Option(
        "--today", help="The day the import runs (YYYY-MM-DD; default: today)")] = None,
) -> None:
    """Import past meetings of an .ics file as interactions (as the user given with --as);
    all or nothing."""
    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        fail(f"--today: {today!r} is not a date (YYYY-MM-DD)", 2)
        raise
    try:
        with file.open("rb") as handle:
            data = handle.read(ics.MAX_BYTES + 1)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}", 2)
        raise
    with unit_of_work() as session:
        user = acting_user(session)
        if user.id is None:
            fail("meetings are imported as a user: give --as EMAIL", 2)
        out = service.import_meetings(session, user, data, today=day)
    for m in out.matched:
        console.print(f"imported  {m.occurred_on}  {m.account_name}  {m.uid}", highlight=False,
                      markup=False)
    for uid in out.already_imported:
        console.print(f"already   {uid}", highlight=False, markup=False)
    for p in out.unmatched:
        console.print(f"unmatched {p.uid}  {p.summary!r}: {p.reason}", highlight=False,
                      markup=False)
    for p in out.skipped:
        console.print(f"skipped   {p.uid or '-'}  {p.summary!r}: {p.reason}", highlight=False,
                      markup=False)
    console.print(
        f"{out.events} events: {len(out.matched)} imported, {len(out.already_imported)} "
        f"already imported, {len(out.unmatched)} unmatched, {len(out.skipped)} skipped",
        highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``feed-url`` and ``import-ics`` to ``accord calendar``."""
    app.command("feed-url")(feed_url)
    app.command("import-ics")(import_ics)
