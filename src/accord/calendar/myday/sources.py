"""What My day reads from the other parts of the account rhythm, turned into My day's items:
the business reviews and events (``calendar.events.service.occurrences``: series expanded,
cancelled occurrences dropped, only visible accounts), the renewals in their notice window
(``calendar.renewals.service.renewals``) and the cadence states
(``calendar.cadence.queries.cadence_select``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.calendar.cadence.queries import cadence_select
from accord.calendar.events import service as events
from accord.calendar.models import CadenceOverride
from accord.calendar.myday.schemas import ItemAction, MyDayItem
from accord.calendar.renewals import service as renewal_service
from accord.core.models import User
from accord.selection.models import SelectionCurrent
from accord.selection.rules import NOT_KEY


def occurrences(session: Session, user: User, start: date, end: date, *,
                owner_id: int | None, kinds: tuple[str, ...] | None = None) -> list[MyDayItem]:
    """The events (of ``kinds``) on the days ``start`` to ``end`` (the user's time zone) on
    the accounts the user sees, organised or attended by ``owner_id`` (None: anyone's), as
    items, soonest first; ``time`` is the local start."""
    out = []
    for o in events.occurrences(session, user, start, end, owner_id=owner_id):
        if kinds is not None and o.kind not in kinds:
            continue
        actions = [] if o.status == "held" else [ItemAction(
            label="Record outcome", method="get",
            url=f"/events/{o.event_id}/occurrences/{o.key}/outcome")]
        out.append(MyDayItem(
            kind="review" if o.kind == "business_review" else "event", id=o.event_id,
            account_id=o.account_id, account_name=o.account_name, title=o.title,
            due_on=o.local_start.date(), at=o.starts_at, time=o.local_start.strftime("%H:%M"),
            url=f"/events/{o.event_id}", actions=actions,
            note="held" if o.status == "held" else ("recurring" if o.recurring else "")))
    return out


def renewals(session: Session, user: User, today: date, *, manager_id: int | None
             ) -> list[MyDayItem]:
    """The contracts and the subscriptions in their renewal notice window (reminder date ≤
    today ≤ end of the contract or of the subscription's term), by notice deadline."""
    return [
        MyDayItem(
            kind="renewal", account_id=r.account_id, account_name=r.account_name,
            title=(f"{r.service} term ends {r.contract_end_on.isoformat()}, notice by "
                   f"{r.notice_deadline.isoformat()}" if r.kind == "subscription" else
                   f"Contract ends {r.contract_end_on.isoformat()}, notice by "
                   f"{r.notice_deadline.isoformat()}"),
            due_on=r.notice_deadline, owner_name=r.manager_name,
            url=(f"/opportunities/{r.opportunity_id}" if r.opportunity_id
                 else f"/subscriptions/{r.subscription_id}" if r.subscription_id
                 else f"/accounts/{r.account_id}"),
            note=r.state.replace("_", " "))
        for r in renewal_service.renewals(session, user, today, manager_id=manager_id,
                                          subscriptions=True)
    ]


def cadence(session: Session, today: date, scope: ColumnElement[bool]) -> Select[Any]:
    """(account_id, …, state) of the accounts in ``scope`` (a condition over ``Account``)
    whose cadence My day watches: the key accounts (scored into a key tier) and those with
    a cadence override. A not-key account's 90-day touch interval is a floor, not a rhythm:
    listing every one left untouched for 180 days would bury the key accounts (and read the
    whole book for each page)."""
    watched = and_(scope, or_(Account.id.in_(select(SelectionCurrent.account_id)),
                              Account.id.in_(select(CadenceOverride.account_id))))
    query = cadence_select(session, today, watched).subquery("watched_cadence")
    return select(query).where(or_(query.c.tier != NOT_KEY, query.c.source == "override"))
