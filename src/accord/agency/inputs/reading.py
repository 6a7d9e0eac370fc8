"""Reading client inputs: one (through its account's visibility), an account's panel for the
Work tab, the filtered and paged list, and the rows as the doors show them.

Inputs are account data: whoever sees the account sees its inputs (a ``specialist``, who
sees no account, sees none). A request out of reach is answered like a missing one (404,
``no input request N``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountContact, Contact
from accord.accounts.search import ESCAPE, like_pattern
from accord.accounts.visibility import (
    can_write,
    get_visible_account,
    get_visible_row,
    visible_filter,
)
from accord.agency import rules as agency_rules
from accord.agency import settings as agency_settings
from accord.agency.inputs import queries, rules
from accord.agency.inputs.schemas import (
    MAX_PAGE_SIZE,
    SORTS,
    STATUS_FILTERS,
    ChaseOut,
    Filters,
    InputDetail,
    InputOut,
    InputPage,
    InputsPanel,
    Ref,
)
from accord.agency.models import AccountChaseDefault, Brief, InputChase, InputRequest
from accord.calendar.models import FollowUp
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.schemas import UserRef

ENTITY = "input_request"
#: the most open requests the Work tab panel shows (the list has them all)
OPEN_SHOWN = 200
OPEN_BRIEF_STATES = agency_rules.OPEN_STATES  # the briefs a request may wait on


def _ref(user: User | None) -> UserRef | None:
    if user is None:
        return None
    return UserRef(id=user.id, email=user.email, name=user.name, role=user.role)


def account_defaults(session: Session, account_ids: set[int]) -> dict[int, int]:
    """The accounts' agreed chase intervals (those that have one)."""
    if not account_ids:
        return {}
    return {int(a): int(d) for a, d in session.execute(
        select(AccountChaseDefault.account_id, AccountChaseDefault.chase_days)
        .where(AccountChaseDefault.account_id.in_(sorted(account_ids)))).all()}


def outs(session: Session, rows: list[InputRequest], today: date) -> list[InputOut]:
    """The rows as the doors show them (a fixed number of statements for any number)."""
    if not rows:
        return []
    names = dict(session.execute(select(Account.id, Account.name).where(
        Account.id.in_({r.account_id for r in rows}))).all())
    contact_ids = {r.contact_id for r in rows if r.contact_id}
    contacts = {c.id: c for c in session.scalars(
        select(Contact).where(Contact.id.in_(contact_ids)))} if contact_ids else {}
    brief_ids = {r.brief_id for r in rows if r.brief_id}
    briefs = dict(session.execute(select(Brief.id, Brief.title).where(
        Brief.id.in_(brief_ids))).all()) if brief_ids else {}
    user_ids = {u for r in rows for u in (r.owner_id, r.escalated_to_id) if u}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))} \
        if user_ids else {}
    defaults = account_defaults(session, {r.account_id for r in rows})
    policy_days = agency_settings.policy(session).default_chase_days
    out = []
    for r in rows:
        contact = contacts.get(r.contact_id) if r.contact_id else None
        account_days = defaults.get(r.account_id)
        out.append(InputOut(
            id=r.id, account_id=r.account_id, account_name=names.get(r.account_id, ""),
            title=r.title, reason=r.reason or "",
            contact=Ref(id=contact.id, name=contact.name) if contact else None,
            contact_email=contact.email if contact else None,
            brief=Ref(id=r.brief_id, name=briefs.get(r.brief_id, ""))
            if r.brief_id and r.brief_id in briefs else None,
            due_on=r.due_on, overdue=rules.is_overdue(r.status, r.due_on, today),
            chase_days=r.chase_days,
            effective_chase_days=rules.resolve_chase_days(r.chase_days, account_days,
                                                          policy_days),
            chase_days_from=rules.chase_source(r.chase_days, account_days),
            status=r.status, requested_on=r.requested_on,
            owner=_ref(users.get(r.owner_id)) if r.owner_id else None,
            chases=r.chases, next_chase_on=r.next_chase_on, escalated_on=r.escalated_on,
            escalated_to=_ref(users.get(r.escalated_to_id)) if r.escalated_to_id else None,
            closed_on=r.closed_on, close_note=r.close_note, version=r.version))
    return out


