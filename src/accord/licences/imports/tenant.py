"""A Microsoft 365 tenant made to match a file: its people (licence users, upserted by sign-in
name), their seats (assignments of source ``import`` opened and closed), the people who left
(absent from the file, or deleted in a usage report: their seats freed) and, from a usage
report, the last activity per person and workload.

Set-based: the account's people, seats and activity are read once each, compared in Python,
and only the differences written in bulk (``bulk``): the same file twice writes nothing the
second time. Seats beyond the quantity purchased are written (the file is the tenant's
truth) and flagged (``over_assigned``), never refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, or_, select
from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.database import utcnow
from accord.core.models import User
from accord.growth.models import Sku
from accord.licences.imports import bulk
from accord.licences.imports.m365 import Person, Problem
from accord.licences.models import LicenceUser, SeatActivity, SeatAssignment
from accord.licences.seats.service import purchased, require_seat_writer
from accord.licences.seats.tenants import tenant_account

USERS = cast(Table, LicenceUser.__table__)
SEATS = cast(Table, SeatAssignment.__table__)
ACTIVITY = cast(Table, SeatActivity.__table__)
ENTITY = "licence_tenant"


@dataclass
class TenantOutcome:
    """What a tenant import did (``exchange`` adds it to the report)."""

    rows: int = 0
    inserted: int = 0  # people new to the account
    updated: int = 0  # people whose details, seats or activity changed
    unchanged: int = 0
    invalid_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    account_id: int | None = None
    as_of: date | None = None
    people_left: int = 0
    seats_assigned: int = 0
    seats_freed: int = 0
    #: services with more seats assigned than purchased that day ("E3: 12 assigned, 10 …")
    over_assigned: list[str] = field(default_factory=list)

    def refuse(self, line: int, column: str, reason: str) -> TenantOutcome:
        self.problems.append((line, column, reason))
        self.invalid_rows += 1
        return self


def tenant_of(session: Session, user: User, account_id: int | None,
              people: Iterable[Person]) -> int | None:
    """The account the file is imported into: the one given, else the one whose domains
    the sign-in names use most (None: no account lists them). 404/403 unless ``user`` may
    change its seats."""
    found = account_id if account_id is not None else tenant_account(
        session, (p.principal for p in people))
    if found is not None:
        require_seat_writer(session, user, found)
    return found


def no_tenant_reason(people: Iterable[Person]) -> str:
    domains = sorted({p.principal.rsplit("@", 1)[-1] for p in people})
    shown = ", ".join(domains[:3]) + (" …" if len(domains) > 3 else "")
    return (f"no account lists the tenant's domains ({shown or 'none'}): name the account "
            "(--account, account_id) or add a domain to it (accord seats domains)")


class _Sync:
    def __init__(self, session: Session, user: User, account_id: int, day: date,
                 managed: set[int]) -> None:
        self.session, self.user, self.account_id, self.day = session, user, account_id, day
        self.managed = managed
        self.now = utcnow()
        self.changed: set[int] = set()  # licence user ids
        self.out = TenantOutcome(account_id=account_id, as_of=day)

    # ------------------------------------------------------------ people
    def people(self, people: list[Person]) -> dict[str, int]:
        """Upsert the file's people; who is absent has left. The account's ids by name."""
        existing = {r[0]: r[1:] for r in self.session.execute(
            select(USERS.c.principal, USERS.c.id, USERS.c.display_name, USERS.c.department,
                   USERS.c.blocked, USERS.c.left_on).where(USERS.c.account_id == self.account_id))}
        self.left: dict[int, date] = {row[0]: row[4] for row in existing.values() if row[4]}
        new: list[tuple[Any, ...]] = []
        changes: list[tuple[Any, ...]] = []
        for p in people:
            row = existing.get(p.principal)
            if row is None:
                if p.left_on is None:  # one who left before Accord knew them is not kept
                    new.append((p.principal, p.display_name or "", p.department,
                                bool(p.blocked)))
                continue
            uid, name, department, blocked, left = row
            target = p.left_on if left is None else (left if p.left_on else None)
            now = (name if p.display_name is None else p.display_name,
                   p.department if p.has_department else department,
                   bool(blocked) if p.blocked is None else p.blocked, target)
            if (name, department, bool(blocked), left) != now:
                changes.append((uid, *now, self.now))
                self.changed.add(uid)
            self._leave(uid, left, target)
        in_file = {p.principal for p in people}
        for principal, (uid, name, department, blocked, left) in existing.items():
            if principal not in in_file and left is None:
                changes.append((uid, name, department, bool(blocked), self.day, self.now))
                self._leave(uid, None, self.day)
        bulk.update_rows(self.session, USERS, ["id"], ["display_name", "department",
                                                       "blocked", "left_on", "updated_at"],
                         changes)
        bulk.insert_rows(self.session, USERS, ["principal", "display_name", "department",
                                               "blocked"], new,
                         {"account_id": self.account_id, "created_at": self.now,
                          "updated_at": self.now})
        self.out.inserted = len(new)
        self.new = {row[0] for row in new}
        if not new:
            return {p: row[0] for p, row in existing.items()}
        return dict(self.session.execute(select(USERS.c.principal, USERS.c.id).where(
            USERS.c.account_id == self.account_id)).all())

    def _leave(self, uid: int, before: date | None, after: date | None) -> None:
        if after is None:
            self.left.pop(uid, None)
            return
        self.left[uid] = after
        if before is None:
            self.out.people_left += 1

    # ------------------------------------------------------------ seats
    def seats(self, want: Mapping[int, frozenset[int]]) -> None:
        """Open the seats the file shows, close those it no longer shows (of the services
        the product-name mapping knows) and every seat of a person who left. A seat counts
        as open from whatever day (a later import's included: a usage report is as of its
        refresh date, often before the day the Active users export was imported)."""
        held = self.session.execute(
            select(SEATS.c.id, SEATS.c.licence_user_id, SEATS.c.sku_id, SEATS.c.from_on)
            .where(SEATS.c.account_id == self.account_id,
                   or_(SEATS.c.to_on.is_(None), SEATS.c.to_on >= self.day))).all()
        pairs = set()
        ends: list[tuple[Any, ...]] = []
        gone: list[int] = []
        for seat_id, uid, sku_id, from_on in held:
            pairs.add((uid, sku_id))
            if uid in self.left:
                stop = min(self.left[uid], self.day)
            elif sku_id in self.managed and sku_id not in want.get(uid, frozenset()):
                stop = self.day
            else:
                continue
            self.changed.add(uid)
            if from_on >= stop:
                gone.append(seat_id)
            else:
                ends.append((seat_id, stop - timedelta(days=1)))
        bulk.delete_ids(self.session, SEATS, gone)
        bulk.update_rows(self.session, SEATS, ["id"], ["to_on"], ends)
        # who imported is the audit entry's (no ``created_by_id``: a NULL key costs
        # PostgreSQL no foreign-key check, a quarter of the insert's time)
        new = [(uid, sku_id) for uid, skus in want.items() for sku_id in sorted(skus)
               if (uid, sku_id) not in pairs and uid not in self.left]
        bulk.insert_rows(self.session, SEATS, ["licence_user_id", "sku_id"], new,
                         {"account_id": self.account_id, "from_on": self.day,
                          "source": "import", "created_at": self.now})
        self.changed.update(row[0] for row in new)
        self.out.seats_assigned, self.out.seats_freed = len(new), len(gone) + len(ends)

    # ------------------------------------------------------------ activity
    def activity(self, people: list[Person], ids: Mapping[str, int], reported_on: date) -> None:
        """The last activity per person and workload: a later date wins (an older report
        imported after a newer one moves nothing back)."""
        known = {(uid, service): (last, reported) for uid, service, last, reported in
                 self.session.execute(
                     select(ACTIVITY.c.licence_user_id, ACTIVITY.c.service,
                            ACTIVITY.c.last_active_on, ACTIVITY.c.reported_on)
                     .join(USERS, USERS.c.id == ACTIVITY.c.licence_user_id)
                     .where(USERS.c.account_id == self.account_id))}
        new: list[tuple[Any, ...]] = []
        changes: list[tuple[Any, ...]] = []
        for p in people:
            uid = ids.get(p.principal)
            if uid is None:
                continue
            for service, last in p.activity:
                old = known.get((uid, service))
                if old is None:
                    new.append((uid, service, last))
                    self.changed.add(uid)
                    continue
                dates = [d for d in (old[0], last) if d is not None]
                target = (max(dates) if dates else None, max(old[1], reported_on))
                if target != old:
                    changes.append((uid, service, *target))
                    self.changed.add(uid)
        bulk.update_rows(self.session, ACTIVITY, ["licence_user_id", "service"],
                         ["last_active_on", "reported_on"], changes)
        bulk.insert_rows(self.session, ACTIVITY, ["licence_user_id", "service",
                                                  "last_active_on"], new,
                         {"reported_on": reported_on})

    # ------------------------------------------------------------ the flag
    def over_assigned(self) -> list[str]:
        """Services whose seats held that day exceed the quantity purchased."""
        counts = self.session.execute(
            select(SEATS.c.sku_id, func.count()).where(
                SEATS.c.account_id == self.account_id, SEATS.c.from_on <= self.day,
                or_(SEATS.c.to_on.is_(None), SEATS.c.to_on >= self.day))
            .group_by(SEATS.c.sku_id)).all()
        names = dict(self.session.execute(select(Sku.id, Sku.name).where(
            Sku.id.in_([s for s, _ in counts]))).all())
        flags = []
        for sku_id, held in sorted(counts, key=lambda c: names.get(c[0], "")):
            bought = purchased(self.session, self.account_id, sku_id, self.day)
            if held > bought:
                flags.append(f"{names.get(sku_id, sku_id)}: {held} seats assigned, "
                             f"{bought} purchased")
        return flags


def sync_tenant(session: Session, user: User, account_id: int, day: date,
                people: list[Person], managed: Iterable[int], *, kind: str,
                reported_on: date | None = None) -> TenantOutcome:
    """Make the account's tenant match the file's ``people`` as of ``day``; audited (one
    entry) when something changed; the over-assignment flagged either way."""
    sync = _Sync(session, user, account_id, day, set(managed))
    ids = sync.people(people)
    want: dict[int, frozenset[int]] = defaultdict(frozenset)
    for p in people:
        if p.left_on is None and p.principal in ids:
            want[ids[p.principal]] = p.sku_ids
    sync.seats(want)
    if reported_on is not None:
        sync.activity(people, ids, reported_on)
    out = sync.out
    out.rows = len(people)
    out.updated = sum(1 for p in people
                      if p.principal not in sync.new and ids.get(p.principal) in sync.changed)
    out.unchanged = out.rows - out.inserted - out.updated
    out.over_assigned = sync.over_assigned()
    if out.inserted or sync.changed or out.people_left:
        audit.record(session, user, "import", ENTITY, account_id, account_id=account_id,
                     after={"kind": kind, "as_of": day.isoformat(), "people": out.rows,
                            "new_people": out.inserted, "changed_people": out.updated,
                            "people_left": out.people_left,
                            "seats_assigned": out.seats_assigned,
                            "seats_freed": out.seats_freed,
                            "over_assigned": out.over_assigned})
        _refresh_signals(session, account_id, day)
    return out


def _refresh_signals(session: Session, account_id: int, day: date) -> None:
    from accord.licences.signals import service as signals

    signals.refresh(session, [account_id], day)
