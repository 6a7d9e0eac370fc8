"""Chasing client inputs: the daily job that turns due chases into follow-ups (or escalates
to the head), "mark as sent", and the hook that does the same when a chase's follow-up is
completed from My day or the follow-ups pages.

- ``run_chases(session, today)``: every open request whose next chase is due by ``today``
  (and not escalated) gets one step, decided by ``rules.decide``: a **chase** — a follow-up
  due today ("Chase <contact>: <title> (chase k)", source ``input_request``) for whoever can
  act on it (``owners.chaser``: the request's owner if they still see the account and may
  change it, else the account's manager if they may, else the head of the manager's team,
  else the first active admin), an ``InputChase`` row, the next chase ``chase_days``
  working days later — or, once ``escalate_after`` chases went unanswered, an
  **escalation**: a follow-up for the head of the team of the account's manager (none: the
  first active admin), and no more chases. One run at a time: it takes the job's lock
  (``core.single_flight.lock``) and locks the due requests ``FOR UPDATE SKIP LOCKED`` (a
  request being received or cancelled meanwhile is left alone); a step moves
  ``next_chase_on`` past today, so a second run the same day (or one that waited for the
  lock) finds nothing. Audited as the job's operator (``job:input_chases``).
- ``mark_chase_sent``: the chase is sent today, an e-mail interaction with the request's
  contact is logged ("Chased: <title> (chase k)", through ``accounts.contacts`` so the
  account's touches are kept) and the chase's follow-up completed.
- ``follow_up_closed`` (registered with ``calendar.followups.hooks`` by ``app.wiring``):
  completing a chase's follow-up marks the chase sent, logging the interaction unless the
  follow-up was closed by logging one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts import contacts
from accord.accounts.models import Account, AccountContact, Contact, InteractionKind
from accord.accounts.schemas import InteractionIn
from accord.accounts.visibility import get_writable_account, visible_accounts
from accord.agency import settings as agency_settings
from accord.agency.inputs import owners, queries, rules
from accord.agency.inputs.reading import ENTITY, account_defaults, get_input
from accord.agency.inputs.schemas import ChaseRun, InputDetail
from accord.agency.models import Brief, InputChase, InputRequest
from accord.calendar.followups import service as follow_ups
from accord.calendar.jobs.builtin import operator
from accord.calendar.models import FollowUp
from accord.core import audit, single_flight
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID
from accord.core.work_calendar import work_calendar

JOB = "input_chases"


def _notes(row: InputRequest, contact: Contact | None, brief_title: str | None,
           number: int) -> str:
    lines = [f"Client input request #{row.id}: {row.title}, due {row.due_on.isoformat()}.",
             f"Open /inputs/{row.id} for the drafted e-mail (chase {number})."]
    if contact is not None:
        lines.append(f"Ask {contact.name}" + (f" <{contact.email}>" if contact.email else "")
                     + ".")
    if brief_title:
        lines.append(f"It blocks the brief \"{brief_title}\".")
    return "\n".join(lines)


def run_chases(session: Session, today: date, *, actor: User | None = None
               ) -> dict[str, Any]:
    """One step for every open request whose chase is due by ``today`` (see the module)."""
    actor = actor or operator(JOB)
    single_flight.lock(session, JOB)  # one run at a time: a second one waits, finds nothing
    rows = list(session.scalars(
        select(InputRequest).where(InputRequest.status == "open",
                                   InputRequest.next_chase_on.is_not(None),
                                   InputRequest.next_chase_on <= today)
        .order_by(InputRequest.next_chase_on, InputRequest.id)
        # a request being received or cancelled right now is left to that change
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)))
    result = ChaseRun(today=today, chased=0, escalated=0, follow_ups=[])
    if not rows:
        return result.model_dump(mode="json")
    policy = agency_settings.policy(session)
    cal = work_calendar(session)
    accounts = {a.id: a for a in session.scalars(
        select(Account).where(Account.id.in_({r.account_id for r in rows})))}
    contact_ids = {r.contact_id for r in rows if r.contact_id}
    people = {c.id: c for c in session.scalars(
        select(Contact).where(Contact.id.in_(contact_ids)))} if contact_ids else {}
    brief_ids = {r.brief_id for r in rows if r.brief_id}
    briefs = dict(session.execute(select(Brief.id, Brief.title).where(
        Brief.id.in_(brief_ids))).all()) if brief_ids else {}
    user_ids = {u for r in rows for u in (r.owner_id, accounts[r.account_id].manager_id) if u}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))} \
        if user_ids else {}
    defaults = account_defaults(session, set(accounts))
    for row in rows:
        account = accounts[row.account_id]
        contact = people.get(row.contact_id) if row.contact_id else None
        before = {"chases": row.chases, "next_chase_on": row.next_chase_on,
                  "escalated_on": None}
        number = row.chases + 1
        if rules.decide(row.chases, policy.escalate_after) == rules.CHASE:
            owner = owners.chaser(
                session, row.account_id, owner=users.get(row.owner_id or 0),
                manager=users.get(account.manager_id or 0), manager_id=account.manager_id)
            follow_up = None
            if owner is not None:
                follow_up = follow_ups.open_system_follow_up(
                    session, actor, account_id=row.account_id,
                    title=f"Chase {contact.name if contact else 'the client'}: {row.title} "
                          f"(chase {number})",
                    notes=_notes(row, contact, briefs.get(row.brief_id or 0), number),
                    due_on=today, owner_id=owner.id, source_kind=rules.SOURCE_KIND,
                    source_id=row.id)
                result.follow_ups.append(follow_up.id)
            session.add(InputChase(request_id=row.id, number=number, due_on=today,
                                   follow_up_id=follow_up.id if follow_up else None,
                                   status="due"))
            days = rules.resolve_chase_days(row.chase_days, defaults.get(row.account_id),
                                            policy.default_chase_days)
            row.chases = number
            row.next_chase_on = rules.next_chase_on(cal, today, days)
            result.chased += 1
            action = "chase"
        else:
            head = owners.head_for(session, account.manager_id)
            if head is not None:
                follow_up = follow_ups.open_system_follow_up(
                    session, actor, account_id=row.account_id,
                    title=f"Escalated: {account.name}: {row.title} — no answer after "
                          f"{row.chases} chases",
                    notes=_notes(row, contact, briefs.get(row.brief_id or 0), row.chases)
                    + f"\nThe client has not answered {row.chases} chases: over to you.",
                    due_on=today, owner_id=head.id, source_kind=rules.SOURCE_KIND,
                    source_id=row.id)
                result.follow_ups.append(follow_up.id)
            row.escalated_on, row.escalated_to_id = today, head.id if head else None
            row.next_chase_on = None
            result.escalated += 1
            action = "escalate"
        session.flush()
        audit.record(session, actor, action, ENTITY, row.id, before=before,
                     after={"chases": row.chases, "next_chase_on": row.next_chase_on,
                            "escalated_on": row.escalated_on,
                            "escalated_to_id": row.escalated_to_id},
                     account_id=row.account_id)
    return result.model_dump(mode="json")


def chase_now(session: Session, user: User, today: date) -> ChaseRun:
    """Run the chases now over every account (admins only — a head would reach accounts
    they do not see: the page's button, the API, ``accord inputs chase`` as the
    operator)."""
    require_role(user, Role.ADMIN)
    return ChaseRun.model_validate(run_chases(session, today, actor=user))


# ---------------------------------------------------------------- sent


def _log(session: Session, user: User, row: InputRequest, chase: InputChase,
         today: date) -> int:
    """Log the chase as an e-mail interaction with the request's contact."""
    linked = row.contact_id is not None and session.scalar(
        select(AccountContact.contact_id).where(AccountContact.account_id == row.account_id,
                                                AccountContact.contact_id == row.contact_id)
    ) is not None
    if user.id is None:  # the operator (a command without --as): the owner sent it
        owner = session.get(User, row.owner_id) if row.owner_id else None
        user = owner if owner is not None and owner.is_active else user
    if user.id is None:
        raise ValidationFailed([FieldProblem("user", "the request has no owner to log the "
                                             "chase for: act as a user (--as EMAIL)")])
    logged = contacts.log_interaction(
        session, user, row.account_id,
        InteractionIn(kind=InteractionKind.EMAIL, occurred_on=today,
                      summary=f"Chased: {row.title} (chase {chase.number})",
                      contact_ids=[row.contact_id] if linked and row.contact_id else []),
        today=today)
    return logged.id


