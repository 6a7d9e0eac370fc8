"""The decisions list: every key or large account with tier, potential, stage, decision, health.

"Key or large" = every scored account (its latest scoring places it) and every account in
revenue class A. One SQL query does the selection, the stage × potential table (a CASE built
from the settings), filtering, sorting and paging; health comes from the stored daily score.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Float,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account
from accord.accounts.search import ESCAPE, like_pattern
from accord.accounts.visibility import sees_everything, visible_accounts, visible_row
from accord.core import single_flight
from accord.core.cells import neutralise
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.money import from_cents
from accord.core.periods import format_month
from accord.health.models import AccountHealth
from accord.relationships.models import KamDecision, KamDecisionState, StageAssessment
from accord.relationships.rubric import POTENTIALS, STAGES, StagePolicy
from accord.relationships.schemas import DecisionPage, DecisionRow
from accord.relationships.service import stage_policy
from accord.selection import kam_revenue, rules
from accord.selection import settings as kam_settings
from accord.selection.models import KamRevenue
from accord.selection.queries import placed
from accord.selection.settings import selection_policy

MAX_PAGE_SIZE = 500
FLAGS = ("large_not_key", "key_not_large")
KEY = rules.KEY_TIERS


@dataclass(frozen=True)
class DecisionFilter:
    q: str | None = None
    tier: str | None = None
    decision: str | None = None
    stage: str | None = None
    potential: str | None = None
    segment: str | None = None
    manager_id: int | None = None
    band: str | None = None
    flag: str | None = None

    def problems(self) -> list[FieldProblem]:
        out = []
        choices = {
            "tier": rules.TIERS,
            "decision": ("invest", "maintain", "recalibrate", "none"),
            "stage": (*[s.value for s in STAGES], "none"),
            "potential": POTENTIALS,
            "band": ("green", "amber", "red", "none"),
            "flag": FLAGS,
        }
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value and value not in allowed:
                out.append(FieldProblem(name, "one of " + ", ".join(allowed)))
        return out


def latest_stages() -> Any:
    """Each account's latest recorded stage (the highest id: assessments are appended)."""
    latest = (
        select(func.max(StageAssessment.id).label("id"))
        .group_by(StageAssessment.account_id)
        .subquery("latest_stage_ids")
    )
    return (
        select(
            StageAssessment.account_id, StageAssessment.recorded_stage, StageAssessment.assessed_on
        )
        .join(latest, latest.c.id == StageAssessment.id)
        .subquery("stages")
    )


def decision_expr(stage: Any, potential: Any, policy: StagePolicy) -> Any:
    whens = [
        (and_(stage == s.value, potential == pot), literal(policy.decisions[s.value][pot]))
        for s in STAGES
        for pot in POTENTIALS
    ]
    return case(*whens, else_=null())


def _order(values: tuple[str, ...], column: Any) -> Any:
    return case(*[(column == v, i) for i, v in enumerate(values)], else_=len(values))


def _build_select(session: Session, selection: Any) -> Any:
    """Every key-or-large account's row of ``kam_decisions``, computed in SQL."""
    placement = placed(selection)
    stages = latest_stages()
    candidates = union(
        select(placement.c.account_id.label("account_id")),
        select(KamRevenue.account_id.label("account_id")).where(KamRevenue.abc == "A"),
    ).subquery("candidates")
    tier = func.coalesce(placement.c.tier, literal(rules.NOT_KEY))
    flag = case(
        (and_(KamRevenue.abc == "A", tier.not_in(KEY)), literal("large_not_key")),
        (
            and_(tier.in_(KEY), or_(KamRevenue.abc.is_(None), KamRevenue.abc != "A")),
            literal("key_not_large"),
        ),
        else_=null(),
    )
    strength = case(
        (
            placement.c.competitor_weighted > 0,
            cast(placement.c.us_weighted, Float) / cast(placement.c.competitor_weighted, Float),
        ),
        else_=null(),
    )
    cols = {
        "account_id": candidates.c.account_id,
        "tier": tier,
        "tier_order": _order(rules.TIERS, tier),
        "attractiveness_milli": placement.c.attractiveness_milli,
        "us_weighted": placement.c.us_weighted,
        "competitor_weighted": placement.c.competitor_weighted,
        "strength": strength,
        "potential": placement.c.potential,
        "stage": stages.c.recorded_stage,
        "stage_on": stages.c.assessed_on,
        "decision": decision_expr(
            stages.c.recorded_stage, placement.c.potential, stage_policy(session)
        ),
        "health": AccountHealth.score,
        "band": AccountHealth.band,
        "revenue_cents": func.coalesce(KamRevenue.current_cents, 0),
        "abc": KamRevenue.abc,
        "scored_on": placement.c.scored_on,
        "flag": flag,
    }
    query = (
        select(*[c.label(k) for k, c in cols.items()])
        .select_from(candidates)
        .outerjoin(placement, placement.c.account_id == candidates.c.account_id)
        .outerjoin(KamRevenue, KamRevenue.account_id == candidates.c.account_id)
        .outerjoin(stages, stages.c.account_id == candidates.c.account_id)
        .outerjoin(AccountHealth, AccountHealth.account_id == candidates.c.account_id)
    )
    return query, list(cols)


