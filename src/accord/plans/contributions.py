"""What a capability above plans adds to a manual objective's current value.

Plans sit below the capabilities whose figures an objective may count (growth: the won value
of the opportunities an objective lists), so they cannot read them: a provider registered
here answers, for some objective ids, the value each one adds, and the assembly
(``accord.app.wiring``) connects it. With nothing connected an objective's current value is
its latest manual update, as before.

The rule (``current``): a manual objective's current value is its latest update plus what the
providers add; one with neither has none.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from decimal import Decimal

from sqlalchemy.orm import Session

#: (session, objective ids) -> {objective id: the value it adds} (only the objectives it knows)
Provider = Callable[[Session, Collection[int]], Mapping[int, Decimal]]

_providers: list[Provider] = []


def connect(provider: Provider) -> None:
    """Register a provider (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)


def disconnect(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def added(session: Session, objective_ids: Collection[int]) -> dict[int, Decimal]:
    """{objective id: the sum the providers add}; no statement without ids or providers."""
    ids = sorted(set(objective_ids))
    out: dict[int, Decimal] = {}
    if not ids:
        return out
    for provider in _providers:
        for objective_id, value in provider(session, ids).items():
            out[objective_id] = out.get(objective_id, Decimal(0)) + Decimal(value)
    return out


def current(manual: Decimal | None, extra: Decimal | None) -> Decimal | None:
    """A manual objective's current value: its latest update plus what is added."""
    if extra is None:
        return manual
    return (Decimal(0) if manual is None else Decimal(manual)) + extra
