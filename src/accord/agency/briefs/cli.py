"""``accord briefs list|show|new|send|move``: briefs from the shell (as the operator, or as a
user with ``--as EMAIL``)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.agency.briefs import rules, service
from accord.agency.briefs.schemas import (
    AcceptIn,
    ApproveIn,
    BriefOut,
    DeliverIn,
    Filters,
    ReasonIn,
    brief_in,
    parsed,
)
from accord.cli.common import acting_today, acting_user, console, handles_errors, unit_of_work
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed

app = typer.Typer(help="Agency work: briefs from account managers to departments (states, "
                  "due dates in working days, deliverable checks).", no_args_is_help=True)
MAX_ID = 2_147_483_647
TodayOption = Annotated[str | None, typer.Option(
    "--today", help="Act as of this day (YYYY-MM-DD; default: today in your time zone)")]
IdArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The brief's id")]
ACTIONS = ("accept", "agree-date", "decline-date", "start", "deliver", "request-changes",
           "approve", "cancel")


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _said(out: BriefOut) -> str:
    return (f"brief {out.id} for {out.account_name} to {out.department_name}: {out.title} "
            f"({rules.STATE_LABELS[out.status].lower()}, due {out.due_on})")


def _echo(out: BriefOut, fmt: Format) -> None:
    if fmt is Format.JSON:
        typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
    else:
        console.print(_said(out), highlight=False, markup=False, soft_wrap=True)


FormatOption = Annotated[Format, typer.Option("--format")]


@app.command("list")
@handles_errors
def list_briefs(
    department: Annotated[str | None, typer.Option(
        "--department", help="Only this department's (its name or id)")] = None,
    account: Annotated[str | None, typer.Option(
        "--account", help="Only this account's (its external id or id)")] = None,
    status: Annotated[str, typer.Option(
        "--status", help="all (default), open, late, or one of " + ", ".join(rules.STATES))
    ] = "all",
    late: Annotated[bool, typer.Option("--late", help="Only the late ones")] = False,
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    fmt: FormatOption = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """The briefs you see, by due date."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        user = acting_user(session)
        dept_id = service.department_ref(session, user, department) if department else None
        account_id = service.account_ref(session, user, account) if account else None
        result = service.list_briefs(session, user, Filters(
            today=day, department_id=dept_id, account_id=account_id,
            status="late" if late else status), page, 200)
    if fmt is Format.JSON:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    if not result.items:
        console.print("No briefs.", highlight=False)
        return
    table = Table(title=f"Briefs ({result.total})")
    for col in ("id", "account", "department", "title", "due", "priority", "state", "rounds"):
        table.add_column(col)
    for b in result.items:
        table.add_row(str(b.id), b.account_name, b.department_name, b.title,
                      f"{b.due_on}" + (" late" if b.late else ""), b.priority,
                      rules.STATE_LABELS[b.status], str(b.rounds))
    console.print(table)


