"""Seats: add a licence user, assign a service's seat to them, take it back, and the
account's seat grid with allocation, adoption and utilisation per service.

Who may: whoever sees the account reads its seats; whoever may change the account and
billing (and admins) add licence users and assign or remove seats. Assigning beyond the
quantity purchased (the quantities in force that day of the account's subscriptions to the
service that provide seats: ``rules.provides_seats_on``) is a 409 naming the limit, and
writes nothing; the subscription rows are locked first so two assignments at once cannot
both take the last seat. An import of a tenant already over-assigned is recorded and
flagged instead (the Microsoft 365 import, issue 15's next part). Every change is audited
(``seat``, ``licence_user``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from accord.accounts.visibility import get_visible_account, require_writer
from accord.core import audit
from accord.core.errors import Conflict, FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.growth.models import Sku
from accord.licences import rules
from accord.licences import settings as licence_settings
from accord.licences.models import (
    LicenceUser,
    SeatActivity,
    SeatAssignment,
    SkuService,
    Subscription,
    SubscriptionTerm,
)

BILLING = frozenset({Role.ADMIN, Role.BILLING})
MAX_PRINCIPAL = 254


@dataclass(frozen=True)
class ServiceSeats:
    sku_id: int
    service: str
    usage: rules.Usage
    signal: str | None
    #: principals holding a seat that day
    holders: tuple[str, ...]


@dataclass(frozen=True)
class SeatGrid:
    account_id: int
    day: date
    people: tuple[tuple[str, str], ...]  # (principal, display name), by name
    services: tuple[ServiceSeats, ...]


def require_seat_writer(session: Session, user: User, account_id: int) -> None:
    """404 unless ``user`` sees the account; 403 unless they may change it or are billing
    (seats, licence users and the account's domains)."""
    get_visible_account(session, user, account_id)
    if user.role not in BILLING:
        require_writer(user)


def purchased(session: Session, account_id: int, sku_id: int, day: date, *,
              lock: bool = False) -> int:
    """Seats bought of a service on ``day``: the quantities in force that day of the
    account's subscriptions to it that provide seats."""
    query = select(Subscription).where(Subscription.account_id == account_id,
                                       Subscription.sku_id == sku_id)
    if lock:
        query = query.with_for_update()
    providing = [sub.id for sub in session.scalars(query) if rules.provides_seats_on(
        rules.Cover(sub.status, sub.start_on, sub.end_on, sub.auto_renew, sub.ended_on), day)]
    terms: dict[int, list[rules.Term]] = {i: [] for i in providing}
    for t in session.scalars(select(SubscriptionTerm).where(
            SubscriptionTerm.subscription_id.in_(providing))):
        terms[t.subscription_id].append(rules.Term(t.effective_on, t.quantity, t.unit_price))
    in_force = [rules.term_in_force(ts, day) for ts in terms.values()]
    return sum(term.quantity for term in in_force if term is not None)


def _licence_user(session: Session, account_id: int, principal: str) -> LicenceUser:
    found = session.scalar(select(LicenceUser).where(
        LicenceUser.account_id == account_id, LicenceUser.principal == principal.lower()))
    if found is None:
        raise ValidationFailed([FieldProblem("principal",
                                             f"no licence user {principal} on this account")])
    return found


def add_licence_user(session: Session, user: User, account_id: int, principal: str,
                     display_name: str = "", department: str | None = None) -> LicenceUser:
    """A person at the client who may hold seats (sign-in name unique per account)."""
    require_seat_writer(session, user, account_id)
    name = principal.strip().lower()
    if not name or len(name) > MAX_PRINCIPAL or "@" not in name or any(c.isspace() for c in name):
        raise ValidationFailed([FieldProblem("principal", "a sign-in name such as "
                                             "ann@client.example, at most 254 characters")])
    if session.scalar(select(LicenceUser.id).where(LicenceUser.account_id == account_id,
                                                   LicenceUser.principal == name)):
        raise Conflict(f"{name} is a licence user of this account already")
    row = LicenceUser(account_id=account_id, principal=name, display_name=display_name[:200],
                      department=(department or None) and department[:120])
    session.add(row)
    session.flush()
    audit.record(session, user, "create", "licence_user", row.id, account_id=account_id,
                 after={"principal": name})
    return row


def assign(session: Session, user: User, account_id: int, principal: str, sku_id: int,
           day: date) -> SeatAssignment:
    """Give ``principal`` a seat of the service from ``day``; refused beyond the purchase."""
    require_seat_writer(session, user, account_id)
    sku = session.get(Sku, sku_id)
    if sku is None:
        raise ValidationFailed([FieldProblem("sku_id", f"no service {sku_id}")])
    person = _licence_user(session, account_id, principal)
    bought = purchased(session, account_id, sku_id, day, lock=True)
    held = _held(session, account_id, sku_id, day)
    if any(a.licence_user_id == person.id for a in held):
        raise Conflict(f"{person.principal} holds a seat of {sku.name} already")
    refusal = rules.seat_refusal(bought, len(held), sku.name)
    if refusal:
        raise Conflict(refusal)
    row = SeatAssignment(account_id=account_id, licence_user_id=person.id, sku_id=sku_id,
                         from_on=day, source="manual", created_by_id=user.id)
    session.add(row)
    session.flush()
    audit.record(session, user, "assign", "seat", row.id, account_id=account_id,
                 after={"principal": person.principal, "sku_id": sku_id,
                        "from_on": day.isoformat()})
    return row


def remove(session: Session, user: User, account_id: int, principal: str, sku_id: int,
           day: date) -> None:
    """Take the seat back: not held from ``day`` on (an assignment made that day is gone)."""
    require_seat_writer(session, user, account_id)
    person = _licence_user(session, account_id, principal)
    held = [a for a in _held(session, account_id, sku_id, day)
            if a.licence_user_id == person.id]
    if not held:
        raise Conflict(f"{person.principal} holds no seat of service {sku_id}")
    for row in held:
        if row.from_on >= day:
            session.execute(delete(SeatAssignment).where(SeatAssignment.id == row.id))
        else:
            row.to_on = day - timedelta(days=1)
        audit.record(session, user, "remove", "seat", row.id, account_id=account_id,
                     before={"principal": person.principal, "sku_id": sku_id},
                     after={"to_on": (day - timedelta(days=1)).isoformat()})
    session.flush()


def _holding(account_id: int, sku_id: int, day: date) -> list[ColumnElement[bool]]:
    """The seats of a service an account's people hold on ``day``."""
    return [SeatAssignment.account_id == account_id, SeatAssignment.sku_id == sku_id,
            SeatAssignment.from_on <= day,
            (SeatAssignment.to_on.is_(None)) | (SeatAssignment.to_on >= day)]


def _held(session: Session, account_id: int, sku_id: int, day: date) -> list[SeatAssignment]:
    return list(session.scalars(select(SeatAssignment).where(
        *_holding(account_id, sku_id, day))))


def seat_grid(session: Session, user: User, account_id: int, day: date) -> SeatGrid:
    """The account's people × the services it has seats of, with each service's usage."""
    get_visible_account(session, user, account_id)
    policy = licence_settings.policy(session)
    people = session.execute(
        select(LicenceUser.id, LicenceUser.principal, LicenceUser.display_name)
        .where(LicenceUser.account_id == account_id,
               (LicenceUser.left_on.is_(None)) | (LicenceUser.left_on > day))
        .order_by(LicenceUser.display_name, LicenceUser.principal)).all()
    principal_of = {pid: p for pid, p, _ in people}
    sku_ids = sorted({*session.scalars(select(Subscription.sku_id).where(
        Subscription.account_id == account_id)), *session.scalars(
        select(SeatAssignment.sku_id).where(SeatAssignment.account_id == account_id))})
    activity: dict[int, list[tuple[str, date | None]]] = {}
    for uid, service, last in session.execute(
            select(SeatActivity.licence_user_id, SeatActivity.service,
                   SeatActivity.last_active_on)
            .join(LicenceUser, LicenceUser.id == SeatActivity.licence_user_id)
            .where(LicenceUser.account_id == account_id)):
        activity.setdefault(uid, []).append((service, last))
    services = []
    for sku_id in sku_ids:
        sku = session.get(Sku, sku_id)
        assert sku is not None
        workloads = set(session.scalars(select(SkuService.service).where(
            SkuService.sku_id == sku_id)))
        held = _held(session, account_id, sku_id, day)
        seats = [_seat(a, activity.get(a.licence_user_id, []), workloads) for a in held]
        usage = rules.usage(purchased(session, account_id, sku_id, day), seats, day,
                            policy.active_days)
        services.append(ServiceSeats(
            sku_id, sku.name, usage,
            rules.signal(usage, policy.upsell_allocation, policy.upsell_adoption,
                         policy.risk_adoption),
            tuple(sorted(principal_of.get(a.licence_user_id, "?") for a in held))))
    return SeatGrid(account_id, day, tuple((p, n) for _, p, n in people), tuple(services))


def _seat(held: SeatAssignment, rows: list[tuple[str, date | None]],
          workloads: set[str]) -> rules.Seat:
    """The seat with its last use of any workload of the product (every workload when the
    product lists none); activity is known when a report covered the person."""
    relevant = [last for service, last in rows if not workloads or service in workloads]
    known = [d for d in relevant if d is not None]
    return rules.Seat(held.from_on, held.to_on, max(known) if known else None,
                      reported=bool(rows))


def count_held(session: Session, account_id: int, sku_id: int, day: date) -> int:
    return int(session.scalar(select(func.count()).select_from(SeatAssignment).where(
        *_holding(account_id, sku_id, day))) or 0)
