"""The demo portfolio gains criteria, scorings, stages and health — deterministically."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from accord.core.models import Role, User
from accord.demo.loader import load_demo
from accord.demo.plan import DemoSpec
from accord.health import demo as health_demo
from accord.health.models import AccountHealth, HealthHistory
from accord.relationships import decisions
from accord.relationships import demo as stage_demo
from accord.relationships.models import StageAssessment
from accord.selection import demo as selection_demo
from accord.selection import matrix
from accord.selection.models import Scoring

TODAY = date(2026, 1, 1)


def test_the_demo_seeds_give_a_matrix_stages_decisions_and_health(sessions) -> None:
    spec = DemoSpec(accounts=400, months=25, seed=5, today=TODAY)
    with sessions.begin() as s:
        load_demo(s, spec)
    # load_demo runs the three seeds; running them again adds nothing
    with sessions.begin() as s:
        made = s.scalar(select(func.count()).select_from(Scoring))
        stages = s.scalar(select(func.count()).select_from(StageAssessment))
        assert selection_demo.seed_demo(s, seed=5, today=TODAY) == 0
        assert stage_demo.seed_demo(s, seed=5, today=TODAY) == 0
        assert health_demo.seed_demo(s, seed=5, today=TODAY) >= 400
    assert made > 80 and stages > 30
    admin = User(id=None, email="test", name="t", role=Role.ADMIN.value, is_active=True)
    with sessions.begin() as s:
        assert s.scalar(select(func.count(func.distinct(HealthHistory.computed_on)))) == 7
        out = matrix.matrix(s, admin, today=TODAY)
        quadrants = {p.quadrant for p in out.points}
        assert quadrants == {"Strategic", "Star", "Status", "Streamline"}
        assert sum(1 for p in out.points if p.previous_attractiveness is not None) > 10
        page = decisions.list_decisions(s, admin, today=TODAY, page_size=500)
        assert {r.decision for r in page.items} >= {"invest", "maintain", "recalibrate", None}
        bands = set(s.scalars(select(AccountHealth.band).distinct()))
        assert {"green", "amber", "red"} <= bands