def visible_input(session: Session, user: User, input_id: int) -> InputRequest:
    """The request if ``user`` sees its account; NotFound otherwise."""
    return get_visible_row(session, user, InputRequest, input_id, "input request")


def chase_outs(session: Session, row: InputRequest, out: InputOut,
               sender: User | None) -> list[ChaseOut]:
    """The request's chases, each with its drafted e-mail and ``mailto:`` link."""
    chases = session.execute(
        select(InputChase, FollowUp.status)
        .outerjoin(FollowUp, FollowUp.id == InputChase.follow_up_id)
        .where(InputChase.request_id == row.id).order_by(InputChase.number)).all()
    items = []
    for chase, fu_status in chases:
        draft = rules.draft_email(
            title=row.title, due_on=row.due_on, number=chase.number,
            contact_name=out.contact.name if out.contact else None,
            brief_title=out.brief.name if out.brief else None, reason=row.reason or "",
            sender_name=sender.name if sender else None, account_name=out.account_name)
        items.append(ChaseOut(
            id=chase.id, number=chase.number, due_on=chase.due_on, status=chase.status,
            sent_on=chase.sent_on, follow_up_id=chase.follow_up_id,
            follow_up_status=fu_status, interaction_id=chase.interaction_id,
            subject=draft.subject, body=draft.body,
            mailto=rules.mailto_url(out.contact_email, draft.subject, draft.body)))
    return items


def get_input(session: Session, user: User, input_id: int, today: date) -> InputDetail:
    """One request with its chases (number, due date, follow-up, sent, drafted e-mail)."""
    row = visible_input(session, user, input_id)
    out = outs(session, [row], today)[0]
    sender = session.get(User, row.owner_id) if row.owner_id else None
    return InputDetail(**out.model_dump(), chase_list=chase_outs(session, row, out, sender),
                       can_write=can_write(user))


def account_inputs(session: Session, user: User, account_id: int, today: date, *,
                   recent: int = 10) -> InputsPanel:
    """The account's inputs for its Work tab: the open ones (by due date; the first
    ``OPEN_SHOWN``, with how many are open in all), the latest closed ones, and the
    account's agreed chase interval with the setting's default."""
    account = get_visible_account(session, user, account_id)
    open_rows = list(session.scalars(
        select(InputRequest).where(InputRequest.account_id == account.id,
                                   InputRequest.status == "open")
        .order_by(InputRequest.due_on, InputRequest.id).limit(OPEN_SHOWN)))
    open_total = len(open_rows)
    if open_total >= OPEN_SHOWN:  # capped: count them all (only then: one more statement)
        open_total = int(session.scalar(select(func.count()).select_from(InputRequest).where(
            InputRequest.account_id == account.id, InputRequest.status == "open")) or 0)
    closed_rows = list(session.scalars(
        select(InputRequest).where(InputRequest.account_id == account.id,
                                   InputRequest.status != "open")
        .order_by(InputRequest.closed_on.desc(), InputRequest.id.desc()).limit(recent)))
    items = outs(session, open_rows + closed_rows, today)
    account_days = account_defaults(session, {account.id}).get(account.id)
    policy_days = agency_settings.policy(session).default_chase_days
    return InputsPanel(
        account_id=account.id, account_name=account.name,
        open=items[:len(open_rows)], open_total=open_total, recent=items[len(open_rows):],
        account_chase_days=account_days, default_chase_days=policy_days,
        effective_chase_days=rules.resolve_chase_days(None, account_days, policy_days),
        can_write=can_write(user))


# ---------------------------------------------------------------- the list


def check_filters(f: Filters) -> None:
    problems: list[FieldProblem] = []
    if f.status not in STATUS_FILTERS:
        problems.append(FieldProblem("status", "one of " + ", ".join(STATUS_FILTERS)))
    if f.sort not in SORTS:
        problems.append(FieldProblem("sort", "one of " + ", ".join(SORTS)))
    if not 1 <= f.page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"from 1 to {MAX_PAGE_SIZE}"))
    if not 1 <= f.page <= 100_000:
        problems.append(FieldProblem("page", "from 1 to 100000"))
    if problems:
        raise ValidationFailed(problems)


