"""Scorecards per manager (issue 17): every figure against an independent recomputation from
the rows of a small world, who reads whose scorecard, periods and bad input — on SQLite and
PostgreSQL.

The world (today 2026-01-15, the period 2025-12 and the four months before it):

| account | manager  | revenue 2024 / 2025 (a month) | key since   | touched    |
|---------|----------|-------------------------------|-------------|------------|
| Acme    | owner    | 100.00 / 150.00               | 2024-06     | 2026-01-10 |
| Bravo   | owner    | 300.00 / 100.00               | 2025-12-05  | 2025-06-01 |
| Charlie | owner    | 200.00 / —                    | never       | —          |
| Tango   | teammate | — / 50.00                     | 2025-12-10  | 2026-01-12 |
| Globex  | outsider | 80.00 / 80.00                 | never       | —          |

plus hand-offs, briefs, client inputs escalated, seats and plans on the owner's accounts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from accord.accounts.models import Account
from accord.agency.models import Brief, Department, InputRequest
from accord.calendar.cadence import rules as cadence_rules
from accord.calendar.cadence.service import cadence_of, coverage
from accord.core.errors import NotFound, ValidationFailed
from accord.core.models import User
from accord.handoffs.models import Handoff
from accord.kpis import service as kpi_service
from accord.licences.models import (
    LicenceUser,
    SeatActivity,
    SeatAssignment,
    Subscription,
    SubscriptionTerm,
)
from accord.plans import rules as plan_rules
from accord.plans import service as plans
from accord.plans.models import AccountPlan, PlanObjective
from accord.plans.schemas import ActionIn
from accord.plans.targets.models import ManagerTarget
from accord.team import scorecard, scorecard_cells, scorecard_figures, scorecard_rules
from accord.team.scorecard_rules import FIGURES
from import_helpers import write_monthly
from kam_helpers import make_account
from licence_helpers import make_sku
from plan_helpers import full_plan
from test_targets import _score

TODAY = date(2026, 1, 15)
PERIOD = "2025-12"
Y24, Y25 = 2024 * 12, 2025 * 12


def _user(db, who) -> User:
    return db.get(User, who.id)


def _handoff(db, account_id: int, receiver: int, accepted: date, due: date | None) -> None:
    at = datetime(accepted.year, accepted.month, accepted.day, 15, tzinfo=UTC)
    db.add(Handoff(account_id=account_id, kind="manager", state="accepted",
                   receiver_id=receiver, submitted_at=at - timedelta(days=3), due_on=due,
                   accepted_at=at, accepted_by_id=receiver))


def _brief(db, account_id: int, department: int, delivered: date, due: date) -> None:
    db.add(Brief(account_id=account_id, department_id=department, title="Leaflet",
                 status="delivered", original_due_on=due, due_on=due,
                 sent_on=delivered - timedelta(days=9),
                 first_delivered_on=delivered, blocked_days=0, due_with_blocks_on=due,
                 original_with_blocks_on=due, turnaround_days=7))


def _input(db, account_id: int, escalated: date) -> None:
    db.add(InputRequest(account_id=account_id, title="Brand book", due_on=escalated,
                        requested_on=escalated - timedelta(days=30), status="open", chases=3,
                        escalated_on=escalated))


def _seats(db, account_id: int, sku: int, quantity: int, held: int, reported: int,
           active: int) -> None:
    sub = Subscription(account_id=account_id, sku_id=sku, status="active",
                       start_on=date(2025, 1, 1), term_months=12, end_on=date(2025, 12, 31),
                       auto_renew=True, currency="EUR")
    db.add(sub)
    db.flush()
    db.add(SubscriptionTerm(subscription_id=sub.id, effective_on=date(2025, 1, 1),
                            quantity=quantity, unit_price=Decimal("10")))
    for n in range(held):
        person = LicenceUser(account_id=account_id, principal=f"p{n}@{account_id}.test")
        db.add(person)
        db.flush()
        db.add(SeatAssignment(account_id=account_id, licence_user_id=person.id, sku_id=sku,
                              from_on=date(2025, 2, 1)))
        if n < reported:
            used = TODAY - timedelta(days=2 if n < active else 200)
            db.add(SeatActivity(licence_user_id=person.id, service="exchange",
                                last_active_on=used, reported_on=TODAY))
    db.flush()


def world(db, cast) -> dict[str, int]:
    owner, teammate = cast.owner.id, cast.teammate.id
    ids = {"acme": cast.acme_id, "globex": cast.globex_id,
           "bravo": make_account(db, "Bravo", owner, last_touch=date(2025, 6, 1)),
           "charlie": make_account(db, "Charlie", owner),
           "tango": make_account(db, "Tango", teammate, last_touch=date(2026, 1, 12))}
    db.get(Account, ids["acme"]).last_qualifying_touch_on = date(2026, 1, 10)
    write_monthly(db, ids["acme"], {**{Y24 + m: 10_000 for m in range(12)},
                                    **{Y25 + m: 15_000 for m in range(12)}})
    write_monthly(db, ids["bravo"], {**{Y24 + m: 30_000 for m in range(12)},
                                     **{Y25 + m: 10_000 for m in range(12)}})
    write_monthly(db, ids["charlie"], {Y24 + m: 20_000 for m in range(12)})
    write_monthly(db, ids["tango"], {Y25 + m: 5_000 for m in range(12)})
    write_monthly(db, ids["globex"], {Y24 + m: 8_000 for m in range(24)})
    _score(db, ids["acme"], date(2024, 6, 1), 8000)
    _score(db, ids["bravo"], date(2025, 12, 5), 7000)
    _score(db, ids["charlie"], date(2025, 3, 1), 3000)
    _score(db, ids["tango"], date(2025, 12, 10), 9000)
    # hand-offs the owner accepted: on the deadline, late, without one; one in November
    _handoff(db, ids["acme"], owner, date(2025, 12, 3), date(2025, 12, 3))
    _handoff(db, ids["bravo"], owner, date(2025, 12, 18), date(2025, 12, 16))
    _handoff(db, ids["charlie"], owner, date(2025, 12, 20), None)
    _handoff(db, ids["charlie"], owner, date(2025, 11, 4), date(2025, 11, 10))
    _handoff(db, ids["tango"], teammate, date(2025, 12, 1), date(2025, 12, 5))
    creative = Department(name="Creative")
    db.add(creative)
    db.flush()
    _brief(db, ids["acme"], creative.id, date(2025, 12, 10), date(2025, 12, 12))
    _brief(db, ids["bravo"], creative.id, date(2025, 12, 20), date(2025, 12, 15))
    _brief(db, ids["acme"], creative.id, date(2025, 10, 2), date(2025, 10, 1))
    _brief(db, ids["tango"], creative.id, date(2025, 12, 11), date(2025, 12, 11))
    _input(db, ids["acme"], date(2025, 12, 3))
    _input(db, ids["bravo"], date(2025, 10, 1))
    _input(db, ids["globex"], date(2025, 12, 9))
    sku = make_sku(db)
    _seats(db, ids["acme"], sku, 10, held=4, reported=0, active=0)
    _seats(db, ids["bravo"], sku, 5, held=5, reported=3, active=2)
    db.flush()
    # plans: Acme's complete (every section, a key person, an objective with an action),
    # Bravo's started in June and never reviewed (stale)
    plan_id, _ = full_plan(db, cast, today=TODAY)
    objective = db.scalar(select(PlanObjective.id).where(PlanObjective.plan_id == plan_id))
    plans.add_action(db, _user(db, cast.owner), objective, ActionIn(title="Call"),
                     today=TODAY)
    plans.start_plan(db, _user(db, cast.owner), ids["bravo"],
                     plans.PlanStart(horizon_months=12), today=date(2025, 6, 1))
    db.add(ManagerTarget(manager_id=owner, period_start=date(2025, 12, 1),
                         period_end=date(2025, 12, 31), metric="book_revenue",
                         target=Decimal("400"), set_by_id=cast.head.id,
                         created_at=datetime.now(UTC), updated_at=datetime.now(UTC)))
    kpi_service.rebuild(db)
    kpi_service.clear_cache()
    db.commit()
    return ids


def _figures(card: Any) -> dict[str, Any]:
    return {f.key: f for f in card.figures}


# ---------------------------------------------------------------- references from the rows


def _book(db, manager_id: int) -> list[Account]:
    return list(db.scalars(select(Account).where(Account.manager_id == manager_id)))


def _ratio(num: int, den: int, places: str = "0.000001") -> Decimal | None:
    return None if den == 0 else (Decimal(num) / Decimal(den)).quantize(Decimal(places))


def _retention(db, manager_id: int, month: int) -> tuple[Decimal | None, Decimal | None]:
    """NRR and GRR as of ``month`` from the monthly rows (12-month trailing windows)."""
    from accord.revenue.models import MonthlyRevenue

    starting = kept = expansion = 0
    for a in _book(db, manager_id):
        amounts = dict(db.execute(select(MonthlyRevenue.month, MonthlyRevenue.amount_cents)
                                  .where(MonthlyRevenue.account_id == a.id)).all())
        cur = max(0, sum(amounts.get(m, 0) for m in range(month - 11, month + 1)))
        prev = max(0, sum(amounts.get(m, 0) for m in range(month - 23, month - 11)))
        if prev > 0:
            starting += prev
            kept += min(cur, prev)
            expansion += max(cur - prev, 0)
    return _ratio(kept + expansion, starting), _ratio(kept, starting)


def _coverage(db, manager_id: int) -> Decimal | None:
    """From each account's cadence by the pure rules (``cadence_of``)."""
    judged = [cadence_rules.covered(c.last_touch_on, c.touch_days, TODAY)
              for a in _book(db, manager_id) if a.kind != "person"
              for c in [cadence_of(db, a, TODAY)] if c.tier != cadence_rules.NOT_KEY]
    counted = [j for j in judged if j is not None]
    return _ratio(sum(counted), len(counted), "0.0001")


