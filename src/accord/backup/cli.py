"""``accord backup FILE`` and ``accord restore FILE`` (operators' commands; no page or API)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from accord.backup import service
from accord.cli.common import console, engine, err_console, handles_errors

#: tables with more rows than this report their progress on standard error
BIG_TABLE = 100_000
EVERY_SECONDS = 2.0

VERBS = {"backup": "writing", "verify": "checking", "load": "loading"}


def _progress() -> service.Progress:
    last_at, last_line = 0.0, ("", "", -1)

    def report(phase: str, table: str, done: int, total: int) -> None:
        nonlocal last_at, last_line
        if total < BIG_TABLE or last_line == (phase, table, done):
            return
        now = time.monotonic()
        if done < total and now - last_at < EVERY_SECONDS:
            return
        last_at, last_line = now, (phase, table, done)
        err_console.print(
            f"{VERBS.get(phase, phase)} {table}: {done:,} / {total:,} rows", highlight=False
        )

    return report


@handles_errors
def backup(
    file: Annotated[Path, typer.Argument(help="The archive to write (a ZIP file)", dir_okay=False)],
) -> None:
    """Write the whole database to a portable archive, consistent while the app runs."""
    started = time.perf_counter()
    manifest = service.backup(engine(), file, on_progress=_progress())
    rows = sum(t.rows for t in manifest.tables)
    console.print(
        f"backed up {len(manifest.tables)} tables, {rows:,} rows (schema revision "
        f"{manifest.schema_revision}) to {file} in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )


@handles_errors
def restore(
    file: Annotated[Path, typer.Argument(help="An archive written by 'accord backup'")],
    check: Annotated[
        bool,
        typer.Option("--check", help="Only check the archive (checksums, counts, revision)"),
    ] = False,
) -> None:
    """Load an archive into an empty database (SQLite or PostgreSQL), then migrate it."""
    started = time.perf_counter()
    if check:
        checked = service.verify(file, on_progress=_progress())
        console.print(
            f"the archive is sound: {len(checked.tables)} tables, "
            f"{sum(t.rows for t in checked.tables):,} rows, schema revision "
            f"{checked.schema_revision} ({file})",
            highlight=False,
        )
        return
    manifest = service.restore(engine(), file, on_progress=_progress())
    rows = sum(t.rows for t in manifest.tables)
    console.print(
        f"restored {len(manifest.tables)} tables, {rows:,} rows (taken "
        f"{manifest.created_at:%Y-%m-%d %H:%M} UTC from {manifest.source}, schema revision "
        f"{manifest.schema_revision}, now migrated to the newest) in "
        f"{time.perf_counter() - started:.1f} s",
        highlight=False,
    )
