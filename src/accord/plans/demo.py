"""Demo data of account plans: a plan for each key account of the demo portfolio.

The key accounts are those the selection matrix places in a key tier (Strategic or Star),
then the largest companies by revenue (``kam_revenue``) up to one account in twenty — the
large portfolio's 100,000 accounts get 5,000 plans. Each plan has the client's business,
goals, pain points, SWOT, risks, two to four key people from the account's contacts (the
first reporting to nobody, the others to the first), two or three objectives (tied to the
account's revenue, health or share of wallet, and one manual with dated updates) with
actions, some overdue, some done; about one plan in six has not been reviewed for longer
than the review interval, and one in ten has an earlier plan kept as history.

Deterministic for a seed; rows written in bulk (``insert`` with many rows, ids given).
Run after revenue, selection and health are seeded: ``seed_demo(session, seed=…, today=…)``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountContact
from accord.core.database import is_sqlite
from accord.plans import metrics, rules
from accord.plans.models import (
    AccountPlan,
    ObjectiveUpdate,
    PlanAction,
    PlanEntry,
    PlanKeyPerson,
    PlanObjective,
)
from accord.selection.models import KamRevenue
from accord.selection.queries import tier_case
from accord.selection.rules import KEY_TIERS

#: one plan per this many accounts at most
SHARE = 20
CHUNK = 900

BUSINESS = (
    "Makes {what} for customers across {where}; family-owned, growing by acquisition.",
    "A listed group producing {what}, with plants in {where} and a central purchasing team.",
    "Regional leader in {what}; sells mostly in {where}, moving to direct online sales.",
)
WHAT = ("packaging", "industrial pumps", "frozen food", "medical devices", "building materials",
        "car parts", "specialty chemicals", "furniture", "consumer electronics")
WHERE = ("Germany and Poland", "the Nordics", "France and Benelux", "Spain and Portugal",
         "Central Europe", "the UK and Ireland")
STRATEGY = ("Consolidate suppliers and cut lead times by a third.",
            "Expand into two new countries over the next 18 months.",
            "Automate the plants and move to a service contract model.",
            "Grow private-label volume while defending margins.")
BUDGETS = ("Capex of about 2 M€ approved for next year.", "Opex frozen until Q3; capex on hold.",
           "Budget set each October; our line is about 8 % of their indirect spend.", "")
VALUE = ("A reference customer in the segment and a strong margin contributor.",
         "Large volume at thin margins; strategic for plant utilisation.",
         "Door-opener to the group's other subsidiaries.")
GOALS = ("Cut supplier count by 30 %", "Open a second plant", "Reach carbon neutrality by 2030",
         "Reduce downtime below 2 %", "Launch the new product line", "Enter the US market")
PAINS = ("Late deliveries in peak season", "Invoices hard to reconcile", "Too many contacts on "
         "our side", "Quality issues on the last two batches", "Slow answers from support",
         "Prices rose faster than inflation")
SWOT = {
    "strengths": ("Long relationship with the CFO", "Our service team on site", "Best delivery "
                  "record among their suppliers"),
    "weaknesses": ("Price above the competition", "Single contact in purchasing", "No local "
                   "warehouse"),
    "opportunities": ("Their expansion to new plants", "Service contract renewal", "Cross-sell "
                      "the maintenance offer"),
    "threats": ("A competitor's aggressive pricing", "A new procurement director", "Budget "
                "freeze after a weak quarter"),
}
RISKS = ("Champion may leave after the reorganisation", "Contract up for tender next year",
         "Payment terms under pressure", "Single-sourcing policy could exclude us")
MANUAL = (("Reference visits hosted", Decimal(0), Decimal(3)),
          ("Sites covered by the service contract", Decimal(2), Decimal(6)),
          ("Joint innovation workshops held", Decimal(0), Decimal(4)))
ACTIONS = ("Quarterly business review", "Visit the new plant", "Send the renewal offer",
           "Introduce our service lead", "Workshop with their engineers", "Price review "
           "with purchasing", "Invite to the customer day")


def key_accounts(session: Session, accounts: int) -> list[int]:
    """The key-tier accounts, then the largest companies, up to ``accounts // SHARE``."""
    limit = max(1, accounts // SHARE)
    tiers = tier_case(session)
    chosen = sorted(a for a, t in tiers.items() if t in KEY_TIERS)[:limit]
    taken = set(chosen)
    largest = session.scalars(
        select(KamRevenue.account_id)
        .join(Account, Account.id == KamRevenue.account_id)
        .where(Account.kind == "company", Account.manager_id.is_not(None))
        .order_by(KamRevenue.current_cents.desc(), KamRevenue.account_id)
        .limit(limit + len(chosen))
    )
    for account_id in largest:
        if len(chosen) >= limit:
            break
        if account_id not in taken:
            chosen.append(account_id)
            taken.add(account_id)
    return chosen


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _next_ids(session: Session) -> dict[str, int]:
    columns: dict[str, Any] = {
        "plan": AccountPlan.id, "entry": PlanEntry.id, "person": PlanKeyPerson.id,
        "objective": PlanObjective.id, "update": ObjectiveUpdate.id, "action": PlanAction.id,
    }
    return {name: int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1
            for name, column in columns.items()}


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC)