def _handoffs(db, manager_id: int, start: date, end: date) -> Decimal | None:
    rows = [h for h in db.scalars(select(Handoff).where(Handoff.receiver_id == manager_id))
            if h.due_on is not None and start <= h.accepted_at.date() <= end]
    return _ratio(sum(h.accepted_at.date() <= h.due_on for h in rows), len(rows), "0.0001")


def _briefs(db, manager_id: int, start: date, end: date) -> Decimal | None:
    book = {a.id for a in _book(db, manager_id)}
    rows = [b for b in db.scalars(select(Brief)) if b.account_id in book
            and b.first_delivered_on and start <= b.first_delivered_on <= end]
    return _ratio(sum(b.first_delivered_on <= b.due_with_blocks_on for b in rows), len(rows),
                  "0.0001")


def _escalated(db, manager_id: int, start: date, end: date) -> int:
    book = {a.id for a in _book(db, manager_id)}
    return sum(1 for i in db.scalars(select(InputRequest)) if i.account_id in book
               and i.escalated_on and start <= i.escalated_on <= end)


def _stale(db, manager_id: int) -> int:
    book = {a.id for a in _book(db, manager_id)}
    return sum(1 for p in db.scalars(select(AccountPlan).where(AccountPlan.is_current))
               if p.account_id in book
               and plan_rules.is_stale(p.last_reviewed_on or p.starts_on, 90, TODAY))


