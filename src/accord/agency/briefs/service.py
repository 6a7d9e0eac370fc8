"""Briefs: write one (a draft) for a department, edit it, move it through its states
(``transitions``), read one, a list, an account's, the department board (``reading``).

Who may: whoever may change the account writes, sends, approves, requests changes, agrees
or declines a proposed date and cancels (the account side); the department's members and
lead (and admins) accept, propose another date, start and deliver (the department side);
whoever sees the account, or belongs to the department, reads the brief — a specialist sees
the account's name and nothing else of it. A brief or account out of reach is answered like
a missing one (404). Every change is audited (``brief``) and every move logged
(``BriefTransition``) in the caller's transaction; a write naming the version it started from
(``If-Match``, a form) is refused when the brief changed meanwhile (409).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.accounts import service as account_service
from accord.accounts.visibility import get_visible_account, get_writable_account
from accord.agency import access
from accord.agency import rules as agency_rules
from accord.agency.briefs import reading, rules
from accord.agency.briefs.reading import (
    account_briefs,
    account_work,
    board,
    checklist,
    deliverable_choices,
    department_choices,
    get_brief,
    list_briefs,
    template,
    transitions,
)
from accord.agency.briefs.schemas import BriefIn, BriefOut, BriefPatch
from accord.agency.briefs.transitions import (
    accept,
    agree_date,
    approve,
    cancel,
    decline_date,
    deliver,
    due_problem,
    facts,
    log,
    request_changes,
    rule,
    saved,
    send,
    start,
)
from accord.agency.departments import service as departments
from accord.agency.models import Brief, DeliverableType, Department
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.core.schemas import MAX_ID

__all__ = ["accept", "account_briefs", "account_ref", "account_work", "agree_date", "approve",
           "board", "cancel", "checklist", "create_brief", "decline_date", "deliver",
           "deliverable_choices", "department_choices", "department_ref", "edit_brief",
           "form_defaults", "get_brief", "list_briefs", "request_changes", "send", "start",
           "template", "transitions"]


def _deliverable(session: Session, problems: list[FieldProblem], key: str | None) -> None:
    if key and session.get(DeliverableType, key) is None:
        problems.append(FieldProblem("deliverable_type", f"no deliverable type {key[:40]!r}"))


def _common(session: Session, problems: list[FieldProblem], data: BriefIn | BriefPatch,
            given: set[str]) -> dict[str, Any]:
    """The checked values of the fields given (the department's template aside)."""
    out: dict[str, Any] = {}
    if "title" in given:
        out["title"] = rule(problems, rules.check_title, data.title)
    if "attachments" in given:
        out["attachments"] = rule(problems, rules.check_attachments,
                                  [a.model_dump() for a in data.attachments or []])
    if "priority" in given:
        out["priority"] = rule(problems, rules.check_priority, data.priority)
    if "estimated_hours" in given:
        out["estimated_hours"] = rule(problems, rules.check_hours, "estimated_hours",
                                      data.estimated_hours)
    if "deliverable_type" in given:
        _deliverable(session, problems, data.deliverable_type)
        out["deliverable_type"] = data.deliverable_type or None
    return out


def create_brief(session: Session, user: User, data: BriefIn, today: date) -> BriefOut:
    """A new draft brief from an account (the caller may change it) to an active department;
    its due date defaults to the department's turnaround in working days. Audited."""
    account = get_writable_account(session, user, data.account_id)
    problems: list[FieldProblem] = []
    dept = reading.department(session, data.department_id)
    if dept is None or not dept.is_active:
        problems.append(FieldProblem("department_id", f"no department {data.department_id}"))
        dept = None
    values = _common(session, problems, data, {"title", "attachments", "priority",
                                                "estimated_hours", "deliverable_type"})
    sections: dict[str, str] = {}
    due_on = data.due_on
    if dept is not None:
        sections, found = rules.check_sections(data.sections,
                                               reading.template(session, dept), dept.name)
        problems.extend(found)
        cal = access.calendar_of(session, dept)
        if due_on is None:
            due_on = agency_rules.default_due(cal, today, dept.turnaround_days)
        else:
            due_problem(session, problems, dept, cal, "due_on", due_on, today)
    if problems or dept is None or due_on is None:
        raise ValidationFailed(problems)
    now = utcnow()
    brief = Brief(account_id=account.id, department_id=dept.id, sections=sections,
                  status="draft", original_due_on=due_on, due_on=due_on, rounds=0, checks={},
                  created_by_id=user.id, created_at=now, updated_at=now, version=1, **values)
    session.add(brief)
    session.flush()
    log(session, user, brief, "create", None, today, due_on=due_on)
    audit.record(session, user, "create", reading.ENTITY, brief.id, after=facts(brief),
                 account_id=brief.account_id)
    session.refresh(brief)
    return reading.outs(session, user, [(brief, account.name)], today)[0]


def _current(brief: Brief) -> Any:
    return lambda: {"title": brief.title, "priority": brief.priority,
                    "due_on": versions.as_text(brief.due_on),
                    "deliverable_type": versions.as_text(brief.deliverable_type),
                    "estimated_hours": versions.as_text(brief.estimated_hours)}


def edit_brief(session: Session, user: User, brief_id: int, data: BriefPatch, today: date, *,
               version: int | None = None, expected: versions.Expected | None = None
               ) -> BriefOut:
    """Change the fields given (``data.model_fields_set``) of an open brief: its title,
    sections, attachments, priority, deliverable type, estimated hours — and its due date
    only while it is a draft (the original due date follows). Audited."""
    brief = reading.visible_brief(session, user, brief_id)
    access.require_account_side(session, user, brief)
    if not rules.is_open(brief.status):
        message = f"the brief is {brief.status}: it is closed"
        raise Conflict(message, errors=[{"field": "status", "message": message}])
    given = set(data.model_fields_set)
    problems: list[FieldProblem] = []
    values = _common(session, problems, data, given)
    dept = session.get(Department, brief.department_id)
    assert dept is not None
    if "sections" in given:
        values["sections"], found = rules.check_sections(
            data.sections, reading.template(session, dept), dept.name)
        problems.extend(found)
    if "due_on" in given and data.due_on != brief.due_on:
        if brief.status != "draft":
            problems.append(FieldProblem("due_on", "the due date changes only while the brief "
                                         "is a draft; after sending, the department proposes "
                                         "another"))
        elif data.due_on is None:
            problems.append(FieldProblem("due_on", "give the date it is due"))
        else:
            values["due_on"] = due_problem(session, problems, dept,
                                           access.calendar_of(session, dept), "due_on",
                                           data.due_on, today)
            values["original_due_on"] = values["due_on"]
    if "title" in given and data.title is None:
        problems.append(FieldProblem("title", "give the brief a title"))
    if "priority" in given and data.priority is None:
        values.pop("priority", None)
    if problems:
        raise ValidationFailed(problems)
    wanted = expected if expected is not None else (
        versions.Expected(version) if version is not None else None)
    versions.check(session, brief, wanted, "the brief", _current(brief))
    before = facts(brief)
    for key, value in values.items():
        setattr(brief, key, value)
    return saved(session, user, brief, "update", before, today)


def form_defaults(session: Session, department_id: int | None, today: date) -> dict[str, Any]:
    """A new brief's form for a department: its template and its default due date."""
    dept = reading.department(session, department_id)
    if dept is None or not dept.is_active:
        return {"department": None, "template": [], "due_on": None}
    due = agency_rules.default_due(access.calendar_of(session, dept), today,
                                   dept.turnaround_days)
    return {"department": {"id": dept.id, "name": dept.name,
                           "turnaround_days": dept.turnaround_days,
                           "time_zone": dept.time_zone},
            "template": reading.template(session, dept), "due_on": due}


def account_ref(session: Session, user: User, ref: str) -> int:
    """The id of the account ``ref`` names (for the shell): its external id, or its id."""
    text = ref.strip()
    try:
        return account_service.find_account_by_external_id(session, user, text).id
    except NotFound:
        if text.isdigit() and len(text) < 11 and 1 <= int(text) <= MAX_ID:
            return get_visible_account(session, user, int(text)).id
        raise


def department_ref(session: Session, user: User, ref: str) -> int:
    """The id of the department ``ref`` names: its id or its name."""
    return departments.find_department_ref(session, user, ref)
