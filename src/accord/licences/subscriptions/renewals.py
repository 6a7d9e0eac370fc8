"""Renewing subscriptions roll into their next term, and the MRR store keeps its horizon:
the daily job ``subscription_terms`` (registered by ``app.wiring``; the jobs live in the
calendar, above this package).

- An active subscription that renews itself and whose term ended before ``today`` gets the
  end of its current term (``rules.term_end`` from the day after, term after term); audited
  as the job (``renew``).
- The store is rebuilt for the accounts whose subscriptions renewed, and for every account
  when its last month falls short of ``HORIZON_MONTHS`` past today's (a new month began).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.models import Role, User
from accord.core.periods import month_index
from accord.licences import mrr, rules
from accord.licences.models import Subscription, SubscriptionMrr
from accord.licences.subscriptions.service import HORIZON_MONTHS

JOB = "subscription_terms"


def roll_terms(session: Session, today: date) -> dict[str, Any]:
    """Run the job once for ``today``; what it did, for the job log."""
    actor = User(id=None, email=f"job:{JOB}", name="Scheduled job", role=Role.ADMIN.value,
                 is_active=True)
    due = session.scalars(select(Subscription).where(
        Subscription.status == "active", Subscription.auto_renew.is_(True),
        Subscription.ended_on.is_(None), Subscription.end_on < today)
        .order_by(Subscription.id).with_for_update()).all()
    touched: set[int] = set()
    for row in due:
        before = row.end_on
        while row.end_on < today:
            row.end_on = rules.term_end(row.end_on + timedelta(days=1), row.term_months)
        row.version = row.version + 1
        touched.add(row.account_id)
        audit.record(session, actor, "renew", "subscription", row.id, account_id=row.account_id,
                     before={"end_on": before.isoformat()},
                     after={"end_on": row.end_on.isoformat()})
    session.flush()
    through = month_index(today) + HORIZON_MONTHS
    last = session.scalar(select(func.max(SubscriptionMrr.month)))
    if last is not None and last < through:
        rows = mrr.rebuild(session, through=through)
        return {"renewed": len(due), "mrr_rows": rows, "rebuilt": "all"}
    if touched:
        mrr.rebuild(session, through=through, accounts=sorted(touched))
    return {"renewed": len(due), "rebuilt": len(touched)}
