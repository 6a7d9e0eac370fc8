"""The licences' answers to the layers below (connected by ``accord.app.wiring``):

- ``health.utilisation``: the "licence utilisation" measure from the usage store
  (``licence_usage``, as ``signals.service.refresh`` last evaluated it): per account, over
  its services with seats purchased, the seats in use (the active ones where a usage report
  covers them, else the assigned ones) and the seats purchased — for many accounts a
  ``Select``, for one account scalar subqueries (with the services at risk);
- ``relationships.evidence``: the switching cost's count of active subscriptions
  (``queries.active_subscriptions``: not a trial, started, covered that day).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, case, cast, func, select
from sqlalchemy.orm import Session

from accord.health import utilisation
from accord.licences import usage as queries
from accord.licences.signals.models import LicenceUsage
from accord.relationships import evidence

#: a service's seats in use (KPIS.md's utilisation numerator)
IN_USE = case((LicenceUsage.reported > 0, LicenceUsage.active), else_=LicenceUsage.assigned)


def utilisation_select(session: Session, today: date) -> Any:
    """(account_id, utilised, purchased) of the accounts with seats purchased."""
    return (select(LicenceUsage.account_id,
                   cast(func.sum(IN_USE), BigInteger).label("utilised"),
                   cast(func.sum(LicenceUsage.purchased), BigInteger).label("purchased"))
            .where(LicenceUsage.purchased > 0).group_by(LicenceUsage.account_id))


def utilisation_one(account_id: int) -> tuple[Any, Any, Any]:
    """(seats in use, seats purchased, services at risk) of one account, as scalar
    subqueries (the purchased one NULL without seats purchased)."""
    mine = [LicenceUsage.account_id == account_id, LicenceUsage.purchased > 0]
    return (
        select(cast(func.sum(IN_USE), BigInteger)).where(*mine).scalar_subquery(),
        select(cast(func.sum(LicenceUsage.purchased), BigInteger)).where(*mine)
        .scalar_subquery(),
        select(func.count()).select_from(LicenceUsage).where(
            LicenceUsage.account_id == account_id, LicenceUsage.signal == "risk")
        .scalar_subquery(),
    )


def connect() -> None:
    """Register the providers (idempotent)."""
    utilisation.connect(utilisation_select, utilisation_one)
    evidence.connect_subscriptions(queries.active_subscriptions)
