"""``accord handoffs list|show|answer|submit|accept|return|settings``: the same services, visibility
and rules as the pages and the API."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.handoffs import service
from accord.handoffs.rules import AnswerKind
from accord.handoffs.schemas import BOXES, SORTS, HandoffOut, ItemAnswer
from accord.selection.cli import TodayOption, _today

app = typer.Typer(
    help="Hand-offs of accounts to their managers: the boxes, one hand-off, its flow.",
    no_args_is_help=True,
)

Box = StrEnum("Box", [(b, b) for b in BOXES])  # type: ignore[misc]
Sort = StrEnum("Sort", [(s, s) for s in SORTS])  # type: ignore[misc]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format")]
HandoffId = Annotated[int, typer.Argument(min=1, max=2_147_483_647, help="The hand-off's id")]


def _percent(value: object) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f} %"  # type: ignore[arg-type]


def _print(out: HandoffOut, fmt: Format) -> None:
    if fmt is Format.JSON:
        typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    console.print(
        f"hand-off #{out.id} ({out.kind}) of {out.account_name} [{out.account_status}]: "
        f"{out.state}{' — OVERDUE' if out.overdue else ''}",
        highlight=False,
    )
    console.print(
        f"from {out.author_name or '—'} to {out.receiver_name or '—'}; due {out.due_on or '—'}; "
        f"completeness {_percent(out.completeness)}; quality {_percent(out.quality)}",
        highlight=False,
    )
    if out.return_reason and out.state == "returned":
        console.print(f"returned: {out.return_reason}", highlight=False)
    table = Table("key", "item", "required", "answer")
    for item in out.items:
        if item.answer_kind == "not_applicable":
            answer = f"not applicable: {item.reason}"
        elif item.answer_kind == "contact":
            answer = f"contact {item.contact_name or item.contact_id}"
        elif item.answer_kind == "interaction":
            answer = f"interaction {item.interaction_id}: {item.interaction_summary or ''}"
        elif item.answer_kind:
            answer = f"{item.answer_kind}: {item.text}"
        else:
            answer = "—"
        table.add_row(item.key, item.label, "yes" if item.required else "", answer)
    console.print(table)


@app.command("list")
@handles_errors
def list_handoffs(
    box: Annotated[Box, typer.Option("--box", help="waiting, mine, overdue, returned, all")] = Box(
        "waiting"
    ),
    account: Annotated[int | None, typer.Option("--account", min=1)] = None,
    sort: Annotated[Sort, typer.Option("--sort")] = Sort("due_on"),
    page: Annotated[int, typer.Option("--page", min=1, max=2_147_483_647)] = 1,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=200)] = 50,
    fmt: FormatOption = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """A box of hand-offs (by deadline)."""
    day = _today(today)
    with unit_of_work() as session:
        user = acting_user(session)
        out = service.list_handoffs(
            session, user, box=box.value, account_id=account, page=page, page_size=page_size,
            today=day, sort=sort.value,
        )
    if fmt is Format.JSON:
        typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    table = Table("id", "account", "kind", "state", "from", "to", "due", "overdue",
                  title=f"Hand-offs: {out.box} ({out.total})")
    for row in out.items:
        table.add_row(
            str(row.id), row.account_name, row.kind, row.state, row.author_name or "—",
            row.receiver_name or "—", str(row.due_on or "—"), "yes" if row.overdue else "",
        )
    console.print(table)


@app.command("show")
@handles_errors
def show(handoff_id: HandoffId, fmt: FormatOption = Format.TABLE,
         today: TodayOption = None) -> None:
    """One hand-off with its checklist."""
    day = _today(today)
    with unit_of_work() as session:
        out = service.get_handoff(session, acting_user(session), handoff_id, today=day)
    _print(out, fmt)


@app.command("answer")
@handles_errors
def answer(
    handoff_id: HandoffId,
    key: Annotated[str, typer.Argument(help="The item's key (see show)")],
    kind: Annotated[AnswerKind, typer.Option("--kind", help="The kind of evidence")],
    text: Annotated[str | None, typer.Option("--text", help="Text, file name or link")] = None,
    contact: Annotated[int | None, typer.Option("--contact", min=1)] = None,
    interaction: Annotated[int | None, typer.Option("--interaction", min=1)] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why not applicable")] = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Answer one checklist item (the author, while a draft or returned)."""
    try:
        data = ItemAnswer(kind=kind, text=text, contact_id=contact, interaction_id=interaction,
                          reason=reason)
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()), 2)
        return
    with unit_of_work() as session:
        out = service.answer_item(session, acting_user(session), handoff_id, key, data)
    _print(out, fmt)


@app.command("submit")
@handles_errors
def submit(handoff_id: HandoffId, fmt: FormatOption = Format.TABLE,
           today: TodayOption = None) -> None:
    """Submit to the receiving manager (every required item answered)."""
    day = _today(today)
    with unit_of_work() as session:
        out = service.submit_handoff(session, acting_user(session), handoff_id, today=day)
    _print(out, fmt)


@app.command("accept")
@handles_errors
def accept(handoff_id: HandoffId, fmt: FormatOption = Format.TABLE,
           today: TodayOption = None) -> None:
    """Accept a submitted hand-off (a hand-off from sales makes its account active)."""
    day = _today(today)
    with unit_of_work() as session:
        out = service.accept_handoff(session, acting_user(session), handoff_id, today=day)
    _print(out, fmt)


@app.command("return")
@handles_errors
def return_(
    handoff_id: HandoffId,
    reason: Annotated[str, typer.Option("--reason", help="Why it goes back (required)")],
    fmt: FormatOption = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """Return a submitted hand-off to its author with a reason."""
    day = _today(today)
    with unit_of_work() as session:
        out = service.return_handoff(session, acting_user(session), handoff_id, reason, today=day)
    _print(out, fmt)


@app.command("settings")
@handles_errors
def settings_command(
    deadline_working_days: Annotated[int | None, typer.Option(
        "--deadline-working-days", min=0, max=100_000,
        help="A submitted hand-off is due this many working days later")] = None,
) -> None:
    """Show the hand-off settings; with an option, change it (admins and heads)."""
    with unit_of_work() as session:
        user = acting_user(session)
        if deadline_working_days is None:
            policy = service.settings(session)
        else:
            policy = service.save_settings(
                session, user, {"deadline_working_days": deadline_working_days})
    if deadline_working_days is not None:
        console.print("hand-off settings saved", highlight=False)
    for key, value in policy.to_dict().items():
        console.print(f"{key}: {value}", highlight=False)
