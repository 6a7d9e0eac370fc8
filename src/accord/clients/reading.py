"""Reading the individual clients' scores (issue 16): the Clients page's overview (tiles, the
RFM grid by segment, the R × FM count grid, the P(alive) distribution, the latest fit and
validation), the lists (win-back, at risk, best, all; filtered, sorted, paged) and one
person account's figures. Reads only, over the accounts the caller sees
(``accounts.visibility``); every figure is aggregated by the database in one statement,
never row by row.

The lists (thresholds from the ``clients`` setting; P(alive) is the setting's model's):

- ``winback``: P(alive) below ``winback_p_alive_below`` with a past value of at least
  ``winback_min_past_cents``, ranked by past value (what the client spent), highest first;
- ``at_risk``: P(alive) fell by at least ``at_risk_drop`` since the previous fit, the
  largest fall first;
- ``best``: P(alive) above ``best_p_alive_above``, ranked by customer value;
- ``all``: every scored client, by customer value. ``segment=S`` narrows any list.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select, true, union_all
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.search import search_condition
from accord.accounts.service import assignable_managers
from accord.accounts.visibility import sees_everything, visible_filter
from accord.clients import settings
from accord.clients.figures import (  # noqa: F401  (one account's figures)
    ClientFigures,
    account_client,
    client_by_ref,
    client_figures,
)
from accord.clients.list_filters import (  # noqa: F401  (the lists' filters)
    DEFAULT_SORTS,
    LISTS,
    MAX_PAGES,
    MAX_PER_PAGE,
    SORTS,
    Filters,
    filters,
)
from accord.clients.models import ClientFit, ClientScore
from accord.clients.schemas import ClientFitOut, fit_out
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.money import from_cents

#: rows an export (or the CLI) writes at most
MAX_EXPORT = 100_000
#: floating-point slack of the at-risk fall (0.75 − 0.60 is 0.1499999… in binary)
EPSILON = 1e-9
BINS = 10
S = ClientScore


# ---------------------------------------------------------------- the setting's thresholds


@dataclass(frozen=True)
class Thresholds:
    lapsed_below: float
    winback_below: float
    winback_min_past_cents: int
    at_risk_drop: float
    best_above: float
    segments: tuple[str, ...]  # the setting's segment names, in order


def thresholds(session: Session) -> Thresholds:
    p = settings.policy(session)
    return Thresholds(float(p.lapsed_below), float(p.winback_p_alive_below),
                      int(p.winback_min_past_cents), float(p.at_risk_drop),
                      float(p.best_p_alive_above), tuple(s.name for s in p.segments))


def list_condition(name: str, t: Thresholds) -> ColumnElement[bool]:
    """Who is on the list ``name`` (a condition over ``ClientScore``)."""
    if name == "winback":
        # ``+ 0``: scan rather than walk the P(alive) index for half of the clients
        return and_(S.p_alive + 0.0 < t.winback_below,
                    S.total_cents >= t.winback_min_past_cents)
    if name == "at_risk":
        return and_(S.p_alive_previous.is_not(None),
                    S.p_alive_previous - S.p_alive >= t.at_risk_drop - EPSILON)
    if name == "best":
        return S.p_alive > t.best_above
    return true()


# ---------------------------------------------------------------- who is in reach


@dataclass(frozen=True)
class Scope:
    """The accounts a reading covers: None, every account (no join needed)."""

    condition: ColumnElement[bool] | None


def scope(session: Session, user: User) -> Scope:
    return Scope(None if sees_everything(user) else visible_filter(session, user))


def _in_scope(query: Any, sc: Scope, extra: list[ColumnElement[bool]]) -> Any:
    conditions = ([sc.condition] if sc.condition is not None else []) + extra
    if not conditions:
        return query
    return query.join(Account, Account.id == S.account_id).where(*conditions)


# ---------------------------------------------------------------- the lists


@dataclass(frozen=True)
class ClientRow:
    account_id: int
    name: str
    external_id: str | None
    segment: str | None
    r: int | None
    f: int | None
    m: int | None
    purchases: int
    first_purchase_on: date
    last_purchase_on: date
    recency_days: int
    past_value: Decimal
    p_alive: float
    p_alive_previous: float | None
    drop: float | None
    expected_purchases: float
    expected_spend: Decimal
    value: Decimal


@dataclass(frozen=True)
class ClientList:
    filters: Filters
    rows: list[ClientRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.filters.list, "filters": self.filters.params(),
                "total": self.total, "page": self.page, "per_page": self.per_page,
                "pages": self.pages, "items": [asdict(r) for r in self.rows]}


def _sort_column(key: str) -> Any:
    return {"past_value": S.total_cents, "value": S.value_cents, "p_alive": S.p_alive,
            "drop": func.coalesce(S.p_alive_previous - S.p_alive, -2.0),
            "expected_purchases": S.expected_purchases, "last_purchase": S.last_purchase_on,
            "purchases": S.purchases, "segment": func.coalesce(S.rfm_segment, ""),
            "name": Account.name_key}[key]


def _listed(f: Filters, t: Thresholds, sc: Scope) -> Any:
    """SELECT of the listed scores (account id, the sort value), not ordered."""
    conditions = [list_condition(f.list, t)]
    if f.segment is not None:
        conditions.append(S.rfm_segment == f.segment)
    if f.min_value_cents is not None:
        conditions.append(S.total_cents >= f.min_value_cents)
    if f.p_alive_min is not None:
        conditions.append(S.p_alive >= float(f.p_alive_min))
    if f.p_alive_max is not None:
        conditions.append(S.p_alive <= float(f.p_alive_max))
    on_account: list[ColumnElement[bool]] = []
    if f.manager_id is not None:
        on_account.append(Account.manager_id == f.manager_id)
    if f.q is not None:
        on_account.append(search_condition(f.q))
    key = f.sort.removeprefix("-")
    if key == "name" and not on_account and sc.condition is None:
        on_account.append(true())  # the name is the account's: join it
    column = _sort_column(key)
    query = select(S.account_id.label("account_id"), column.label("sort_key")).where(
        *conditions)
    return _in_scope(query, sc, on_account)


def _page(session: Session, f: Filters, t: Thresholds, sc: Scope, page: int, per_page: int,
          total: int | None) -> ClientList:
    if not 1 <= per_page <= MAX_EXPORT:
        raise ValidationFailed([FieldProblem("per_page", f"1 to {MAX_PER_PAGE}")])
    if not 1 <= page <= MAX_PAGES:
        raise ValidationFailed([FieldProblem("page", f"1 to {MAX_PAGES}")])
    listed = _listed(f, t, sc)
    inner = listed.subquery("listed")
    order = inner.c.sort_key.desc() if f.sort.startswith("-") else inner.c.sort_key.asc()
    chosen = (select(inner.c.account_id, inner.c.sort_key).order_by(order, inner.c.account_id)
              .offset((page - 1) * per_page).limit(per_page).subquery("chosen"))
    rows = session.execute(
        select(S, Account.name, Account.external_id)
        .join(chosen, chosen.c.account_id == S.account_id)
        .join(Account, Account.id == S.account_id)
        .order_by(chosen.c.sort_key.desc() if f.sort.startswith("-")
                  else chosen.c.sort_key.asc(), chosen.c.account_id)).all()
    if total is None:
        total = int(session.scalar(select(func.count()).select_from(inner)) or 0)
    return ClientList(f, [_row(s, name, ext) for s, name, ext in rows], total, page, per_page)


def _row(s: ClientScore, name: str, external_id: str | None) -> ClientRow:
    drop = None if s.p_alive_previous is None else s.p_alive_previous - s.p_alive
    return ClientRow(
        s.account_id, name, external_id, s.rfm_segment, s.r_score, s.f_score, s.m_score,
        s.purchases, s.first_purchase_on, s.last_purchase_on, s.recency_days,
        from_cents(s.total_cents), s.p_alive, s.p_alive_previous, drop, s.expected_purchases,
        from_cents(s.expected_spend_cents), from_cents(s.value_cents))


def client_list(session: Session, user: User, f: Filters, *, page: int = 1,
                per_page: int = 50) -> ClientList:
    """One page of the list ``f`` over the clients ``user`` sees, with its total."""
    return _page(session, f, thresholds(session), scope(session, user), page, per_page, None)


def members(session: Session, user: User, f: Filters, *, limit: int = MAX_EXPORT
            ) -> list[ClientRow]:
    """Everyone on the list ``f`` (in its order, at most ``limit``): the export, a
    campaign's frozen list."""
    return client_list(session, user, f, per_page=limit).rows


