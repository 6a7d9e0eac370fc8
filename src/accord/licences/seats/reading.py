"""Reading seats within the caller's reach (reads only): an account's licence users with
their assignments (a page, searched by name or sign-in name), the seat grid's page of people
with the services they hold on a day, and the usage figures counted in SQL.

**Usage** (``usage``): the seats held per service counted by ``accord.licences.usage`` (the
one SQL form of the rule, shared with the signals and the utilisation export); purchased
seats are the quantities in force that day of the subscriptions that provide seats. The
shares are ``rules.usage``'s on those counts. A handful of statements whatever the number
of seats; ``tests/test_licences_seats_doors.py`` holds them equal to the service's grid.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from accord.accounts.models import AccountContact, Contact
from accord.accounts.search import ESCAPE, like_pattern
from accord.accounts.visibility import get_visible_account
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.schemas import MAX_ID
from accord.growth.models import Sku
from accord.licences import rules
from accord.licences import settings as licence_settings
from accord.licences import usage as usage_sql
from accord.licences.models import (
    LicenceUser,
    SeatAssignment,
    Subscription,
    SubscriptionTerm,
)
from accord.licences.seats.schemas import (
    MAX_PAGE_SIZE,
    AccountUsageOut,
    LicenceUserOut,
    SeatOut,
    ServiceUsageOut,
    SubscriptionUsageOut,
    UsageOut,
)


@dataclass(frozen=True)
class GridPerson:
    id: int
    principal: str
    display_name: str
    department: str | None
    #: the services held on the day
    holds: frozenset[int]


def _check_page(page: int, page_size: int) -> None:
    problems = []
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"1 to {MAX_PAGE_SIZE}"))
    if not 1 <= page <= MAX_ID // MAX_PAGE_SIZE:
        problems.append(FieldProblem("page", "1 or more"))
    if problems:
        raise ValidationFailed(problems)


def _people(account_id: int, q: str | None,
            day: date | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [LicenceUser.account_id == account_id]
    if day is not None:  # the grid: those still in the tenant
        where.append(or_(LicenceUser.left_on.is_(None), LicenceUser.left_on > day))
    if q and q.strip():
        pattern = like_pattern(q)
        where.append(or_(func.lower(LicenceUser.display_name).like(pattern, escape=ESCAPE),
                         LicenceUser.principal.like(pattern, escape=ESCAPE)))
    return where


def licence_users(session: Session, user: User, account_id: int, *, q: str | None = None,
                  page: int = 1, page_size: int = 50) -> tuple[list[LicenceUserOut], int]:
    """A page of the account's licence users by name, each with every assignment; and how
    many match. Three statements."""
    get_visible_account(session, user, account_id)
    _check_page(page, page_size)
    where = _people(account_id, q, None)
    total = int(session.scalar(select(func.count()).select_from(LicenceUser).where(*where))
                or 0)
    rows = list(session.scalars(select(LicenceUser).where(*where).order_by(
        LicenceUser.display_name, LicenceUser.principal).limit(page_size)
        .offset((page - 1) * page_size)))
    seats: dict[int, list[SeatOut]] = defaultdict(list)
    if rows:
        for a, name in session.execute(
                select(SeatAssignment, Sku.name).join(Sku, Sku.id == SeatAssignment.sku_id)
                .where(SeatAssignment.licence_user_id.in_([r.id for r in rows]))
                .order_by(Sku.name, SeatAssignment.from_on)):
            seats[a.licence_user_id].append(SeatOut(id=a.id, sku_id=a.sku_id, service=name,
                                                    from_on=a.from_on, to_on=a.to_on,
                                                    source=a.source))
    return [LicenceUserOut(id=r.id, principal=r.principal, display_name=r.display_name,
                           department=r.department, contact_id=r.contact_id, blocked=r.blocked,
                           left_on=r.left_on, seats=seats[r.id]) for r in rows], total


def grid_people(session: Session, user: User, account_id: int, day: date, *,
                q: str | None = None, page: int = 1,
                page_size: int = 50) -> tuple[list[GridPerson], int]:
    """The seat grid's rows: a page of the people still in the tenant on ``day``, each with
    the services they hold that day; and how many match. Three statements."""
    get_visible_account(session, user, account_id)
    _check_page(page, page_size)
    where = _people(account_id, q, day)
    total = int(session.scalar(select(func.count()).select_from(LicenceUser).where(*where))
                or 0)
    rows = session.execute(select(LicenceUser.id, LicenceUser.principal,
                                  LicenceUser.display_name, LicenceUser.department)
                           .where(*where).order_by(LicenceUser.display_name,
                                                   LicenceUser.principal)
                           .limit(page_size).offset((page - 1) * page_size)).all()
    holds: dict[int, set[int]] = defaultdict(set)
    if rows:
        for uid, sku_id in session.execute(
                select(SeatAssignment.licence_user_id, SeatAssignment.sku_id).where(
                    SeatAssignment.licence_user_id.in_([r[0] for r in rows]),
                    SeatAssignment.from_on <= day,
                    or_(SeatAssignment.to_on.is_(None), SeatAssignment.to_on >= day))):
            holds[uid].add(sku_id)
    return [GridPerson(uid, principal, name, department, frozenset(holds[uid]))
            for uid, principal, name, department in rows], total


def contact_choices(session: Session, account_id: int, limit: int = 200) -> list[tuple[int, str]]:
    """The account's contacts a licence user may be linked to (id, name), by name."""
    return [(i, n) for i, n in session.execute(
        select(Contact.id, Contact.name).join(AccountContact,
                                              AccountContact.contact_id == Contact.id)
        .where(AccountContact.account_id == account_id).order_by(Contact.name).limit(limit))]