class _Rows:
    """The rows of every plan table, with their ids given as they are made."""

    def __init__(self, first: dict[str, int]) -> None:
        self.next = dict(first)
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add(self, name: str, **values: Any) -> int:
        row_id = self.next[name]
        self.next[name] += 1
        self.rows[name].append({"id": row_id, **values})
        return row_id


def _plan(rows: _Rows, rng: random.Random, account: Any, contacts: list[tuple[int, str | None]],
          figures: dict[tuple[int, str], Decimal | None], today: date) -> None:
    manager = account.manager_id
    stale = rng.random() < 0.17
    starts = today - timedelta(days=rng.randint(120, 300) if stale else rng.randint(20, 200))
    horizon = rng.choice((6, 12, 12, 12, 18))
    if rng.random() < 0.1:  # an earlier plan, kept as history
        old_start = starts - timedelta(days=365)
        rows.add("plan", account_id=account.id, horizon_months=12, starts_on=old_start,
                 ends_on=rules.plan_end(old_start, 12), is_current=False,
                 business=rng.choice(BUSINESS).format(what=rng.choice(WHAT),
                                                      where=rng.choice(WHERE)),
                 strategy="", budgets="", value_to_us=rng.choice(VALUE), shared_sections=[],
                 last_reviewed_on=old_start + timedelta(days=80), created_by_id=manager,
                 created_at=_moment(old_start), updated_at=_moment(starts),
                 archived_at=_moment(starts), version=1)
    reviewed = None if stale and rng.random() < 0.5 else (
        starts + timedelta(days=rng.randint(0, 15)) if stale
        else min(today, starts + timedelta(days=rng.randint(0, 60))))
    plan_id = rows.add(
        "plan", account_id=account.id, horizon_months=horizon, starts_on=starts,
        ends_on=rules.plan_end(starts, horizon), is_current=True,
        business=rng.choice(BUSINESS).format(what=rng.choice(WHAT), where=rng.choice(WHERE)),
        strategy=rng.choice(STRATEGY), budgets=rng.choice(BUDGETS),
        value_to_us=rng.choice(VALUE),
        shared_sections=sorted(rng.sample(("business", "goals", "objectives", "key_people"),
                                          rng.randint(0, 3)),
                               key=rules.SECTIONS.index),
        last_reviewed_on=reviewed, created_by_id=manager, created_at=_moment(starts),
        updated_at=_moment(reviewed or starts), archived_at=None, version=1,
    )
    lists = {"goals": GOALS, "pain_points": PAINS, **SWOT, "risks": RISKS}
    for section, choices in lists.items():
        for position, line in enumerate(rng.sample(choices, rng.randint(1, 2))):
            rows.add("entry", plan_id=plan_id, section=section, text=line, position=position)
    people = contacts[: rng.randint(2, 4)]
    for i, (contact_id, role) in enumerate(people):
        rows.add("person", plan_id=plan_id, contact_id=contact_id, buying_role=role,
                 reports_to_contact_id=None if i == 0 else people[0][0],
                 note="Met at the last business review" if i == 0 else None)
    _objectives(rows, rng, plan_id, account, figures, starts, today)


