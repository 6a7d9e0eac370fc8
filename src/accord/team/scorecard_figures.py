"""The figures of the scorecards, measured for many managers and periods at once by the code
that defines each of them (``scorecard_rules.FIGURES`` names it): never redefined here.
Their cells, how a team's are combined and the context each reads are ``scorecard_cells``'s.

Every figure counts the accounts the asking user sees whose manager is the manager (their
book), and costs a statement per figure, or per figure and period — never one per manager
or account:

- **NRR, GRR**: the KPI engine's sums of the managers' groups as of each period's month
  (``scorecard_kpi``), turned into ratios by ``kpis.formulas.retention``;
- **revenue, new key accounts, plans complete**: ``plans.targets.actuals``;
- **coverage**: the cadence's SQL (``calendar.cadence.queries``) counted as
  ``calendar.cadence.service.coverage`` counts it, per manager;
- **plans stale**: the Plans list's staleness (``plans.list_queries.stale_sql``);
- **hand-offs on time**: the accepted hand-offs (``handoffs.queries.visible_handoffs``)
  judged by ``scorecard_rules.handoff_on_time``;
- **briefs on time**: the agency scorecard's histogram (``agency.scorecard.queries``);
- **client inputs escalated**: ``input_requests.escalated_on``;
- **licence utilisation**: ``licences.usage.usage_select`` on today;
- **win-back**: each campaign's result (``clients.campaigns.reading.result``), when that
  package is installed and the user may see campaigns.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.agency import access
from accord.agency.models import InputRequest
from accord.agency.rules import on_time_rate
from accord.agency.scorecard import queries as brief_sql
from accord.calendar.cadence import queries as cadence_sql
from accord.calendar.cadence import service as cadence
from accord.calendar.cadence.rules import NOT_KEY
from accord.core.errors import Forbidden, NotFound
from accord.core.models import Role, User
from accord.core.periods import month_index
from accord.handoffs.models import Handoff
from accord.handoffs.queries import visible_handoffs
from accord.licences import settings as licence_settings
from accord.licences.signals.rules import share as licence_share
from accord.licences.usage import usage_select
from accord.plans.list_queries import stale_sql
from accord.plans.models import AccountPlan
from accord.plans.settings import plans_policy
from accord.plans.targets import actuals
from accord.selection.settings import selection_policy
from accord.team import scorecard_rules as rules
from accord.team.scorecard_cells import Cell, Cells, Ctx, Measured
from accord.team.scorecard_kpi import nrr_grr
from accord.team.scorecard_rules import Period

TODAY_ONLY = "today's figure: it keeps no history, whatever the period"


# ---------------------------------------------------------------- the targets' actuals


def _revenue(c: Ctx) -> dict[str, Cells]:
    spans = {i: (p.first_month, month_index(min(p.end, c.today))) for i, p in c.started()}
    found = actuals.book_revenue_spans(c.session, c.user, c.ids, list(spans.values()))
    return {"revenue": {(m, i): Cell(found.get(span, {}).get(m))
                        for i, span in spans.items() for m in c.ids}}


def _new_key_accounts(c: Ctx) -> dict[str, Cells]:
    policy = selection_policy(c.session)
    out: Cells = {}
    for i, p in c.started():
        counts = actuals.new_key_accounts(c.session, c.user, c.ids, p.start,
                                          min(p.end, c.today), policy)
        out.update({(m, i): Cell(Decimal(counts.get(m, 0))) for m in c.ids})
    return {"new_key_accounts": out}


def _plans_complete(c: Ctx) -> dict[str, Cells]:
    counts = actuals.plans_complete(c.session, c.user, c.ids, selection_policy(c.session))
    return {"plans_complete": {(m, c.current): Cell(Decimal(counts.get(m, 0))) for m in c.ids}}


# ---------------------------------------------------------------- today's figures


def coverage_select(session: Session, book: Any, today: date) -> Any:
    """(account_id, manager_id, touch_days, last_touch_on, covered 1/0/NULL) of the key
    accounts in ``book`` (individual clients left out): ``cadence.service.coverage``'s."""
    r = cadence_sql.resolved_select(session, book, cadence.policy(session)).subquery("cov")
    elapsed = cadence_sql.days_since_sql(session, today, r.c.last_touch_on)
    return select(r.c.account_id, r.c.manager_id, r.c.touch_days, r.c.last_touch_on,
                  cadence_sql.covered_sql(elapsed, r.c.touch_days).label("covered")
                  ).where(r.c.tier != NOT_KEY, r.c.kind != "person")


