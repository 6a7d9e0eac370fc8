"""Demo opportunities: on the demo's key accounts, in every stage and of every kind, each about
a product line of the catalogue; lost ones keep a reason, closed ones a day; the pipeline reads
them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.core.models import User
from accord.demo.loader import load_demo
from accord.demo.plan import DemoSpec
from accord.growth.opportunities import demo as opportunities_demo
from accord.growth.opportunities import pipeline, rules
from accord.growth.opportunities.models import Opportunity, OpportunityProductLine

SPEC = DemoSpec(accounts=300, months=18, seed=7, today=date(2026, 3, 18))


def test_the_demo_has_opportunities_in_every_stage(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        load_demo(s, SPEC)
    with sessions() as s:
        rows = list(s.scalars(select(Opportunity)))
        assert rows and {r.stage for r in rows} == set(rules.STAGES)
        assert {r.kind for r in rows} == set(rules.KINDS)
        assert all(r.lost_reason for r in rows if r.stage == "lost")
        assert all(r.closed_on for r in rows if r.stage in rules.CLOSED_STAGES)
        assert all(r.owner_id for r in rows)
        linked = set(s.scalars(select(OpportunityProductLine.opportunity_id).distinct()))
        assert linked == {r.id for r in rows}
        admin = s.scalar(select(User).where(User.role == "admin"))
        assert admin is not None
        out = pipeline.pipeline(s, admin, pipeline.Filters(), by="tier")
        assert out.count == sum(1 for r in rows if r.stage in rules.OPEN_STAGES)
        assert out.forecast and out.weighted_value > 0
    with sessions.begin() as s:  # again: nothing more
        assert opportunities_demo.seed_demo(s, seed=7, today=SPEC.today, accounts=300) == 0
        assert s.scalar(select(func.count()).select_from(Opportunity)) == len(rows)
