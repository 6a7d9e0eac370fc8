"""What the data says about one relationship: the evidence behind the rubric (SQL reads)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, Contact, Interaction, InteractionContact
from accord.core.periods import month_index
from accord.relationships.rubric import Evidence, StagePolicy
from accord.revenue.models import MonthlyRevenue, RevenueLine


def trailing_revenue_cents(session: Session, account_id: int, today: date, months: int = 12) -> int:
    """Revenue of the last ``months`` complete months (below zero counts as zero)."""
    last = month_index(today) - 1
    total = (
        session.scalar(
            select(func.coalesce(func.sum(MonthlyRevenue.amount_cents), 0)).where(
                MonthlyRevenue.account_id == account_id,
                MonthlyRevenue.month > last - months,
                MonthlyRevenue.month <= last,
            )
        )
        or 0
    )
    return max(int(total), 0)


def gather(session: Session, account_id: int, today: date, policy: StagePolicy) -> Evidence:
    since = today - timedelta(days=policy.contact_lookback_days)
    touched = (
        select(Contact.id, Contact.function, Contact.seniority)
        .join(InteractionContact, InteractionContact.contact_id == Contact.id)
        .join(Interaction, Interaction.id == InteractionContact.interaction_id)
        .where(
            Interaction.account_id == account_id,
            Interaction.occurred_on > since,
            Interaction.occurred_on <= today,
        )
        .distinct()
        .subquery()
    )
    contacts, functions, executives = session.execute(
        select(
            func.count(touched.c.id),
            func.count(func.distinct(func.lower(touched.c.function))),
            func.count(touched.c.id).filter(touched.c.seniority == "executive"),
        )
    ).one()
    spend = session.scalar(select(Account.estimated_spend_cents).where(Account.id == account_id))
    share = None
    if spend:
        share = Decimal(trailing_revenue_cents(session, account_id, today)) / Decimal(spend)
    year_ago = today - timedelta(days=365)
    lines = (
        session.scalar(
            select(func.count(func.distinct(RevenueLine.product_line))).where(
                RevenueLine.account_id == account_id,
                RevenueLine.date > year_ago,
                RevenueLine.date <= today,
                RevenueLine.product_line.is_not(None),
                RevenueLine.amount_cents > 0,
            )
        )
        or 0
    )
    review_since = today - timedelta(days=policy.review_lookback_days)
    reviews = (
        session.scalar(
            select(func.count())
            .select_from(Interaction)
            .where(
                and_(
                    Interaction.account_id == account_id,
                    Interaction.kind == "business_review",
                    Interaction.occurred_on > review_since,
                    Interaction.occurred_on <= today,
                )
            )
        )
        or 0
    )
    return Evidence(
        contacts_touched=int(contacts),
        functions=int(functions),
        executives=int(executives),
        share_of_wallet=share,
        product_lines=int(lines),
        business_reviews=int(reviews),
    )
