"""Use cases of relationship stages: the rubric with evidence, overrides, recorded stages."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import get_visible_account, get_writable_account, visible_accounts
from accord.core import audit, policy_store, versions
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.relationships import evidence, rubric
from accord.relationships.models import StageAssessment, StageOverride
from accord.relationships.rubric import Stage, StagePolicy
from accord.relationships.schemas import (
    AssessmentIn,
    AssessmentOut,
    CriterionScoreOut,
    OverrideIn,
    StageOut,
)
from accord.selection import settings as kam_settings
from accord.selection.queries import placed

STAGES_SETTING = "stages"


def stage_policy(session: Session) -> StagePolicy:
    return policy_store.load(session, STAGES_SETTING, StagePolicy)


def get_policy(session: Session, user: User) -> StagePolicy:
    return stage_policy(session)


def update_policy(
    session: Session,
    user: User,
    values: dict[str, Any],
    expected: versions.Expected | None = None,
) -> StagePolicy:
    """Change the fields given; ``expected``: the API's If-Match; a stale one is a 409."""
    merged = {**stage_policy(session).to_dict(), **values}
    policy = policy_store.save(
        session, user, STAGES_SETTING, merged, StagePolicy.from_dict, expected
    )
    kam_settings.bump_version(session)
    return policy


def _overrides(session: Session, account_id: int) -> dict[str, tuple[int, str]]:
    return {
        o.criterion: (o.score, o.reason)
        for o in session.scalars(
            select(StageOverride).where(StageOverride.account_id == account_id)
        )
    }


def _criteria_out(scores: list[rubric.CriterionScore]) -> list[CriterionScoreOut]:
    return [
        CriterionScoreOut(
            criterion=c.criterion,
            label=rubric.LABELS[c.criterion],
            computed=c.computed,
            evidence=c.evidence,
            override=c.override,
            reason=c.reason,
            score=c.score,
            source=c.source,
            level=rubric.LEVELS[c.criterion][c.score - 1],
        )
        for c in scores
    ]


def _assessment_out(a: StageAssessment) -> AssessmentOut:
    return AssessmentOut(
        id=a.id,
        assessed_on=a.assessed_on,
        assessed_by=a.assessed_by,
        recorded_stage=a.recorded_stage,
        suggested_stage=a.suggested_stage,
        suggested_total=a.suggested_total,
        comment=a.comment,
    )


def _current_potential(session: Session, account_id: int) -> str | None:
    p = placed(kam_settings.selection_policy(session))
    return session.scalar(select(p.c.potential).where(p.c.account_id == account_id))


def _rubric(
    session: Session, account_id: int, today: date, policy: StagePolicy
) -> list[rubric.CriterionScore]:
    ev = evidence.gather(session, account_id, today, policy)
    return rubric.assess(ev, policy, _overrides(session, account_id))


def stage_view(session: Session, user: User, account_id: int, *, today: date) -> StageOut:
    """The rubric with its evidence, the suggested and the recorded stage, history, decision."""
    get_visible_account(session, user, account_id)
    policy = stage_policy(session)
    scores = _rubric(session, account_id, today, policy)
    total = rubric.total(scores)
    suggested = rubric.stage_for_total(total, policy)
    history = list(
        session.scalars(
            select(StageAssessment)
            .where(StageAssessment.account_id == account_id)
            .order_by(StageAssessment.id.desc())
        )
    )
    latest = history[0] if history else None  # assessments are appended: highest id is latest
    potential = _current_potential(session, account_id)
    decision = basis = words = None
    if potential is not None:
        stage = Stage(latest.recorded_stage) if latest else suggested
        basis = "recorded stage" if latest else "suggested stage"
        decision = rubric.decide(stage, potential, policy).value
        words = rubric.reasoning(stage, potential, policy)
    return StageOut(
        account_id=account_id,
        criteria=_criteria_out(scores),
        suggested_total=total,
        suggested_stage=suggested.value,
        recorded_stage=latest.recorded_stage if latest else None,
        recorded_on=latest.assessed_on if latest else None,
        potential=potential,
        decision=decision,
        decision_basis=basis,
        reasoning=words,
        history=[_assessment_out(a) for a in history],
    )