def _coverage(c: Ctx) -> dict[str, Cells]:
    rows = coverage_select(c.session, c.book, c.today).subquery("covered_keys")
    found = {int(m): (int(n), int(k)) for m, n, k in c.session.execute(
        select(rows.c.manager_id, func.count(rows.c.touch_days),
               func.coalesce(func.sum(rows.c.covered), 0)).group_by(rows.c.manager_id))}
    out = {}
    for m in c.ids:
        accounts, covered = found.get(m, (0, 0))
        out[(m, c.current)] = Cell(cadence.share(covered, accounts), covered, accounts)
    return {"coverage": out}


def stale_condition(session: Session, today: date) -> Any:
    """The Plans list's ``stale`` filter over ``AccountPlan``."""
    reviewed = func.coalesce(AccountPlan.last_reviewed_on, AccountPlan.starts_on)
    return stale_sql(reviewed, plans_policy(session).review_interval_days, today)


def _plans_stale(c: Ctx) -> dict[str, Cells]:
    found = dict(c.session.execute(
        select(Account.manager_id, func.count()).select_from(AccountPlan)
        .join(Account, Account.id == AccountPlan.account_id)
        .where(AccountPlan.is_current.is_(True), c.book, stale_condition(c.session, c.today))
        .group_by(Account.manager_id)).all())
    return {"plans_stale": {(m, c.current): Cell(Decimal(found.get(m, 0))) for m in c.ids}}


def utilisation_select(book_ids: Any, today: date, active_days: int) -> Any:
    """(account_id, purchased, in use) per account of ``book_ids`` with seats purchased:
    ``licences.usage`` counts, in use as ``scorecard_rules.utilised`` says."""
    u = usage_select(today, active_days, book_ids).subquery("usage")
    in_use = case((u.c.reported > 0, u.c.active), else_=u.c.assigned)
    return (select(u.c.account_id, func.sum(u.c.purchased).label("purchased"),
                   func.sum(in_use).label("in_use"))
            .where(u.c.purchased > 0).group_by(u.c.account_id))


def _utilisation(c: Ctx) -> dict[str, Cells]:
    days = licence_settings.policy(c.session).active_days
    per = utilisation_select(select(Account.id).where(c.book), c.today, days).subquery("per")
    found = {int(m): (int(p or 0), int(u or 0)) for m, p, u in c.session.execute(
        select(Account.manager_id, func.sum(per.c.purchased), func.sum(per.c.in_use))
        .join(Account, Account.id == per.c.account_id).group_by(Account.manager_id))}
    out = {}
    for m in c.ids:
        purchased, in_use = found.get(m, (0, 0))
        out[(m, c.current)] = Cell(licence_share(in_use, purchased), in_use, purchased)
    return {"licence_utilisation": out}


# ---------------------------------------------------------------- hand-offs, agency


def utc_span(first: date, last: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time(0), UTC),
            datetime.combine(last + timedelta(days=1), time(0), UTC))


def accepted_on(at: datetime) -> date:
    return (at if at.tzinfo is None else at.astimezone(UTC)).date()


def _handoffs(c: Ctx) -> dict[str, Cells]:
    low, high = utc_span(c.chosen[0].start, c.chosen[-1].end)
    counts: dict[tuple[int, int], list[int]] = {}
    rows = c.session.execute(
            select(Handoff.receiver_id, Handoff.accepted_at, Handoff.due_on)
            .join(Account, Account.id == Handoff.account_id).where(
                Handoff.state == "accepted", Handoff.receiver_id.in_(c.ids),
                Handoff.accepted_at >= low, Handoff.accepted_at < high,
                visible_handoffs(c.user), c.visible)).all()  # any account: the rule itself
    for receiver, at, due in rows:
        if at is None or receiver is None:
            continue
        i = rules.period_of_day(accepted_on(at), c.chosen)
        on_time = rules.handoff_on_time(accepted_on(at), due)
        if i is not None and on_time is not None:
            got = counts.setdefault((int(receiver), i), [0, 0])
            got[0] += int(on_time)
            got[1] += 1
    out = {}
    for i, _p in c.started():
        for m in c.ids:
            on_time_, judged = counts.get((m, i), (0, 0))
            out[(m, i)] = Cell(rules.share(on_time_, judged), on_time_, judged)
    return {"handoffs_on_time": out}


def brief_conditions(c: Ctx) -> list[Any]:
    return [access.brief_filter(c.session, c.user), c.book]


def _briefs(c: Ctx) -> dict[str, Cells]:
    where = brief_conditions(c)
    out = {}
    if len(c.ids) == 1:  # one manager: every period from one count per month
        months = brief_sql.monthly(c.session, [*where, *brief_sql.delivered_in(
            c.chosen[0].start, c.chosen[-1].end)], join_account=True)
        for i, p in c.started():
            delivered, on_time_ = (sum(months.get(m, (0, 0))[k] for m in range(
                p.first_month, p.last_month + 1)) for k in (0, 1))
            out[(c.ids[0], i)] = Cell(on_time_rate(on_time_, delivered), on_time_, delivered)
        return {"briefs_on_time": out}
    for i, p in c.started():
        hist = brief_sql.histogram([*where, *brief_sql.delivered_in(p.start, p.end)],
                                   Account.manager_id, join_account=True)
        found = {int(k): (int(n or 0), int(ot or 0)) for k, n, ot in c.session.execute(
            select(hist.c.k, func.sum(hist.c.c), func.sum(hist.c.ot)).group_by(hist.c.k))}
        for m in c.ids:
            delivered, on_time_ = found.get(m, (0, 0))
            out[(m, i)] = Cell(on_time_rate(on_time_, delivered), on_time_, delivered)
    return {"briefs_on_time": out}


