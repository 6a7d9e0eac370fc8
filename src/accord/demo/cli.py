"""``accord demo``: load the deterministic demo portfolio and print the logins."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from accord.cli.common import console, fail, handles_errors, unit_of_work
from accord.demo.loader import DemoSummary, load_demo
from accord.demo.plan import DemoSpec

STAGES = {"accounts": "accounts, contacts, timeline", "revenue": "revenue lines"}


@handles_errors
def demo(
    accounts: Annotated[int, typer.Option("--accounts", help="How many accounts")] = 2000,
    months: Annotated[int, typer.Option("--months", help="Months of revenue")] = 36,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same portfolio")] = 42,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Reuse a database that already holds accounts")
    ] = False,
    today: Annotated[
        str | None,
        typer.Option(
            "--today", help="YYYY-MM-DD; revenue ends the month before (default: today, UTC)"
        ),
    ] = None,
) -> None:
    """Load the demo portfolio (deterministic: the same seed gives the same data)."""
    if accounts < 1:
        fail("--accounts must be 1 or more", 2)
    if not 1 <= months <= 240:
        fail("--months must be between 1 and 240", 2)
    try:
        day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    except ValueError:
        fail(f"--today must be a date as YYYY-MM-DD, got {today!r}", 2)
        return
    spec = DemoSpec(accounts=accounts, months=months, seed=seed, today=day)
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description:<30}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=False,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done)

        with unit_of_work() as session:
            summary = load_demo(session, spec, if_empty=if_empty, on_progress=on_progress)
    elapsed = time.perf_counter() - started
    if summary.reused:
        console.print(
            f"The database already holds {summary.accounts:,} accounts: reusing it.",
            highlight=False,
        )
    else:
        console.print(
            f"Loaded the demo portfolio in {elapsed:.1f} s: {summary.accounts:,} accounts, "
            f"{summary.contacts:,} contacts, {summary.interactions:,} interactions, "
            f"{summary.revenue_lines:,} revenue lines over {summary.months} months "
            f"(seed {seed}, up to {spec.end_month // 12}-{spec.end_month % 12 + 1:02d}).",
            highlight=False,
        )
    _print_logins(summary)


def _print_logins(summary: DemoSummary) -> None:
    if not summary.logins:
        return
    by_role: dict[str, list[str]] = {}
    for email, role in summary.logins:
        by_role.setdefault(role, []).append(email)
    table = Table("role", "demo login", title="Demo logins", title_justify="left")
    for role in ("admin", "head", "manager", "sales", "billing", "viewer", "specialist"):
        emails = by_role.get(role, [])
        if not emails:
            continue
        shown = emails[0] if len(emails) == 1 else f"{emails[0]} … {emails[-1]}"
        if role == "specialist":  # named by department (creative1, media1…), not numbered
            first = sorted(emails, key=lambda e: (not e.startswith("creative"), e))[:2]
            shown = f"{', '.join(first)} … ({len(emails)}: <department><n>@…)"
        table.add_row(role, shown)
    console.print(table)
    console.print(
        f"Every demo user's password: [bold]{summary.password}[/]", highlight=False
    )
