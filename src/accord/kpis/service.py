"""KPI use cases: the policy settings, the report, the drill-down, the data refresh.

Reports are computed by the database from ``kpi_account_months`` and cached in this process
until the data changes: the cache key holds the data version (bumped by every refresh), the
newest audit entry (any account, team or policy change is audited) and who is asking.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from accord.accounts.visibility import sees_everything, visible_accounts
from accord.core import audit
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import AuditEntry, Role, User
from accord.core.periods import format_month, month_index, parse_month
from accord.core.roles import require_role
from accord.kpis import derived, queries
from accord.kpis.formulas import (
    BREAKDOWNS,
    Basis,
    Movement,
    Policy,
    Source,
    Sums,
    Windows,
    first_series_month,
    last_complete_month,
    money,
    retention,
    total,
)
from accord.kpis.models import KpiPolicy, KpiState
from accord.selection.settings import save_selection_policy, selection_policy

POLICY_ID = 1
refresh_after_import = derived.refresh_after_import
rebuild = derived.rebuild


# ---------------------------------------------------------------- policy settings


@dataclass(frozen=True)
class PolicySettings:
    policy: Policy
    as_of_month: int | None  # pinned; None = last complete month in the data

    def as_dict(self) -> dict[str, Any]:
        return {
            "window_months": self.policy.window_months,
            "basis": self.policy.basis.value,
            "abc_a": self.policy.abc_a,
            "abc_b": self.policy.abc_b,
            "source": self.policy.source.value,
            "as_of": None if self.as_of_month is None else format_month(self.as_of_month),
        }


def get_policy(session: Session) -> PolicySettings:
    """The stored KPI policy; its ABC cut-offs are the one ABC setting (selection settings)."""
    row = session.get(KpiPolicy, POLICY_ID)
    abc = selection_policy(session)
    if row is None:
        return PolicySettings(Policy(abc_a=abc.abc_a, abc_b=abc.abc_b), None)
    return PolicySettings(
        Policy(window_months=row.window_months, basis=Basis(row.basis),
               abc_a=abc.abc_a, abc_b=abc.abc_b, source=Source(row.source)),
        row.as_of_month,
    )


def _month(field: str, text: str | None) -> int | None:
    if text is None or text == "":
        return None
    try:
        return parse_month(text)
    except ValueError as exc:
        raise ValidationFailed([FieldProblem(field, str(exc))]) from None


def _basis(text: str | None) -> Basis | None:
    if text is None:
        return None
    try:
        return Basis(text)
    except ValueError:
        raise ValidationFailed(
            [FieldProblem("basis", "must be 'trailing' or 'point'")]
        ) from None


def _source(text: str | None) -> Source | None:
    if text is None or text == "":
        return None
    try:
        return Source(text)
    except ValueError:
        raise ValidationFailed(
            [FieldProblem("source", "must be 'invoices' or 'subscriptions'")]
        ) from None


#: the earliest month a report may be pinned to when there is no data yet
EARLIEST_MONTH = 1900 * 12


def _pinnable(session: Session, month: int, this_month: int, source: Source) -> None:
    """B7: a pinned as-of month lies within the data (from its first to its last month), or,
    before any data, between 1900-01 and this month; otherwise every report would fail."""
    state = session.get(KpiState, derived.STATE_IDS[source])
    first = state.first_month if state is not None else None
    last = state.last_month if state is not None else None
    low = first if first is not None else EARLIEST_MONTH
    high = last if last is not None else this_month
    if not low <= month <= high:
        where = "with revenue data" if last is not None else "not after this month"
        raise ValidationFailed([FieldProblem(
            "as_of", f"a month {where}: {format_month(low)} to {format_month(high)}"
        )])


def _check(policy: Policy) -> Policy:
    problems = policy.problems()
    if problems:
        raise ValidationFailed(problems)
    return policy


def update_policy(
    session: Session,
    user: User,
    *,
    window_months: int | None = None,
    basis: str | None = None,
    abc_a: Decimal | None = None,
    abc_b: Decimal | None = None,
    as_of: str | None = None,
    unpin_as_of: bool = False,
    source: str | None = None,
    today: date,
) -> PolicySettings:
    """Change the policy settings (admins and heads); audited. A pinned as-of month must be
    one the reports can show (``_pinnable``)."""
    require_role(user, Role.ADMIN, Role.HEAD)
    current = get_policy(session)
    p = current.policy
    new = _check(Policy(
        window_months=window_months if window_months is not None else p.window_months,
        basis=_basis(basis) or p.basis,
        abc_a=abc_a if abc_a is not None else p.abc_a,
        abc_b=abc_b if abc_b is not None else p.abc_b,
        source=_source(source) or p.source,
    ))
    if new.source is not Source.INVOICES:
        derived.source_table(new.source)  # installed?
    if (new.abc_a, new.abc_b) != (p.abc_a, p.abc_b):  # the one ABC setting: validated there
        save_selection_policy(session, user, {"abc_a": str(new.abc_a), "abc_b": str(new.abc_b)})
    pinned = None if unpin_as_of else (_month("as_of", as_of) if as_of else current.as_of_month)
    if pinned is not None and pinned != current.as_of_month:
        _pinnable(session, pinned, month_index(today), new.source)
    result = PolicySettings(new, pinned)
    row = session.get(KpiPolicy, POLICY_ID)
    if row is None:
        row = KpiPolicy(id=POLICY_ID)
        session.add(row)
    row.window_months, row.basis = new.window_months, new.basis.value
    row.source = new.source.value
    row.as_of_month = pinned
    row.updated_by = user.email
    session.flush()
    if derived.variant_id(new.window_months, new.basis) != derived.variant_id(
        p.window_months, p.basis
    ):  # ready for the next report, whichever source it reads
        for built in derived.built_sources(session):
            derived.ensure_variant(session, new.window_months, new.basis, built)
    audit.record(session, user, "update", "kpi_policy", POLICY_ID,
                 before=current.as_dict(), after=result.as_dict())
    return result


# ---------------------------------------------------------------- the report


_CACHE: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 128


def _own_scope(user: User) -> tuple[ColumnElement[bool] | None, str]:
    if sees_everything(user):
        return None, "all"
    return visible_accounts(user), f"user:{user.id}:{user.role}:{int(user.is_active)}"


def scope(
    user: User, within: User | None = None
) -> tuple[ColumnElement[bool] | None, str]:
    """The accounts the figures cover (None: all of them) and a cache key for that scope.

    Always bounded by what the asking ``user`` may see; ``within`` (a chosen manager)
    narrows it to the accounts that user sees too. Never the chosen user's visibility
    alone: a head looking at a team member's figures would otherwise see other teams'
    accounts through the member's account teams, and the whole portfolio through a viewer
    placed in the team (V2).
    """
    mine, my_key = _own_scope(user)
    if within is None or within.id == user.id:
        return mine, my_key
    theirs, their_key = _own_scope(within)
    if mine is None:
        return theirs, their_key
    if theirs is None:
        return mine, my_key
    return and_(mine, theirs), f"{my_key}&{their_key}"


def _cached(session: Session, key: tuple[Any, ...], build: Any) -> dict[str, Any]:
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    value = build()
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


@dataclass(frozen=True)
class Resolved:
    windows: Windows
    policy: Policy
    state: KpiState
    variant: int


def resolve(
    session: Session,
    *,
    as_of: str | None,
    window: int | None,
    basis: str | None,
    today: date,
    newest_audit: int | None = None,
    newest_load: int | None = derived.UNKNOWN,
    source: str | None = None,
) -> Resolved:
    """Request values over stored policy; validate; bring the derived data up to date
    (``newest_audit``/``newest_load``: from ``derived.watermarks``)."""
    settings = get_policy(session)
    stored = settings.policy
    policy = _check(Policy(
        window_months=window if window is not None else stored.window_months,
        basis=_basis(basis) or stored.basis, abc_a=stored.abc_a, abc_b=stored.abc_b,
        source=_source(source) or stored.source,
    ))
    state = derived.ensure_fresh(session, newest_audit, newest_load, policy.source)
    month = _month("as_of", as_of)
    if month is None:
        month = settings.as_of_month
        if month is not None and state.last_month is not None and month > state.last_month:
            month = state.last_month  # a pin past the data (set before B7, or data removed since)
    if month is None:
        month = last_complete_month(state.last_month, month_index(today))
    elif state.last_month is not None and month > state.last_month:
        raise ValidationFailed([FieldProblem(
            "as_of", f"after the last month in the data ({format_month(state.last_month)})"
        )])
    variant = derived.ensure_variant(session, policy.window_months, policy.basis, policy.source)
    return Resolved(Windows(month, policy.window_months, policy.basis), policy, state, variant)


def _group_rows(
    groups: list[tuple[int | None, str | None, str, Sums]], by: str, emails: dict[int, str]
) -> list[dict[str, Any]]:
    index = {"manager": 0, "segment": 1, "tier": 2}[by]
    rolled: dict[Any, list[Sums]] = {}
    for g in groups:
        rolled.setdefault(g[index], []).append(g[3])
    names: dict[Any, Any] = {k: k for k in rolled}
    if by == "manager":
        names = {k: emails.get(k) if k is not None else None for k in rolled}
    rows = [{by: names[k], **retention(total(v))} for k, v in rolled.items()]
    rows.sort(key=lambda r: (r[by] is None, str(r[by] or "")))
    return rows


def _compute(
    session: Session, r: Resolved, visible: ColumnElement[bool] | None, by: str | None,
    series: bool,
) -> dict[str, Any]:
    w = r.windows
    queries.tune(session)
    grouped = queries.one_month(session, r.variant, w.as_of, visible)
    portfolio = total([g[3] for g in grouped.groups])
    conc = queries.concentration(
        session, r.variant, w.as_of, visible, (r.policy.abc_a, r.policy.abc_b), grouped
    )
    doc: dict[str, Any] = {
        "as_of": format_month(w.as_of),
        "window_months": w.window,
        "basis": w.basis.value,
        "source": r.policy.source.value,
        "abc_cutoffs": {"A": r.policy.abc_a, "B": r.policy.abc_b},
        "current_window": [format_month(m) for m in w.current],
        "previous_window": [format_month(m) for m in w.previous],
        "portfolio": retention(portfolio),
        "concentration": conc.figures(),
    }
    for name in (by,) if by else BREAKDOWNS:
        doc[f"by_{name}"] = _group_rows(grouped.groups, name, grouped.emails)
    if series:
        months = series_months(r.state, w)
        sums = (
            queries.series_sums(session, r.variant, months[0], months[-1], visible)
            if months else {}
        )
        doc["series"] = [{"as_of": format_month(m), **retention(sums[m])} for m in months]
    return doc


def series_months(state: KpiState, w: Windows) -> list[int]:
    if state.first_month is None:
        return []
    start = first_series_month(state.first_month, w.window, w.basis)
    return list(range(start, w.as_of + 1))


def _check_by(by: str | None) -> None:
    if by is not None and by not in BREAKDOWNS:
        raise ValidationFailed([FieldProblem("by", "must be manager, segment or tier")])


def kpi_report(
    session: Session,
    user: User,
    *,
    today: date,
    as_of: str | None = None,
    window: int | None = None,
    basis: str | None = None,
    by: str | None = None,
    series: bool = False,
    within: User | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The KPI document of issue 3 for what ``user`` may see (cached until the data changes);
    ``within``: only the accounts a chosen manager sees too (see ``scope``); ``source``:
    invoices or subscriptions instead of the policy's."""
    _check_by(by)
    newest_audit, newest_load = derived.watermarks(session)
    r = resolve(session, as_of=as_of, window=window, basis=basis, today=today,
                newest_audit=newest_audit, newest_load=newest_load, source=source)
    visible, scope_key = scope(user, within)
    bind: Any = session.get_bind()
    key = (str(bind.url), r.state.version, r.state.refreshed_at, newest_audit, scope_key,
           r.windows, r.policy, by, series)
    return _cached(session, key, lambda: _compute(session, r, visible, by, series))


