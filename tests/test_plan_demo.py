"""Demo plans: one current plan for each key account of the demo portfolio, alive enough for
the pages (objectives tied and manual, overdue actions, stale plans, history)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.core.models import User
from accord.demo.loader import load_demo
from accord.demo.plan import DemoSpec
from accord.plans import service
from accord.plans.models import AccountPlan, PlanAction, PlanKeyPerson, PlanObjective

SPEC = DemoSpec(accounts=400, months=24, seed=5, today=date(2026, 3, 18))


def test_the_demo_gives_key_accounts_plans(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        load_demo(s, SPEC)
    with sessions() as s:
        current = s.scalar(select(func.count()).select_from(AccountPlan).where(
            AccountPlan.is_current.is_(True)))
        assert current == SPEC.accounts // 20
        one_current = s.execute(select(AccountPlan.account_id).where(
            AccountPlan.is_current.is_(True)).group_by(AccountPlan.account_id).having(
            func.count() > 1)).all()
        assert one_current == []
        metrics = set(s.scalars(select(PlanObjective.metric).distinct()))
        assert "manual" in metrics and metrics & {"revenue_12m", "health", "share_of_wallet"}
        assert (s.scalar(select(func.count()).select_from(PlanKeyPerson)) or 0) >= (current or 0)
        overdue = s.scalar(select(func.count()).select_from(PlanAction).where(
            PlanAction.status == "open", PlanAction.due_on < SPEC.today))
        assert overdue and overdue > 0
        plans = list(s.scalars(select(AccountPlan).where(AccountPlan.is_current.is_(True))))
        admin = s.scalar(select(User).where(User.role == "admin"))
        assert admin is not None
        shown = [service.get_plan(s, admin, p.id, today=SPEC.today) for p in plans]
        assert any(p.stale for p in shown) and not all(p.stale for p in shown)
        assert any(p.overdue_actions for p in shown)
        assert all(p.completeness > 0 for p in shown)
        assert any(o.tied and o.progress is not None for p in shown for o in p.objectives)
