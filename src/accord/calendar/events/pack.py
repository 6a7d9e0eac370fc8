"""The review pack of a business review: one document (HTML, and a PDF through WeasyPrint)
filled from the account's plan (objectives and their progress), its figures (revenue over the
last twelve complete months against the twelve before, and their ratio, the account's net
revenue retention), its health (score, band, measures) and its open items (open and snoozed
follow-ups, open opportunities). Read only: nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.calendar.events.schemas import EventOut
from accord.calendar.events.service import get_event
from accord.calendar.models import FollowUp
from accord.core.company import CompanyPolicy, company_policy
from accord.core.models import User
from accord.core.periods import format_month, month_index
from accord.growth.opportunities.schemas import OpportunityOut
from accord.growth.opportunities.service import account_opportunities
from accord.health.schemas import HealthOut
from accord.health.service import account_health
from accord.plans.schemas import PlanOut
from accord.plans.service import current_plan
from accord.revenue.service import monthly_revenue

MAX_FOLLOW_UPS = 50


@dataclass
class Figures:
    """Revenue of the last twelve complete months and the twelve before; ``retention``:
    their ratio (None without revenue the year before)."""

    period: str
    current: Decimal
    previous: Decimal
    retention: Decimal | None


@dataclass
class ReviewPack:
    event: EventOut
    account: Account
    manager: str | None
    plan: PlanOut | None
    health: HealthOut
    figures: Figures
    follow_ups: list[dict[str, Any]]
    opportunities: list[OpportunityOut]
    company: CompanyPolicy
    today: date


def figures(session: Session, user: User, account_id: int, today: date) -> Figures:
    last = month_index(today) - 1
    months = monthly_revenue(session, user, account_id, first=last - 23, last=last)
    previous = sum((m.amount for m in months[:12]), Decimal(0))
    current = sum((m.amount for m in months[12:]), Decimal(0))
    ratio = (current / previous).quantize(Decimal("0.0001")) if previous > 0 else None
    return Figures(period=f"{format_month(last - 11)} – {format_month(last)}",
                   current=current, previous=previous, retention=ratio)


def _follow_ups(session: Session, account_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(FollowUp.id, FollowUp.title, FollowUp.due_on, FollowUp.status,
               FollowUp.snoozed_until, User.name)
        .outerjoin(User, User.id == FollowUp.owner_id)
        .where(FollowUp.account_id == account_id, FollowUp.status.in_(("open", "snoozed")))
        .order_by(FollowUp.due_on, FollowUp.id).limit(MAX_FOLLOW_UPS)).all()
    return [{"id": i, "title": t, "due_on": d, "status": s, "snoozed_until": u, "owner": o}
            for i, t, d, s, u, o in rows]


def review_pack(session: Session, user: User, event_id: int, today: date) -> ReviewPack:
    """Everything the pack shows, read as ``user`` (an event out of reach: 404)."""
    event = get_event(session, user, event_id)
    account = session.get(Account, event.account_id)
    assert account is not None
    manager = session.get(User, account.manager_id) if account.manager_id else None
    return ReviewPack(
        event=event, account=account, manager=manager.name if manager else None,
        plan=current_plan(session, user, account.id, today=today),
        health=account_health(session, user, account.id, today=today),
        figures=figures(session, user, account.id, today),
        follow_ups=_follow_ups(session, account.id),
        opportunities=[o for o in account_opportunities(session, user, account.id)
                       if o.closed_on is None],
        company=company_policy(session), today=today)


def render_html(pack: ReviewPack) -> str:
    # imported here: the accord command loads this module and must start without jinja2
    from accord.web.templating import templates

    template = templates.env.get_template("calendar/events_pack.html")
    return template.render({"pack": pack, "request": None, "csrf_token": ""})


def review_pack_html(session: Session, user: User, event_id: int, today: date) -> str:
    return render_html(review_pack(session, user, event_id, today))


def review_pack_pdf(session: Session, user: User, event_id: int, today: date) -> bytes:
    from weasyprint import HTML  # here: slow to load, and only the PDF needs it

    pdf: bytes = HTML(string=review_pack_html(session, user, event_id, today)).write_pdf()
    return pdf


def filename(event_id: int, ext: str) -> str:
    return f"review-pack-{event_id}.{ext}"