def _sent(session: Session, user: User, row: InputRequest, chase: InputChase, today: date,
          interaction_id: int | None) -> None:
    iid = interaction_id if interaction_id is not None else _log(session, user, row, chase,
                                                                 today)
    chase.status, chase.sent_on, chase.interaction_id = "sent", today, iid
    session.flush()
    audit.record(session, user, "chase_sent", ENTITY, row.id,
                 after={"chase": chase.number, "sent_on": today, "interaction_id": iid},
                 account_id=row.account_id)


def mark_chase_sent(session: Session, user: User, chase_id: int, today: date) -> InputDetail:
    """The chase's e-mail went out today: the chase sent, an interaction logged, its
    follow-up done. A chase out of reach is a 404 (``no chase N``)."""
    if not 1 <= chase_id <= MAX_ID:
        raise NotFound(f"no chase {chase_id}")
    found = session.execute(
        select(InputChase, InputRequest)
        .join(InputRequest, InputRequest.id == InputChase.request_id)
        .join(Account, Account.id == InputRequest.account_id)
        .where(InputChase.id == chase_id, visible_accounts(user))).first()
    if found is None:
        raise NotFound(f"no chase {chase_id}")
    chase, row = found
    get_writable_account(session, user, row.account_id)
    row = queries.lock_request(session, row.id)  # then its state, as it is now
    session.refresh(chase)
    if row.status != "open" or chase.status != "due":
        what = "was already sent" if chase.status == "sent" else "is closed"
        raise ValidationFailed([FieldProblem("status", f"chase {chase.number} {what}")])
    _sent(session, user, row, chase, today, None)
    if chase.follow_up_id is not None:
        status = session.scalar(select(FollowUp.status).where(
            FollowUp.id == chase.follow_up_id))
        if status in ("open", "snoozed"):
            follow_ups.complete(session, user, chase.follow_up_id, today,
                                interaction=chase.interaction_id)
    return get_input(session, user, row.id, today)


def follow_up_closed(session: Session, user: User, follow_up: FollowUp,
                     interaction_id: int | None, today: date) -> None:
    """The hook: a chase's follow-up was completed — the chase is sent (once)."""
    chase = session.scalar(select(InputChase).where(InputChase.follow_up_id == follow_up.id))
    if chase is None:
        return  # an escalation's follow-up
    row = queries.lock_request(session, chase.request_id)
    session.refresh(chase)
    if chase.status != "due" or row.status != "open":
        return  # already sent, or the request closed
    _sent(session, user, row, chase, today, interaction_id)
