"""Licence signals (issue 15): the usage store and its up-sell opportunity (opened once, not
duplicated) and risk list; health's licence utilisation measure; the switching cost's
active subscriptions; subscriptions in the renewals (both databases)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.core.models import AuditEntry, User
from accord.growth.opportunities.models import Opportunity
from accord.licences import rules
from accord.licences.models import LicenceUser, SeatActivity, SeatAssignment, SkuService
from accord.licences.seats import service as seats
from accord.licences.signals import rules as signal_rules
from accord.licences.signals import service as signals
from accord.licences.signals.models import LicenceUsage
from accord.licences.subscriptions import service as subscriptions
from accord.licences.subscriptions.schemas import SubscriptionIn
from licence_helpers import make_sku

DAY = date(2026, 3, 10)


def _as(s: Session, who: Any) -> User:
    user = s.get(User, who.id)
    assert user is not None
    return user


def _people(s: Session, account_id: int, sku_id: int, held: int, active: int,
            reported: int) -> None:
    """``held`` people holding a seat of the service; the first ``reported`` covered by a
    usage report, the first ``active`` of them used it yesterday (the others 60 days ago)."""
    for n in range(held):
        person = LicenceUser(account_id=account_id, principal=f"u{sku_id}-{n}@acme.test",
                             display_name=f"User {n}")
        s.add(person)
        s.flush()
        s.add(SeatAssignment(account_id=account_id, licence_user_id=person.id, sku_id=sku_id,
                             from_on=date(2026, 1, 5)))
        if n < reported:
            last = DAY - timedelta(days=1 if n < active else 60)
            s.add(SeatActivity(licence_user_id=person.id, service="teams",
                               last_active_on=last, reported_on=DAY))
    s.flush()


@pytest.fixture
def world(sessions: sessionmaker[Session], cast: Any) -> dict[str, int]:
    """Acme: E3, 10 bought, 10 held, 9 of 10 active (up-sell); E5, 10 bought, 5 held, 1 of
    5 active (risk), 60 days' notice, not renewing itself."""
    with sessions.begin() as s:
        billing = _as(s, cast.billing)
        e3 = make_sku(s)
        e5 = make_sku(s, "M365-E5", "Microsoft 365 E5", line="Security")
        s.add(SkuService(sku_id=e3, service="teams"))
        up = subscriptions.add_subscription(s, billing, SubscriptionIn(
            account_id=cast.acme_id, sku_id=e3, start_on=date(2026, 1, 1), quantity=10,
            unit_price=Decimal("120"), auto_renew=True, notice_days=30), DAY)
        low = subscriptions.add_subscription(s, billing, SubscriptionIn(
            account_id=cast.acme_id, sku_id=e5, start_on=date(2025, 5, 1), quantity=10,
            unit_price=Decimal("240"), notice_days=60), DAY)
        _people(s, cast.acme_id, e3, held=10, active=9, reported=10)
        _people(s, cast.acme_id, e5, held=5, active=1, reported=5)
        return {"e3": e3, "e5": e5, "up": up.id, "low": low.id}


def _upsells(s: Session) -> list[Opportunity]:
    return list(s.scalars(select(Opportunity).where(Opportunity.kind == "upsell")))


def test_an_upsell_opens_one_opportunity_and_a_risk_is_stored(
        sessions: sessionmaker[Session], cast: Any, world: dict[str, int]) -> None:
    with sessions.begin() as s:
        out = signals.refresh(s, [cast.acme_id], DAY)
    assert out == {"pairs": 2, "upsell": 1, "risk": 1, "opened": 1}
    with sessions.begin() as s:
        signals.refresh(s, [cast.acme_id, cast.acme_id], DAY)  # again: nothing new
        signals.refresh_all(s, DAY + timedelta(days=1))
    with sessions() as s:
        [opp] = _upsells(s)
        assert opp.account_id == cast.acme_id and opp.owner_id == cast.owner.id
        assert opp.title == "Up-sell Microsoft 365 E3: 10 of 10 seats assigned, 90 % active"
        assert opp.value == Decimal("120.00")  # one more seat (10 %) at 120 a year
        assert s.scalar(select(AuditEntry.actor).where(
            AuditEntry.entity == "opportunity")) == "job:licence_signals"
        usage = {u.sku_id: u for u in s.scalars(select(LicenceUsage))}
        assert usage[world["e3"]].opportunity_id == opp.id
        assert (usage[world["e3"]].signal, usage[world["e5"]].signal) == ("upsell", "risk")
        assert usage[world["e5"]].adoption_e4 == 2000
        assert usage[world["e5"]].utilisation_e4 == 1000
    with sessions.begin() as s:  # lost while the signal stays on: not reopened
        lost = s.get(Opportunity, opp.id)
        assert lost is not None
        lost.stage = "lost"
    with sessions.begin() as s:
        signals.refresh(s, [cast.acme_id], DAY)
        assert len(_upsells(s)) == 1


