"""Which account an external id names, among the accounts a user may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountExternalId
from accord.core.models import User
from accord.core.visibility import visible_accounts


def account_ids_by_external_id(session: Session, user: User, source: str) -> dict[str, int]:
    """external id -> account id for every visible account (ids of ``source`` win).

    Accounts the user cannot see are absent: their rows are reported as unknown accounts,
    so an import teaches a user nothing about the rest of the portfolio.
    """
    found: dict[str, int] = {
        str(ext): acc_id
        for ext, acc_id in session.execute(
            select(Account.external_id, Account.id).where(
                Account.external_id.is_not(None), visible_accounts(user)
            )
        )
    }
    if source != "accord":
        found.update(
            {
                value: acc_id
                for value, acc_id in session.execute(
                    select(AccountExternalId.value, AccountExternalId.account_id)
                    .join(Account, Account.id == AccountExternalId.account_id)
                    .where(AccountExternalId.source == source, visible_accounts(user))
                )
            }
        )
    return found
