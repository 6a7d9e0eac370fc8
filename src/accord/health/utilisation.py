"""What the licences (above health) tell the health score: the "licence utilisation"
measure — seats in use ÷ seats purchased, over the account's services with seats purchased
(a service's seats in use: its active seats where a usage report covers them, else its
assigned seats), as the licences last evaluated them (their usage store, rebuilt when seats,
usage or subscriptions change and daily).

Health sits below licences, so it cannot read seats; ``accord.licences.signals.health_link``
registers the providers here (connected by ``accord.app.wiring``):

- for many accounts a ``Select(account_id, utilised, purchased)`` of the accounts with
  seats purchased (``health.bulk`` joins it to the score query);
- for one account three scalar subqueries — seats in use, seats purchased (NULL without
  any) and the services at risk — which ``health.service`` reads in the statement it reads
  the latest sentiment with (no statement of its own).

Health turns the counts into the ratio itself (``formulas.licence_utilisation`` and its SQL
twin), so the live and the stored score agree. With nothing connected, or for an account
without subscriptions, the measure is left out ("no subscriptions with seats").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

#: (session, today) -> Select(account_id, utilised, purchased)
UtilisationSql = Callable[[Session, date], Select]
#: (account id) -> scalar subqueries (seats in use, seats purchased, services at risk)
UtilisationOne = Callable[[int], tuple[Any, Any, Any]]


@dataclass
class _Providers:
    sql: UtilisationSql | None = None
    one: UtilisationOne | None = None


_providers = _Providers()


def connect(sql: UtilisationSql, one: UtilisationOne) -> None:
    """Register the measure's providers (the last connected answers; idempotent)."""
    _providers.sql, _providers.one = sql, one


def disconnect() -> None:
    """Forget the providers (tests)."""
    _providers.sql = _providers.one = None


def utilisation_sql() -> UtilisationSql | None:
    return _providers.sql


def utilisation_one() -> UtilisationOne | None:
    return _providers.one


def note(utilised: int, purchased: int, at_risk: int) -> str:
    """The breakdown's note of the measure."""
    words = (f"{utilised} of {purchased} seats purchased in use (active, or assigned where no "
             "usage report covers them)")
    if at_risk:
        words += f"; {at_risk} service{'s' if at_risk != 1 else ''} at risk (low adoption)"
    return words