def _inputs(c: Ctx) -> dict[str, Cells]:
    rows = c.session.execute(
        select(Account.manager_id, InputRequest.escalated_on, func.count())
        .join(Account, Account.id == InputRequest.account_id)
        .where(InputRequest.escalated_on >= c.chosen[0].start,
               InputRequest.escalated_on <= c.chosen[-1].end, c.book)
        .group_by(Account.manager_id, InputRequest.escalated_on)).all()
    counts: dict[tuple[int, int], int] = {}
    for m, day, n in rows:
        i = None if day is None else rules.period_of_day(day, c.chosen)
        if i is not None and m is not None:
            counts[(int(m), i)] = counts.get((int(m), i), 0) + int(n)
    return {"inputs_escalated": {(m, i): Cell(Decimal(counts.get((m, i), 0)))
                                 for i, _p in c.started() for m in c.ids}}


# ---------------------------------------------------------------- win-back (issue 16)


def campaigns_module() -> Any | None:
    """``clients.campaigns.reading`` when installed (issue 16), else None."""
    try:
        return importlib.import_module("accord.clients.campaigns.reading")
    except ImportError:
        return None


def _win_back(c: Ctx) -> dict[str, Cells]:
    campaigns: Any = campaigns_module()
    models = importlib.import_module("accord.clients.models")
    campaign = models.WinBackCampaign
    out: Cells = {(m, i): Cell(Decimal(0)) for i, _p in c.started() for m in c.ids}
    for cid, creator, frozen in c.session.execute(
            select(campaign.id, campaign.created_by_id, campaign.frozen_on).where(
                campaign.created_by_id.in_(c.ids), campaign.frozen_on >= c.chosen[0].start,
                campaign.frozen_on <= c.chosen[-1].end).order_by(campaign.id)):
        i = rules.period_of_day(frozen, c.chosen)
        if i is None:
            continue
        try:
            buyers = campaigns.treatment_buyers(c.session, c.user, int(cid), c.today)
        except (NotFound, Forbidden):  # a member out of the user's reach: not shown
            continue
        cell = out.setdefault((int(creator), i), Cell(Decimal(0)))
        cell.value = (cell.value or Decimal(0)) + len(buyers)
    return {"win_back": out}


def win_back_unmeasured(user: User) -> str | None:
    """Why win-back results are not shown, or None."""
    if campaigns_module() is None:
        return "not measured: win-back campaigns (clients.campaigns) are not installed"
    if not user.is_active or Role(user.role) not in (Role.ADMIN, Role.HEAD, Role.MANAGER):
        return "not measured: win-back campaigns are shown to managers, heads and admins"
    return None


# ---------------------------------------------------------------- all of them

MEASURES: dict[str, Callable[[Ctx], dict[str, Cells]]] = {
    "nrr": nrr_grr, "grr": nrr_grr, "revenue": _revenue,
    "new_key_accounts": _new_key_accounts, "coverage": _coverage,
    "plans_complete": _plans_complete, "plans_stale": _plans_stale,
    "handoffs_on_time": _handoffs, "briefs_on_time": _briefs,
    "inputs_escalated": _inputs, "licence_utilisation": _utilisation, "win_back": _win_back,
}


def measure(
    session: Session, user: User, today: date, managers: Sequence[User],
    chosen: Sequence[Period], *, keys: Sequence[str] | None = None,
    doc: dict[str, Any] | None = None,
) -> Measured:
    """The figures ``keys`` (default: all) of each manager in each period of ``chosen``
    (``doc``: a KPI document of the same user whose ``by_manager`` rows may serve NRR and
    GRR for its month)."""
    measured = Measured({})
    wanted = list(keys or rules.KEYS)
    why = win_back_unmeasured(user) if "win_back" in wanted else None
    if why is not None:
        measured.unmeasured["win_back"] = why
        wanted.remove("win_back")
    for f in rules.FIGURES:
        if not f.history:
            measured.notes[f.key] = TODAY_ONLY
    if not managers:
        return measured
    c = Ctx(session, user, today, managers, chosen, doc)
    for key in wanted:
        if key not in measured.cells:
            measured.cells.update(MEASURES[key](c))
    return measured
