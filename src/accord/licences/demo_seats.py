"""The demo's seats (issue 15): each software client's tenant — its e-mail domain, the
people who hold seats (licence users, apart from the relationship contacts), their
assignments to the services bought, and the last activity a usage report would show.

Subscriptions are filled to different degrees and used to different degrees, so that the
Licences page has clients to up-sell (nearly every seat assigned and used), clients at risk
(seats assigned and idle) and the ordinary middle: the profiles go round per manager, so a
manager with two subscriptions or more sees an up-sell and a risk. A tenant is capped at
``MAX_PEOPLE`` people to keep the demo quick.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.database import utcnow
from accord.growth.models import Sku
from accord.licences import rules
from accord.licences.models import (
    AccountDomain,
    LicenceUser,
    SeatActivity,
    SeatAssignment,
    SkuService,
    Subscription,
    SubscriptionTerm,
)

#: the workloads of each product, as the Microsoft 365 usage report names them (lower case)
WORKLOADS: dict[str, tuple[str, ...]] = {
    "M365-E3": ("exchange", "onedrive", "sharepoint", "teams", "yammer"),
    "M365-E5": ("exchange", "onedrive", "sharepoint", "teams", "yammer"),
    "M365-BP": ("exchange", "onedrive", "sharepoint", "teams"),
    "TEAMS-PHONE": ("teams",),
}
MAX_PEOPLE = 400
#: (share of the seats assigned, share of the assigned seats used lately): up-sell, risk,
#: the ordinary middle
PROFILES = ((0.97, 0.92), (0.85, 0.25), (0.70, 0.70), (0.80, 0.60))
FIRST = ("Ada", "Ben", "Chloé", "Dev", "Elif", "Finn", "Gita", "Hugo", "Ines", "Jonas",
         "Kemal", "Lea", "Mia", "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tara")
LAST = ("Adler", "Berg", "Costa", "Dumont", "Eriksen", "Fischer", "Garcia", "Hansen",
        "Ivanov", "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Olsen", "Petit")
DEPARTMENTS = ("Sales", "Finance", "IT", "Operations", "Marketing", "Legal")


def _domain(name: str, account_id: int) -> str:
    word = "".join(c for c in name.lower() if c.isalnum())[:20] or "client"
    return f"{word}-{account_id}.example"


def _in_force(session: Session, today: date) -> dict[int, tuple[int, int, int, str]]:
    """Subscriptions providing seats today: id → (account, sku, quantity, sku code)."""
    rows = session.execute(
        select(Subscription, Sku.code).join(Sku, Sku.id == Subscription.sku_id)
        .order_by(Subscription.id)).all()
    terms: dict[int, list[rules.Term]] = defaultdict(list)
    for t in session.scalars(select(SubscriptionTerm).order_by(SubscriptionTerm.effective_on)):
        terms[t.subscription_id].append(rules.Term(t.effective_on, t.quantity, t.unit_price))
    found: dict[int, tuple[int, int, int, str]] = {}
    for sub, code in rows:
        cover = rules.Cover(sub.status, sub.start_on, sub.end_on, sub.auto_renew, sub.ended_on)
        term = rules.term_in_force(terms[sub.id], today)
        if rules.provides_seats_on(cover, today) and term is not None and term.quantity:
            found[sub.id] = (sub.account_id, sub.sku_id, term.quantity, code)
    return found


def seed_seats(session: Session, *, seed: int, today: date) -> int:
    """Tenants, licence users, seats and activity for the demo's subscriptions; returns how
    many seats were assigned (0 when some licence users exist)."""
    if session.scalar(select(LicenceUser.id).limit(1)) is not None:
        return 0
    rng = random.Random(seed * 104729 + 15)
    skus = dict(session.execute(select(Sku.code, Sku.id)).all())
    session.execute(insert(SkuService), [
        {"sku_id": skus[code], "service": w} for code, ws in WORKLOADS.items()
        if code in skus for w in ws])
    per_account: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for account, sku, quantity, code in _in_force(session, today).values():
        per_account[account].append((sku, quantity, code))
    accounts = {int(i): (name, manager) for i, name, manager in session.execute(
        select(Account.id, Account.name, Account.manager_id)
        .where(Account.id.in_(per_account)))}
    turns: dict[int | None, int] = defaultdict(int)  # the next profile per manager
    now = utcnow()
    seats = 0
    for account in sorted(per_account):
        name, manager = accounts[account]
        domain = _domain(name, account)
        session.add(AccountDomain(domain=domain, account_id=account, created_at=now))
        bought = per_account[account]
        people = min(MAX_PEOPLE, sum(q for _, q, _ in bought))
        session.execute(insert(LicenceUser), [{
            "account_id": account, "principal": f"user{i:04d}@{domain}",
            "display_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "department": rng.choice(DEPARTMENTS), "blocked": False,
            "created_at": now, "updated_at": now} for i in range(people)])
        ids = list(session.scalars(select(LicenceUser.id).where(
            LicenceUser.account_id == account).order_by(LicenceUser.id)))
        seats += _assign(session, rng, account, ids, bought, turns, manager, today)
    session.flush()
    return seats


def _assign(session: Session, rng: random.Random, account: int, people: list[int],
            bought: list[tuple[int, int, str]], turns: dict[int | None, int],
            manager: int | None, today: date) -> int:
    assignments: list[dict[str, object]] = []
    activity: dict[tuple[int, str], date] = {}
    start = 0
    for sku, quantity, code in bought:
        if code in WORKLOADS:  # a product the usage report covers takes the next profile
            allocated, used = PROFILES[turns[manager] % len(PROFILES)]
            turns[manager] += 1
        else:  # its holders' use is their use of anything: the middle
            allocated, used = PROFILES[-1]
        # each product's holders follow the previous product's in the tenant, so that
        # products share people only in tenants at the cap (a person's use of Exchange
        # counts for every product of theirs that includes it)
        rotated = people[start:] + people[:start]
        held = rotated[:min(len(people), int(quantity * allocated))]
        start = (start + quantity) % len(people)
        for person in held:
            assignments.append({
                "account_id": account, "licence_user_id": person, "sku_id": sku,
                "from_on": today - timedelta(days=rng.randint(20, 400)), "to_on": None,
                "source": "import"})
            workloads = WORKLOADS.get(code, ())
            if not workloads:
                continue
            recent = rng.random() < used
            for workload in rng.sample(workloads, k=rng.randint(1, len(workloads))):
                ago = rng.randint(0, 25) if recent else rng.randint(35, 200)
                day = today - timedelta(days=ago)
                key = (person, workload)
                activity[key] = max(day, activity.get(key, day))
    if assignments:
        session.execute(insert(SeatAssignment), assignments)
    if activity:
        session.execute(insert(SeatActivity), [
            {"licence_user_id": p, "service": w, "last_active_on": d,
             "reported_on": today - timedelta(days=2)} for (p, w), d in activity.items()])
    return len(assignments)
