"""Seats: add a licence user, assign a service's seat to them, take it back, and the
account's seat grid with allocation, adoption and utilisation per service.

Who may: whoever sees the account reads its seats; whoever may change the account and
billing (and admins) add licence users and assign or remove seats. Assigning beyond the
quantity purchased (the quantities in force that day of the account's subscriptions to the
service that provide seats: ``rules.provides_seats_on``) is a 409 naming the limit, and
writes nothing; the subscription rows are locked first so two assignments at once cannot
both take the last seat. An import of a tenant already over-assigned is recorded and
flagged instead (the Microsoft 365 import, issue 15's next part). Every change is audited
(``seat``, ``licence_user``), and the account's licence signals are re-evaluated in the same
transaction (``licences.signals.service.refresh``).

Every door (the API, the seat grid's form, the command line) calls these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import AccountContact
from accord.accounts.visibility import get_visible_account, require_writer
from accord.core import audit
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.schemas import MAX_ID
from accord.core.text import LINE_MESSAGE, refused_character
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
MAX_DISPLAY_NAME = 200
MAX_DEPARTMENT = 120


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


def _licence_user(session: Session, account_id: int, who: str | int) -> LicenceUser:
    """The account's licence user by sign-in name or id; else a 422 naming the field."""
    if isinstance(who, int):
        found = session.scalar(select(LicenceUser).where(
            LicenceUser.account_id == account_id, LicenceUser.id == who)
        ) if 1 <= who <= MAX_ID else None
        field, shown = "licence_user_id", str(who)
    else:
        found = session.scalar(select(LicenceUser).where(
            LicenceUser.account_id == account_id, LicenceUser.principal == who.strip().lower()))
        field, shown = "principal", who[:60]
    if found is None:
        raise ValidationFailed([FieldProblem(field, f"no licence user {shown} on this account")])
    return found


def _one_line(**fields: str | None) -> None:
    bad = [FieldProblem(k, LINE_MESSAGE) for k, v in fields.items()
           if v and refused_character(v, one_line=True)]
    if bad:
        raise ValidationFailed(bad)


def _refresh_signals(session: Session, account_id: int, day: date) -> None:
    """The account's up-sell and risk signals again, after its seats changed."""
    from accord.licences.signals import service as signals  # imported late: it reads seats

    signals.refresh(session, [account_id], day)


def add_licence_user(session: Session, user: User, account_id: int, principal: str,
                     display_name: str = "", department: str | None = None,
                     contact_id: int | None = None) -> LicenceUser:
    """A person at the client who may hold seats (sign-in name unique per account),
    optionally linked to one of the account's contacts."""
    require_seat_writer(session, user, account_id)
    name = principal.strip().lower()
    if not name or len(name) > MAX_PRINCIPAL or "@" not in name or any(c.isspace() for c in name):
        raise ValidationFailed([FieldProblem("principal", "a sign-in name such as "
                                             "ann@client.example, at most 254 characters")])
    _one_line(principal=name, display_name=display_name, department=department)
    problems = []
    if len(display_name.strip()) > MAX_DISPLAY_NAME:
        problems.append(FieldProblem("display_name", f"at most {MAX_DISPLAY_NAME} characters"))
    if department and len(department.strip()) > MAX_DEPARTMENT:
        problems.append(FieldProblem("department", f"at most {MAX_DEPARTMENT} characters"))
    if contact_id is not None and not (1 <= contact_id <= MAX_ID and session.scalar(
            select(AccountContact.contact_id).where(AccountContact.account_id == account_id,
                                                    AccountContact.contact_id == contact_id))):
        problems.append(FieldProblem("contact_id", f"no contact {contact_id} of this account"))
    if problems:
        raise ValidationFailed(problems)
    if session.scalar(select(LicenceUser.id).where(LicenceUser.account_id == account_id,
                                                   LicenceUser.principal == name)):
        raise Conflict(f"{name} is a licence user of this account already")
    row = LicenceUser(account_id=account_id, principal=name,
                      display_name=display_name.strip(),
                      department=(department or "").strip() or None, contact_id=contact_id)
    session.add(row)
    session.flush()
    audit.record(session, user, "create", "licence_user", row.id, account_id=account_id,
                 after={"principal": name, "contact_id": contact_id})
    return row


def assign(session: Session, user: User, account_id: int, principal: str | int, sku_id: int,
           day: date) -> SeatAssignment:
    """Give the person (sign-in name or licence user id) a seat of the service from
    ``day``; refused beyond the purchase, nothing written."""
    require_seat_writer(session, user, account_id)
    row = _assign(session, user, account_id, principal, sku_id, day)
    _refresh_signals(session, account_id, day)
    return row


def _assign(session: Session, user: User, account_id: int, principal: str | int, sku_id: int,
            day: date) -> SeatAssignment:
    sku = session.get(Sku, sku_id) if 1 <= sku_id <= MAX_ID else None
    if sku is None:
        raise ValidationFailed([FieldProblem("sku_id", f"no service {sku_id}")])
    person = _licence_user(session, account_id, principal)
    if person.left_on is not None and person.left_on <= day:
        raise Conflict(f"{person.principal} left the tenant on {person.left_on.isoformat()}")
    bought = purchased(session, account_id, sku_id, day, lock=True)
    held = _held(session, account_id, sku_id, day)
    if any(a.licence_user_id == person.id for a in held):
        raise Conflict(f"{person.principal} holds a seat of {sku.name} already")
    if bought == 0:
        raise Conflict(f"the account has no seats of {sku.name} on {day.isoformat()}: "
                       "billing adds a subscription first")
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


