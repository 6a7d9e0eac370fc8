"""Use cases of the contact cadence: the policy (read by all, changed by admins), one
account's cadence and its override (writers who may change the account), coverage (the KPI).

One account is computed by the pure rules (``rules.resolve``, ``rules.state``); many accounts
(coverage, the health score, lists) by their SQL twins (``queries``).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import get_visible_account, get_writable_account, visible_accounts
from accord.calendar.cadence import queries, rules
from accord.calendar.cadence.rules import NOT_KEY, TIERS, CadencePolicy
from accord.calendar.cadence.schemas import (
    AccountCadenceOut,
    CoverageOut,
    CoverageRow,
    OverrideIn,
    OverrideOut,
)
from accord.calendar.cadence.settings import NAME
from accord.calendar.cadence.settings import policy as load_policy
from accord.calendar.models import CadenceOverride
from accord.core import audit, policy_store, versions
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.text import refused_character
from accord.relationships.models import StageAssessment
from accord.selection.service import tier_case_one

BY = ("manager", "segment", "tier")
MAX_REASON = 500


# ---------------------------------------------------------------- the policy


def policy(session: Session) -> CadencePolicy:
    return load_policy(session)


def get_policy(session: Session, user: User) -> CadencePolicy:
    return load_policy(session)


def _merged(current: CadencePolicy, values: dict[str, Any]) -> dict[str, Any]:
    """The current document with the change: tiers in part, stage entries added or removed."""
    document = current.to_dict()
    for name, spec in (values.get("tiers") or {}).items():
        old = document["tiers"].get(name, {})
        document["tiers"][name] = {**old, **spec} if isinstance(spec, dict) else spec
    stages = values.get("stages")
    if isinstance(stages, dict):
        for tier_name, by_stage in stages.items():
            if by_stage is None:
                document["stages"].pop(tier_name, None)
                continue
            table = dict(document["stages"].get(tier_name, {}))
            for stage, spec in (by_stage.items() if isinstance(by_stage, dict) else []):
                if spec is None:
                    table.pop(stage, None)
                else:
                    table[stage] = spec
            if isinstance(by_stage, dict):
                document["stages"][tier_name] = table
            else:
                document["stages"][tier_name] = by_stage
        document["stages"] = {t: s for t, s in document["stages"].items() if s != {}}
    elif stages is not None:
        document["stages"] = stages
    for field in ("due_ratio", "neglected_ratio"):
        if values.get(field) is not None:
            document[field] = values[field]
    return document


def update_policy(
    session: Session, user: User, values: dict[str, Any],
    expected: versions.Expected | None = None,
) -> CadencePolicy:
    """Change the cadence policy (admins); ``expected``: the If-Match version (stale: 409).
    Nothing is written when a value is refused."""
    require_role(user, Role.ADMIN)
    document = _merged(load_policy(session), values)
    return policy_store.save(session, user, NAME, document, CadencePolicy.from_dict, expected)


# ---------------------------------------------------------------- one account


def latest_stage(session: Session, account_id: int) -> str | None:
    """The account's latest recorded relationship stage (the highest assessment id), as
    ``relationships.decisions.latest_stages`` reads it."""
    return session.scalar(
        select(StageAssessment.recorded_stage)
        .where(StageAssessment.account_id == account_id)
        .order_by(StageAssessment.id.desc())
        .limit(1)
    )


def _override_out(row: CadenceOverride | None, session: Session) -> OverrideOut | None:
    if row is None:
        return None
    setter = session.get(User, row.set_by_id) if row.set_by_id else None
    return OverrideOut(touch_days=row.touch_days, review_days=row.review_days, reason=row.reason,
                       set_by=setter.email if setter else None, set_at=row.set_at)


def cadence_of(session: Session, account: Account, today: date) -> AccountCadenceOut:
    """One account's cadence by the pure rules (no visibility check: the caller's)."""
    p = load_policy(session)
    tier = tier_case_one(session, account.id)
    stage = latest_stage(session, account.id)
    row = session.get(CadenceOverride, account.id)
    interval = rules.resolve(p, tier, stage, row, person=account.kind == "person")
    last = account.last_qualifying_touch_on
    return AccountCadenceOut(
        account_id=account.id,
        account_name=account.name,
        kind=account.kind,
        tier=tier,
        stage=stage,
        touch_days=interval.touch_days,
        review_days=interval.review_days,
        source=interval.source,
        last_touch_on=last,
        days_since=(today - last).days if last else None,
        next_touch_on=rules.next_touch_on(last, interval.touch_days),
        state=rules.state(last, interval.touch_days, today, due_ratio=p.due_ratio,
                          neglected_ratio=p.neglected_ratio),
        override=_override_out(row, session),
    )


def account_cadence(
    session: Session, user: User, account_id: int, today: date
) -> AccountCadenceOut:
    """The account's interval, where it comes from, last qualifying touch, next due, state."""
    return cadence_of(session, get_visible_account(session, user, account_id), today)