# ---------------------------------------------------------------- the figures


def test_every_figure_matches_a_recomputation_from_the_rows(db, cast) -> None:
    from test_targets import _reference_new_key, _reference_revenue

    world(db, cast)
    admin, owner = _user(db, cast.admin), cast.owner.id
    card = scorecard.scorecard(db, admin, TODAY, manager_id=owner, period=PERIOD)
    assert card.periods == ["2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
    f = _figures(card)
    chosen = scorecard_rules.trend_periods(scorecard_rules.parse_period(PERIOD))
    for i, p in enumerate(chosen):
        nrr, grr = _retention(db, owner, p.last_month)
        assert (f["nrr"].trend[i].value, f["grr"].trend[i].value) == (nrr, grr), p
        assert f["revenue"].trend[i].value == _reference_revenue(db, owner, p.start, p.end)
        assert f["new_key_accounts"].trend[i].value == _reference_new_key(db, owner, p.start,
                                                                          p.end)
        assert f["handoffs_on_time"].trend[i].value == _handoffs(db, owner, p.start, p.end)
        assert f["briefs_on_time"].trend[i].value == _briefs(db, owner, p.start, p.end)
        assert f["inputs_escalated"].trend[i].value == _escalated(db, owner, p.start, p.end)
    assert (f["nrr"].value, f["grr"].value) == (Decimal("0.416667"), Decimal("0.333333"))
    doc = kpi_service.kpi_report(db, admin, today=TODAY, as_of=PERIOD, by="manager")
    row = next(r for r in doc["by_manager"] if r["manager"] == "owner@accord.test")
    assert (f["nrr"].value, f["grr"].value) == (row["nrr"], row["grr"])  # the engine's own
    assert f["revenue"].value == Decimal("250.00") and f["revenue"].target == 400
    assert (f["revenue"].attainment, f["revenue"].status) == (Decimal("0.6250"), "behind")
    assert f["new_key_accounts"].value == 1  # Bravo
    # today's figures: the latest point only
    assert f["coverage"].value == _coverage(db, owner)
    mine = next(g for g in coverage(db, admin, TODAY, by="manager").groups
                if g.key == str(owner))
    assert f["coverage"].value == mine.share and f["coverage"].denominator == mine.accounts
    assert [p.value for p in f["coverage"].trend[:-1]] == [None] * 4
    assert f["plans_complete"].value == 1  # Acme's plan, complete; Bravo's is not
    assert f["plans_stale"].value == _stale(db, owner) == 1
    assert f["licence_utilisation"].value == Decimal("0.4000")  # (4 + 2) of (10 + 5) seats
    assert f["handoffs_on_time"].value == Decimal("0.5000")  # one without a deadline
    assert f["briefs_on_time"].value == Decimal("0.5000")
    assert f["win_back"].value == 0 and f["win_back"].measured
    # trend: against the period before
    assert (f["nrr"].direction, f["nrr"].better) == ("down", False)
    assert (f["inputs_escalated"].direction, f["inputs_escalated"].better) == ("up", False)
    # definitions: the KPI registry's where it has one
    assert f["nrr"].registry == "nrr" and "starting revenue" in f["nrr"].definition
    assert f["briefs_on_time"].registry == "brief_on_time_rate"
    assert f["coverage"].registry == "coverage" and not f["coverage"].history
    assert f["revenue"].registry is None
    assert f["revenue"].accounts == (f"/api/v1/team/scorecards/{owner}/accounts"
                                     "?figure=revenue&period=2025-12")


# ---------------------------------------------------------------- the table


def _retention_of(db, managers: list[int], month: int) -> Decimal | None:
    """NRR of several books together, from the rows (the parts added, not the ratios)."""
    from accord.revenue.models import MonthlyRevenue

    starting = back = 0
    for m in managers:
        for a in _book(db, m):
            amounts = dict(db.execute(select(MonthlyRevenue.month, MonthlyRevenue.amount_cents)
                                      .where(MonthlyRevenue.account_id == a.id)).all())
            cur = sum(amounts.get(x, 0) for x in range(month - 11, month + 1))
            prev = sum(amounts.get(x, 0) for x in range(month - 23, month - 11))
            if prev > 0:
                starting, back = starting + prev, back + cur
    return _ratio(back, starting)


def test_the_table_has_a_row_per_manager_team_and_all_recomputed_from_the_parts(
    db, cast
) -> None:
    world(db, cast)
    owner, teammate, outsider = cast.owner.id, cast.teammate.id, cast.outsider.id
    table = scorecard.scorecards(db, _user(db, cast.admin), TODAY, period=PERIOD,
                                 sort="-revenue")
    assert (table.period, table.previous) == ("2025-12", "2025-11")
    names = [r.label for r in table.rows]
    # by revenue, highest first; the heads (no accounts, no revenue) last
    assert names[:3] == ["Olivia Owner", "Oscar Outsider", "Tom Teammate"], names
    assert set(names[3:]) == {"Hannah Head", "Otto Otherhead"}
    rows = {r.manager.id: r for r in table.rows if r.manager}
    assert rows[owner].cells["revenue"].value == Decimal("250.00")
    assert rows[owner].cells["revenue"].status == "behind"  # its target: 400.00
    assert rows[owner].cells["nrr"].direction == "down"
    teams = {t.label: t for t in table.teams}
    assert list(teams) == ["North", "South"]
    north = teams["North"].cells
    assert north["revenue"].value == Decimal("300.00")
    assert north["nrr"].value == _retention_of(db, [owner, teammate], Y25 + 11)
    assert north["coverage"].value == Decimal("0.5000")  # 1 of 3 and 1 of 1: 2 of 4
    assert north["briefs_on_time"].value == Decimal("0.6667")  # 2 of 3
    assert north["new_key_accounts"].value == 2
    everyone = table.portfolio.cells
    assert everyone["nrr"].value == _retention_of(db, [owner, teammate, outsider], Y25 + 11)
    assert everyone["revenue"].value == Decimal("380.00")
    assert everyone["inputs_escalated"].value == 2  # Acme's and Globex's in December
    # another period: a quarter, and its quarter before
    q4 = scorecard.scorecards(db, _user(db, cast.admin), TODAY, period="2025-Q4")
    assert (q4.period, q4.previous) == ("2025-Q4", "2025-Q3")
    assert next(r for r in q4.rows if r.label == "Olivia Owner").cells["revenue"].value == 750


# ---------------------------------------------------------------- who reads what


def test_a_manager_reads_their_own_a_head_their_teams_the_admin_all(db, cast) -> None:
    world(db, cast)
    owner, teammate, outsider = cast.owner.id, cast.teammate.id, cast.outsider.id
    me = _user(db, cast.owner)
    assert scorecard.scorecard(db, me, TODAY, manager_id=owner).manager.id == owner
    assert [r.label for r in scorecard.scorecards(db, me, TODAY).rows] == ["Olivia Owner"]
    for other in (teammate, outsider, 987654):
        with pytest.raises(NotFound):
            scorecard.scorecard(db, me, TODAY, manager_id=other)
        with pytest.raises(NotFound):
            scorecard.figure_accounts(db, me, TODAY, other, figure="revenue")
    with pytest.raises(NotFound):
        scorecard.scorecard(db, me, TODAY, manager_email="teammate@accord.test")
    head = _user(db, cast.head)
    assert {r.label for r in scorecard.scorecards(db, head, TODAY).rows} == {
        "Olivia Owner", "Tom Teammate", "Hannah Head"}
    assert scorecard.scorecard(db, head, TODAY, manager_email="TEAMMATE@accord.test",
                               period=PERIOD).manager.team == "North"
    with pytest.raises(NotFound):
        scorecard.scorecard(db, head, TODAY, manager_id=outsider)
    south = db.get(User, outsider).team_id
    with pytest.raises(NotFound):
        scorecard.scorecards(db, head, TODAY, team_id=south)
    with pytest.raises(NotFound):
        scorecard.scorecard(db, _user(db, cast.other_head), TODAY, manager_id=owner)
    north = scorecard.scorecards(db, _user(db, cast.admin), TODAY, team_id=me.team_id)
    assert [r.label for r in north.rows] == ["Olivia Owner", "Tom Teammate"]
    # the figures never count what the reader does not see: the outsider, asked (behind the
    # doors' back) for the owner's book, sees none of it
    chosen = [scorecard_rules.parse_period(PERIOD)]
    hidden = scorecard_figures.measure(db, _user(db, cast.outsider), TODAY, [me], chosen)
    assert (hidden.cell("nrr", owner, 0).value, hidden.cell("revenue", owner, 0).value,
            hidden.cell("coverage", owner, 0).value) == (None, 0, None)
    viewer = scorecard.scorecard(db, _user(db, cast.viewer), TODAY, manager_id=owner,
                                 period=PERIOD)
    f = _figures(viewer)
    assert f["revenue"].value == Decimal("250.00")
    assert not f["win_back"].measured and "managers, heads and admins" in f["win_back"].note


# ---------------------------------------------------------------- the accounts behind


def test_the_accounts_behind_each_figure_make_the_figure(db, cast) -> None:
    world(db, cast)
    admin, owner = _user(db, cast.admin), cast.owner.id

    def behind(key: str, **kw: Any) -> Any:
        return scorecard.figure_accounts(db, admin, TODAY, owner, figure=key, period=PERIOD,
                                         **kw)

    def lines(key: str) -> tuple[Any, list[dict[str, Any]]]:
        got = behind(key, page_size=200)
        return got, [{"name": x.name, **x.values} for x in got.items]

    nrr, cohort = lines("nrr")
    assert [(x["name"], x["movement"]) for x in cohort] == [
        ("Charlie", "churned"), ("Bravo", "contracted"), ("Acme Industries", "expanded")]
    back = sum(x["current_revenue"] for x in cohort)
    assert _ratio(int(back * 100), int(sum(x["previous_revenue"] for x in cohort) * 100)) \
        == nrr.value
    paged = behind("nrr", page=3, page_size=1)
    assert (paged.total, paged.pages, paged.items[0].name) == (3, 3, "Acme Industries")
    revenue, rows = lines("revenue")
    assert sum(x["revenue"] for x in rows) == revenue.value == Decimal("250.00")
    new, rows = lines("new_key_accounts")
    assert [x["name"] for x in rows] == ["Bravo"] and new.value == new.total == 1
    cov, rows = lines("coverage")
    judged = [x["covered"] for x in rows if x["covered"] is not None]
    assert _ratio(sum(judged), len(judged), "0.0001") == cov.value
    for key, name in (("plans_complete", "Acme Industries"), ("plans_stale", "Bravo")):
        got, rows = lines(key)
        assert [x["name"] for x in rows] == [name] and got.value == got.total == 1
    hand, rows = lines("handoffs_on_time")
    judged = [x["on_time"] for x in rows if x["on_time"] is not None]
    assert len(rows) == 3 and _ratio(sum(judged), len(judged), "0.0001") == hand.value
    briefs, rows = lines("briefs_on_time")
    assert _ratio(sum(x["on_time"] for x in rows), sum(x["delivered"] for x in rows),
                  "0.0001") == briefs.value
    esc, rows = lines("inputs_escalated")
    assert [x["name"] for x in rows] == ["Acme Industries"] and esc.value == 1
    seats, rows = lines("licence_utilisation")
    assert _ratio(sum(x["in_use"] for x in rows), sum(x["purchased"] for x in rows),
                  "0.0001") == seats.value
    won, rows = lines("win_back")
    assert rows == [] and won.value == 0


# ---------------------------------------------------------------- periods and bad input


def test_periods_default_and_trend() -> None:
    parse = scorecard_rules.parse_period
    assert scorecard_rules.default_period(TODAY).label == "2025-12"
    assert [p.label for p in scorecard_rules.trend_periods(parse("2025-Q1"))] == [
        "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"]
    assert [p.label for p in scorecard_rules.trend_periods(parse("2026"), 3)] == [
        "2024", "2025", "2026"]
    assert parse("2025-01").shifted(-1).label == "2024-12"
    for text in ("2025-13", "2025-Q5", "25-01", "1999", "2025-1", "", None, "2025-Q1x"):
        with pytest.raises(scorecard_rules.PeriodError):
            parse(text)


def test_bad_input_is_a_clear_error_naming_the_field(db, cast) -> None:
    admin, owner = _user(db, cast.admin), cast.owner.id

    def field_of(call: Any) -> str:
        with pytest.raises(ValidationFailed) as caught:
            call()
        return str(caught.value.errors[0]["field"])

    assert field_of(lambda: scorecard.scorecard(db, admin, TODAY, manager_id=owner,
                                                period="2025-13")) == "period"
    assert field_of(lambda: scorecard.scorecards(db, admin, TODAY, sort="colour")) == "sort"
    assert field_of(lambda: scorecard.figure_accounts(db, admin, TODAY, owner,
                                                      figure="profit")) == "figure"
    assert field_of(lambda: scorecard.figure_accounts(db, admin, TODAY, owner,
                                                      figure="nrr", page_size=0)) == "page_size"
    with pytest.raises(NotFound):
        scorecard.scorecard(db, admin, TODAY, manager_id=987654321)
    with pytest.raises(NotFound):
        scorecard.scorecard(db, admin, TODAY, manager_email="nobody@accord.test")
    with pytest.raises(NotFound):  # a viewer holds no book
        scorecard.scorecard(db, admin, TODAY, manager_id=cast.viewer.id)
    with pytest.raises(NotFound):
        scorecard.scorecards(db, admin, TODAY, team_id=987654)


def test_every_figure_has_a_definition_and_says_where_it_comes_from() -> None:
    for f in FIGURES:
        assert f.definition and f.formula and f.source and f.unit in ("ratio", "money", "count")
    assert set(scorecard_rules.UNREGISTERED) == {
        "revenue", "new_key_accounts", "plans_complete", "plans_stale", "handoffs_on_time",
        "inputs_escalated", "licence_utilisation", "win_back"}
    assert set(scorecard_figures.MEASURES) == set(scorecard_rules.KEYS)


# ---------------------------------------------------------------- the pure rules


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["2031-07", "2031-Q3", "2031"]), st.integers(-20, 20))
def test_periods_shift_back_and_forth_and_a_trend_is_contiguous(text: str, n: int) -> None:
    p = scorecard_rules.parse_period(text)
    assert p.shifted(n).shifted(-n) == p and p.shifted(n).kind == p.kind
    chain = scorecard_rules.trend_periods(p.shifted(n))
    assert chain[-1] == p.shifted(n) and len(chain) == scorecard_rules.TREND_PERIODS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
        assert scorecard_rules.parse_period(after.label) == after