def _built_from(session: Session, basis: kam_revenue.RevenueBasis) -> str:
    """What ``kam_decisions`` is current for: the KAM version, the revenue basis and the
    revenue snapshot it was built from."""
    computed = kam_revenue.computed_at(session)
    return (
        f"v{kam_settings.version(session)}|{basis.as_of}|{basis.window_months}|"
        f"{computed.isoformat() if computed else '-'}"
    )


def is_current(session: Session, today: date) -> bool:
    """Is ``kam_decisions`` up to date (KAM writes, revenue snapshot, month)? Reads only."""
    basis = kam_revenue.basis_for(today, selection_policy(session))
    if not kam_revenue.is_fresh(session, basis):
        return False
    state = session.get(KamDecisionState, 1, populate_existing=True)  # as committed now
    return state is not None and state.built_from == _built_from(session, basis)


def ensure_built(session: Session, today: date) -> None:
    """Rebuild ``kam_decisions`` when a KAM write, the revenue snapshot or the month changed
    since it was built (INSERT … SELECT; nothing passes through Python): in a writing
    transaction right there; for a reader (a GET) by the single-flight refresh job, never in
    the reader's transaction (``core.single_flight``). Two rebuilds never run at once."""
    if is_current(session, today):
        return
    single_flight.bring_up_to_date(session, JOB, lambda writer: _rebuild(writer, today))


#: the rebuild job's name (its lock)
JOB = "kam_decisions"


def _rebuild(session: Session, today: date) -> None:
    """The rebuild, in a writing transaction holding the job's lock: nothing when another
    run brought it up to date meanwhile."""
    selection = selection_policy(session)
    basis = kam_revenue.ensure_fresh(session, today, selection)
    built_from = _built_from(session, basis)
    state = session.get(KamDecisionState, 1, populate_existing=True)
    if state is not None and state.built_from == built_from:
        return
    query, names = _build_select(session, selection)
    session.execute(delete(KamDecision))
    session.execute(insert(KamDecision).from_select(names, query))
    if state is None:
        session.add(KamDecisionState(id=1, built_from=built_from))
    else:
        state.built_from = built_from
    session.flush()


def _columns(session: Session, user: User, today: date) -> tuple[Any, dict[str, Any]]:
    """The query over visible key-or-large accounts, unfiltered, and its named columns."""
    ensure_built(session, today)
    manager = aliased(User, name="account_manager")
    cols = {
        "account_id": Account.id,
        "name": Account.name,
        "name_key": Account.name_key,
        "segment": Account.segment,
        "manager": manager.name,
        "tier": KamDecision.tier,
        "tier_order": KamDecision.tier_order,
        "attractiveness_milli": KamDecision.attractiveness_milli,
        "us": KamDecision.us_weighted,
        "them": KamDecision.competitor_weighted,
        "strength": KamDecision.strength,
        "potential": KamDecision.potential,
        "stage": KamDecision.stage,
        "stage_on": KamDecision.stage_on,
        "decision": KamDecision.decision,
        "health": KamDecision.health,
        "band": KamDecision.band,
        "revenue": KamDecision.revenue_cents,
        "abc": KamDecision.abc,
        "scored_on": KamDecision.scored_on,
        "flag": KamDecision.flag,
    }
    query = (
        select(*[c.label(k) for k, c in cols.items()])
        .select_from(KamDecision)
        .join(Account, Account.id == KamDecision.account_id)
        .outerjoin(manager, manager.id == Account.manager_id)
        # the visibility rule as a per-row test (inside CASE): the planners then walk the few
        # thousand decision rows instead of building every visible account (a head may see
        # 100,000) to semi-join against
        .where(visible_row(user, KamDecision.account_id))
    )
    return query, cols


