"""The demo's hand-offs, on both databases: every onboarding company has its open hand-off
from the sales user; some are returned with reasons, some overdue, some accepted with their
quality; the boxes and the gate work on them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.accounts import lifecycle
from accord.accounts.models import Account, AccountMember
from accord.core.models import User
from accord.demo.loader import load_demo
from accord.demo.plan import DemoSpec
from accord.handoffs import rules, service
from accord.handoffs.models import Handoff, HandoffEvent, HandoffItem

TODAY = date(2026, 3, 18)
SPEC = DemoSpec(accounts=400, months=13, seed=11, today=TODAY)


def test_the_demo_portfolio_has_lively_handoffs(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        load_demo(s, SPEC)
    with sessions.begin() as s:
        sales = s.scalar(select(User).where(User.role == "sales"))
        assert sales is not None
        onboarding = set(s.scalars(select(Account.id).where(
            Account.kind == "company", Account.status == "onboarding",
            Account.manager_id.is_not(None))))
        assert onboarding
        open_sales = {h.account_id: h for h in s.scalars(select(Handoff).where(
            Handoff.kind == "sales", Handoff.state.in_(rules.OPEN)))}
        assert set(open_sales) == onboarding
        assert all(h.author_id == sales.id for h in open_sales.values())
        states = {state: count for state, count in s.execute(
            select(Handoff.state, func.count()).group_by(Handoff.state)).all()}
        assert {"draft", "submitted", "returned", "accepted"} <= set(states)
        returned = s.scalars(select(Handoff).where(Handoff.state == "returned")).all()
        assert all(h.return_reason for h in returned)
        accepted = s.scalars(select(Handoff).where(Handoff.state == "accepted")).all()
        qualities = [h.quality for h in accepted]
        assert all(q is not None and Decimal(0) <= q <= Decimal(1) for q in qualities)
        assert all(s.get(Account, h.account_id).status == "active"  # type: ignore[union-attr]
                   for h in accepted if h.kind == "sales")
        # the author of an open hand-off is on its account team
        for h in open_sales.values():
            assert s.get(AccountMember, (h.account_id, sales.id)) is not None
        # items: the template's, answered as far as the state needs
        for h in s.scalars(select(Handoff).where(Handoff.state == "submitted")).all():
            items = s.scalars(select(HandoffItem).where(HandoffItem.handoff_id == h.id)).all()
            assert rules.missing_required(items) == []
            assert h.due_on is not None
        assert (s.scalar(select(func.count()).select_from(HandoffEvent)) or 0) >= len(states)
        overdue = service.list_handoffs(s, sales, box="overdue", today=TODAY)
        assert overdue.total > 0 and all(r.overdue for r in overdue.items)
        assert service.list_handoffs(s, sales, box="returned", today=TODAY).total == len(
            [h for h in returned if h.author_id == sales.id])
        some = next(iter(open_sales.values()))
        message = lifecycle.check_activation(s, some.account_id)
        assert message == f"accept hand-off #{some.id} to make this account active"
