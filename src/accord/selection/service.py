"""Use cases of the selection matrix: criteria sets, scoring accounts, deselection, settings.

Every read applies visibility; every write checks the role, is validated, audited, and done
in the caller's one transaction. The matrix page and checks are in ``matrix.py``; the SQL
expressions (latest scoring, quadrant, tier) in ``queries.py``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accord.accounts.visibility import get_visible_account, get_writable_account
from accord.core import audit, policy_store, read_cache, single_flight, versions
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.selection import defaults, rules
from accord.selection.models import Deselection, Scoring, SelectionCriterion
from accord.selection.queries import tier_case, tier_select, update_current
from accord.selection.rules import CriterionDraft, CriterionKind, SelectionPolicy
from accord.selection.schemas import (
    CriteriaOut,
    CriterionIn,
    CriterionOut,
    ScoringIn,
    ScoringOut,
    SelectionStatusOut,
)
from accord.selection.scoring import check_scoring
from accord.selection.settings import (
    bump_version,
    save_selection_policy,
    selection_policy,
)

__all__ = ["tier_case", "tier_select", "selection_policy", "save_selection_policy"]


def _tenths(value: int) -> str:
    return str(Decimal(value) / 10)


def _problems(pairs: list[tuple[str, str]]) -> ValidationFailed:
    return ValidationFailed([FieldProblem(f, m) for f, m in pairs])


# ---------------------------------------------------------------- criteria


def _seed_defaults(session: Session, kind: CriterionKind) -> None:
    """An empty criteria table gets the default criteria of docs/kam_models.md (as the
    migration does): by a writer right there, for a reader (a GET) by a single-flight job
    (``core.single_flight``)."""
    if _has_criteria(session, kind):
        return

    def job(writer: Session) -> None:
        if not _has_criteria(writer, kind):
            _add_defaults(writer, kind)

    single_flight.bring_up_to_date(session, f"selection_criteria_{kind.value}", job)


def _has_criteria(session: Session, kind: CriterionKind) -> bool:
    return session.scalar(
        select(SelectionCriterion.id).where(SelectionCriterion.kind == kind.value).limit(1)
    ) is not None


def _add_defaults(session: Session, kind: CriterionKind) -> None:
    items = defaults.ATTRACTIVENESS if kind is CriterionKind.ATTRACTIVENESS else defaults.BUYING
    for position, (name, weight, a0, a5, a10) in enumerate(items):
        session.add(
            SelectionCriterion(
                kind=kind.value,
                name=name,
                weight=weight,
                anchor_0=a0,
                anchor_5=a5,
                anchor_10=a10,
                position=position,
                active=True,
                created_at=utcnow(),
            )
        )
    session.flush()


def active_criteria(session: Session, kind: CriterionKind) -> list[SelectionCriterion]:
    _seed_defaults(session, kind)
    return list(
        session.scalars(
            select(SelectionCriterion)
            .where(SelectionCriterion.kind == kind.value, SelectionCriterion.active.is_(True))
            .order_by(SelectionCriterion.position, SelectionCriterion.id)
        )
    )


def _criterion_out(c: SelectionCriterion) -> CriterionOut:
    return CriterionOut(
        id=c.id,
        kind=c.kind,
        name=c.name,
        weight=c.weight,
        anchor_0=c.anchor_0,
        anchor_5=c.anchor_5,
        anchor_10=c.anchor_10,
        position=c.position,
    )


def list_criteria(session: Session, user: User) -> CriteriaOut:
    return CriteriaOut(
        attractiveness=[
            _criterion_out(c) for c in active_criteria(session, CriterionKind.ATTRACTIVENESS)
        ],
        buying=[_criterion_out(c) for c in active_criteria(session, CriterionKind.BUYING)],
    )


def criteria_version(criteria: list[CriterionOut]) -> int:
    """A criteria set's version: the highest id among its criteria (a replacement writes new
    rows, so every save gives a higher one; 0 for an empty set)."""
    return max((c.id for c in criteria), default=0)


def _check_criteria_version(
    session: Session, kind: CriterionKind, expected: versions.Expected | None
) -> None:
    """Refuse a replacement that started from another set (409). The set's rows are locked
    (PostgreSQL), so a concurrent replacement waits and then finds them replaced."""
    if expected is None:
        return
    rows = session.execute(
        select(SelectionCriterion.id, SelectionCriterion.name, SelectionCriterion.weight)
        .where(SelectionCriterion.kind == kind.value, SelectionCriterion.active.is_(True))
        .order_by(SelectionCriterion.position, SelectionCriterion.id)
        .with_for_update()
    ).all()
    now = max((r.id for r in rows), default=0)
    if now != expected.version:
        stored = ", ".join(f"{r.name} ({r.weight})" for r in rows) or "none"
        raise versions.Stale(f"the {kind.value} criteria", now, {"criteria": stored})


def replace_criteria(
    session: Session,
    user: User,
    kind: str,
    criteria: list[CriterionIn],
    expected: versions.Expected | None = None,
) -> list[CriterionOut]:
    """Replace a criteria set (admins and heads). Weights must sum to 100. ``expected``: the
    version (``criteria_version``) the change started from; a stale one is a 409."""
    require_role(user, *policy_store.EDITORS)
    try:
        kind_enum = CriterionKind(kind)
    except ValueError:
        raise _problems([("kind", "attractiveness or buying")]) from None
    _check_criteria_version(session, kind_enum, expected)
    drafts = [
        CriterionDraft(c.name, c.weight, c.anchor_0, c.anchor_5, c.anchor_10) for c in criteria
    ]
    problems = rules.criteria_problems(kind_enum, drafts, selection_policy(session))
    if problems:
        raise _problems(problems)
    before = [{"name": c.name, "weight": c.weight} for c in active_criteria(session, kind_enum)]
    session.execute(
        update(SelectionCriterion)
        .where(SelectionCriterion.kind == kind_enum.value, SelectionCriterion.active.is_(True))
        .values(active=False)
    )
    now = utcnow()
    for position, d in enumerate(drafts):
        session.add(
            SelectionCriterion(
                kind=kind_enum.value,
                name=d.name.strip(),
                weight=d.weight,
                anchor_0=d.anchor_0,
                anchor_5=d.anchor_5,
                anchor_10=d.anchor_10,
                position=position,
                active=True,
                created_at=now,
            )
        )
    session.flush()
    after = [{"name": d.name.strip(), "weight": d.weight} for d in drafts]
    audit.record(
        session,
        user,
        "update",
        "selection_criteria",
        kind_enum.value,
        before={"criteria": before},
        after={"criteria": after},
    )
    return [_criterion_out(c) for c in active_criteria(session, kind_enum)]


# ---------------------------------------------------------------- scoring


def _scoring_out(s: Scoring, policy: SelectionPolicy) -> ScoringOut:
    q = rules.quadrant(s.attractiveness_milli, s.us_weighted, s.competitor_weighted, policy)
    return ScoringOut(
        id=s.id,
        account_id=s.account_id,
        scored_on=s.scored_on,
        scored_by=s.scored_by,
        competitor_name=s.competitor_name,
        comment=s.comment,
        attractiveness=rules.from_milli(s.attractiveness_milli),
        strength=rules.strength_value(s.us_weighted, s.competitor_weighted),
        quadrant=q.value,
        potential=rules.potential(s.attractiveness_milli, policy, s.potential_override).value,
        potential_override=s.potential_override,
        detail=s.detail,
    )


def score_account(
    session: Session, user: User, account_id: int, data: ScoringIn, *, today: date
) -> ScoringOut:
    """Record a scoring (kept for ever; the latest one places the account)."""
    get_writable_account(session, user, account_id)
    policy = selection_policy(session)
    attr = active_criteria(session, CriterionKind.ATTRACTIVENESS)
    buying = active_criteria(session, CriterionKind.BUYING)
    scored_on = data.scored_on or today
    checked = check_scoring(scored_on, today, data.attractiveness, data.buying, attr, buying)
    if checked.problems:
        raise _problems(checked.problems)
    a_scores, b_scores = checked.attractiveness, checked.buying
    detail = {
        "attractiveness": [
            {
                "criterion_id": c.id,
                "name": c.name,
                "weight": c.weight,
                "score": _tenths(a_scores[c.id]["score"]),
            }
            for c in attr
        ],
        "buying": [
            {
                "criterion_id": c.id,
                "name": c.name,
                "weight": c.weight,
                "us": _tenths(b_scores[c.id]["us"]),
                "competitor": _tenths(b_scores[c.id]["competitor"]),
            }
            for c in buying
        ],
    }
    scoring = Scoring(
        account_id=account_id,
        scored_on=scored_on,
        scored_by_id=user.id,
        scored_by=user.email,
        comment=data.comment,
        competitor_name=data.competitor_name,
        attractiveness_milli=checked.attractiveness_milli,
        us_weighted=checked.us,
        competitor_weighted=checked.them,
        potential_override=data.potential_override,
        detail=detail,
        created_at=utcnow(),
    )
    session.add(scoring)
    session.flush()
    update_current(session, account_id)
    bump_version(session)
    out = _scoring_out(scoring, policy)
    audit.record(
        session,
        user,
        "create",
        "scoring",
        scoring.id,
        after={
            "account_id": account_id,
            "scored_on": scored_on,
            "attractiveness": out.attractiveness,
            "strength": out.strength,
            "quadrant": out.quadrant,
            "potential": out.potential,
            "competitor": data.competitor_name,
        },
    )
    return out


def list_scorings(session: Session, user: User, account_id: int) -> list[ScoringOut]:
    """Every scoring of an account, newest first."""
    get_visible_account(session, user, account_id)
    policy = selection_policy(session)
    rows = session.scalars(
        select(Scoring)
        .where(Scoring.account_id == account_id)
        .order_by(Scoring.scored_on.desc(), Scoring.id.desc())
    )
    return [_scoring_out(s, policy) for s in rows]


# ---------------------------------------------------------------- deselection


def selection_status(session: Session, user: User, account_id: int) -> SelectionStatusOut:
    get_visible_account(session, user, account_id)
    row = session.get(Deselection, account_id)
    tier = tier_case_one(session, account_id)
    return SelectionStatusOut(
        account_id=account_id,
        tier=tier,
        deselected=row is not None,
        reason=row.reason if row else None,
    )


def tier_case_one(session: Session, account_id: int) -> str:
    """The account's tier (once per reader's transaction, ``core.read_cache``: the account
    page's selection and health panels both ask)."""
    def read() -> str:
        t = tier_select(session)
        return session.scalar(select(t.c.tier).where(t.c.account_id == account_id)) or rules.NOT_KEY

    return read_cache.remembered(session, ("tier", account_id), read)


