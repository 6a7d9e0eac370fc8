"""The account page's use case: everything shown about one account, read under visibility."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts import contacts as contact_service
from accord.accounts import service
from accord.accounts.models import AccountExternalId
from accord.accounts.schemas import AccountOut, ContactOut, InteractionOut, MonthlyRevenueOut
from accord.accounts.visibility import can_write, get_visible_account
from accord.core.models import User
from accord.core.periods import month_index
from accord.revenue.service import monthly_revenue

CHART_MONTHS = 36
TIMELINE_PAGE = 20
MAX_CHILDREN = 50


@dataclass
class AccountView:
    account: AccountOut
    can_write: bool
    members: list[User]
    external_ids: list[tuple[str, str]]
    children: list[AccountOut]
    children_total: int
    contacts: list[ContactOut]
    timeline: list[InteractionOut]
    interactions_total: int
    revenue: list[MonthlyRevenueOut]
    trailing_12: Decimal = Decimal("0.00")
    previous_12: Decimal = Decimal("0.00")
    extra: dict[str, object] = field(default_factory=dict)


def external_ids(session: Session, user: User, account_id: int) -> list[tuple[str, str]]:
    """Ids of the account in other systems, as (source, value), visible accounts only."""
    get_visible_account(session, user, account_id)
    return [
        (source, value)
        for source, value in session.execute(
            select(AccountExternalId.source, AccountExternalId.value)
            .where(AccountExternalId.account_id == account_id)
            .order_by(AccountExternalId.source, AccountExternalId.value)
        )
    ]


def account_view(
    session: Session,
    user: User,
    account_id: int,
    *,
    today: date,
    timeline_limit: int = TIMELINE_PAGE,
) -> AccountView:
    """Profile, team, contacts, the newest interactions and 36 months of revenue to ``today``."""
    account = service.get_account(session, user, account_id)  # NotFound for outsiders, first
    children = service.list_accounts(
        session, user, service.AccountFilter(parent_id=account_id), page_size=MAX_CHILDREN
    )
    last = month_index(today)
    revenue = monthly_revenue(session, user, account_id, first=last - CHART_MONTHS + 1, last=last)
    amounts = [r.amount for r in revenue]
    return AccountView(
        account=account,
        can_write=can_write(user),
        members=service.list_members(session, user, account_id),
        external_ids=external_ids(session, user, account_id),
        children=children.items,
        children_total=children.total,
        contacts=contact_service.list_contacts(session, user, account_id),
        timeline=contact_service.timeline(session, user, account_id, limit=timeline_limit),
        interactions_total=contact_service.count_interactions(session, user, account_id),
        revenue=revenue,
        # complete months only (the current one is still running), as the KPI engine counts
        trailing_12=sum(amounts[-13:-1], Decimal("0.00")),
        previous_12=sum(amounts[-25:-13], Decimal("0.00")),
    )