def _objectives(rows: _Rows, rng: random.Random, plan_id: int, account: Any,
                figures: dict[tuple[int, str], Decimal | None], starts: date,
                today: date) -> None:
    tied: list[tuple[str, str, Decimal, Decimal]] = []
    revenue = figures.get((account.id, "revenue_12m"))
    if revenue:
        base = (revenue * Decimal(rng.randint(85, 100)) / 100).quantize(Decimal(1))
        tied.append(("Grow the account's revenue", "revenue_12m", base,
                     (base * Decimal(rng.randint(115, 140)) / 100).quantize(Decimal(1000))))
    health = figures.get((account.id, "health"))
    if health is not None and health < 85:
        tied.append(("Bring the relationship to green", "health", health, Decimal(85)))
    wallet = figures.get((account.id, "share_of_wallet"))
    if wallet is not None and wallet < Decimal("0.8"):
        tied.append(("Win a larger share of their spend", "share_of_wallet",
                     wallet.quantize(Decimal("0.01")),
                     min(Decimal(1), wallet + Decimal("0.1")).quantize(Decimal("0.01"))))
    title, baseline, target = rng.choice(MANUAL)
    chosen = rng.sample(tied, min(len(tied), rng.randint(1, 2)))
    due = starts + timedelta(days=rng.randint(150, 360))
    for position, (name, metric, base, goal) in enumerate(
        [*chosen, (title, rules.MANUAL, baseline, target)]
    ):
        objective_id = rows.add(
            "objective", plan_id=plan_id, title=name, metric=metric, baseline=base,
            target=goal, owner_id=account.manager_id, due_on=due, position=position,
            created_at=_moment(starts), version=1,
        )
        if metric == rules.MANUAL:
            value = base
            for step in range(rng.randint(0, 2)):
                value += 1
                rows.add("update", objective_id=objective_id, value=value,
                         noted_on=min(today, starts + timedelta(days=30 * (step + 1))),
                         note="Agreed at the review meeting", by_id=account.manager_id)
        for _ in range(rng.randint(1, 2)):
            due_on = starts + timedelta(days=rng.randint(10, 200))
            done = due_on < today and rng.random() < 0.6
            rows.add("action", objective_id=objective_id, title=rng.choice(ACTIONS),
                     owner_id=account.manager_id, due_on=due_on,
                     status="done" if done else "open", done_on=due_on if done else None)


def seed_demo(session: Session, *, seed: int, today: date, accounts: int) -> int:
    """Plans for the demo's key accounts that have none yet (so it can run again on a
    portfolio loaded before plans existed). Returns how many current plans were written."""
    planned = set(session.scalars(
        select(AccountPlan.account_id).where(AccountPlan.is_current.is_(True))
    ))
    chosen = [a for a in key_accounts(session, accounts) if a not in planned]
    if not chosen:
        return 0
    rng = random.Random(f"plans:{seed}")
    rows = _Rows(_next_ids(session))
    written = 0
    for ids in _chunks(chosen):
        found = session.execute(
            select(Account.id, Account.manager_id).where(Account.id.in_(ids)).order_by(Account.id)
        ).all()
        contacts: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
        for account_id, contact_id, role in session.execute(
            select(AccountContact.account_id, AccountContact.contact_id,
                   AccountContact.buying_role)
            .where(AccountContact.account_id.in_(ids))
            .order_by(AccountContact.account_id, AccountContact.contact_id)
        ):
            contacts[account_id].append((contact_id, role))
        figures = metrics.current_values(session, ids, today=today)
        for account in found:
            _plan(rows, rng, account, contacts[account.id], figures, today)
            written += 1
    tables: tuple[tuple[str, Any], ...] = (
        ("plan", AccountPlan.__table__), ("entry", PlanEntry.__table__),
        ("person", PlanKeyPerson.__table__), ("objective", PlanObjective.__table__),
        ("update", ObjectiveUpdate.__table__), ("action", PlanAction.__table__),
    )
    for name, table in tables:  # core executemany: the ORM's bulk insert goes row by row here
        batch = rows.rows[name]
        for start in range(0, len(batch), 5000):
            session.execute(insert(table), batch[start:start + 5000])
    _advance_sequences(session)
    return written


def _advance_sequences(session: Session) -> None:
    if is_sqlite(session):
        return
    for table in ("account_plans", "plan_entries", "plan_key_people", "plan_objectives",
                  "objective_updates", "plan_actions"):
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        ))