# ---------------------------------------------------------------- usage, counted in SQL


def _subscriptions(session: Session, account_id: int, day: date) -> list[tuple[int, int, str,
                                                                            bool, int]]:
    """(id, sku, status, provides seats, quantity in force) of the account's subscriptions
    that have a term by ``day``."""
    quantity = (select(SubscriptionTerm.quantity)
                .where(SubscriptionTerm.subscription_id == Subscription.id,
                       SubscriptionTerm.effective_on <= day)
                .order_by(SubscriptionTerm.effective_on.desc()).limit(1)
                .correlate(Subscription).scalar_subquery())
    providing = case((usage_sql.provides_seats(day), 1), else_=0)
    return [(i, k, st, bool(p), int(q or 0)) for i, k, st, p, q in session.execute(
        select(Subscription.id, Subscription.sku_id, Subscription.status, providing, quantity)
        .where(Subscription.account_id == account_id).order_by(Subscription.id))]


def _seat_counts(session: Session, account_id: int, day: date,
                 active_days: int) -> dict[int, tuple[int, int, int]]:
    """Per service: (assigned, reported, active) seats held on ``day`` (``usage``'s SQL)."""
    return {int(k): (int(a), int(r or 0), int(n or 0)) for _, k, a, r, n in session.execute(
        usage_sql.seats_select(day, active_days, [account_id]))}


def _share(part: int, whole: int) -> Decimal | None:
    return None if whole <= 0 else (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def counted_usage(purchased: int, assigned: int, reported: int, active: int) -> UsageOut:
    """``rules.usage`` on counts: allocation = assigned ÷ purchased; adoption = active ÷
    reported; utilisation = active ÷ purchased, or assigned ÷ purchased when no seat's
    activity is known."""
    utilised = active if reported else assigned
    return UsageOut(purchased=purchased, assigned=assigned, reported=reported, active=active,
                    allocation=_share(assigned, purchased), adoption=_share(active, reported),
                    utilisation=_share(utilised, purchased))


def usage(session: Session, user: User, account_id: int, day: date) -> AccountUsageOut:
    """The account's allocation, adoption and utilisation on ``day``: per service, per
    subscription (its service's figures) and for the account (the sums). A fixed handful of
    statements, whatever the number of seats."""
    get_visible_account(session, user, account_id)
    policy = licence_settings.policy(session)
    subs = _subscriptions(session, account_id, day)
    counts = _seat_counts(session, account_id, day, policy.active_days)
    bought: dict[int, int] = defaultdict(int)
    for _, sku_id, _, providing, quantity in subs:
        bought[sku_id] += quantity if providing else 0
    sku_ids = {k for k, n in bought.items() if n} | set(counts)
    skus = {s.id: s for s in session.scalars(select(Sku).where(Sku.id.in_(sku_ids)))
            } if sku_ids else {}
    services, by_sku = [], {}
    for sku_id in sorted(sku_ids, key=lambda k: (skus[k].name, k)):
        u = counted_usage(bought[sku_id], *counts.get(sku_id, (0, 0, 0)))
        by_sku[sku_id] = u
        signal = rules.signal(
            rules.Usage(u.purchased, u.assigned, u.reported, u.active, u.allocation,
                        u.adoption, u.utilisation),
            policy.upsell_allocation, policy.upsell_adoption, policy.risk_adoption)
        services.append(ServiceUsageOut(**u.model_dump(), sku_id=sku_id,
                                        sku_code=skus[sku_id].code,
                                        service=skus[sku_id].name, signal=signal))
    total = counted_usage(*(sum(getattr(u, f) for u in by_sku.values())
                            for f in ("purchased", "assigned", "reported", "active")))
    return AccountUsageOut(
        account_id=account_id, on=day, active_days=policy.active_days, account=total,
        services=services,
        subscriptions=[SubscriptionUsageOut(
            subscription_id=i, sku_id=k, status=st, quantity=q if p else 0,
            provides_seats=p, usage=by_sku.get(k, counted_usage(0, 0, 0, 0)))
            for i, k, st, p, q in subs])
