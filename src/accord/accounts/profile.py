"""One account at a glance: profile, contacts, latest interactions, recent monthly revenue.

Used by ``accord accounts show``; every part goes through the visibility-checked services.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from accord.accounts import contacts as contact_service
from accord.accounts import service
from accord.accounts.schemas import AccountOut, ContactOut, InteractionOut, MonthlyRevenueOut
from accord.core.errors import NotFound
from accord.core.models import User
from accord.core.periods import format_month
from accord.revenue.service import monthly_revenue


class AccountProfile(BaseModel):
    account: AccountOut
    contacts: list[ContactOut]
    interactions: list[InteractionOut]
    interaction_count: int
    revenue_from: str
    revenue_to: str
    revenue: list[MonthlyRevenueOut]
    revenue_total: Decimal


def resolve_account(session: Session, user: User, ref: str) -> AccountOut:
    """An account by id or by external id (an all-digit reference tries the id first)."""
    ref = ref.strip()
    if ref.isdigit():
        try:
            return service.get_account(session, user, int(ref))
        except NotFound:
            pass
    try:
        return service.find_account_by_external_id(session, user, ref)
    except NotFound:
        raise NotFound(
            f"no account {ref!r} (neither an id nor an external id you can see)"
        ) from None


def account_profile(
    session: Session,
    user: User,
    ref: str,
    *,
    last_month: int,
    months: int = 12,
    interactions: int = 5,
) -> AccountProfile:
    account = resolve_account(session, user, ref)
    first = last_month - months + 1
    revenue = monthly_revenue(session, user, account.id, first=first, last=last_month)
    return AccountProfile(
        account=account,
        contacts=contact_service.list_contacts(session, user, account.id),
        interactions=contact_service.timeline(session, user, account.id, limit=interactions),
        interaction_count=contact_service.count_interactions(session, user, account.id),
        revenue_from=format_month(first),
        revenue_to=format_month(last_month),
        revenue=revenue,
        revenue_total=sum((r.amount for r in revenue), Decimal("0.00")),
    )