def _sorts(cols: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    strength = cols["strength"]
    tiers = cols["tier_order"]
    stages = _order(tuple(s.value for s in STAGES), cols["stage"])
    pots = _order(POTENTIALS, cols["potential"])
    decisions = _order(("invest", "maintain", "recalibrate"), cols["decision"])
    name = (cols["name_key"], cols["account_id"])
    return {
        "name": name,
        "-name": (cols["name_key"].desc(), cols["account_id"]),
        "tier": (tiers, *name),
        "-tier": (tiers.desc(), *name),
        "attractiveness": (cols["attractiveness_milli"].asc().nulls_last(), *name),
        "-attractiveness": (cols["attractiveness_milli"].desc().nulls_last(), *name),
        "strength": (strength.asc().nulls_last(), *name),
        "-strength": (strength.desc().nulls_last(), *name),
        "potential": (pots, *name),
        "-potential": (pots.desc(), *name),
        "stage": (stages, *name),
        "-stage": (stages.desc(), *name),
        "decision": (decisions, *name),
        "-decision": (decisions.desc(), *name),
        "health": (cols["health"].asc().nulls_last(), *name),
        "-health": (cols["health"].desc().nulls_last(), *name),
        "revenue": (cols["revenue"].asc(), *name),
        "-revenue": (cols["revenue"].desc(), *name),
        "scored_on": (cols["scored_on"].asc().nulls_last(), *name),
        "-scored_on": (cols["scored_on"].desc().nulls_last(), *name),
    }


SORTS = tuple(
    _sorts(
        {
            k: literal(0)
            for k in (
                "name",
                "name_key",
                "tier_order",
                "strength",
                "account_id",
                "them",
                "us",
                "tier",
                "stage",
                "potential",
                "decision",
                "health",
                "attractiveness_milli",
                "revenue",
                "scored_on",
            )
        }
    )
)


def _filtered(
    session: Session, user: User, flt: DecisionFilter, today: date
) -> tuple[Any, dict[str, Any]]:
    problems = flt.problems()
    if problems:
        raise ValidationFailed(problems)
    query, cols = _columns(session, user, today)
    for name in ("tier", "decision", "stage", "potential", "band", "flag", "segment"):
        value = getattr(flt, name)
        if value == "none":
            query = query.where(cols[name].is_(None))
        elif value:
            query = query.where(cols[name] == value)
    if flt.manager_id is not None:
        query = query.where(Account.manager_id == flt.manager_id)
    if flt.q:
        query = query.where(Account.name_key.like(like_pattern(flt.q), escape=ESCAPE))
    return query, cols


def _row(r: Any) -> DecisionRow:
    return DecisionRow(
        account_id=r.account_id,
        name=r.name,
        segment=r.segment,
        manager=r.manager,
        tier=r.tier,
        attractiveness=(
            rules.from_milli(r.attractiveness_milli) if r.attractiveness_milli is not None else None
        ),
        strength=rules.strength_value(r.us, r.them) if r.them else None,
        potential=r.potential,
        stage=r.stage,
        stage_on=r.stage_on,
        decision=r.decision,
        health=r.health,
        band=r.band,
        revenue=from_cents(r.revenue),
        abc=r.abc,
        scored_on=r.scored_on,
        flag=r.flag,
    )


def list_decisions(
    session: Session,
    user: User,
    *,
    today: date,
    flt: DecisionFilter | None = None,
    sort: str = "name",
    page: int = 1,
    page_size: int = 50,
) -> DecisionPage:
    flt = flt or DecisionFilter()
    if sort not in SORTS:
        raise ValidationFailed([FieldProblem("sort", "one of " + ", ".join(SORTS))])
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed([FieldProblem("page", f"page ≥ 1, page_size 1–{MAX_PAGE_SIZE}")])
    query, cols = _filtered(session, user, flt, today)
    # one pass: the total rides along as a window count on every row of the page
    rows = session.execute(
        query.add_columns(func.count().over().label("total_rows"))
        .order_by(*_sorts(cols)[sort])
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    if rows:
        total = rows[0].total_rows
    else:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    basis = kam_revenue.basis_for(today, selection_policy(session))
    health_day = session.scalar(select(func.max(AccountHealth.computed_on)))
    return DecisionPage(
        items=[_row(r) for r in rows],
        total=total,
        page=page,
        page_size=page_size,
        pages=max(1, math.ceil(total / page_size)),
        sort=sort,
        as_of=format_month(basis.as_of),
        health_as_of=health_day,
    )


def iter_decisions(
    session: Session,
    user: User,
    *,
    today: date,
    flt: DecisionFilter | None = None,
    sort: str = "name",
) -> Iterator[DecisionRow]:
    """Every row, streamed (exports)."""
    if sort not in SORTS:
        raise ValidationFailed([FieldProblem("sort", "one of " + ", ".join(SORTS))])
    query, cols = _filtered(session, user, flt or DecisionFilter(), today)
    for r in session.execute(query.order_by(*_sorts(cols)[sort]).execution_options(yield_per=2000)):
        yield _row(r)


EXPORT_COLUMNS = (
    "account_id",
    "name",
    "segment",
    "manager",
    "tier",
    "attractiveness",
    "strength",
    "potential",
    "stage",
    "stage_on",
    "decision",
    "health",
    "band",
    "revenue",
    "abc",
    "scored_on",
    "flag",
)


def export_values(row: DecisionRow) -> list[object]:
    """One row for CSV/Excel: plain values, empty for none; no text can start a formula."""
    values = row.model_dump()
    return ["" if values[c] is None else neutralise(values[c]) for c in EXPORT_COLUMNS]


def export_csv(
    session: Session,
    user: User,
    *,
    today: date,
    flt: DecisionFilter | None = None,
    sort: str = "name",
) -> Iterator[str]:
    """CSV text, a chunk per row (streamed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in iter_decisions(session, user, today=today, flt=flt, sort=sort):
        writer.writerow(export_values(row))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_xlsx(
    session: Session,
    user: User,
    *,
    today: date,
    flt: DecisionFilter | None = None,
    sort: str = "name",
) -> bytes:
    """An Excel workbook (write-only mode: rows are not kept in memory)."""
    from openpyxl import Workbook  # here: slow to load, and only the Excel export needs it

    if sort not in SORTS:  # refused before a workbook exists (none is left half-written)
        raise ValidationFailed([FieldProblem("sort", "one of " + ", ".join(SORTS))])
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Decisions")
    sheet.append(list(EXPORT_COLUMNS))
    for row in iter_decisions(session, user, today=today, flt=flt, sort=sort):
        sheet.append(
            [
                float(v) if isinstance(v, Decimal) else (None if v == "" else v)
                for v in export_values(row)
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def decisions_page(
    session: Session,
    user: User,
    *,
    today: date,
    flt: DecisionFilter,
    sort: str,
    page: int,
    page_size: int = 50,
) -> dict[str, Any]:
    """The page: one page of rows plus the filter choices."""
    result = list_decisions(
        session, user, today=today, flt=flt, sort=sort, page=page, page_size=page_size
    )
    return {"result": result, "segments": filter_segments(session, user)}


def filter_segments(session: Session, user: User) -> list[str]:
    """Segment names for the filter. Admins and heads see the portfolio's segments (one index
    scan); others the segments of the accounts they see (a small set)."""
    if sees_everything(user) or Role(user.role) is Role.HEAD:
        query = select(Account.segment).where(Account.segment.is_not(None))
    else:
        query = select(Account.segment).where(visible_accounts(user), Account.segment.is_not(None))
    return list(session.scalars(query.distinct().order_by(Account.segment)))
