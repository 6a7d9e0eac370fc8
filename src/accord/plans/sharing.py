"""Links that show the client the sections of a plan the manager marked shareable.

The token is random (``secrets.token_urlsafe``), given once and stored only as its SHA-256,
as API tokens are (``core.security``). A link expires after the ``plans.share_link_days``
setting and can be revoked; an unknown, expired or revoked token, or one of a plan that is
no longer current, is one and the same 404 that writes nothing. The view holds only the
shared sections: no ids, no owners, no notes, no actions.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core import audit
from accord.core.database import utcnow
from accord.core.errors import NotFound
from accord.core.models import User
from accord.core.security import hash_api_token
from accord.plans import rules
from accord.plans.access import require_write, visible_plan, writable_plan
from accord.plans.models import AccountPlan, PlanShareLink
from accord.plans.reading import entries_of, key_people_of, objectives_of
from accord.plans.schemas import (
    SharedObjective,
    SharedPerson,
    SharedPlanOut,
    ShareLinkCreated,
    ShareLinkOut,
)
from accord.plans.settings import plans_policy

#: where the client opens a link (the page is ``plans.pages``' public route)
SHARED_PATH = "/shared/plans/{token}"
GONE = "this link does not exist, has expired or was revoked"


def _link_out(link: PlanShareLink, by: str | None, now: datetime) -> ShareLinkOut:
    return ShareLinkOut(
        id=link.id,
        plan_id=link.plan_id,
        created_by=by,
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        active=link.revoked_at is None and link.expires_at > now,
    )


def create_share_link(
    session: Session, user: User, plan_id: int, *, now: datetime | None = None
) -> ShareLinkCreated:
    """A new link to the plan's shared sections, expiring after the policy's days."""
    plan, _ = writable_plan(session, user, plan_id)
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    link = PlanShareLink(
        plan_id=plan.id,
        token_hash=hash_api_token(token),
        created_by_id=user.id,
        created_at=now,
        expires_at=now + timedelta(days=plans_policy(session).share_link_days),
    )
    session.add(link)
    session.flush()
    audit.record(
        session, user, "create", "plan_share_link", link.id, account_id=plan.account_id,
        after={"plan_id": plan.id, "expires_at": link.expires_at,
               "sections": list(plan.shared_sections or [])},
    )
    out = _link_out(link, user.name, now)
    return ShareLinkCreated(
        **out.model_dump(), token=token, path=SHARED_PATH.format(token=token)
    )


def list_share_links(
    session: Session, user: User, plan_id: int, *, now: datetime | None = None
) -> list[ShareLinkOut]:
    """The plan's links, the newest first (tokens are never shown again)."""
    plan, _ = visible_plan(session, user, plan_id)
    now = now or utcnow()
    rows = session.execute(
        select(PlanShareLink, User.name)
        .outerjoin(User, User.id == PlanShareLink.created_by_id)
        .where(PlanShareLink.plan_id == plan.id)
        .order_by(PlanShareLink.created_at.desc(), PlanShareLink.id.desc())
    ).all()
    return [_link_out(link, name, now) for link, name in rows]


def revoke_share_link(
    session: Session, user: User, link_id: int, *, now: datetime | None = None
) -> ShareLinkOut:
    """The link stops working at once; revoking twice changes nothing."""
    link = session.get(PlanShareLink, link_id)
    if link is None:
        raise NotFound(f"no share link {link_id}")
    try:
        plan, account = visible_plan(session, user, link.plan_id)
    except NotFound:
        raise NotFound(f"no share link {link_id}") from None
    require_write(session, user, account)
    now = now or utcnow()
    if link.revoked_at is None:
        link.revoked_at = now
        session.flush()
        audit.record(
            session, user, "revoke", "plan_share_link", link.id, account_id=plan.account_id,
            after={"revoked_at": now},
        )
    by = session.get(User, link.created_by_id) if link.created_by_id else None
    return _link_out(link, by.name if by else None, now)


def shared_view(session: Session, token: str, *, now: datetime) -> SharedPlanOut:
    """What the client sees through a link: only the shared sections. Reads only."""
    if not token or len(token) > 200:
        raise NotFound(GONE)
    row = session.execute(
        select(PlanShareLink, AccountPlan, Account.name)
        .join(AccountPlan, AccountPlan.id == PlanShareLink.plan_id)
        .join(Account, Account.id == AccountPlan.account_id)
        .where(PlanShareLink.token_hash == hash_api_token(token))
    ).first()
    if row is None:
        raise NotFound(GONE)
    link, plan, account_name = row
    if link.revoked_at is not None or link.expires_at <= now or not plan.is_current:
        raise NotFound(GONE)
    return _shared(session, plan, account_name, link.expires_at, now.date())


def _shared(
    session: Session, plan: AccountPlan, account_name: str, expires_at: datetime, today: date
) -> SharedPlanOut:
    sections = [s for s in rules.SECTIONS if s in (plan.shared_sections or [])]
    out = SharedPlanOut(
        account_name=account_name,
        horizon_months=plan.horizon_months,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        sections=sections,
        expires_at=expires_at,
    )
    if "business" in sections:
        out.business, out.strategy, out.budgets = plan.business, plan.strategy, plan.budgets
    if "value_to_us" in sections:
        out.value_to_us = plan.value_to_us
    lists = {"goals", "pain_points", "swot", "risks"} & set(sections)
    if lists:
        entries = entries_of(session, plan.id)
        for name in ("goals", "pain_points", "risks"):
            if name in lists:
                setattr(out, name, entries[name])
        if "swot" in lists:
            for name in rules.SWOT:
                setattr(out, name, entries[name])
    if "key_people" in sections:
        out.key_people = [
            SharedPerson(name=p.name, title=p.title, buying_role=p.buying_role,
                         reports_to=p.reports_to_name)
            for p in key_people_of(session, plan)
        ]
    if "objectives" in sections:
        objectives, _ = objectives_of(session, plan, today=today)
        out.objectives = [
            SharedObjective(
                title=o.title, metric_label=o.metric_label, baseline=o.baseline,
                target=o.target, current=o.current, progress=o.progress, due_on=o.due_on,
            )
            for o in objectives
        ]
    return out
