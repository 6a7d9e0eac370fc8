"""``accord departments list|show|add|members|holiday|seed``: departments from the shell (as
the operator, or as a user with ``--as EMAIL``; changes need an admin). The scorecard
command is added by ``accord.agency.scorecard.cli.register``."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.agency.departments import service
from accord.agency.departments.rules import weekdays_label
from accord.agency.departments.schemas import DepartmentOut, weekdays_text
from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work

app = typer.Typer(help="Agency work: departments (lead, members, working days, turnaround, "
                  "brief template) and their scorecards.", no_args_is_help=True)
RefArgument = Annotated[str, typer.Argument(help="The department's name or id")]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


@app.command("list")
@handles_errors
def list_departments(
    all_: Annotated[bool, typer.Option("--all", help="Include inactive departments")] = False,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """The departments: lead, members, turnaround, working days, time zone."""
    with unit_of_work() as session:
        result = service.list_departments(session, acting_user(session),
                                          include_inactive=all_, page_size=200)
    if fmt is Format.JSON:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    if not result.items:
        _print("No departments (accord departments seed adds the standard set).")
        return
    table = Table(title=f"Departments ({result.total})")
    for col in ("id", "name", "lead", "members", "turnaround", "working days", "time zone"):
        table.add_column(col)
    for d in result.items:
        table.add_row(str(d.id), d.name + ("" if d.is_active else " (inactive)"),
                      d.lead.email if d.lead else "—", str(d.member_count),
                      f"{d.turnaround_days} d", weekdays_label(d.weekdays), d.time_zone)
    console.print(table)


def _show(out: DepartmentOut, fmt: Format) -> None:
    if fmt is Format.JSON:
        typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    _print(f"{out.name} (id {out.id}{'' if out.is_active else ', inactive'})")
    _print(f"  lead: {out.lead.email if out.lead else '—'}")
    _print(f"  time zone: {out.time_zone}; working days: {weekdays_label(out.weekdays)}; "
           f"turnaround: {out.turnaround_days} working days")
    _print("  members: " + (", ".join(m.email for m in out.members) or "none"))
    _print("  brief template: " + ", ".join(f"{s.label} ({s.key})" for s in out.sections))
    _print("  own days off: " + (", ".join(f"{h.day} {h.name}".strip()
                                           for h in out.holidays) or "none"))


@app.command("show")
@handles_errors
def show(ref: RefArgument,
         fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """One department: its template, members and days off."""
    with unit_of_work() as session:
        user = acting_user(session)
        out = service.get_department(session, user,
                                     service.find_department_ref(session, user, ref))
    _show(out, fmt)


@app.command("add")
@handles_errors
def add(
    name: Annotated[str, typer.Argument(help="The department's name (Creative, Media…)")],
    lead: Annotated[str | None, typer.Option("--lead", help="The lead's e-mail")] = None,
    time_zone: Annotated[str, typer.Option("--time-zone", help="IANA time zone")] = "UTC",
    turnaround: Annotated[int, typer.Option(
        "--turnaround", help="Default turnaround in working days (1-365)")] = 5,
    weekdays: Annotated[str | None, typer.Option(
        "--weekdays", help="Working weekdays, 0 = Monday … 6 = Sunday, e.g. 0,1,2,3,4 "
        "(default: the company calendar's)")] = None,
) -> None:
    """Create a department (admins) with the brief template of its kind; audited."""
    data: dict[str, object] = {"name": name, "time_zone": time_zone,
                               "turnaround_days": turnaround,
                               "weekdays": weekdays_text(weekdays)}
    if lead:
        data["lead_email"] = lead
    with unit_of_work() as session:
        out = service.create_department(session, acting_user(session), data)
    _print(f"department {out.name} created (id {out.id}, template: "
           + ", ".join(s.key for s in out.sections) + ")")


@app.command("members")
@handles_errors
def members(
    ref: RefArgument,
    emails: Annotated[list[str], typer.Argument(help="The members' e-mails (all of them)")],
) -> None:
    """Set a department's members to exactly these users (admins); audited."""
    with unit_of_work() as session:
        user = acting_user(session)
        out = service.set_members_by_email(session, user,
                                           service.find_department_ref(session, user, ref),
                                           emails)
    _print(f"{out.name}: {out.member_count} member{'s' if out.member_count != 1 else ''} ("
           + ", ".join(m.email for m in out.members) + ")")


@app.command("holiday")
@handles_errors
def holiday(
    ref: RefArgument,
    day: Annotated[str, typer.Argument(help="The day off, YYYY-MM-DD")],
    name: Annotated[str, typer.Argument(help="What it is")] = "",
    remove: Annotated[bool, typer.Option("--remove", help="Remove that day off")] = False,
) -> None:
    """Add (or ``--remove``) a day off of the department's own (admins); audited."""
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        fail(f"not a date (YYYY-MM-DD): {day!r}", 2)
        return
    with unit_of_work() as session:
        user = acting_user(session)
        department_id = service.find_department_ref(session, user, ref)
        if remove:
            held = service.get_department(session, user, department_id).holidays
            if not any(h.day == when for h in held):
                fail(f"no day off of its own on {when.isoformat()}", 1)
            out = service.remove_holiday(session, user, department_id, when)
        else:
            out = service.add_holiday(session, user, department_id, when, name)
    _print(f"{out.name}: {when.isoformat()} {'removed' if remove else 'added'} "
           f"({len(out.holidays)} days off of its own)")


@app.command("seed")
@handles_errors
def seed() -> None:
    """Create the standard departments and deliverable checklists that are missing."""
    with unit_of_work() as session:
        counts = service.seed_defaults(session, acting_user(session))
    _print(f"created {counts['departments']} departments and {counts['deliverable_types']} "
           "deliverable types")
