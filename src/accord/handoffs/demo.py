"""Demo data of hand-offs, so the boxes are alive on ``make demo``.

Every company of the demo in ``onboarding`` (its first invoices are recent) has its hand-off
from the demo's sales user to its manager: some drafts half answered, some submitted in
time, some overdue, some returned with a reason (the sales user is on the account team
while it is open). One active company in forty, among the newest, has an accepted hand-off
with its quality kept; one active company in two hundred changed manager and has a hand-off
between managers (accepted, or waiting for the new manager).

Deterministic for a seed; rows written in bulk (``insert`` with many rows, ids given), no
audit entry per row (the demo load records one). Run after the accounts are loaded:
``seed_demo(session, seed=…, today=…)``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from accord.accounts import lifecycle
from accord.accounts.models import Account, AccountContact, AccountMember
from accord.core.database import is_sqlite
from accord.core.models import User
from accord.core.work_calendar import work_calendar
from accord.core.workdays import WorkCalendar, add_working_days
from accord.handoffs import rules
from accord.handoffs.models import Handoff, HandoffEvent, HandoffItem
from accord.handoffs.rules import ChecklistItem, HandoffKind, Item
from accord.handoffs.service import checklist, settings

CHUNK = 900
#: one accepted sales hand-off per this many active companies; one between managers per …
ACCEPTED_SHARE = 40
HANDOVER_SHARE = 200

RETURN_REASONS = (
    "The success criteria are too vague: what will the client measure, and by when?",
    "The billing contact is missing an e-mail address; finance needs it before the first "
    "invoice.",
    "Please attach the signed contract, not the draft.",
    "Open issues say 'none', but the client mentioned a delayed integration in the kick-off.",
    "Who are the decision makers beyond the buyer? I need the sponsor's name.",
)
TEXTS = {
    "decision_makers": "The CFO signs; the head of operations decides on renewals.",
    "sold_and_promised": "Two-year service contract, 3 sites; on-site support within 48 h.",
    "contract_term": "contract-{id}.pdf",
    "success_criteria": "Downtime below 2 % and invoices reconciled monthly by Q3.",
    "open_issues": "Integration with their ERP is scheduled for next month.",
    "billing_contact": "Accounts payable, billing@client.example",
    "first_review": "First business review planned for the end of the quarter.",
    "commitments": "Price review promised for the renewal; a training day in spring.",
    "key_people": "The CFO is supportive; the new buyer is sceptical of our prices.",
    "next_dates": "Renewal in six months; quarterly review next month.",
}
LINK = "https://files.example.com/clients/{id}/handoff"


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


class _Rows:
    """The rows of the hand-off tables, with their ids given as they are made."""

    def __init__(self, session: Session) -> None:
        columns: dict[str, Any] = {"handoff": Handoff.id, "item": HandoffItem.id,
                                   "event": HandoffEvent.id}
        self.next = {name: int(session.scalar(select(func.coalesce(func.max(c), 0))) or 0) + 1
                     for name, c in columns.items()}
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.members: list[dict[str, Any]] = []

    def add(self, name: str, **values: Any) -> int:
        row_id = self.next[name]
        self.next[name] += 1
        self.rows[name].append({"id": row_id, **values})
        return row_id


class _Writer:
    """Writes one hand-off: its items (answered as far as its state needs), its events."""

    def __init__(self, rows: _Rows, rng: random.Random, cal: WorkCalendar, today: date,
                 deadline_days: int, checklists: dict[HandoffKind, list[ChecklistItem]]) -> None:
        self.rows, self.rng, self.cal, self.today = rows, rng, cal, today
        self.deadline_days = deadline_days
        self.checklists = checklists

    def handoff(self, kind: HandoffKind, account_id: int, author: int | None,
                receiver: int | None, state: str, contact: int | None,
                opened: date, from_manager: int | None = None) -> None:
        rng = self.rng
        items = self.checklists[kind]
        answered = len(items) if state != "draft" else rng.randint(0, len(items) - 1)
        answers = [self._answer(item, account_id, contact) if i < answered else {}
                   for i, item in enumerate(items)]
        facts = [Item(item.key, item.required, a.get("answer_kind"))
                 for item, a in zip(items, answers, strict=True)]
        submitted = returned = accepted = due = None
        reason = None
        if state in ("submitted", "returned", "accepted"):
            sent = min(self.today, opened + timedelta(days=rng.randint(1, 6)))
            submitted, due = sent, add_working_days(self.cal, sent, self.deadline_days)
            if state == "returned":
                returned = min(self.today, sent + timedelta(days=rng.randint(1, 4)))
                reason, due = rng.choice(RETURN_REASONS), None
            elif state == "accepted":
                accepted = min(self.today, sent + timedelta(days=rng.randint(1, 9)))
        handoff_id = self.rows.add(
            "handoff", account_id=account_id, kind=kind.value, state=state, author_id=author,
            receiver_id=receiver, from_manager_id=from_manager, created_at=_moment(opened),
            submitted_at=_moment(submitted) if submitted else None, due_on=due,
            accepted_at=_moment(accepted, 15) if accepted else None,
            accepted_by_id=receiver if accepted else None,
            returned_at=_moment(returned, 15) if returned else None, return_reason=reason,
            quality=rules.quality(facts) if accepted else None, version=1,
        )
        for position, (item, answer) in enumerate(zip(items, answers, strict=True), start=1):
            self.rows.add(
                "item", handoff_id=handoff_id, key=item.key, label=item.label,
                required=item.required, position=position, hint=item.hint or None,
                answer_kind=answer.get("answer_kind"), answer=answer.get("answer"),
                contact_id=answer.get("contact_id"), interaction_id=None,
                na_reason=answer.get("na_reason"),
                answered_by_id=author if answer else None,
                answered_at=_moment(opened, 11) if answer else None,
            )
        steps: list[tuple[date | None, int | None, str | None, str, str | None]] = [
            (opened, author, None, "draft", None),
            (submitted, author, "draft", "submitted", None),
            (returned, receiver, "submitted", "returned", reason),
            (accepted, receiver, "submitted", "accepted", None),
        ]
        for day, by, before, after, why in steps:
            if day is not None:
                self.rows.add("event", handoff_id=handoff_id, at=_moment(day, 12), by_id=by,
                              from_state=before, to_state=after, reason=why)
        if state != "accepted" and author is not None and author != receiver:
            self.rows.members.append({"account_id": account_id, "user_id": author,
                                      "role": lifecycle.AUTHOR_ROLE})

    def _answer(self, item: ChecklistItem, account_id: int, contact: int | None) -> dict[str, Any]:
        roll = self.rng.random()
        if roll < 0.12 and not item.key.startswith("decision"):
            return {"answer_kind": "not_applicable", "na_reason": "Not discussed in this sale."}
        if item.key in ("decision_makers", "billing_contact", "key_people") and contact:
            return {"answer_kind": "contact", "contact_id": contact,
                    "answer": TEXTS.get(item.key)}
        if item.key == "contract_term":
            return {"answer_kind": "file", "answer": TEXTS[item.key].format(id=account_id)}
        if roll > 0.9:
            return {"answer_kind": "link", "answer": LINK.format(id=account_id)}
        return {"answer_kind": "text", "answer": TEXTS.get(item.key, "See the CRM notes.")}


def _open_state(rng: random.Random) -> tuple[str, int]:
    """The state of an onboarding company's hand-off and how many days ago it was opened."""
    roll = rng.random()
    if roll < 0.35:
        return "draft", rng.randint(0, 20)
    if roll < 0.6:
        return "submitted", rng.randint(1, 7)  # submitted lately: in time
    if roll < 0.8:
        return "submitted", rng.randint(22, 45)  # the deadline has passed: overdue
    return "returned", rng.randint(5, 25)


