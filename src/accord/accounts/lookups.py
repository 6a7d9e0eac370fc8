"""Which account an external id names, among the accounts a user may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountExternalId
from accord.accounts.visibility import visible_accounts
from accord.core.models import User


def accord_ids(user: User) -> Select[Any, Any]:
    """(external id, account id) of the accounts ``user`` may see, by Accord's own ids."""
    return select(Account.external_id, Account.id).where(
        Account.external_id.is_not(None), visible_accounts(user))


def source_ids(user: User, source: str) -> Select[Any, Any]:
    """(id in ``source``, account id) of the accounts ``user`` may see."""
    return (select(AccountExternalId.value, AccountExternalId.account_id)
            .join(Account, Account.id == AccountExternalId.account_id)
            .where(AccountExternalId.source == source, visible_accounts(user)))


def account_ids_by_external_id(session: Session, user: User, source: str) -> dict[str, int]:
    """external id -> account id for every visible account (ids of ``source`` win).

    Accounts the user cannot see are absent: their rows are reported as unknown accounts,
    so an import teaches a user nothing about the rest of the portfolio. (The staged revenue
    import builds the same map as a TEMP table from the same two queries: ``checks.py``.)
    """
    found: dict[str, int] = {str(ext): acc_id for ext, acc_id in session.execute(accord_ids(user))}
    if source != "accord":
        found.update({value: acc_id for value, acc_id in session.execute(source_ids(user, source))})
    return found