def remove(session: Session, user: User, account_id: int, principal: str | int, sku_id: int,
           day: date) -> None:
    """Take the seat back: not held from ``day`` on (an assignment made that day is gone)."""
    require_seat_writer(session, user, account_id)
    person = _licence_user(session, account_id, principal)
    held = [a for a in _held(session, account_id, sku_id, day)
            if a.licence_user_id == person.id]
    if not held:
        raise Conflict(f"{person.principal} holds no seat of service {sku_id}")
    for row in held:
        _end(session, user, row, person.principal, day)
    session.flush()
    _refresh_signals(session, account_id, day)


def end_assignment(session: Session, user: User, account_id: int, assignment_id: int,
                   day: date) -> SeatAssignment | None:
    """End one assignment of the account from ``day`` (its ``to_on`` the day before; one
    starting on or after ``day`` is deleted: None). One ended before ``day``: 409."""
    require_seat_writer(session, user, account_id)
    row = session.scalar(select(SeatAssignment).where(
        SeatAssignment.id == assignment_id, SeatAssignment.account_id == account_id)
    ) if 1 <= assignment_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"no seat assignment {assignment_id}")
    if row.to_on is not None and row.to_on < day:
        raise Conflict(f"seat assignment {assignment_id} ended on {row.to_on.isoformat()}")
    principal = session.scalar(select(LicenceUser.principal).where(
        LicenceUser.id == row.licence_user_id)) or "?"
    gone = _end(session, user, row, principal, day)
    session.flush()
    _refresh_signals(session, account_id, day)
    return None if gone else row


def _end(session: Session, user: User, row: SeatAssignment, principal: str, day: date) -> bool:
    """Not held from ``day`` on; True when the assignment was deleted (it began that day or
    later)."""
    gone = row.from_on >= day
    if gone:
        session.execute(delete(SeatAssignment).where(SeatAssignment.id == row.id))
    else:
        row.to_on = day - timedelta(days=1)
    audit.record(session, user, "remove", "seat", row.id, account_id=row.account_id,
                 before={"principal": principal, "sku_id": row.sku_id},
                 after={"to_on": (day - timedelta(days=1)).isoformat()})
    return gone


def set_seats(session: Session, user: User, account_id: int, people: Iterable[int],
              ticked: Iterable[tuple[int, int]], day: date) -> tuple[int, int]:
    """The seat grid's form: for the licence users ``people`` (those on the page), the
    seats ``ticked`` ((licence user id, service id)) are held from ``day`` and the others
    not. Seats are freed first, then assigned; one refusal (beyond the quantity, an unknown
    person or service) undoes the whole form. ``(assigned, removed)``."""
    require_seat_writer(session, user, account_id)
    shown = {p for p in people if 1 <= p <= MAX_ID}
    wanted = {(p, k) for p, k in ticked if p in shown}
    now = {(a.licence_user_id, a.sku_id): a for a in session.scalars(
        select(SeatAssignment).where(SeatAssignment.account_id == account_id,
                                     SeatAssignment.licence_user_id.in_(shown),
                                     *_holding_on(day)))} if shown else {}
    names = dict(session.execute(select(LicenceUser.id, LicenceUser.principal).where(
        LicenceUser.account_id == account_id, LicenceUser.id.in_(shown))).all()) if shown else {}
    if set(shown) - set(names):
        raise ValidationFailed([FieldProblem("licence_user_id", "no licence user "
                                             f"{min(set(shown) - set(names))} on this account")])
    freed = [a for key, a in now.items() if key not in wanted]
    added = sorted(wanted - set(now))
    with session.begin_nested():
        for row in freed:
            _end(session, user, row, names[row.licence_user_id], day)
        session.flush()
        for person, sku_id in added:
            _assign(session, user, account_id, person, sku_id, day)
    if freed or added:
        _refresh_signals(session, account_id, day)
    return len(added), len(freed)


def _holding_on(day: date) -> list[ColumnElement[bool]]:
    """Assignments held on ``day``."""
    return [SeatAssignment.from_on <= day,
            (SeatAssignment.to_on.is_(None)) | (SeatAssignment.to_on >= day)]


def _holding(account_id: int, sku_id: int, day: date) -> list[ColumnElement[bool]]:
    """The seats of a service an account's people hold on ``day``."""
    return [SeatAssignment.account_id == account_id, SeatAssignment.sku_id == sku_id,
            *_holding_on(day)]


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


def service_name(session: Session, sku_id: int) -> str:
    return session.scalar(select(Sku.name).where(Sku.id == sku_id)) or f"service {sku_id}"


def count_held(session: Session, account_id: int, sku_id: int, day: date) -> int:
    return int(session.scalar(select(func.count()).select_from(SeatAssignment).where(
        *_holding(account_id, sku_id, day))) or 0)