def set_override(
    session: Session, user: User, account_id: int, criterion: str, data: OverrideIn, *, today: date
) -> StageOut:
    get_writable_account(session, user, account_id)
    problems = rubric.validate_override(criterion, data.score, data.reason)
    if problems:
        raise ValidationFailed([FieldProblem(f, m) for f, m in problems])
    row = session.get(StageOverride, (account_id, criterion))
    before = {"score": row.score, "reason": row.reason} if row else None
    if row is None:
        row = StageOverride(account_id=account_id, criterion=criterion)
        session.add(row)
    row.score, row.reason, row.set_by, row.set_at = data.score, data.reason, user.email, utcnow()
    session.flush()
    audit.record(
        session,
        user,
        "override",
        "stage_criterion",
        f"{account_id}:{criterion}",
        before=before,
        after={"score": data.score, "reason": data.reason},
    )
    return stage_view(session, user, account_id, today=today)


def clear_override(
    session: Session, user: User, account_id: int, criterion: str, *, today: date
) -> StageOut:
    get_writable_account(session, user, account_id)
    row = session.get(StageOverride, (account_id, criterion))
    if row is None:
        raise NotFound(f"no override of {criterion} on account {account_id}")
    before = {"score": row.score, "reason": row.reason}
    session.delete(row)
    session.flush()
    audit.record(
        session, user, "delete", "stage_criterion", f"{account_id}:{criterion}", before=before
    )
    return stage_view(session, user, account_id, today=today)


def record_stage(
    session: Session, user: User, account_id: int, data: AssessmentIn, *, today: date
) -> StageOut:
    """Record the stage (the suggested one unless the manager chooses another): history."""
    get_writable_account(session, user, account_id)
    policy = stage_policy(session)
    scores = _rubric(session, account_id, today, policy)
    total = rubric.total(scores)
    suggested = rubric.stage_for_total(total, policy)
    recorded = Stage(data.stage) if data.stage else suggested
    if recorded is not suggested and not data.comment:
        raise ValidationFailed(
            [
                FieldProblem(
                    "comment",
                    f"say why the stage is {recorded.value} when the rubric suggests "
                    f"{suggested.value}",
                )
            ]
        )
    row = StageAssessment(
        account_id=account_id,
        assessed_on=today,
        assessed_by=user.email,
        recorded_stage=recorded.value,
        suggested_stage=suggested.value,
        suggested_total=total,
        comment=data.comment,
        created_at=utcnow(),
        detail=[
            {
                "criterion": c.criterion,
                "computed": c.computed,
                "evidence": c.evidence,
                "override": c.override,
                "reason": c.reason,
                "score": c.score,
            }
            for c in scores
        ],
    )
    session.add(row)
    session.flush()
    kam_settings.bump_version(session)
    audit.record(
        session,
        user,
        "create",
        "stage_assessment",
        row.id,
        after={
            "account_id": account_id,
            "recorded_stage": recorded.value,
            "suggested_stage": suggested.value,
            "total": total,
        },
    )
    return stage_view(session, user, account_id, today=today)


def list_recorded_stages(session: Session, user: User, *, limit: int = 500) -> list[dict[str, Any]]:
    """The latest recorded stage of every visible account that has one (``accord stages``)."""
    latest = (
        select(func.max(StageAssessment.id).label("id"))
        .group_by(StageAssessment.account_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Account.id,
            Account.name,
            StageAssessment.recorded_stage,
            StageAssessment.suggested_stage,
            StageAssessment.suggested_total,
            StageAssessment.assessed_on,
            StageAssessment.assessed_by,
        )
        .join(StageAssessment, StageAssessment.account_id == Account.id)
        .join(latest, latest.c.id == StageAssessment.id)
        .where(visible_accounts(user))
        .order_by(Account.name_key, Account.id)
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]