@settings(max_examples=60, deadline=None)
@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)),
       st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))))
def test_a_hand_off_is_on_time_when_accepted_by_its_deadline(accepted: date,
                                                             due: date | None) -> None:
    found = scorecard_rules.handoff_on_time(accepted, due)
    assert found is (None if due is None else accepted <= due)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_seats_in_use_give_the_licences_utilisation(purchased: int, assigned: int,
                                                    reported: int, active: int) -> None:
    from accord.licences.signals.rules import share, usage_of

    reported, active = min(reported, assigned), min(active, reported, assigned)
    in_use = scorecard_rules.utilised(assigned, reported, active)
    assert share(in_use, purchased) == usage_of(purchased, assigned, reported,
                                                active).utilisation


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=2, max_size=6))
def test_a_team_ratio_is_made_of_the_parts_not_the_ratios(parts: list[tuple[int, int]]) -> None:
    cells = [scorecard_cells.Cell(scorecard_rules.share(min(n, d), d), min(n, d), d)
             for n, d in parts]
    team = scorecard_cells.COMBINE["handoffs_on_time"](cells)
    num, den = sum(min(n, d) for n, d in parts), sum(d for _, d in parts)
    assert (team.num, team.den, team.value) == (num, den, scorecard_rules.share(num, den))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.decimals(-10, 10, places=2)), min_size=1, max_size=5),
       st.booleans())
def test_the_trend_compares_the_period_with_the_one_before(values: list[Decimal | None],
                                                          higher: bool) -> None:
    t = scorecard_rules.trend(values, higher)
    if len(values) < 2 or values[-1] is None or values[-2] is None:
        assert t == scorecard_rules.Trend(None, None, None)
    else:
        change = values[-1] - values[-2]
        assert t.change == change
        assert t.direction == ("up" if change > 0 else "down" if change < 0 else "flat")
        assert t.better == (None if change == 0 else (change > 0) == higher)
