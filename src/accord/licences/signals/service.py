"""Licence signals: each account's seat usage per service, evaluated when its inputs change
(never by a read), and what it suggests.

``refresh(session, account_ids, today)`` — called by the seats, the imports and the
subscriptions after they write, in the same transaction — and ``refresh_all`` (the daily
job ``licence_signals``: activity ages without any write) rewrite ``licence_usage`` for
those accounts from ``queries.usage_select`` (one statement for all of them) with the pure
rules (``rules.usage`` shares, ``rules.signal``), and:

- **up-sell** (allocation ≥ ``upsell_allocation`` and adoption ≥ ``upsell_adoption``):
  open an opportunity in the growth pipeline through ``growth.opportunities.service``,
  acting as the system (``job:licence_signals``, audited as such): kind ``upsell``, on the
  account, owned by its manager, titled with the service and the figures; one open at a
  time per account and service (``signals.rules.opens_upsell``);
- **risk** (adoption ≤ ``risk_adoption``): kept in the store, listed on the Licences page
  and named in the account's health breakdown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core import versions
from accord.core.errors import AccordError
from accord.core.models import Role, User
from accord.growth.models import Offering, Sku
from accord.growth.opportunities import service as opportunities
from accord.growth.opportunities.models import OPEN_STAGES, Opportunity
from accord.growth.opportunities.rules import MAX_VALUE
from accord.growth.opportunities.schemas import OpportunityIn
from accord.licences import rules
from accord.licences import settings as licence_settings
from accord.licences import usage as queries
from accord.licences.settings import LicencesPolicy
from accord.licences.signals import rules as signal_rules
from accord.licences.signals.models import LicenceUsage

log = logging.getLogger(__name__)
JOB = "licence_signals"


def system_actor() -> User:
    """Who the signals act as (not a stored user; the audit names it)."""
    return User(id=None, email=f"job:{JOB}", name="Licence signals", role=Role.ADMIN.value,
                is_active=True)


def refresh(session: Session, account_ids: Iterable[int], today: date) -> dict[str, int]:
    """Re-evaluate the licence signals of ``account_ids`` as of ``today`` (after seat,
    subscription or usage writes, in the same transaction)."""
    ids = sorted({int(a) for a in account_ids})
    if not ids:
        return {"pairs": 0, "upsell": 0, "risk": 0, "opened": 0}
    # one evaluation of an account at a time (its rows are rewritten)
    session.execute(select(Account.id).where(Account.id.in_(ids)).order_by(Account.id)
                    .with_for_update())
    return _evaluate(session, today, ids)


def change_settings(session: Session, user: User, value: dict[str, Any],
                    expected: versions.Expected | None, today: date) -> LicencesPolicy:
    """Save the licences settings (``settings.save_policy``) and re-evaluate every account's
    signals under them in the same transaction: derived data follows its inputs."""
    saved = licence_settings.save_policy(session, user, value, expected)
    refresh_all(session, today)
    return saved


def refresh_all(session: Session, today: date) -> dict[str, int]:
    """Every account (the daily job; after a bulk load)."""
    return _evaluate(session, today, None)


def _evaluate(session: Session, today: date, ids: Sequence[int] | None) -> dict[str, int]:
    policy = licence_settings.policy(session)
    counts = session.execute(queries.usage_select(today, policy.active_days, ids)).all()
    scope = [] if ids is None else [LicenceUsage.account_id.in_(ids)]
    before = {(r.account_id, r.sku_id): (r.signal, r.opportunity_id) for r in session.execute(
        select(LicenceUsage.account_id, LicenceUsage.sku_id, LicenceUsage.signal,
               LicenceUsage.opportunity_id).where(*scope))}
    linked = {oid for _, oid in before.values() if oid is not None}
    open_ids = set(session.scalars(select(Opportunity.id).where(
        Opportunity.id.in_(linked), Opportunity.stage.in_(OPEN_STAGES)))) if linked else set()
    session.execute(delete(LicenceUsage).where(*scope))
    rows: list[dict[str, Any]] = []
    to_open: list[tuple[int, int, rules.Usage]] = []
    for account_id, sku_id, purchased, assigned, reported, active in counts:
        usage = signal_rules.usage_of(int(purchased or 0), int(assigned or 0),
                                      int(reported or 0), int(active or 0))
        signal = rules.signal(usage, policy.upsell_allocation, policy.upsell_adoption,
                              policy.risk_adoption)
        previous, opportunity_id = before.get((account_id, sku_id), (None, None))
        if signal_rules.opens_upsell(signal, previous, opportunity_id,
                                     opportunity_id in open_ids):
            to_open.append((account_id, sku_id, usage))
        rows.append({"account_id": account_id, "sku_id": sku_id, "evaluated_on": today,
                     "purchased": usage.purchased, "assigned": usage.assigned,
                     "reported": usage.reported, "active": usage.active,
                     "allocation_e4": signal_rules.e4(usage.allocation),
                     "adoption_e4": signal_rules.e4(usage.adoption),
                     "utilisation_e4": signal_rules.e4(usage.utilisation),
                     "signal": signal, "opportunity_id": opportunity_id})
    if rows:
        session.execute(insert(LicenceUsage), rows)
    opened = 0
    for account_id, sku_id, usage in to_open:
        opportunity_id = _open_upsell(session, account_id, sku_id, usage, today)
        if opportunity_id is not None:
            opened += 1
            session.execute(update(LicenceUsage).where(
                LicenceUsage.account_id == account_id, LicenceUsage.sku_id == sku_id)
                .values(opportunity_id=opportunity_id))
    session.flush()
    return {"pairs": len(rows), "upsell": sum(r["signal"] == "upsell" for r in rows),
            "risk": sum(r["signal"] == "risk" for r in rows), "opened": opened}


def _open_upsell(session: Session, account_id: int, sku_id: int, usage: rules.Usage,
                 today: date) -> int | None:
    """The up-sell opportunity, through the growth service as the system; None when the
    account may not take one (logged)."""
    sku = session.get(Sku, sku_id)
    if sku is None:
        return None
    terms = [(int(q), Decimal(p)) for q, p in session.execute(
        queries.price_in_force(today, account_id, sku_id))]
    extra = signal_rules.extra_seats(usage.purchased)
    line = session.scalar(select(Offering.product_line_id).where(Offering.id == sku.offering_id))
    data = OpportunityIn(
        title=signal_rules.upsell_title(sku.name, usage), kind="upsell",
        value=signal_rules.upsell_value(usage.purchased, terms, sku.billing_period, MAX_VALUE),
        next_step=signal_rules.upsell_note(sku.name, usage, extra),
        product_line_ids=[line] if line is not None else [])  # the service's product line
    try:
        with session.begin_nested():
            return opportunities.create_opportunity(session, system_actor(), account_id, data,
                                                    today=today).id
    except AccordError as exc:
        log.warning("up-sell opportunity of account %s, service %s not opened: %s",
                    account_id, sku_id, exc)
        return None


def job(session: Session, today: date) -> dict[str, int]:
    """The daily job's run (``calendar.jobs``): every account re-evaluated."""
    return refresh_all(session, today)