@app.command("show")
@handles_errors
def show(brief: IdArgument, fmt: FormatOption = Format.TABLE, today: TodayOption = None) -> None:
    """One brief: its sections, due dates, timeline and what you may do."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.get_brief(session, acting_user(session), brief, day)
    if fmt is Format.JSON:
        typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    lines = [_said(out)]
    if out.original_due_on != out.due_on:
        lines.append(f"  originally due {out.original_due_on}")
    if out.proposed_due_on:
        lines.append(f"  proposed {out.proposed_due_on}: {out.proposed_reason or ''}")
    for s in out.template:
        if s.text:
            lines.append(f"  {s.label}: {s.text}")
    for a in out.attachments:
        lines.append(f"  attachment {a.name}: {a.url}")
    for t in out.transitions:
        lines.append(f"  {t.on} {t.action} → {t.to_status}" + (f" by {t.by}" if t.by else "")
                     + (f": {t.reason}" if t.reason else ""))
    actions = out.account_actions + out.department_actions
    lines.append("  you may: " + (", ".join(a.replace("_", "-") for a in actions) or "nothing"))
    console.print("\n".join(lines), highlight=False, markup=False, soft_wrap=True)


def _sections(raw: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValidationFailed([FieldProblem("sections", f"--section KEY=TEXT, not {item!r}")])
        out[key.strip()] = value
    return out


@app.command("new")
@handles_errors
def new(
    account: Annotated[str, typer.Option("--account", help="The account (external id or id)")],
    department: Annotated[str, typer.Option("--department", help="The department (name or id)")],
    title: Annotated[str, typer.Option("--title")],
    due: Annotated[str | None, typer.Option(
        "--due", help="Due date YYYY-MM-DD (default: the department's turnaround)")] = None,
    priority: Annotated[str, typer.Option("--priority", help="low, normal, high, urgent")
                        ] = "normal",
    section: Annotated[list[str] | None, typer.Option(
        "--section", help="A template section: KEY=TEXT (repeatable)")] = None,
    deliverable: Annotated[str | None, typer.Option(
        "--deliverable", help="The deliverable type's key (its checklist)")] = None,
    hours: Annotated[str | None, typer.Option("--hours", help="Estimated hours")] = None,
    fmt: FormatOption = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """Write a brief (a draft); `accord briefs send ID` sends it. Audited."""
    sections = _sections(section or [])
    with unit_of_work() as session:
        day = acting_today(session, today)
        user = acting_user(session)
        data = brief_in({"account_id": service.account_ref(session, user, account),
                         "department_id": service.department_ref(session, user, department),
                         "title": title, "due_on": due, "priority": priority,
                         "sections": sections, "deliverable_type": deliverable,
                         "estimated_hours": hours})
        out = service.create_brief(session, user, data, day)
    _echo(out, fmt)


@app.command("send")
@handles_errors
def send(brief: IdArgument, fmt: FormatOption = Format.TABLE, today: TodayOption = None) -> None:
    """Send a draft to its department. Audited."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.send(session, acting_user(session), brief, day)
    _echo(out, fmt)


@app.command("move")
@handles_errors
def move(
    brief: IdArgument,
    action: Annotated[str, typer.Argument(help=", ".join(ACTIONS))],
    due: Annotated[str | None, typer.Option(
        "--due", help="accept: another due date proposed (YYYY-MM-DD)")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why (decline-date, request-changes, cancel, a proposal, an "
        "approval with unchecked items); deliver: a note")] = None,
    hours: Annotated[str | None, typer.Option("--hours", help="deliver: actual hours")] = None,
    check: Annotated[list[str] | None, typer.Option(
        "--check", help="approve: a checklist item done (its key; repeatable)")] = None,
    fmt: FormatOption = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """Move a brief: accept, agree-date, decline-date, start, deliver, request-changes,
    approve or cancel. Audited."""
    if action not in ACTIONS:
        raise ValidationFailed([FieldProblem("action", "one of " + ", ".join(ACTIONS))])
    with unit_of_work() as session:
        day = acting_today(session, today)
        user = acting_user(session)
        now = utcnow()
        if action == "accept":
            given = parsed(AcceptIn, {k: v for k, v in {"proposed_due_on": due,
                                                       "reason": reason}.items() if v},
                           "proposed_due_on")
            out = service.accept(session, user, brief, now,
                                 proposed_due_on=given.proposed_due_on, reason=given.reason)
        elif action == "agree-date":
            out = service.agree_date(session, user, brief, day)
        elif action == "start":
            out = service.start(session, user, brief, now)
        elif action == "deliver":
            delivered = parsed(DeliverIn, {k: v for k, v in {"actual_hours": hours,
                                                             "note": reason}.items() if v},
                               "actual_hours")
            out = service.deliver(session, user, brief, now,
                                  actual_hours=delivered.actual_hours, note=delivered.note)
        elif action == "approve":
            approval = parsed(ApproveIn, {"checks": {k: True for k in check or []},
                                          **({"reason": reason} if reason else {})}, "reason")
            out = service.approve(session, user, brief, day, checks=approval.checks,
                                  reason=approval.reason)
        else:
            text = parsed(ReasonIn, {"reason": reason or ""}, "reason").reason
            run = {"decline-date": service.decline_date, "cancel": service.cancel,
                   "request-changes": service.request_changes}[action]
            out = run(session, user, brief, day, text)
    _echo(out, fmt)
