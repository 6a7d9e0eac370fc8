"""Use cases of the health score: one account live with its breakdown, everyone in bulk.

One account: the measures are read from the database and scored by ``formulas.health``
(Decimal, the breakdown shown as computed). All accounts (daily or on demand): the same
formulas as SQL in ``bulk.py``, stored in ``account_health`` (current) and ``health_history``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, func, insert, null, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, Interaction
from accord.accounts.visibility import get_visible_account, get_writable_account, visible_accounts
from accord.core import audit, policy_store, versions
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.periods import month_index
from accord.core.roles import require_role
from accord.health import bulk, formulas, rhythm, utilisation
from accord.health.formulas import HealthPolicy
from accord.health.models import AccountHealth, HealthHistory
from accord.health.schemas import (
    HealthOut,
    HealthPoint,
    HealthRow,
    HealthSettingsOut,
    MeasureOut,
    RecomputeOut,
)
from accord.revenue.models import MonthlyRevenue
from accord.selection import kam_revenue
from accord.selection import settings as kam_settings
from accord.selection.service import tier_case_one
from accord.selection.settings import selection_policy

PREFIX = "health:"
DEFAULT_SETTING = "health"


# ---------------------------------------------------------------- settings


def default_policy(session: Session) -> HealthPolicy:
    return policy_store.load(session, DEFAULT_SETTING, HealthPolicy)


def segment_policies(session: Session) -> dict[str, HealthPolicy]:
    base = default_policy(session)
    out = {}
    for name in policy_store.stored_names(session, PREFIX):
        value = policy_store.stored(session, name) or {}
        out[name.removeprefix(PREFIX)] = HealthPolicy.from_dict(value, base)
    return out


def policy_for(session: Session, segment: str | None) -> HealthPolicy:
    if segment:
        value = policy_store.stored(session, PREFIX + segment)
        if value:
            return HealthPolicy.from_dict(value, default_policy(session))
    return default_policy(session)


def get_policies(session: Session, user: User) -> HealthSettingsOut:
    return HealthSettingsOut(default=default_policy(session), segments=segment_policies(session))


def update_policy(
    session: Session,
    user: User,
    values: dict[str, Any],
    segment: str | None = None,
    expected: versions.Expected | None = None,
) -> HealthPolicy:
    """Save the default health policy, or a segment's own weights and thresholds;
    ``expected``: the API's If-Match; a stale one is a 409."""
    base = default_policy(session)
    current = policy_for(session, segment) if segment else base
    merged = {**current.to_dict(), **values}
    policy = policy_store.save(
        session,
        user,
        setting_name(segment),
        merged,
        lambda v: HealthPolicy.from_dict(v, base),
        expected,
    )
    kam_settings.bump_version(session)
    return policy


def delete_segment_policy(session: Session, user: User, segment: str) -> None:
    if policy_store.delete(session, user, PREFIX + segment):
        kam_settings.bump_version(session)


def setting_name(segment: str | None) -> str:
    """Where the default policy or a segment's own is stored."""
    return PREFIX + segment if segment else DEFAULT_SETTING


# ---------------------------------------------------------------- one account


def _window_cents(session: Session, account_id: int, today: date, window: int) -> tuple[int, int]:
    as_of = month_index(today) - 1
    rows = session.execute(
        select(MonthlyRevenue.month, MonthlyRevenue.amount_cents).where(
            MonthlyRevenue.account_id == account_id,
            MonthlyRevenue.month > as_of - 2 * window,
            MonthlyRevenue.month <= as_of,
        )
    ).all()
    current = sum(a for m, a in rows if m > as_of - window)
    previous = sum(a for m, a in rows if m <= as_of - window)
    return current, previous