def _override_problems(data: OverrideIn) -> list[FieldProblem]:
    found = [rules.interval_problem("touch_days", data.touch_days),
             rules.interval_problem("review_days", data.review_days)]
    out = [p for p in found if p is not None]
    reason = data.reason.strip()
    if not reason:
        out.append(FieldProblem("reason", "say why this account has its own cadence"))
    elif len(reason) > MAX_REASON:
        out.append(FieldProblem("reason", f"at most {MAX_REASON} characters"))
    elif message := refused_character(reason):
        out.append(FieldProblem("reason", message))
    return out


def set_override(
    session: Session, user: User, account_id: int, data: OverrideIn, today: date
) -> AccountCadenceOut:
    """Give the account its own cadence (a writer who may change it); audited. An interval of
    0 is refused and nothing is written."""
    account = get_writable_account(session, user, account_id)
    problems = _override_problems(data)
    if problems:
        raise ValidationFailed(problems)
    row = session.get(CadenceOverride, account_id)
    before = None if row is None else {
        "touch_days": row.touch_days, "review_days": row.review_days, "reason": row.reason}
    if row is None:
        row = CadenceOverride(account_id=account_id)
        session.add(row)
    else:
        row.version = (row.version or 1) + 1
    row.touch_days, row.review_days = data.touch_days, data.review_days
    row.reason, row.set_by_id, row.set_at = data.reason.strip(), user.id, utcnow()
    session.flush()
    audit.record(session, user, "update" if before else "create", "cadence_override",
                 account_id, before=before, after={
                     "touch_days": row.touch_days, "review_days": row.review_days,
                     "reason": row.reason})
    return cadence_of(session, account, today)


def clear_override(
    session: Session, user: User, account_id: int, today: date
) -> AccountCadenceOut:
    """The account follows the policy again (nothing to clear: nothing written)."""
    account = get_writable_account(session, user, account_id)
    row = session.get(CadenceOverride, account_id)
    if row is not None:
        before = {"touch_days": row.touch_days, "review_days": row.review_days,
                  "reason": row.reason}
        session.delete(row)
        session.flush()
        audit.record(session, user, "delete", "cadence_override", account_id, before=before)
    return cadence_of(session, account, today)


# ---------------------------------------------------------------- coverage


def share(covered: int, accounts: int) -> Decimal | None:
    """covered ÷ accounts to four decimals, half up; None without accounts."""
    if accounts <= 0:
        return None
    return (Decimal(covered) / Decimal(accounts)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _row(key: str | None, label: str, accounts: int, covered: int, reports: int) -> CoverageRow:
    return CoverageRow(key=key, label=label, accounts=accounts, covered=covered,
                       share=share(covered, accounts), reports_only=reports)


def coverage(session: Session, user: User, today: date, by: str | None = None) -> CoverageOut:
    """Share of the key accounts the user sees (tier not "not key", individual clients left
    out) whose last qualifying touch is within their touch interval; key accounts without a
    touch interval ("reports only") are left out of the denominator and counted apart.
    Counted in SQL, per manager, segment or tier when ``by`` says so."""
    if by is not None and by not in BY:
        raise ValidationFailed([FieldProblem("by", "manager, segment or tier")])
    p = load_policy(session)
    r = queries.resolved_select(session, visible_accounts(user), p).subquery("cadence_keys")
    elapsed = queries.days_since_sql(session, today, r.c.last_touch_on)
    flag = queries.covered_sql(elapsed, r.c.touch_days)
    group: Any = {"manager": r.c.manager_id, "segment": r.c.segment, "tier": r.c.tier,
                  None: None}[by]
    columns = [
        func.count(r.c.touch_days).label("accounts"),
        func.coalesce(func.sum(flag), 0).label("covered"),
        func.count().label("all"),
    ]
    query = select(*columns).where(r.c.tier != NOT_KEY, r.c.kind != "person")
    if group is not None:
        query = query.add_columns(group.label("key")).group_by(group)
    rows = session.execute(query).all()
    groups: list[CoverageRow] = []
    totals = [0, 0, 0]
    for row in rows:
        accounts, covered, every = int(row.accounts), int(row.covered), int(row.all)
        totals = [totals[0] + accounts, totals[1] + covered, totals[2] + every - accounts]
        if group is not None:
            key = row.key
            groups.append(_row(None if key is None else str(key), str(key) if key else "",
                               accounts, covered, every - accounts))
    if by == "manager":
        names = dict(session.execute(select(User.id, User.name).where(
            User.id.in_([int(g.key) for g in groups if g.key is not None]))).all())
        for g in groups:
            g.label = names.get(int(g.key), f"user {g.key}") if g.key else "no manager"
    elif by == "segment":
        for g in groups:
            g.label = g.key or "no segment"
    order = {t: i for i, t in enumerate(TIERS)}
    groups.sort(key=lambda g: (order.get(g.key or "", 99) if by == "tier" else 0,
                               g.label.lower()))
    total = _row(None, "all key accounts", *totals)
    return CoverageOut(today=today, by=by, total=total, groups=groups)
