"""Opportunities: create, edit, move through the stages, list per account, read one; the
stages policy (``opportunity_stages``).

Who may: whoever sees the account reads its opportunities; whoever may change the account
(not viewer or billing) creates, edits and moves them. An account or opportunity out of
reach is answered like a missing one (404) and nothing is written. Every change is audited
(``opportunity``) in the caller's transaction; a write naming the version it started from
(a form, ``If-Match``) is refused when the opportunity changed meanwhile (``core.versions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import (
    get_visible_account,
    get_visible_row,
    get_writable_account,
    require_writer,
)
from accord.core import audit, policy_store, versions
from accord.core.company import company_policy
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.schemas import UserRef
from accord.growth.models import ProductLine
from accord.growth.opportunities import rules
from accord.growth.opportunities.models import Opportunity, OpportunityProductLine
from accord.growth.opportunities.schemas import (
    LineRef,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
)

ENTITY = "opportunity"
POLICY_NAME = "opportunity_stages"
FIRST_YEAR, LAST_YEAR = 2000, 2100


# ---------------------------------------------------------------- the stages policy


def stages_policy(session: Session) -> rules.StagesPolicy:
    """The stored policy, or its defaults (10, 25, 50, 75 per cent)."""
    return policy_store.load(session, POLICY_NAME, rules.StagesPolicy)


def save_stages_policy(
    session: Session, user: User, value: dict[str, Any],
    expected: versions.Expected | None = None,
) -> rules.StagesPolicy:
    """Change the stages given (the others keep theirs); admins and heads; audited."""
    merged = {**stages_policy(session).to_dict(),
              **{k: v for k, v in value.items() if v is not None}}
    return policy_store.save(session, user, POLICY_NAME, merged, rules.StagesPolicy.from_dict,
                             expected)


# ---------------------------------------------------------------- reading


def _facts(row: Opportunity, lines: Iterable[int]) -> dict[str, Any]:
    return {"account_id": row.account_id, "title": row.title, "kind": row.kind,
            "stage": row.stage, "value": row.value, "probability": row.probability,
            "expected_close_on": row.expected_close_on, "owner_id": row.owner_id,
            "next_step": row.next_step, "next_step_on": row.next_step_on,
            "lost_reason": row.lost_reason, "closed_on": row.closed_on,
            "product_line_ids": sorted(lines)}


def _line_ids(session: Session, opportunity_id: int) -> list[int]:
    return list(session.scalars(
        select(OpportunityProductLine.product_line_id)
        .where(OpportunityProductLine.opportunity_id == opportunity_id)
        .order_by(OpportunityProductLine.product_line_id)))


def outs(session: Session, rows: list[Opportunity]) -> list[OpportunityOut]:
    """The rows as the API shows them (three statements for any number of rows)."""
    if not rows:
        return []
    currency = company_policy(session).currency
    account_ids = {r.account_id for r in rows}
    names = dict(session.execute(
        select(Account.id, Account.name).where(Account.id.in_(account_ids))).all())
    owner_ids = {r.owner_id for r in rows if r.owner_id}
    owners = {u.id: u for u in session.scalars(select(User).where(User.id.in_(owner_ids)))} \
        if owner_ids else {}
    lines: dict[int, list[LineRef]] = {}
    for opp_id, line_id, name in session.execute(
        select(OpportunityProductLine.opportunity_id, ProductLine.id, ProductLine.name)
        .join(ProductLine, ProductLine.id == OpportunityProductLine.product_line_id)
        .where(OpportunityProductLine.opportunity_id.in_([r.id for r in rows]))
        .order_by(ProductLine.position, ProductLine.name)
    ):
        lines.setdefault(opp_id, []).append(LineRef(id=line_id, name=name))
    out = []
    for r in rows:
        owner = owners.get(r.owner_id) if r.owner_id else None
        out.append(OpportunityOut(
            id=r.id, account_id=r.account_id, account_name=names.get(r.account_id, ""),
            title=r.title, kind=r.kind, stage=r.stage, value=r.value,
            probability=r.probability, weighted_value=rules.weighted(r.value, r.probability),
            currency=currency, expected_close_on=r.expected_close_on,
            owner=None if owner is None else UserRef(id=owner.id, email=owner.email,
                                                     name=owner.name, role=owner.role),
            next_step=r.next_step or "", next_step_on=r.next_step_on,
            lost_reason=r.lost_reason, closed_on=r.closed_on,
            product_lines=lines.get(r.id, []), allowed_moves=list(rules.allowed_moves(r.stage)),
            created_at=r.created_at, updated_at=r.updated_at, version=r.version))
    return out


def visible_opportunity(session: Session, user: User, opportunity_id: int) -> Opportunity:
    return get_visible_row(session, user, Opportunity, opportunity_id, "opportunity")


def writable_opportunity(session: Session, user: User, opportunity_id: int) -> Opportunity:
    row = visible_opportunity(session, user, opportunity_id)
    require_writer(user)
    return row


def get_opportunity(session: Session, user: User, opportunity_id: int) -> OpportunityOut:
    return outs(session, [visible_opportunity(session, user, opportunity_id)])[0]


def account_opportunities(session: Session, user: User, account_id: int) -> list[OpportunityOut]:
    """The account's opportunities: open ones first (by expected close), then closed ones
    (latest first)."""
    get_visible_account(session, user, account_id)
    rows = list(session.scalars(
        select(Opportunity).where(Opportunity.account_id == account_id)
        .order_by(Opportunity.closed_on.is_not(None), Opportunity.closed_on.desc(),
                  Opportunity.expected_close_on, Opportunity.id).limit(1000)))
    return outs(session, rows)


def product_lines(session: Session) -> list[LineRef]:
    """Every product line of the catalogue (the form's choices)."""
    return [LineRef(id=i, name=n) for i, n in session.execute(
        select(ProductLine.id, ProductLine.name).order_by(ProductLine.position,
                                                          ProductLine.name))]


# ---------------------------------------------------------------- checking input


def _check_date(problems: list[FieldProblem], field: str, day: date | None) -> None:
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(FieldProblem(field, f"the year must be {FIRST_YEAR}-{LAST_YEAR}"))


def _check_lines(session: Session, problems: list[FieldProblem], ids: list[int]) -> list[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = set(session.scalars(select(ProductLine.id).where(ProductLine.id.in_(wanted))))
    missing = [i for i in wanted if i not in found]
    if missing:
        problems.append(FieldProblem("product_line_ids", "no product line " +
                                     ", ".join(map(str, missing))))
    return wanted


def _check_owner(session: Session, problems: list[FieldProblem], owner_id: int | None) -> None:
    if owner_id is None:
        return
    if session.scalar(select(User.id).where(User.id == owner_id, User.is_active.is_(True))) \
            is None:
        problems.append(FieldProblem("owner_id", f"no active user {owner_id}"))


def _rule(problems: list[FieldProblem], check: Any, *args: Any) -> Any:
    try:
        return check(*args)
    except rules.RuleError as exc:
        problems.append(FieldProblem(exc.field, str(exc)))
        return None


def _set_lines(session: Session, opportunity_id: int, ids: list[int]) -> None:
    for link in session.scalars(select(OpportunityProductLine).where(
            OpportunityProductLine.opportunity_id == opportunity_id)):
        if link.product_line_id not in ids:
            session.delete(link)
    have = set(_line_ids(session, opportunity_id))
    for line_id in ids:
        if line_id not in have:
            session.add(OpportunityProductLine(opportunity_id=opportunity_id,
                                               product_line_id=line_id))
    session.flush()


# ---------------------------------------------------------------- writing


def create_opportunity(
    session: Session, user: User, account_id: int, data: OpportunityIn, *, today: date
) -> OpportunityOut:
    """A new opportunity on an account the user may change, in an open stage; its
    probability is the stage's default unless given. Audited."""
    account = get_writable_account(session, user, account_id)
    problems: list[FieldProblem] = []
    kind = _rule(problems, rules.parse_kind, data.kind)
    value = _rule(problems, rules.parse_value, data.value)
    probability = _rule(problems, rules.parse_probability, data.probability)
    if data.stage not in rules.OPEN_STAGES:
        problems.append(FieldProblem("stage", "a new opportunity is in an open stage: " +
                                     ", ".join(rules.OPEN_STAGES)))
    _check_date(problems, "expected_close_on", data.expected_close_on)
    _check_date(problems, "next_step_on", data.next_step_on)
    _check_owner(session, problems, data.owner_id)
    lines = _check_lines(session, problems, data.product_line_ids)
    if problems:
        raise ValidationFailed(problems)
    row = Opportunity(
        account_id=account.id, title=data.title, kind=kind, stage=data.stage, value=value,
        probability=rules.probability_for(stages_policy(session), data.stage, probability),
        expected_close_on=data.expected_close_on,
        owner_id=data.owner_id if data.owner_id is not None else (account.manager_id or user.id),
        next_step=data.next_step, next_step_on=data.next_step_on, created_by_id=user.id,
        created_at=utcnow(), updated_at=utcnow())
    session.add(row)
    session.flush()
    _set_lines(session, row.id, lines)
    audit.record(session, user, "create", ENTITY, row.id, after=_facts(row, lines))
    session.refresh(row)
    return outs(session, [row])[0]


def _patched(session: Session, row: Opportunity, data: OpportunityPatch
             ) -> tuple[str, Decimal, int, list[int]]:
    """The kind, value, probability and product lines after ``data``; every problem at once."""
    given = data.model_fields_set
    problems: list[FieldProblem] = []
    if "title" in given and not data.title:
        problems.append(FieldProblem("title", "give a title"))
    kind = _rule(problems, rules.parse_kind, data.kind) if "kind" in given else row.kind
    value = _rule(problems, rules.parse_value, data.value) if "value" in given else row.value
    probability = row.probability
    if "probability" in given:
        probability = _rule(problems, rules.parse_probability, data.probability)
        if probability is None:
            probability = stages_policy(session).probability(row.stage)
    if not rules.is_open(row.stage) and ({"value", "probability"} & given):
        problems.append(FieldProblem("value" if "value" in given else "probability",
                                     f"a {row.stage} opportunity keeps its value and "
                                     "probability"))
    _check_date(problems, "expected_close_on", data.expected_close_on)
    _check_date(problems, "next_step_on", data.next_step_on)
    if "owner_id" in given:
        _check_owner(session, problems, data.owner_id)
    lines = _line_ids(session, row.id)
    if "product_line_ids" in given:
        lines = _check_lines(session, problems, data.product_line_ids or [])
    if problems:
        raise ValidationFailed(problems)
    return kind, value, probability, lines


def update_opportunity(
    session: Session, user: User, opportunity_id: int, data: OpportunityPatch, *,
    expected: versions.Expected | None = None, today: date,
) -> OpportunityOut:
    """Change the fields given (``data.model_fields_set``); the stage moves through
    ``move_opportunity``. A closed opportunity keeps its value and probability. Audited."""
    row = writable_opportunity(session, user, opportunity_id)
    given = data.model_fields_set
    kind, value, probability, lines = _patched(session, row, data)
    shown = row
    versions.check(session, row, expected, "the opportunity",
                   lambda: {k: versions.as_text(getattr(shown, k)) for k in (
                       "title", "kind", "value", "probability", "expected_close_on",
                       "next_step", "next_step_on")})
    before = _facts(row, _line_ids(session, row.id))
    row.kind, row.value, row.probability = kind, value, probability
    for name in ("title", "expected_close_on", "owner_id", "next_step", "next_step_on"):
        if name in given:
            new = getattr(data, name)
            setattr(row, name, "" if name == "next_step" and new is None else new)
    _set_lines(session, row.id, lines)
    after = _facts(row, lines)
    old, new = audit.changed_fields(before, after)
    if new:
        row.updated_at = utcnow()
        if "product_line_ids" in new:
            versions.bump(row)
        session.flush()
        audit.record(session, user, "update", ENTITY, row.id,
                     before={**old, "account_id": row.account_id},
                     after={**new, "account_id": row.account_id})
    session.refresh(row)
    return outs(session, [row])[0]


def move_opportunity(
    session: Session, user: User, opportunity_id: int, stage: str, *, today: date,
    reason: str | None = None, probability: int | None = None,
    expected: versions.Expected | None = None,
) -> OpportunityOut:
    """Move to ``stage`` (``rules.check_move``): the probability follows the stage's default
    unless given; ``lost`` keeps its reason; ``won`` and ``lost`` close it today. Audited."""
    row = writable_opportunity(session, user, opportunity_id)
    problems: list[FieldProblem] = []
    _rule(problems, rules.check_move, row.stage, stage, reason)
    given = _rule(problems, rules.parse_probability, probability)
    if problems:
        raise ValidationFailed(problems)
    versions.check(session, row, expected, "the opportunity")
    before = {"stage": row.stage, "probability": row.probability}
    row.stage = stage
    row.probability = rules.probability_for(stages_policy(session), stage, given)
    if stage in rules.CLOSED_STAGES:
        row.closed_on = today
    if stage == "lost":
        row.lost_reason = (reason or "").strip()
    row.updated_at = utcnow()
    session.flush()
    audit.record(session, user, "move", ENTITY, row.id,
                 before={**before, "account_id": row.account_id},
                 after={"stage": row.stage, "probability": row.probability,
                        "lost_reason": row.lost_reason, "closed_on": row.closed_on,
                        "account_id": row.account_id})
    session.refresh(row)
    return outs(session, [row])[0]


def mark_won(session: Session, user: User, opportunity_id: int, *, today: date) -> OpportunityOut:
    """Mark an opportunity won (a proposal accepted): from any open stage; a won one stays as
    it is; a lost one is a ValidationFailed."""
    row = writable_opportunity(session, user, opportunity_id)
    if row.stage == "won":
        return outs(session, [row])[0]
    if row.stage == "lost":
        raise ValidationFailed([FieldProblem("stage", "a lost opportunity is closed: it "
                                             "cannot be won")])
    before = {"stage": row.stage, "probability": row.probability}
    row.stage, row.probability, row.closed_on = "won", 100, today
    row.updated_at = utcnow()
    session.flush()
    audit.record(session, user, "move", ENTITY, row.id,
                 before={**before, "account_id": row.account_id},
                 after={"stage": "won", "probability": 100, "closed_on": today,
                        "account_id": row.account_id})
    session.refresh(row)
    return outs(session, [row])[0]
