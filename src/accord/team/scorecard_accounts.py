"""The accounts behind each figure of a manager's scorecard, over one period: the accounts of
their book the asking user sees, each with what it brings to the figure, read from the same
code as the figure (``scorecard_figures``): the KPI engine's movements, the targets' book
revenue and key-account queries, the cadence, the Plans list, the hand-offs, the agency
scorecard's per-account figures, the client inputs, the licences' usage, the win-back
campaigns' members. Paged (``page``, ``page_size``); (columns, lines, total)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import visible_filter
from accord.agency import access
from accord.agency.models import InputRequest
from accord.agency.rules import on_time_rate
from accord.agency.scorecard import queries as brief_sql
from accord.core.errors import Forbidden, NotFound
from accord.core.models import User
from accord.core.periods import month_index
from accord.handoffs.models import Handoff
from accord.kpis import queries as kpi_sql
from accord.kpis.formulas import Movement, money
from accord.licences import settings as licence_settings
from accord.licences.signals.rules import share as licence_share
from accord.plans.list_queries import SCALE as COMPLETE
from accord.plans.list_queries import plan_completeness_sql
from accord.plans.listing import PlanFilter, list_plans
from accord.plans.models import AccountPlan
from accord.plans.targets import actuals
from accord.revenue.models import MonthlyRevenue
from accord.selection.models import Deselection
from accord.selection.queries import key_tier_sql
from accord.selection.settings import selection_policy
from accord.team import scorecard_figures as figures
from accord.team import scorecard_rules as rules
from accord.team.scorecard_kpi import as_of_months
from accord.team.scorecard_rules import AccountLine, Period

#: the KPI engine's base cohort, in the order listed
BASE_COHORT = (Movement.CHURNED, Movement.CONTRACTED, Movement.EXPANDED, Movement.RETAINED)
Listed = tuple[list[str], list[AccountLine], int]


@dataclass(frozen=True)
class Ask:
    session: Session
    user: User
    today: date
    manager_id: int
    period: Period
    page: int
    page_size: int

    @cached_property
    def visible(self) -> Any:
        return visible_filter(self.session, self.user)

    @property
    def book(self) -> Any:
        return and_(Account.manager_id == self.manager_id, self.visible)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def _line(account_id: Any, name: Any, **values: Any) -> AccountLine:
    return AccountLine(account_id=int(account_id), name=str(name), values=values)


def _paged(a: Ask, columns: list[str], lines: list[AccountLine]) -> Listed:
    return columns, lines[a.offset:a.offset + a.page_size], len(lines)


def _retention(a: Ask) -> Listed:
    r, month_of = as_of_months(a.session, a.today, [a.period])
    columns = ["movement", "previous_revenue", "current_revenue", "change"]
    month = month_of[0]
    if month is None:
        return columns, [], 0
    lines: list[AccountLine] = []
    total = 0
    for movement in BASE_COHORT:
        want = a.page_size - len(lines)
        count, rows = kpi_sql.movement_accounts(
            a.session, r.variant, month, a.book, movement, limit=max(want, 1),
            offset=max(0, a.offset - total))
        if want > 0 and a.offset < total + count:
            lines += [_line(row.account_id, row.name, movement=movement.value,
                            previous_revenue=money(int(row.prev)),
                            current_revenue=money(int(row.cur)),
                            change=money(int(row.cur) - int(row.prev))) for row in rows]
        total += count
    return columns, lines, total


def _revenue(a: Ask) -> Listed:
    if a.period.start > a.today:
        return ["revenue"], [], 0
    last = month_index(min(a.period.end, a.today))
    rows = list(a.session.execute(
        select(Account.id, Account.name, func.sum(MonthlyRevenue.amount_cents).label("cents"))
        .join(Account, Account.id == MonthlyRevenue.account_id)
        .where(a.book, MonthlyRevenue.month.between(a.period.first_month, last))
        .group_by(Account.id, Account.name)).all())
    rows.sort(key=lambda r: (-int(r.cents or 0), r.name, r.id))
    return _paged(a, ["revenue"], [_line(r.id, r.name, revenue=money(int(r.cents or 0)))
                                   for r in rows])


def _new_key_accounts(a: Ask) -> Listed:
    """The accounts ``actuals.new_key_accounts`` counts (its conditions, for the listing)."""
    if a.period.start > a.today:
        return [], [], 0
    policy = selection_policy(a.session)
    end = min(a.period.end, a.today)
    at_end = actuals._quadrant_on(policy, end, inclusive=True)
    before = actuals._quadrant_on(policy, a.period.start, inclusive=False)
    deselected = exists().where(Deselection.account_id == Account.id,
                                Deselection.deselected_at < actuals._end_of(end))
    rows = a.session.execute(
        select(Account.id, Account.name)
        .where(*actuals._book([a.manager_id], a.user), key_tier_sql(at_end),
               or_(before.is_(None), not_(key_tier_sql(before))), not_(deselected))
        .order_by(Account.name, Account.id)).all()
    return _paged(a, [], [_line(i, n) for i, n in rows])


def _coverage(a: Ask) -> Listed:
    rows = figures.coverage_select(a.session, a.book, a.today).subquery("listed")
    found = list(a.session.execute(
        select(rows, Account.name).join(Account, Account.id == rows.c.account_id)).all())
    order = {0: 0, None: 1, 1: 2}  # not covered first, then without a cadence
    found.sort(key=lambda r: (order[r.covered], r.name, r.account_id))
    return _paged(a, ["touch_days", "last_touch_on", "covered"], [
        _line(r.account_id, r.name, touch_days=r.touch_days, last_touch_on=r.last_touch_on,
              covered=None if r.covered is None else bool(r.covered)) for r in found])


def _plans_complete(a: Ask) -> Listed:
    key = actuals.key_accounts_now(a.session, a.user, [a.manager_id],
                                   selection_policy(a.session)).subquery("key_accounts")
    rows = a.session.execute(
        select(Account.id, Account.name, AccountPlan.id.label("plan_id")).select_from(key)
        .join(Account, Account.id == key.c.account_id)
        .join(AccountPlan, (AccountPlan.account_id == key.c.account_id)
              & AccountPlan.is_current.is_(True))
        .where(plan_completeness_sql(AccountPlan) == COMPLETE)
        .order_by(Account.name, Account.id)).all()
    return _paged(a, ["plan_id"], [_line(r.id, r.name, plan_id=r.plan_id) for r in rows])


def _plans_stale(a: Ask) -> Listed:
    page = list_plans(a.session, a.user, today=a.today, sort="reviewed", page=a.page,
                      page_size=a.page_size,
                      filters=PlanFilter(manager_id=a.manager_id, stale=True))
    return ["plan_id", "last_reviewed_on", "starts_on", "completeness"], [
        _line(p.account_id, p.account_name, plan_id=p.plan_id,
              last_reviewed_on=p.last_reviewed_on, starts_on=p.starts_on,
              completeness=p.completeness) for p in page.items], page.total


def _handoffs(a: Ask) -> Listed:
    low, high = figures.utc_span(a.period.start, a.period.end)
    rows = a.session.execute(
        select(Handoff.id, Handoff.account_id, Account.name, Handoff.accepted_at,
               Handoff.due_on).join(Account, Account.id == Handoff.account_id)
        .where(Handoff.state == "accepted", Handoff.receiver_id == a.manager_id,
               Handoff.accepted_at >= low, Handoff.accepted_at < high,
               a.visible)
        .order_by(Handoff.accepted_at, Handoff.id)).all()
    return _paged(a, ["handoff_id", "accepted_on", "due_on", "on_time"], [
        _line(r.account_id, r.name, handoff_id=r.id, accepted_on=figures.accepted_on(
            r.accepted_at), due_on=r.due_on,
            on_time=rules.handoff_on_time(figures.accepted_on(r.accepted_at), r.due_on))
        for r in rows])


def _briefs(a: Ask) -> Listed:
    where = [access.brief_filter(a.session, a.user), a.book,
             *brief_sql.delivered_in(a.period.start, a.period.end)]
    _overall, found = brief_sql.by_account(a.session, where, sort="name", limit=a.page_size,
                                           offset=a.offset, join_account=True)
    return ["delivered", "on_time", "rate"], [
        _line(f.key, f.name, delivered=f.delivered, on_time=f.on_time,
              rate=on_time_rate(f.on_time, f.delivered)) for f in found if f.key is not None
    ], found[0].rows if found else 0


def _inputs(a: Ask) -> Listed:
    rows = a.session.execute(
        select(InputRequest.id, InputRequest.account_id, Account.name, InputRequest.title,
               InputRequest.escalated_on).join(Account, Account.id == InputRequest.account_id)
        .where(a.book, InputRequest.escalated_on >= a.period.start,
               InputRequest.escalated_on <= a.period.end)
        .order_by(InputRequest.escalated_on, InputRequest.id)).all()
    return _paged(a, ["input_id", "title", "escalated_on"], [
        _line(r.account_id, r.name, input_id=r.id, title=r.title, escalated_on=r.escalated_on)
        for r in rows])


def _utilisation(a: Ask) -> Listed:
    days = licence_settings.policy(a.session).active_days
    per = figures.utilisation_select(select(Account.id).where(a.book), a.today, days
                                     ).subquery("per")
    rows = a.session.execute(select(per, Account.name).join(
        Account, Account.id == per.c.account_id).order_by(Account.name, Account.id)).all()
    return _paged(a, ["purchased", "in_use", "utilisation"], [
        _line(r.account_id, r.name, purchased=int(r.purchased or 0), in_use=int(r.in_use or 0),
              utilisation=licence_share(int(r.in_use or 0), int(r.purchased or 0)))
        for r in rows])


def _win_back(a: Ask) -> Listed:
    """The treatment members who bought again, per campaign the manager froze in the period:
    the accounts the figure counts (``clients.campaigns.reading.treatment_buyers``)."""
    columns = ["campaign_id"]
    campaigns = figures.campaigns_module()
    if campaigns is None or figures.win_back_unmeasured(a.user) is not None:
        return columns, [], 0
    campaign = importlib.import_module("accord.clients.models").WinBackCampaign
    bought: list[tuple[int, int]] = []
    for cid in a.session.scalars(
            select(campaign.id).where(campaign.created_by_id == a.manager_id,
                                      campaign.frozen_on >= a.period.start,
                                      campaign.frozen_on <= a.period.end)
            .order_by(campaign.id)):
        try:
            bought += [(int(cid), account) for account in
                       campaigns.treatment_buyers(a.session, a.user, int(cid), a.today)]
        except (NotFound, Forbidden):  # a member out of the user's reach: as the figure
            continue
    names = dict(a.session.execute(select(Account.id, Account.name).where(
        Account.id.in_({account for _, account in bought}), a.visible)).all()) \
        if bought else {}
    return _paged(a, columns, [_line(account, names[account], campaign_id=cid)
                               for cid, account in bought if account in names])


LISTINGS: dict[str, Callable[[Ask], Listed]] = {
    "nrr": _retention, "grr": _retention, "revenue": _revenue,
    "new_key_accounts": _new_key_accounts, "coverage": _coverage,
    "plans_complete": _plans_complete, "plans_stale": _plans_stale,
    "handoffs_on_time": _handoffs, "briefs_on_time": _briefs, "inputs_escalated": _inputs,
    "licence_utilisation": _utilisation, "win_back": _win_back,
}


def accounts(session: Session, user: User, today: date, key: str, manager_id: int,
             period: Period, *, page: int, page_size: int) -> Listed:
    """(columns, the page's lines, how many in all) of the accounts behind figure ``key``."""
    return LISTINGS[key](Ask(session, user, today, manager_id, period, page, page_size))