def test_the_sql_counts_equal_the_seat_grid(
        sessions: sessionmaker[Session], cast: Any, world: dict[str, int]) -> None:
    with sessions.begin() as s:
        signals.refresh(s, [cast.acme_id], DAY)
        grid = seats.seat_grid(s, _as(s, cast.admin), cast.acme_id, DAY)
        stored = {u.sku_id: u for u in s.scalars(select(LicenceUsage))}
    for service in grid.services:
        u = stored[service.sku_id]
        assert signal_rules.usage_of(u.purchased, u.assigned, u.reported, u.active) \
            == service.usage
        assert u.signal == service.signal


def test_a_seat_is_active_only_through_its_own_products_workloads(
        sessions: sessionmaker[Session], cast: Any, world: dict[str, int]) -> None:
    """Exchange Online lists the exchange workload only: its holder who used Teams yesterday
    (a workload of E3, whose seats the world holds) has an idle Exchange seat — in the SQL
    as in the grid."""
    with sessions.begin() as s:
        exo = make_sku(s, "EXO-P1", "Exchange Online Plan 1", line="Mail")
        s.add(SkuService(sku_id=exo, service="exchange"))
        subscriptions.add_subscription(s, _as(s, cast.billing), SubscriptionIn(
            account_id=cast.acme_id, sku_id=exo, start_on=date(2026, 1, 1), quantity=4,
            unit_price=Decimal("48"), auto_renew=True), DAY)
        _people(s, cast.acme_id, exo, held=2, active=2, reported=2)  # Teams, yesterday
        signals.refresh(s, [cast.acme_id], DAY)
        grid = {x.sku_id: x.usage for x in seats.seat_grid(
            s, _as(s, cast.admin), cast.acme_id, DAY).services}
        stored = {u.sku_id: u for u in s.scalars(select(LicenceUsage))}
    assert (grid[exo].reported, grid[exo].active) == (2, 0)
    assert (stored[exo].reported, stored[exo].active) == (2, 0)
    assert stored[world["e3"]].active == 9  # Teams counts for E3's own seats


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50),
       st.integers(1, 30))
def test_usage_from_counts_is_the_usage_rule(purchased: int, held: int, reported: int,
                                             active: int, active_days: int) -> None:
    reported, active = min(reported, held), min(active, reported, held)
    day = DAY
    seats_ = [rules.Seat(date(2026, 1, 1), None,
                         day - timedelta(days=0 if n < active else active_days),
                         reported=n < reported) for n in range(held)]
    assert signal_rules.usage_of(purchased, held, reported, active) == rules.usage(
        purchased, seats_, day, active_days)


def test_health_shows_licence_utilisation_with_subscriptions_and_none_without(
        sessions: sessionmaker[Session], cast: Any, world: dict[str, int]) -> None:
    from accord.health import service as health

    with sessions.begin() as s:
        signals.refresh(s, [cast.acme_id], DAY)
        admin = _as(s, cast.admin)
        acme = health.account_health(s, admin, cast.acme_id, today=DAY)
        globex = health.account_health(s, admin, cast.globex_id, today=DAY)
        health.recompute_all(s, admin, today=DAY)
        stored = health.account_health(s, admin, cast.acme_id, today=DAY)
        from accord.health.models import AccountHealth
        kept = s.get(AccountHealth, cast.acme_id)
    measure = {m.measure: m for m in acme.measures}["licence_utilisation"]
    # (9 active of 10) + (1 active of 10) over 20 purchased
    assert measure.value == Decimal("0.5") and measure.score is not None
    assert "10 of 20 seats" in measure.note and "1 service at risk" in measure.note
    assert "licence_utilisation" not in acme.left_out
    none = {m.measure: m for m in globex.measures}["licence_utilisation"]
    assert none.value is None and "licence_utilisation" in globex.left_out
    assert "no subscriptions" in none.note
    assert stored.stored_score == acme.score and kept is not None
    assert kept.licence_utilisation == 0.5


def test_switching_cost_counts_active_subscriptions(
        sessions: sessionmaker[Session], cast: Any, world: dict[str, int]) -> None:
    from accord.relationships import evidence, rubric
    from accord.relationships.rubric import StagePolicy

    with sessions() as s:
        acme = evidence.gather(s, cast.acme_id, DAY, StagePolicy())
        globex = evidence.gather(s, cast.globex_id, DAY, StagePolicy())
        before = evidence.gather(s, cast.acme_id, date(2025, 4, 30), StagePolicy())
    assert (acme.active_subscriptions, globex.active_subscriptions) == (2, 0)
    assert before.active_subscriptions == 0  # neither had started
    assert rubric.score_switching_cost(acme, StagePolicy()) == 2  # 0 lines + 2 subscriptions
    words = {c.criterion: c.evidence for c in rubric.assess(acme, StagePolicy())}
    assert words["switching_cost"].endswith("2 active subscriptions")