def deselect(session: Session, user: User, account_id: int, reason: str) -> SelectionStatusOut:
    """Take an account out of the key-account programme (heads and admins)."""
    get_writable_account(session, user, account_id)
    require_role(user, Role.ADMIN, Role.HEAD)
    row = session.get(Deselection, account_id)
    if row is None:
        session.add(
            Deselection(
                account_id=account_id,
                reason=reason,
                deselected_by=user.email,
                deselected_at=utcnow(),
            )
        )
    else:
        row.reason = reason
    session.flush()
    bump_version(session)
    audit.record(
        session, user, "deselect", "account_selection", account_id, after={"reason": reason}
    )
    return selection_status(session, user, account_id)


def reselect(session: Session, user: User, account_id: int) -> SelectionStatusOut:
    get_writable_account(session, user, account_id)
    require_role(user, Role.ADMIN, Role.HEAD)
    row = session.get(Deselection, account_id)
    if row is not None:
        before = {"reason": row.reason}
        session.delete(row)
        session.flush()
        bump_version(session)
        audit.record(session, user, "reselect", "account_selection", account_id, before=before)
    return selection_status(session, user, account_id)


def get_policy(session: Session, user: User) -> SelectionPolicy:
    return selection_policy(session)


def update_policy(
    session: Session,
    user: User,
    values: dict[str, Any],
    expected: versions.Expected | None = None,
) -> SelectionPolicy:
    """``expected``: the API's If-Match; a stale one is a 409."""
    return save_selection_policy(session, user, values, expected)