def _conditions(session: Session, user: User, f: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [visible_filter(session, user)]
    if f.status != "all":
        where.append(InputRequest.status == f.status)
    if f.overdue:
        where.append(queries.overdue_sql(f.today))
    if f.escalated:
        where.append(InputRequest.escalated_on.is_not(None))
    if f.account_id is not None:
        where.append(InputRequest.account_id == f.account_id)
    if f.owner_id is not None:
        where.append(or_(InputRequest.owner_id == f.owner_id,
                         InputRequest.escalated_to_id == f.owner_id))
    for word in (f.q or "").split()[:8]:
        where.append(func.lower(InputRequest.title).like(like_pattern(word), escape=ESCAPE))
    return where


def _order(sort: str) -> list[Any]:
    if sort == "-due":
        return [InputRequest.due_on.desc(), InputRequest.id.desc()]
    if sort == "title":
        return [func.lower(InputRequest.title), InputRequest.id]
    if sort == "account":
        return [func.lower(Account.name), InputRequest.due_on, InputRequest.id]
    if sort == "requested":
        return [InputRequest.requested_on, InputRequest.id]
    if sort == "-requested":
        return [InputRequest.requested_on.desc(), InputRequest.id.desc()]
    if sort == "next_chase":
        return [InputRequest.next_chase_on.is_(None), InputRequest.next_chase_on,
                InputRequest.id]
    return [InputRequest.due_on, InputRequest.id]


def list_inputs(session: Session, user: User, filters: Filters) -> InputPage:
    """The requests on the accounts ``user`` sees, filtered, sorted and paged."""
    check_filters(filters)
    base = (select(InputRequest).join(Account, Account.id == InputRequest.account_id)
            .where(*_conditions(session, user, filters)))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(session.scalars(base.order_by(*_order(filters.sort))
                                .limit(filters.page_size)
                                .offset((filters.page - 1) * filters.page_size)))
    return InputPage(items=outs(session, rows, filters.today), total=int(total),
                     page=filters.page, page_size=filters.page_size)


# ---------------------------------------------------------------- form choices


def form_choices(session: Session, user: User, account_id: int) -> dict[str, Any]:
    """A new request's form: the account, its contacts and its open briefs."""
    account = get_visible_account(session, user, account_id)
    contacts = session.execute(
        select(Contact.id, Contact.name, Contact.email)
        .join(AccountContact, AccountContact.contact_id == Contact.id)
        .where(AccountContact.account_id == account.id)
        .order_by(func.lower(Contact.name), Contact.id).limit(500)).all()
    briefs = session.execute(
        select(Brief.id, Brief.title).where(Brief.account_id == account.id,
                                            Brief.status.in_(OPEN_BRIEF_STATES))
        .order_by(Brief.due_on, Brief.id).limit(500)).all()
    account_days = account_defaults(session, {account.id}).get(account.id)
    policy_days = agency_settings.policy(session).default_chase_days
    return {
        "account": {"id": account.id, "name": account.name},
        "contacts": [(str(c.id), f"{c.name} <{c.email}>" if c.email else c.name)
                     for c in contacts],
        "briefs": [(str(b.id), f"#{b.id} {b.title}") for b in briefs],
        "account_chase_days": account_days,
        "effective_chase_days": rules.resolve_chase_days(None, account_days, policy_days),
        "chase_days_from": rules.chase_source(None, account_days),
    }


def contact_by_email(session: Session, user: User, account_id: int, email: str) -> int:
    """The id of the account's contact with this e-mail address (the CLI's ``--contact``);
    a ValidationFailed on ``contact_id`` when the account has none."""
    account = get_visible_account(session, user, account_id)
    found = session.scalar(
        select(Contact.id).join(AccountContact, AccountContact.contact_id == Contact.id)
        .where(AccountContact.account_id == account.id,
               func.lower(Contact.email) == email.strip().lower()[:254])
        .order_by(Contact.id).limit(1))
    if found is None:
        raise ValidationFailed([FieldProblem("contact_id", f"no contact {email[:254]!r} at "
                                             "this account")])
    return int(found)
