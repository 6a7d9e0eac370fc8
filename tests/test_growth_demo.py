"""The demo's growth data: the catalogue holds every product line its revenue carries plus
two not sold, the summary adds up to the mapped revenue lines, some key accounts have needs
(some of them gaps) and cells marked not relevant; the portfolio view reads it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.core.models import User
from accord.demo.loader import load_demo
from accord.demo.plan import DemoSpec
from accord.growth import demo, needs, portfolio
from accord.growth.models import Need, ProductLine, ProductLineRevenue, WhitespaceFlag
from accord.revenue.models import RevenueLine

SPEC = DemoSpec(accounts=300, months=24, seed=7, today=date(2026, 3, 18))


def test_the_demo_has_a_catalogue_needs_and_flags(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        load_demo(s, SPEC)
    with sessions() as s:
        names = set(s.scalars(select(ProductLine.name)))
        sold = set(s.scalars(select(RevenueLine.product_line).distinct()))
        assert sold <= names and set(demo.NOT_SOLD) <= names
        assert s.scalar(select(func.sum(ProductLineRevenue.amount_cents))) == s.scalar(
            select(func.sum(RevenueLine.amount_cents)))
        assert (s.scalar(select(func.count()).select_from(Need)) or 0) > 0
        assert (s.scalar(select(func.count()).select_from(WhitespaceFlag)) or 0) > 0
        admin = s.scalar(select(User).where(User.role == "admin"))
        assert admin is not None
        assert needs.gaps(s, admin)
        view = portfolio.portfolio(s, admin, today=SPEC.today)
        assert view.key_accounts > 0
        assert any(p.key_accounts_buying for p in view.lines)
        assert all(p.key_accounts_buying == 0 for p in view.lines if p.name in demo.NOT_SOLD)