# ---------------------------------------------------------------- the overview


def latest(session: Session, kind: str) -> ClientFitOut | None:
    """The latest fit of ``kind`` (scores or validation), or None."""
    fit = session.scalar(select(ClientFit).where(ClientFit.kind == kind)
                         .order_by(ClientFit.id.desc()).limit(1))
    return None if fit is None else fit_out(fit)


@dataclass(frozen=True)
class SegmentRow:
    segment: str | None  # None: no purchase in the RFM window
    clients: int
    past_value: Decimal
    value: Decimal
    mean_p_alive: float


@dataclass
class Overview:
    fit: ClientFitOut | None
    validation: ClientFitOut | None
    thresholds: Thresholds
    clients: int = 0
    expected_purchases: float = 0.0
    expected_value: Decimal = Decimal("0.00")
    past_value: Decimal = Decimal("0.00")
    lapsed: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # per list
    segments: list[SegmentRow] = field(default_factory=list)
    grid: list[list[int]] = field(default_factory=lambda: [[0] * 5 for _ in range(5)])
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)

    @property
    def lapsed_share(self) -> float | None:
        return self.lapsed / self.clients if self.clients else None


def p_alive_bin(column: Any) -> Any:
    """The tenth of [0, 1] a P(alive) falls in (0…9; 1.0 is in the last)."""
    return case(*((column < (k + 1) / BINS, k) for k in range(BINS - 1)), else_=BINS - 1)