def test_renewals_list_a_subscriptions_end_and_notice_deadline(
        sessions: sessionmaker[Session], cast: Any, world: dict[str, int]) -> None:
    from accord.calendar.renewals import service as renewals

    # E5 started 2025-05-01 for 12 months: ends 2026-04-30, 60 days' notice -> 2026-03-01
    day = date(2026, 2, 1)
    with sessions.begin() as s:
        owner = _as(s, cast.owner)
        page = renewals.renewal_page(s, owner, day, scope="window")
        [row] = page.items
        assert (row.kind, row.subscription_id, row.service) == (
            "subscription", world["low"], "Microsoft 365 E5")
        assert (row.contract_end_on, row.notice_deadline, row.auto_renew) == (
            date(2026, 4, 30), date(2026, 3, 1), False)
        upcoming = renewals.renewal_page(s, owner, day, scope="upcoming")
        assert {r.subscription_id for r in upcoming.items} == {world["up"], world["low"]}
        assert renewals.run_reminders(s, day) == 1
        assert renewals.run_reminders(s, day) == 0  # once per end of term
        opp = s.scalar(select(Opportunity).where(Opportunity.kind == "renewal"))
        assert opp is not None and opp.title == "Renewal Microsoft 365 E5 2026-04-30"
        assert opp.value == Decimal("2400.00") and opp.expected_close_on == date(2026, 3, 1)
        outsider = _as(s, cast.outsider)
        assert renewals.renewal_page(s, outsider, day, scope="all").total == 0


def test_the_licences_page_lists_upsells_and_risks(
        sessions: sessionmaker[Session], cast: Any, world: dict[str, int], app: Any) -> None:
    from fastapi.testclient import TestClient

    from page_helpers import sign_in

    client = TestClient(app)
    sign_in(client, "owner@accord.test")
    empty = client.get("/licences")
    assert 'id="no-upsells"' in empty.text and 'id="no-risks"' in empty.text
    with sessions.begin() as s:
        signals.refresh(s, [cast.acme_id], DAY)
    page = client.get("/licences")
    assert page.status_code == 200
    assert f'id="upsell-list-{cast.acme_id}-{world["e3"]}"' in page.text
    assert f'id="risk-list-{cast.acme_id}-{world["e5"]}"' in page.text
    assert f'href="/accounts/{cast.acme_id}/licences"' in page.text
    assert "<meter" in page.text
    outsider = TestClient(app)
    sign_in(outsider, "outsider@accord.test")
    assert 'id="no-upsells"' in outsider.get("/licences").text


def test_the_signal_lists_through_the_api_and_the_command_line(
        sessions: sessionmaker[Session], cast: Any, world: dict[str, int], app: Any,
        database_url: str) -> None:
    from typer.testing import CliRunner

    from accord.app.commands import app as cli_app
    from accord.app.commands import hoist_global_options
    from conftest import api_client

    with sessions.begin() as s:
        signals.refresh(s, [cast.acme_id], DAY)
    owner = api_client(app, cast.token(sessions, "owner"))
    risks = owner.get("/api/v1/licences/signals", params={"signal": "risk"})
    assert risks.status_code == 200, risks.text
    assert risks.json()["total"] == 1
    [risk] = risks.json()["items"]
    assert (risk["account_id"], risk["sku_id"], risk["adoption"]) == (
        cast.acme_id, world["e5"], "0.2")
    upsells = owner.get("/api/v1/licences/signals?signal=upsell").json()
    assert [(i["sku_id"], i["signal"]) for i in upsells["items"]] == [(world["e3"], "upsell")]
    assert owner.get("/api/v1/licences/signals?signal=maybe").status_code == 422
    assert owner.get("/api/v1/licences/signals?signal=risk&limit=0").status_code == 422
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert outsider.get("/api/v1/licences/signals?signal=risk").json() == {
        "items": [], "total": 0}

    def cli(*args: str):
        return CliRunner().invoke(cli_app, hoist_global_options(
            ["subscriptions", "signals", *args, "--database-url", database_url]))

    shown = cli("--signal", "risk", "--as", "owner@accord.test")
    assert shown.exit_code == 0, shown.output
    assert "Risk: 1" in shown.output and "Acme" in shown.output and "20 %" in shown.output
    as_json = cli("--signal", "upsell", "--format", "json")
    assert as_json.exit_code == 0 and '"total": 1' in as_json.output
    assert cli("--signal", "maybe").exit_code != 0