def _sentiment_and_seats(
    session: Session, account_id: int, today: date
) -> tuple[Any, tuple[int, int, int] | None]:
    """The latest sentiment (rating, day) and the licences' (seats in use, purchased, services
    at risk) — None without seats purchased — in one statement."""
    latest = (
        select(Interaction.sentiment, Interaction.occurred_on)
        .where(
            Interaction.account_id == account_id,
            Interaction.sentiment.is_not(None),
            Interaction.occurred_on <= today,
        )
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
        .limit(1)
        .subquery("latest")
    )
    provider = utilisation.utilisation_one()
    seats = provider(account_id) if provider is not None else (null(), null(), null())
    row = session.execute(
        select(
            select(latest.c.sentiment).scalar_subquery().label("sentiment"),
            select(latest.c.occurred_on).scalar_subquery().label("occurred_on"),
            *[s.label(n) for s, n in zip(seats, ("utilised", "purchased", "at_risk"), strict=True)],
        )
    ).one()
    found = None
    if row.sentiment is not None:
        found = SimpleNamespace(sentiment=row.sentiment, occurred_on=_as_date(row.occurred_on))
    if not row.purchased:
        return found, None
    return found, (int(row.utilised or 0), int(row.purchased), int(row.at_risk or 0))


def _as_date(value: Any) -> date:
    """A date read through a scalar subquery (SQLite may hand back its text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def measure_values(
    session: Session, account: Account, today: date, policy: HealthPolicy
) -> tuple[dict[str, Decimal | None], dict[str, str], str]:
    selection = selection_policy(session)
    current, previous = _window_cents(session, account.id, today, selection.window_months)
    trend = formulas.revenue_trend(current, previous)
    tier = tier_case_one(session, account.id)
    cadence, source = rhythm.interval_one(session, account.id, tier, account.kind, today)
    last = account.last_qualifying_touch_on
    days = (today - last).days if last else None
    fresh = formulas.freshness(days, cadence)
    overdue = rhythm.overdue_one(session, account.id, today)
    latest, seats = _sentiment_and_seats(session, account.id, today)
    values: dict[str, Decimal | None] = {
        "revenue_trend": trend,
        "licence_utilisation": formulas.licence_utilisation(*seats[:2]) if seats else None,
        "contact_freshness": fresh,
        "overdue_commitments": Decimal(overdue) if overdue is not None else None,
        "sentiment": Decimal(latest.sentiment) if latest else None,
    }
    notes = {
        "revenue_trend": (
            f"last {selection.window_months} months vs the {selection.window_months} before"
            if trend is not None
            else "no revenue in the previous window"
        ),
        "contact_freshness": (
            f"no touch interval ({source})"
            if cadence is None
            else f"never touched; a touch every {cadence} days ({source})"
            if days is None
            else f"{days} days since the last qualifying touch; a touch every {cadence} days "
            f"({source})"
        ),
        "sentiment": (
            f"rated {latest.sentiment} on {latest.occurred_on.isoformat()}"
            if latest
            else "no sentiment recorded on any interaction"
        ),
    }
    if seats is not None:
        notes["licence_utilisation"] = utilisation.note(*seats)
    if overdue is not None:
        notes["overdue_commitments"] = f"{overdue} overdue follow-up{'s' if overdue != 1 else ''}"

    return values, notes, tier


def account_health(session: Session, user: User, account_id: int, *, today: date) -> HealthOut:
    """The live score with its breakdown, the stored score and the history."""
    account = get_visible_account(session, user, account_id)
    policy = policy_for(session, account.segment)
    values, notes, tier = measure_values(session, account, today, policy)
    result = formulas.health(values, policy, notes)
    stored = session.get(AccountHealth, account_id)
    history = session.execute(
        select(HealthHistory.computed_on, HealthHistory.score, HealthHistory.band)
        .where(HealthHistory.account_id == account_id)
        .order_by(HealthHistory.computed_on)
    ).all()
    return HealthOut(
        account_id=account_id,
        segment=account.segment,
        tier=tier,
        score=result.score,
        band=result.band,
        measures=[
            MeasureOut(
                measure=m.measure,
                label=formulas.LABELS[m.measure],
                value=m.value,
                score=m.score,
                weight=m.weight,
                effective_weight=m.effective_weight,
                note=m.note,
            )
            for m in result.measures
        ],
        left_out=result.left_out,
        history=[HealthPoint(computed_on=d, score=s, band=b) for d, s, b in history],
        stored_score=stored.score if stored else None,
        stored_on=stored.computed_on if stored else None,
    )


# ---------------------------------------------------------------- everyone


def recompute_all(session: Session, user: User, *, today: date) -> RecomputeOut:
    """Recompute and store the health of every account the user sees (admins and heads)."""
    require_role(user, Role.ADMIN, Role.HEAD)
    selection = selection_policy(session)
    kam_revenue.refresh(session, kam_revenue.basis_for(today, selection))
    scope = visible_accounts(user)
    visible_ids = select(Account.id).where(scope)
    query = bulk.health_select(
        session, scope, today, selection, default_policy(session), segment_policies(session)
    )
    session.execute(delete(AccountHealth).where(AccountHealth.account_id.in_(visible_ids)))
    session.execute(
        insert(AccountHealth).from_select(
            [
                "account_id",
                "computed_on",
                "score",
                "band",
                "revenue_trend",
                "contact_freshness",
                "sentiment",
                "licence_utilisation",
            ],
            query,
        )
    )
    session.execute(
        delete(HealthHistory).where(
            HealthHistory.computed_on == today, HealthHistory.account_id.in_(visible_ids)
        )
    )
    session.execute(
        insert(HealthHistory).from_select(
            ["account_id", "computed_on", "score", "band"],
            select(
                AccountHealth.account_id,
                AccountHealth.computed_on,
                AccountHealth.score,
                AccountHealth.band,
            ).where(AccountHealth.account_id.in_(visible_ids)),
        )
    )
    counts = {
        band or "none": n
        for band, n in session.execute(
            select(AccountHealth.band, func.count())
            .where(AccountHealth.account_id.in_(visible_ids))
            .group_by(AccountHealth.band)
        ).all()
    }
    out = RecomputeOut(
        accounts=sum(counts.values()),
        computed_on=today,
        green=counts.get("green", 0),
        amber=counts.get("amber", 0),
        red=counts.get("red", 0),
        unscored=counts.get("none", 0),
    )
    kam_settings.bump_version(session)
    audit.record(session, user, "recompute", "health", None, after=out.model_dump())
    return out


def recompute_account(session: Session, user: User, account_id: int, *, today: date) -> HealthOut:
    """Store one account's live score (current and today's history point); audited.

    It writes, so it takes a role that may change the account (404 first for an account out
    of reach, then 403 for viewer and billing), like every other write (V5)."""
    get_writable_account(session, user, account_id)
    out = account_health(session, user, account_id, today=today)
    values = {m.measure: m.value for m in out.measures}
    stored = session.get(AccountHealth, account_id)
    before = None if stored is None else {
        "computed_on": stored.computed_on.isoformat(), "score": stored.score, "band": stored.band
    }
    row = stored or AccountHealth(account_id=account_id)
    row.computed_on, row.score, row.band = today, out.score, out.band
    row.revenue_trend = (
        float(values["revenue_trend"]) if values["revenue_trend"] is not None else None
    )
    row.contact_freshness = (
        float(values["contact_freshness"]) if values["contact_freshness"] is not None else None
    )
    row.sentiment = int(values["sentiment"]) if values["sentiment"] is not None else None
    licence = values["licence_utilisation"]
    row.licence_utilisation = float(licence) if licence is not None else None
    session.add(row)
    hist = session.get(HealthHistory, (account_id, today)) or HealthHistory(
        account_id=account_id, computed_on=today
    )
    hist.score, hist.band = out.score, out.band
    session.add(hist)
    session.flush()
    kam_settings.bump_version(session)
    audit.record(session, user, "recompute", "health", account_id, before=before, after={
        "computed_on": today.isoformat(), "score": out.score, "band": out.band
    })
    return account_health(session, user, account_id, today=today)


def list_health(
    session: Session, user: User, *, band: str | None = None, limit: int = 100
) -> list[HealthRow]:
    """Stored health of visible accounts, worst first (``accord health``)."""
    if band and band not in ("green", "amber", "red"):
        raise ValidationFailed([FieldProblem("band", "green, amber or red")])
    query = (
        select(Account.id, Account.name, Account.segment, AccountHealth)
        .join(AccountHealth, AccountHealth.account_id == Account.id)
        .where(visible_accounts(user))
    )
    if band:
        query = query.where(AccountHealth.band == band)
    rows = session.execute(
        query.order_by(AccountHealth.score.asc().nulls_last(), Account.id).limit(limit)
    ).all()
    return [
        HealthRow(
            account_id=i,
            name=n,
            segment=s,
            score=h.score,
            band=h.band,
            computed_on=h.computed_on,
            revenue_trend=h.revenue_trend,
            contact_freshness=h.contact_freshness,
            sentiment=h.sentiment,
        )
        for i, n, s, h in rows
    ]
