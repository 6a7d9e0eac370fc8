"""Demo data of relationship stages: recorded stages (with history) for most scored accounts,
and the manager's overrides where Accord holds no evidence (information sharing, forecast
horizon). ``seed_demo(session, seed=…, today=…)``; run after ``accord.selection.demo``."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.database import utcnow
from accord.relationships import evidence, rubric
from accord.relationships.models import StageAssessment, StageOverride
from accord.relationships.service import stage_policy
from accord.selection.models import SelectionCurrent

REASONS = {
    "information_sharing": (
        "shares its annual plan with us",
        "operational data only",
        "joint forecasting since last year",
        "open-book costing agreed",
    ),
    "forecast_horizon": (
        "orders placed project by project",
        "yearly frame agreement",
        "three-year framework contract",
        "five-year partnership agreement",
    ),
}


def seed_demo(session: Session, *, seed: int, today: date) -> int:
    """Record stages for about 70 % of the scored accounts. Returns assessments made."""
    rng = random.Random(f"stages-{seed}")
    policy = stage_policy(session)
    if session.scalar(select(StageAssessment.id).limit(1)) is not None:
        return 0  # already seeded (or assessed by hand): leave it alone
    accounts = sorted(session.scalars(select(SelectionCurrent.account_id)))
    overrides, assessments = [], []
    for account_id in accounts:
        if rng.random() > 0.7:
            continue
        chosen: dict[str, tuple[int, str]] = {}
        for criterion in ("information_sharing", "forecast_horizon"):
            if rng.random() < 0.8:
                score = rng.choice((1, 2, 2, 3, 3, 4))
                chosen[criterion] = (score, REASONS[criterion][score - 1])
                overrides.append(
                    {
                        "account_id": account_id,
                        "criterion": criterion,
                        "score": score,
                        "reason": chosen[criterion][1],
                        "set_by": "demo",
                        "set_at": utcnow(),
                    }
                )
        ev = evidence.gather(session, account_id, today, policy)
        scores = rubric.assess(ev, policy, chosen)
        total = rubric.total(scores)
        suggested = rubric.stage_for_total(total, policy)
        detail = [
            {
                "criterion": c.criterion,
                "computed": c.computed,
                "evidence": c.evidence,
                "override": c.override,
                "reason": c.reason,
                "score": c.score,
            }
            for c in scores
        ]
        if rng.random() < 0.4:  # an earlier, lower assessment: history
            earlier = rubric.STAGES[max(0, rubric.STAGES.index(suggested) - 1)]
            assessments.append(
                {
                    "account_id": account_id,
                    "assessed_on": today - timedelta(days=rng.randint(200, 400)),
                    "assessed_by": "demo",
                    "recorded_stage": earlier.value,
                    "suggested_stage": earlier.value,
                    "suggested_total": max(6, total - 3),
                    "comment": None,
                    "detail": detail,
                    "created_at": utcnow(),
                }
            )
        recorded = suggested
        comment = None
        if rng.random() < 0.1:
            recorded = rubric.STAGES[min(3, rubric.STAGES.index(suggested) + 1)]
            comment = "the manager sees a deeper relationship than the data shows"
        assessments.append(
            {
                "account_id": account_id,
                "assessed_on": today - timedelta(days=rng.randint(0, 60)),
                "assessed_by": "demo",
                "recorded_stage": recorded.value,
                "suggested_stage": suggested.value,
                "suggested_total": total,
                "comment": comment,
                "detail": detail,
                "created_at": utcnow(),
            }
        )
    if overrides:
        session.execute(insert(StageOverride), overrides)
    if assessments:
        session.execute(insert(StageAssessment), assessments)
    audit.record(
        session,
        None,
        "demo_seeded",
        "stages",
        None,
        after={"assessments": len(assessments), "overrides": len(overrides)},
    )
    return len(assessments)