def _flag(condition: ColumnElement[bool]) -> Any:
    return case((condition, 1), else_=0)


def _histogram(session: Session) -> list[int]:
    """Clients per tenth of P(alive) over every account: each tenth a range count on the
    P(alive) index (no sort of every row)."""
    def tenth(k: int) -> Any:
        low = [S.p_alive >= k / BINS] if k else []
        high = [S.p_alive < (k + 1) / BINS] if k < BINS - 1 else []
        return select(literal(k).label("bin"), func.count().label("n")).select_from(S).where(
            *low, *high)
    out = [0] * BINS
    for k, n in session.execute(union_all(*(tenth(k) for k in range(BINS)))).all():
        out[int(k)] += int(n)
    return out


def _groups(session: Session, sc: Scope, t: Thresholds) -> list[tuple[Any, ...]]:
    """(R, F, M, P(alive) tenth or None, segment, clients, past value, value, expected
    purchases, sum of P(alive), lapsed, winback, at risk, best) per group of the scores in
    reach. Over every account by the plain columns R, F, M: PostgreSQL hashes them, SQLite
    reads them in the order of an index on them where there is one (the tenths:
    ``_histogram``). Over some accounts by one key holding the tenth too: the accounts in
    reach drive the join (not that index), and one pass counts everything."""
    flags = [S.p_alive < t.lapsed_below, *(list_condition(n, t) for n in LISTS[:3])]
    if sc.condition is None:
        rows = session.execute(select(
            S.r_score, S.f_score, S.m_score, func.min(S.rfm_segment), func.count(),
            func.sum(S.total_cents), func.sum(S.value_cents), func.sum(S.expected_purchases),
            func.sum(S.p_alive), *(func.sum(_flag(f)) for f in flags))
            .group_by(S.r_score, S.f_score, S.m_score)).all()
        return [(r, f, m, None, *rest) for r, f, m, *rest in rows]
    key = func.coalesce(S.r_score * 100 + S.f_score * 10 + S.m_score, 0) * BINS \
        + p_alive_bin(S.p_alive)
    inner = _in_scope(select(
        key.label("key"), S.rfm_segment.label("segment"), S.total_cents, S.value_cents,
        S.expected_purchases, S.p_alive, *(_flag(f).label(f"flag{i}")
                                           for i, f in enumerate(flags))), sc, []).subquery()
    c = inner.c
    rows = session.execute(select(
        c.key, func.min(c.segment), func.count(), func.sum(c.total_cents),
        func.sum(c.value_cents), func.sum(c.expected_purchases), func.sum(c.p_alive),
        *(func.sum(c[f"flag{i}"]) for i in range(len(flags)))).group_by(c.key)).all()
    out = []
    for k, *rest in rows:
        rfm, tenth = divmod(int(k), BINS)
        r, f, m = (rfm // 100, rfm // 10 % 10, rfm % 10) if rfm else (None, None, None)
        out.append((r, f, m, tenth, *rest))
    return out


def overview(session: Session, user: User, *, sc: Scope | None = None,
             t: Thresholds | None = None) -> Overview:
    """The tiles, grids, distribution and list counts over the clients ``user`` sees, with
    the latest fit and validation (``_groups``: one aggregate statement)."""
    t = t or thresholds(session)
    sc = sc or scope(session, user)
    out = Overview(latest(session, "scores"), latest(session, "validation"), t)
    by_segment: dict[str | None, list[Any]] = {}
    counts = dict.fromkeys(LISTS, 0)
    past = value = 0
    for r, f, m, tenth, segment, n, total, val, expected, p_sum, lapsed, *listed in _groups(
            session, sc, t):
        n, total, val = int(n), int(total or 0), int(val or 0)
        out.clients += n
        past, value = past + total, value + val
        out.expected_purchases += float(expected or 0)
        out.lapsed += int(lapsed or 0)
        for name, k in zip(LISTS[:3], listed, strict=True):
            counts[name] += int(k or 0)
        if tenth is not None:
            out.histogram[tenth] += n
        if r is not None and f is not None and m is not None:
            fm = (int(f) + int(m) + 1) // 2  # the mean of F and M, rounded half up
            if 1 <= r <= 5 and 1 <= fm <= 5:
                out.grid[int(r) - 1][fm - 1] += n
        acc = by_segment.setdefault(segment, [0, 0, 0, 0.0])
        acc[0], acc[1], acc[2], acc[3] = acc[0] + n, acc[1] + total, acc[2] + val, \
            acc[3] + float(p_sum or 0)
    counts["all"] = out.clients
    out.counts, out.past_value, out.expected_value = counts, from_cents(past), from_cents(value)
    if out.clients and sc.condition is None:
        out.histogram = _histogram(session)
    order = {name: i for i, name in enumerate(t.segments)}
    for segment in sorted(by_segment, key=lambda s: (s is None, order.get(s or "", 999),
                                                      s or "")):
        n, total, val, p_sum = by_segment[segment]
        out.segments.append(SegmentRow(segment, n, from_cents(total), from_cents(val),
                                       p_sum / n if n else 0.0))
    return out


@dataclass(frozen=True)
class Dashboard:
    overview: Overview
    listing: ClientList | None  # None: no fit yet
    managers: list[tuple[int, str]]  # whose clients the list may be narrowed to


def dashboard(session: Session, user: User, f: Filters, *, page: int = 1,
              per_page: int = 50) -> Dashboard:
    """The Clients page: the overview and one page of the list ``f``."""
    t, sc = thresholds(session), scope(session, user)
    over = overview(session, user, sc=sc, t=t)
    listing = None
    if over.fit is not None:
        known = None if f.narrowed else over.counts[f.list]
        listing = _page(session, f, t, sc, page, per_page, known)
    managers = [] if user.role in ("manager", "sales", "specialist") else [
        (int(u.id), u.name) for u in assignable_managers(session, user)]
    return Dashboard(over, listing, managers)


# ---------------------------------------------------------------- one person account