def account_movements(
    session: Session,
    user: User,
    *,
    movement: str,
    today: date,
    as_of: str | None = None,
    window: int | None = None,
    basis: str | None = None,
    limit: int = 100,
    offset: int = 0,
    within: User | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The accounts behind an aggregate: each with both window revenues, largest change first
    (among what ``user`` sees; ``within``: and a chosen manager sees too)."""
    try:
        move = Movement(movement)
    except ValueError:
        choices = ", ".join(m.value for m in Movement)
        raise ValidationFailed([FieldProblem("movement", f"must be one of {choices}")]) from None
    if not 1 <= limit <= 1000 or offset < 0:
        raise ValidationFailed([FieldProblem("limit", "limit 1-1000, offset >= 0")])
    newest_audit = session.scalar(select(func.max(AuditEntry.id)))
    r = resolve(session, as_of=as_of, window=window, basis=basis, today=today,
                newest_audit=newest_audit, source=source)
    visible, _ = scope(user, within)
    count, rows = queries.movement_accounts(
        session, r.variant, r.windows.as_of, visible, move, limit=limit, offset=offset
    )
    return {
        "as_of": format_month(r.windows.as_of),
        "window_months": r.windows.window,
        "basis": r.windows.basis.value,
        "source": r.policy.source.value,
        "movement": move.value,
        "total": count,
        "accounts": [
            {
                "account_id": row.account_id, "name": row.name, "manager": row.manager,
                "segment": row.segment, "tier": row.tier,
                "previous_revenue": money(int(row.prev)), "current_revenue": money(int(row.cur)),
                "change": money(int(row.cur) - int(row.prev)),
            }
            for row in rows
        ],
    }


def data_months(session: Session, source: str | None = None) -> tuple[int | None, int | None]:
    """First and last month of the data of a source (default: the policy's; month pickers)."""
    chosen = _source(source) or get_policy(session).policy.source
    state = derived.ensure_fresh(session, source=chosen)
    return state.first_month, state.last_month


def refresh(session: Session, user: User, account_ids: Iterable[int] | None = None) -> None:
    """Rebuild the derived monthly data on demand (admins); audited (A1)."""
    require_role(user, Role.ADMIN)
    ids = None if account_ids is None else sorted(set(account_ids))
    derived.refresh_after_import(session, ids)
    audit.record(
        session,
        user,
        "refresh",
        "kpi_data",
        None,
        after={"accounts": "all" if ids is None else len(ids)},
    )
