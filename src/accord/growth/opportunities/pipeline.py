"""The weighted pipeline, in SQL: open opportunities per account, manager, segment or tier
(count, value, weighted value), the forecast by month of expected close beside the managers'
book revenue targets, and the list of opportunities behind it (filters, sort, pages, CSV).

Sums are exact: the database adds ``value in cents × probability`` as integers and
``rules.from_percent_cents`` turns the total into money (the pure twin: ``rules.weighted_sum``,
held equal by ``tests/test_pipeline.py`` on both databases). Only opportunities on accounts
the user may see are counted (``accounts.visibility.visible_filter``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import visible_filter
from accord.core.cells import text_cell
from accord.core.company import company_policy
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.growth.opportunities import rules
from accord.growth.opportunities.models import Opportunity
from accord.growth.opportunities.schemas import (
    ForecastMonth,
    OpportunityPage,
    PipelineGroup,
    PipelineOut,
)
from accord.growth.opportunities.service import outs
from accord.plans.targets.models import ManagerTarget
from accord.plans.targets.service import readable
from accord.relationships.models import KamDecision

BY = ("account", "manager", "segment", "tier")
SORTS = ("close", "value", "weighted", "probability", "stage", "account", "title")
STAGE_CHOICES = ("open", "all", *rules.STAGES)
MAX_PAGE_SIZE = 200
MAX_GROUPS = 200
EXPORT_LIMIT = 100_000
NO_MONTH = "none"


@dataclass(frozen=True)
class Filters:
    manager_id: int | None = None
    segment: str | None = None
    tier: str | None = None
    stage: str = "open"
    kind: str | None = None
    close_month: str | None = None  # YYYY-MM or "none"


def parse_filters(
    *, manager_id: int | None = None, segment: str | None = None, tier: str | None = None,
    stage: str | None = None, kind: str | None = None, close_month: str | None = None,
) -> Filters:
    """Filters checked together: a 422 naming each wrong one."""
    problems: list[FieldProblem] = []
    stage = stage or "open"
    if stage not in STAGE_CHOICES:
        problems.append(FieldProblem("stage", "must be one of " + ", ".join(STAGE_CHOICES)))
    if kind and kind not in rules.KINDS:
        problems.append(FieldProblem("kind", "must be one of " + ", ".join(rules.KINDS)))
    if close_month and close_month != NO_MONTH and _month(close_month) is None:
        problems.append(FieldProblem("close_month", "a month such as 2027-03 (or none)"))
    if problems:
        raise ValidationFailed(problems)
    return Filters(manager_id, segment or None, tier or None, stage, kind or None,
                   close_month or None)


def _month(text: str) -> tuple[int, int] | None:
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    year, month = int(parts[0]), int(parts[1])
    return (year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def _cents() -> ColumnElement[Any]:
    return cast(func.round(Opportunity.value * 100), BigInteger)


def _year() -> ColumnElement[Any]:
    return func.extract("year", Opportunity.expected_close_on)


def _month_no() -> ColumnElement[Any]:
    return func.extract("month", Opportunity.expected_close_on)


def _conditions(session: Session, user: User, f: Filters, *, open_only: bool
                ) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = [visible_filter(session, user)]
    if open_only or f.stage == "open":
        out.append(Opportunity.stage.in_(rules.OPEN_STAGES))
    if f.stage not in ("open", "all"):
        out.append(Opportunity.stage == f.stage)
    if f.manager_id is not None:
        out.append(Account.manager_id == f.manager_id)
    if f.segment:
        out.append(Account.segment == f.segment)
    if f.tier:
        out.append(KamDecision.tier == f.tier)
    if f.kind:
        out.append(Opportunity.kind == f.kind)
    if f.close_month == NO_MONTH:
        out.append(Opportunity.expected_close_on.is_(None))
    elif f.close_month:
        year, month = _month(f.close_month) or (0, 0)
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1)
        out += [Opportunity.expected_close_on >= start, Opportunity.expected_close_on < end]
    return out


def _base(*columns: Any) -> Any:
    return (select(*columns).select_from(Opportunity)
            .join(Account, Account.id == Opportunity.account_id)
            .outerjoin(KamDecision, KamDecision.account_id == Account.id))


def _sums() -> list[ColumnElement[Any]]:
    return [func.count(Opportunity.id).label("n"),
            func.coalesce(func.sum(_cents()), 0).label("cents"),
            func.coalesce(func.sum(_cents() * Opportunity.probability), 0).label("pct_cents")]


def _money(cents: Any) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(Decimal("0.01"))


def pipeline(session: Session, user: User, f: Filters, *, by: str = "manager") -> PipelineOut:
    """The open opportunities grouped ``by`` (account, manager, segment, tier; the largest
    weighted value first, at most ``MAX_GROUPS``), their totals and the forecast by month."""
    if by not in BY:
        raise ValidationFailed([FieldProblem("by", "must be one of " + ", ".join(BY))])
    where = _conditions(session, user, f, open_only=True)
    total = session.execute(_base(*_sums()).where(*where)).one()
    groups = [PipelineGroup(key=None if k is None else str(k), label=_label(by, k, label),
                            count=int(n), value=_money(c),
                            weighted_value=rules.from_percent_cents(int(p)))
              for k, label, n, c, p in _grouped(session, where, by)]
    return PipelineOut(by=by, currency=company_policy(session).currency, count=int(total.n),
                       value=_money(total.cents),
                       weighted_value=rules.from_percent_cents(int(total.pct_cents)),
                       groups=groups, forecast=forecast(session, user, f, where))


def _label(by: str, key: Any, label: Any) -> str:
    if key is None:
        return {"account": "—", "manager": "No manager", "segment": "No segment",
                "tier": "Not assessed"}[by]
    return str(label if label is not None else key)


def _grouped(session: Session, where: list[ColumnElement[bool]], by: str) -> Any:
    key: Any
    label: Any
    query: Any
    if by == "account":
        key, label = Account.id, func.max(Account.name)
        query = _base(key, label.label("label"), *_sums())
    elif by == "manager":
        key, label = Account.manager_id, func.max(User.name)
        query = _base(key, label.label("label"), *_sums()).outerjoin(
            User, User.id == Account.manager_id)
    elif by == "segment":
        key = Account.segment
        query = _base(key, key.label("label"), *_sums())
    else:
        key = KamDecision.tier
        query = _base(key, key.label("label"), *_sums())
    weighted = func.coalesce(func.sum(_cents() * Opportunity.probability), 0)
    return session.execute(query.where(*where).group_by(key)
                           .order_by(weighted.desc(), key).limit(MAX_GROUPS))


def forecast(session: Session, user: User, f: Filters, where: list[ColumnElement[bool]]
             ) -> list[ForecastMonth]:
    """Open opportunities by month of expected close (None: no date, last), each month with
    the book revenue targets of the managers in view (``targets_by_month``)."""
    year, month = _year(), _month_no()
    rows = session.execute(_base(year.label("y"), month.label("m"), *_sums()).where(*where)
                           .group_by(year, month).order_by(year, month)).all()
    months = [f"{int(r.y):04d}-{int(r.m):02d}" for r in rows if r.y is not None]
    targets = targets_by_month(session, user, months, f.manager_id)
    out = [ForecastMonth(month=None if r.y is None else f"{int(r.y):04d}-{int(r.m):02d}",
                         count=int(r.n), value=_money(r.cents),
                         weighted_value=rules.from_percent_cents(int(r.pct_cents)),
                         target=None if r.y is None else
                         targets.get(f"{int(r.y):04d}-{int(r.m):02d}"))
           for r in rows]
    return sorted(out, key=lambda m: (m.month is None, m.month or ""))


def targets_by_month(session: Session, user: User, months: list[str], manager_id: int | None
                     ) -> dict[str, Decimal]:
    """{month: the book revenue targets for it} of the managers whose targets ``user`` reads
    (one manager's with ``manager_id``): a month's own target, plus the monthly share of a
    quarter's or year's (target ÷ its months), to the cent."""
    if not months:
        return {}
    spans = [_month(m) for m in months]
    first = min(date(y, m, 1) for y, m in (s for s in spans if s))
    last = max(date(y, m, 28) for y, m in (s for s in spans if s))
    conditions: list[ColumnElement[bool]] = [
        ManagerTarget.metric == "book_revenue", ManagerTarget.period_end >= first,
        ManagerTarget.period_start <= last]
    condition = readable(user)
    if condition is not None:
        conditions.append(condition)
    if manager_id is not None:
        conditions.append(ManagerTarget.manager_id == manager_id)
    out: dict[str, Decimal] = {}
    for start, end, target in session.execute(
            select(ManagerTarget.period_start, ManagerTarget.period_end, ManagerTarget.target)
            .where(*conditions).limit(10_000)):
        span = (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1
        for text in months:
            y, m = _month(text) or (0, 0)
            if start <= date(y, m, 1) <= end:
                out[text] = out.get(text, Decimal(0)) + Decimal(target) / span
    return {k: v.quantize(Decimal("0.01")) for k, v in out.items()}


# ---------------------------------------------------------------- the list behind it


def _order(sort: str) -> list[Any]:
    key = sort.lstrip("-")
    if key not in SORTS:
        raise ValidationFailed([FieldProblem("sort", "must be one of " + ", ".join(
            SORTS) + " (a leading - sorts descending)")])
    column: Any = {
        "close": Opportunity.expected_close_on, "value": Opportunity.value,
        "weighted": Opportunity.value * Opportunity.probability,
        "probability": Opportunity.probability, "stage": Opportunity.stage,
        "account": Account.name, "title": Opportunity.title}[key]
    nulls_last = Opportunity.expected_close_on.is_(None) if key == "close" else None
    ordered = column.desc() if sort.startswith("-") else column.asc()
    return [*([nulls_last] if nulls_last is not None else []), ordered, Opportunity.id]


def opportunities(
    session: Session, user: User, f: Filters, *, sort: str = "close", page: int = 1,
    page_size: int = 50,
) -> OpportunityPage:
    """The opportunities in view (open ones unless ``f.stage`` says), sorted and paged."""
    if not 1 <= page <= 100_000 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed([FieldProblem("page", f"page from 1, page_size 1-{MAX_PAGE_SIZE}")])
    order = _order(sort or "close")
    where = _conditions(session, user, f, open_only=False)
    total = int(session.scalar(_base(func.count(Opportunity.id)).where(*where)) or 0)
    ids = list(session.scalars(_base(Opportunity.id).where(*where).order_by(*order)
                               .limit(page_size).offset((page - 1) * page_size)))
    rows = {r.id: r for r in session.scalars(select(Opportunity).where(Opportunity.id.in_(ids)))}
    return OpportunityPage(items=outs(session, [rows[i] for i in ids]), total=total, page=page,
                           page_size=page_size)


def export_csv(session: Session, user: User, f: Filters, *, sort: str = "close") -> str:
    """Every opportunity in view as CSV (text cells formula-safe: ``core.cells``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "account", "title", "kind", "stage", "value", "probability",
                     "weighted_value", "currency", "expected_close_on", "owner",
                     "product_lines", "next_step", "next_step_on", "lost_reason"])
    done, page = 0, 1
    while done < EXPORT_LIMIT:
        chunk = opportunities(session, user, f, sort=sort, page=page, page_size=MAX_PAGE_SIZE)
        for o in chunk.items:
            writer.writerow([text_cell(v) for v in (
                o.id, o.account_name, o.title, o.kind, o.stage, o.value, o.probability,
                o.weighted_value, o.currency, o.expected_close_on,
                o.owner.email if o.owner else None,
                "; ".join(line.name for line in o.product_lines), o.next_step,
                o.next_step_on, o.lost_reason)])
        done += len(chunk.items)
        if len(chunk.items) < MAX_PAGE_SIZE:
            break
        page += 1
    return out.getvalue()


def filter_choices(session: Session, user: User) -> dict[str, list[Any]]:
    """The managers, segments and tiers of the accounts in view that hold opportunities."""
    seen = _base(Account.manager_id, Account.segment, KamDecision.tier).where(
        visible_filter(session, user)).distinct().limit(5000).subquery()
    rows = session.execute(select(seen.c.manager_id, seen.c.segment, seen.c.tier)).all()
    manager_ids = sorted({r.manager_id for r in rows if r.manager_id is not None})
    managers = [(u.id, u.name) for u in session.scalars(
        select(User).where(User.id.in_(manager_ids)).order_by(User.name))] if manager_ids else []
    return {"managers": managers,
            "segments": sorted({r.segment for r in rows if r.segment}),
            "tiers": sorted({r.tier for r in rows if r.tier})}

