"""The world of the My day tests: Acme (the owner's, North) and Globex (the outsider's,
South), with follow-ups, a plan action, a hand-off and health on both."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from accord.accounts.models import AccountMember
from accord.calendar.models import FollowUp
from accord.core.database import utcnow
from accord.handoffs.models import Handoff
from accord.health.models import AccountHealth
from accord.plans.models import AccountPlan, PlanAction, PlanObjective

TODAY = date(2026, 3, 18)  # a Wednesday


def follow_up(account_id: int, owner_id: int, title: str, due: date, **kw: Any) -> FollowUp:
    return FollowUp(account_id=account_id, owner_id=owner_id, title=title, due_on=due,
                    status=kw.pop("status", "open"), **kw)


def arrange(s: Session, cast: Any) -> dict[str, int]:
    """Every kind of item for the owner on Acme, the same for the outsider on Globex, and
    a follow-up of North's teammate on Globex (they are on its account team)."""
    acme, globex = cast.acme_id, cast.globex_id
    owner, outsider, teammate = cast.owner.id, cast.outsider.id, cast.teammate.id
    s.add(AccountMember(account_id=globex, user_id=teammate, role="member"))
    d = TODAY
    s.add_all([
        follow_up(acme, owner, "Oldest overdue", d - timedelta(days=20)),
        follow_up(acme, owner, "Newer overdue", d - timedelta(days=2)),
        follow_up(acme, owner, "Due today, no time", d),
        follow_up(acme, owner, "Due today at nine", d, due_time=__import__("datetime").time(9),
                  due_at=utcnow().replace(year=2026, month=3, day=18, hour=8, minute=0,
                                          second=0, microsecond=0)),
        follow_up(acme, owner, "Snoozed back today", d - timedelta(days=9), status="snoozed",
                  snoozed_until=d),
        follow_up(acme, owner, "Snoozed to next week", d - timedelta(days=9),
                  status="snoozed", snoozed_until=d + timedelta(days=7)),
        follow_up(acme, owner, "Done already", d - timedelta(days=30), status="done"),
        follow_up(acme, owner, "Not yet due", d + timedelta(days=3)),
        follow_up(globex, outsider, "Globex overdue", d - timedelta(days=40)),
        follow_up(globex, teammate, "Globex teammate overdue", d - timedelta(days=50)),
    ])
    ids: dict[str, int] = {}
    for account, who, name in ((acme, owner, "acme"), (globex, outsider, "globex")):
        plan = AccountPlan(account_id=account, horizon_months=12, starts_on=date(2026, 1, 1),
                           ends_on=date(2026, 12, 31), is_current=True)
        s.add(plan)
        s.flush()
        objective = PlanObjective(plan_id=plan.id, title="Grow", metric="manual", owner_id=who)
        s.add(objective)
        s.flush()
        action = PlanAction(objective_id=objective.id, title=f"{name} action", owner_id=who,
                            due_on=d - timedelta(days=1), status="open")
        later = PlanAction(objective_id=objective.id, title=f"{name} later action",
                           owner_id=who, due_on=d + timedelta(days=30), status="open")
        s.add_all([action, later])
        s.add(Handoff(account_id=account, kind="sales", state="submitted", author_id=None,
                      receiver_id=who, due_on=d - timedelta(days=3)))
        s.add(AccountHealth(account_id=account, computed_on=d, score=25, band="red"))
        s.flush()
        ids[f"{name}_action"] = int(action.id)
    return ids
