"""One account at a glance, the one use case behind the account page and ``accord accounts
show``: profile, team, ids in other systems, sub-accounts, contacts, the newest interactions
and the monthly revenue of a window of months, all read under the caller's visibility.
The page and the command only lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts import contacts as contact_service
from accord.accounts import service
from accord.accounts.models import AccountExternalId
from accord.accounts.schemas import AccountOut, ContactOut, InteractionOut
from accord.accounts.visibility import can_write
from accord.core.errors import NotFound
from accord.core.models import User
from accord.plans.headline import PlanHeadline, plan_headline
from accord.revenue.schemas import MonthlyRevenueRow
from accord.revenue.service import monthly_revenue

#: months of revenue on the account page (its chart)
CHART_MONTHS = 36
#: interactions on the account page before "load more"
TIMELINE_PAGE = 20
#: sub-accounts listed on the account page
MAX_CHILDREN = 50
ZERO = Decimal("0.00")


@dataclass
class AccountProfile:
    account: AccountOut
    can_write: bool
    members: list[User]
    external_ids: list[tuple[str, str]]  # (source, value)
    children: list[AccountOut]  # the first MAX_CHILDREN
    children_total: int
    contacts: list[ContactOut]
    timeline: list[InteractionOut]  # the newest interactions
    interactions_total: int
    revenue: list[MonthlyRevenueRow]  # every month of the window, oldest first
    #: the headline of the current plan (the account page: given ``today``; None: no plan)
    plan: PlanHeadline | None = None

    @property
    def revenue_from(self) -> str:
        return self.revenue[0].month

    @property
    def revenue_to(self) -> str:
        return self.revenue[-1].month

    @property
    def revenue_total(self) -> Decimal:
        return sum((r.amount for r in self.revenue), ZERO)

    @property
    def trailing_12(self) -> Decimal:
        """The 12 months before the window's last: with the running month last (the
        account page), the last 12 complete months, as the KPI engine counts them."""
        return sum((r.amount for r in self.revenue[-13:-1]), ZERO)

    @property
    def previous_12(self) -> Decimal:
        """The 12 months before ``trailing_12``'s."""
        return sum((r.amount for r in self.revenue[-25:-13]), ZERO)


def account_profile(
    session: Session,
    user: User,
    account_id: int,
    *,
    last_month: int,
    months: int = CHART_MONTHS,
    timeline: int = TIMELINE_PAGE,
    today: date | None = None,
) -> AccountProfile:
    """The account with its ``timeline`` newest interactions and the revenue of the
    ``months`` months ending with ``last_month`` (a month index). NotFound for an account
    the user may not see, before anything else is read. With ``today``, the headline of the
    account's current plan too (the account page)."""
    account = service.get_account(session, user, account_id)
    children = service.list_accounts(
        session, user, service.AccountFilter(parent_id=account_id), page_size=MAX_CHILDREN
    )
    return AccountProfile(
        account=account,
        can_write=can_write(user),
        members=service.list_members(session, user, account_id),
        external_ids=_external_ids(session, account_id),
        children=children.items,
        children_total=children.total,
        contacts=contact_service.list_contacts(session, user, account_id),
        timeline=contact_service.timeline(session, user, account_id, limit=timeline),
        interactions_total=contact_service.count_interactions(session, user, account_id),
        revenue=monthly_revenue(
            session, user, account_id, first=last_month - months + 1, last=last_month
        ),
        plan=None if today is None else plan_headline(session, account_id, today=today),
    )


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


def _external_ids(session: Session, account_id: int) -> list[tuple[str, str]]:
    """Ids of the account in other systems, as (source, value) (its visibility is checked
    by ``account_profile``)."""
    return [
        (source, value)
        for source, value in session.execute(
            select(AccountExternalId.source, AccountExternalId.value)
            .where(AccountExternalId.account_id == account_id)
            .order_by(AccountExternalId.source, AccountExternalId.value)
        )
    ]
