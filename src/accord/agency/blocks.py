"""When a brief waited for the client: its input requests as blocks (requested on, received
or cancelled on — None while open). Shared by the briefs (the figures recorded at the first
delivery, "blocked by client input since …") and the inputs (which close the blocks).

The first delivery's figures (``blocked_days``, ``due_with_blocks_on``,
``original_with_blocks_on``, ``turnaround_days``) are derived from the blocks: whoever
changes a delivered brief's blocks (a request received on an earlier day, cancelled, moved
to or from the brief) rebuilds them with ``refresh_first_delivery`` in the same
transaction, so the stored figures always equal a fresh computation.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.agency import access
from accord.agency import rules as agency_rules
from accord.agency.models import Brief, BriefTransition, Department, InputRequest
from accord.core import audit
from accord.core.models import User

#: the stored figures of the first delivery (what ``refresh_first_delivery`` rewrites)
FIRST_DELIVERY = ("first_delivered_on", "blocked_days", "due_with_blocks_on",
                  "original_with_blocks_on", "turnaround_days")


def blocks_of(session: Session, brief_id: int) -> list[tuple[date, date | None]]:
    """Every input request of the brief as (requested on, closed on or None), by start."""
    rows = session.execute(
        select(InputRequest.requested_on, InputRequest.closed_on)
        .where(InputRequest.brief_id == brief_id)
        .order_by(InputRequest.requested_on, InputRequest.id)
    ).all()
    return [(r.requested_on, r.closed_on) for r in rows]


def blocked_since(session: Session, brief_ids: Collection[int]) -> dict[int, date]:
    """For each of these briefs still waiting for a client input (an open request), the day
    the earliest open request was made."""
    if not brief_ids:
        return {}
    rows = session.execute(
        select(InputRequest.brief_id, func.min(InputRequest.requested_on))
        .where(InputRequest.brief_id.in_(sorted(brief_ids)), InputRequest.status == "open")
        .group_by(InputRequest.brief_id)
    ).all()
    return {int(b): d for b, d in rows if b is not None}


def first_delivered_on(session: Session, brief_id: int) -> date | None:
    """The day of the brief's first "deliver" step (its department's date), None before."""
    return session.scalar(
        select(BriefTransition.on)
        .where(BriefTransition.brief_id == brief_id, BriefTransition.action == "deliver")
        .order_by(BriefTransition.at, BriefTransition.id).limit(1))


def refresh_first_delivery(session: Session, brief_id: int, *,
                           user: User | None = None) -> bool:
    """Recompute the brief's first-delivery figures from its first "deliver" step, its
    ``sent_on``, ``due_on``, ``original_due_on`` and its current blocks, in its department's
    calendar (``agency.rules.first_delivery``); write them when they changed (audited as
    ``user``, None: the system — entity "brief", action "refresh"). True when written; False
    when nothing changed or the brief (delivered) does not exist. Call it after the step is
    logged (at delivery) or after a change of the brief's blocks, in the same transaction."""
    delivered_on = first_delivered_on(session, brief_id)
    if delivered_on is None:
        return False
    brief = session.get(Brief, brief_id)
    if brief is None:
        return False
    department = session.get(Department, brief.department_id)
    if department is None:
        return False
    session.flush()  # the blocks as the caller just changed them
    first = agency_rules.first_delivery(
        access.calendar_of(session, department), sent_on=brief.sent_on or delivered_on,
        delivered_on=delivered_on, due_on=brief.due_on, original_due_on=brief.original_due_on,
        blocks=blocks_of(session, brief.id))
    before = {name: getattr(brief, name) for name in FIRST_DELIVERY}
    after = {name: getattr(first, "delivered_on" if name == "first_delivered_on" else name)
             for name in FIRST_DELIVERY}
    old, new = audit.changed_fields(before, after)
    if not new:
        return False
    for name, value in after.items():
        setattr(brief, name, value)
    session.flush()
    audit.record(session, user, "refresh", "brief", brief.id,
                 before={**old, "account_id": brief.account_id},
                 after={**new, "account_id": brief.account_id}, account_id=brief.account_id)
    return True