def seed_demo(session: Session, *, seed: int, today: date) -> int:
    """Hand-offs for the demo portfolio's accounts that have none yet; how many written."""
    sales = session.scalar(
        select(User.id).where(User.role == "sales", User.is_active).order_by(User.id).limit(1)
    )
    done = set(session.scalars(select(Handoff.account_id).distinct()))
    companies = session.execute(
        select(Account.id, Account.status, Account.manager_id, Account.created_at)
        .where(Account.kind == "company", Account.manager_id.is_not(None))
        .order_by(Account.id)
    ).all()
    onboarding = [a for a in companies if a.status == "onboarding" and a.id not in done]
    active = [a for a in companies if a.status == "active" and a.id not in done]
    newest = sorted(active, key=lambda a: (a.created_at, a.id), reverse=True)
    accepted = sorted(newest[: max(1, len(active) // ACCEPTED_SHARE)], key=lambda a: a.id)
    taken = {a.id for a in accepted}
    handover = [a for a in active[:: HANDOVER_SHARE] if a.id not in taken]
    if not (onboarding or accepted or handover):
        return 0
    rng = random.Random(f"handoffs:{seed}")
    rows = _Rows(session)
    writer = _Writer(rows, rng, work_calendar(session), today,
                     settings(session).deadline_working_days,
                     {kind: list(checklist(session, kind).items) for kind in HandoffKind})
    contacts = _first_contacts(session, [a.id for a in (*onboarding, *accepted, *handover)])
    peers = _team_peers(session)
    for account in onboarding:
        state, ago = _open_state(rng)
        writer.handoff(HandoffKind.SALES, account.id, sales, account.manager_id, state,
                       contacts.get(account.id), today - timedelta(days=ago))
    for account in accepted:
        writer.handoff(HandoffKind.SALES, account.id, sales, account.manager_id, "accepted",
                       contacts.get(account.id), today - timedelta(days=rng.randint(60, 200)))
    for account in handover:
        mates = peers.get(account.manager_id or 0, [])
        leaving = next((p for p in mates if p != account.manager_id), None)
        if leaving is None:
            continue
        state = "accepted" if rng.random() < 0.6 else "submitted"
        writer.handoff(HandoffKind.MANAGER, account.id, leaving, account.manager_id, state,
                       contacts.get(account.id), today - timedelta(days=rng.randint(3, 90)),
                       from_manager=leaving)
    _insert(session, rows)
    return len(rows.rows["handoff"])


def _first_contacts(session: Session, ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(ids)):
        for account_id, contact_id in session.execute(
            select(AccountContact.account_id, func.min(AccountContact.contact_id))
            .where(AccountContact.account_id.in_(chunk))
            .group_by(AccountContact.account_id)
        ):
            found[account_id] = contact_id
    return found


def _team_peers(session: Session) -> dict[int, list[int]]:
    """Each manager's team mates (managers of the same team), for hand-overs."""
    teams: dict[int, list[int]] = defaultdict(list)
    for user_id, team_id in session.execute(
        select(User.id, User.team_id).where(User.role == "manager", User.team_id.is_not(None))
        .order_by(User.id)
    ):
        teams[team_id or 0].append(user_id)
    return {m: members for members in teams.values() for m in members}


def _insert(session: Session, rows: _Rows) -> None:
    tables: tuple[tuple[str, Any], ...] = (
        ("handoff", Handoff.__table__), ("item", HandoffItem.__table__),
        ("event", HandoffEvent.__table__),
    )
    for name, table in tables:  # core executemany, in batches
        batch = rows.rows[name]
        for start in range(0, len(batch), 5000):
            session.execute(insert(table), batch[start:start + 5000])
    members = {(m["account_id"], m["user_id"]): m for m in rows.members}
    if members:
        existing: set[tuple[int, int]] = set()
        for chunk in _chunks(sorted({a for a, _ in members})):
            existing.update(session.execute(
                select(AccountMember.account_id, AccountMember.user_id)
                .where(AccountMember.account_id.in_(chunk))
            ).all())
        fresh = [m for key, m in sorted(members.items()) if key not in existing]
        for start in range(0, len(fresh), 5000):
            session.execute(insert(AccountMember), fresh[start:start + 5000])
    if not is_sqlite(session):
        for table in ("handoffs", "handoff_items", "handoff_events"):
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            ))

