"""The demo portfolio: deterministic, consistent with its revenue, loadable on both databases."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.accounts.models import Account, AccountContact, Interaction
from accord.core.errors import Conflict
from accord.core.identity import authenticate
from accord.core.models import AuditEntry, Team, User
from accord.core.periods import month_index
from accord.demo.generator import DEMO_PASSWORD, AccountStream, FirstIds, build_staff
from accord.demo.loader import load_demo
from accord.demo.plan import DemoSpec, lifecycle_status
from accord.demo.revenue import revenue_rows
from accord.revenue.models import MonthlyRevenue, RevenueLine

TODAY = date(2026, 3, 18)
SMALL = DemoSpec(accounts=60, months=13, seed=7, today=TODAY)


def totals_by_external_id(spec: DemoSpec) -> dict[str, int]:
    """Revenue per account straight from the generator (no database)."""
    totals: dict[str, int] = defaultdict(int)
    for account_id, _day, cents, _product, _line in revenue_rows(spec, 1):
        totals[f"DEMO-{account_id:06d}"] += cents
    return dict(totals)


@pytest.fixture
def loaded(sessions: sessionmaker[Session]) -> DemoSpec:
    with sessions.begin() as session:
        load_demo(session, SMALL)
    return SMALL


# ---------------------------------------------------------------- the generator alone


def test_the_same_seed_gives_the_same_portfolio_and_another_seed_another() -> None:
    def accounts(spec: DemoSpec) -> list[dict[str, object]]:
        staff = build_staff(spec, FirstIds())
        return [b.account for b in AccountStream(spec, staff, FirstIds())]

    assert accounts(SMALL) == accounts(SMALL)
    assert list(revenue_rows(SMALL, 1)) == list(revenue_rows(SMALL, 1))
    other = DemoSpec(accounts=60, months=13, seed=8, today=TODAY)
    assert accounts(other) != accounts(SMALL)
    assert totals_by_external_id(other) != totals_by_external_id(SMALL)


def test_revenue_ends_with_the_last_complete_month_before_today() -> None:
    months = {month_index(day) for _a, day, _c, _p, _l in revenue_rows(SMALL, 1)}
    assert max(months) == month_index(TODAY) - 1
    assert min(months) == month_index(TODAY) - 13


def test_a_few_large_companies_carry_most_of_the_revenue() -> None:
    spec = DemoSpec(accounts=1500, months=12, seed=3, today=TODAY)
    totals = sorted((t for t in totals_by_external_id(spec).values() if t > 0), reverse=True)
    top = totals[: len(totals) // 5]
    assert sum(top) > 0.6 * sum(totals)


def test_the_portfolio_mixes_companies_and_people_groups_and_shared_contacts() -> None:
    spec = DemoSpec(accounts=800, months=24, seed=11, today=TODAY)
    staff = build_staff(spec, FirstIds())
    bundles = list(AccountStream(spec, staff, FirstIds()))
    kinds = Counter(b.account["kind"] for b in bundles)
    assert kinds["company"] > kinds["person"] > 0
    companies = [b.account for b in bundles if b.account["kind"] == "company"]
    assert {a["segment"] for a in companies} == {
        "Manufacturing", "Retail", "Financial Services", "Healthcare", "Technology"}
    assert {b.account["business_line"] for b in bundles if b.account["kind"] == "person"} == {
        "Consumer"}
    assert any(a["parent_id"] for a in companies)
    links = Counter(link["contact_id"] for b in bundles for link in b.account_contacts)
    assert any(count >= 2 for count in links.values())
    functions = {c["function"] for b in bundles for c in b.contacts}
    assert {"finance", "procurement", "IT", "marketing", "operations", "executive"} <= functions
    kinds_seen = {i["kind"] for b in bundles for i in b.interactions}
    assert kinds_seen == {"call", "meeting", "email", "note", "business_review"}
    sentiments = [i["sentiment"] for b in bundles for i in b.interactions
                  if i["sentiment"] is not None]
    assert sentiments and all(0 <= s <= 10 for s in sentiments)
    assert all(a["estimated_spend_source"] for a in companies if a["estimated_spend_cents"])
    statuses = Counter(b.account["status"] for b in bundles)
    assert set(statuses) == {"prospect", "onboarding", "active", "lapsed", "churned"}


def test_big_accounts_hold_quarterly_business_reviews() -> None:
    spec = DemoSpec(accounts=400, months=36, seed=5, today=TODAY)
    staff = build_staff(spec, FirstIds())
    for bundle in AccountStream(spec, staff, FirstIds()):
        account = bundle.account
        if account["size_band"] == "enterprise" and account["status"] == "active":
            reviews = [i for i in bundle.interactions if i["kind"] == "business_review"]
            assert len(reviews) >= 7  # about eight quarters in the last two years
            assert bundle.members, "a big account has a co-manager"
            return
    pytest.fail("no active enterprise account in the sample")


def test_status_rules_follow_the_months_with_revenue() -> None:
    assert lifecycle_status(0, 36, existing=False) == "prospect"
    assert lifecycle_status(1 << 35, 36, existing=True) == "active"
    assert lifecycle_status(1 << 35, 36, existing=False) == "onboarding"
    assert lifecycle_status(1 << 32, 36, existing=True) == "lapsed"
    assert lifecycle_status(1 << 33, 36, existing=True) == "active"
    assert lifecycle_status(1 << 23, 36, existing=True) == "churned"  # none in the last 12
    assert lifecycle_status(1 << 24, 36, existing=True) == "lapsed"


# ---------------------------------------------------------------- loaded, on both databases


def test_the_loaded_portfolio_has_the_generated_revenue(loaded: DemoSpec, db: Session) -> None:
    stored = dict(db.execute(
        select(Account.external_id, func.sum(RevenueLine.amount_cents))
        .join(RevenueLine, RevenueLine.account_id == Account.id)
        .group_by(Account.external_id)
    ).all())
    assert {k: int(v) for k, v in stored.items()} == {
        k: v for k, v in totals_by_external_id(loaded).items()}
    assert db.scalar(select(func.count()).select_from(Account)) == loaded.accounts


def test_monthly_revenue_equals_the_sum_of_revenue_lines(loaded: DemoSpec, db: Session) -> None:
    lines = {(a, m): (int(s), n) for a, m, s, n in db.execute(
        select(RevenueLine.account_id, RevenueLine.month, func.sum(RevenueLine.amount_cents),
               func.count()).group_by(RevenueLine.account_id, RevenueLine.month)
    )}
    monthly = {(a, m): (s, n) for a, m, s, n in db.execute(
        select(MonthlyRevenue.account_id, MonthlyRevenue.month, MonthlyRevenue.amount_cents,
               MonthlyRevenue.line_count)
    )}
    assert lines and monthly == lines


def test_statuses_are_consistent_with_revenue(loaded: DemoSpec, db: Session) -> None:
    end = month_index(TODAY) - 1
    last = dict(db.execute(
        select(Account.id, func.max(MonthlyRevenue.month))
        .outerjoin(MonthlyRevenue, MonthlyRevenue.account_id == Account.id)
        .group_by(Account.id)
    ).all())
    statuses = dict(db.execute(select(Account.id, Account.status)).all())
    seen = set()
    for account_id, status in statuses.items():
        month = last[account_id]
        seen.add(status)
        if status == "prospect":
            assert month is None
        elif status == "churned":
            assert month is None or month <= end - 12
        elif status == "lapsed":
            assert end - 12 < month <= end - 3
        else:
            assert month is not None and month > end - 3, (account_id, status)
    assert {"prospect", "active"} <= seen


def test_last_touch_is_the_latest_interaction(loaded: DemoSpec, db: Session) -> None:
    latest = dict(db.execute(
        select(Interaction.account_id, func.max(Interaction.occurred_on))
        .group_by(Interaction.account_id)
    ).all())
    touches = dict(db.execute(select(Account.id, Account.last_touch_on)).all())
    assert latest
    for account_id, touched in touches.items():
        assert touched == latest.get(account_id)
        assert touched is None or touched <= TODAY


def test_the_demo_logins_work_with_the_one_demo_password(loaded: DemoSpec, db: Session) -> None:
    for email in ("admin@accord.demo", "head1@accord.demo", "manager1@accord.demo"):
        assert authenticate(db, email, DEMO_PASSWORD).email == email
    roles = Counter(db.scalars(select(User.role)).all())
    assert set(db.scalars(select(User.email).where(User.role.in_(
        ["viewer", "billing", "sales"])))) == {
        "viewer@accord.demo", "billing@accord.demo", "sales@accord.demo"}
    assert roles["admin"] == roles["viewer"] == roles["billing"] == roles["sales"] == 1
    assert roles["head"] == 6 and roles["manager"] >= 6
    heads = {t.head_id for t in db.scalars(select(Team))}
    assert heads == set(db.scalars(select(User.id).where(User.role == "head")))
    managers = db.scalars(select(User).where(User.role == "manager")).all()
    assert all(m.team_id is not None for m in managers)
    # one hash for everyone: argon2 ran once
    assert len(set(db.scalars(select(User.password_hash)))) == 1


def test_one_audit_entry_sums_up_the_load(loaded: DemoSpec, db: Session) -> None:
    entries = db.scalars(select(AuditEntry)).all()
    loads = [e for e in entries if e.action == "demo_loaded"]
    assert len(loads) == 1
    assert loads[0].after is not None and loads[0].after["accounts"] == loaded.accounts
    assert loads[0].after["revenue_lines"] == db.scalar(
        select(func.count()).select_from(RevenueLine))
    # summaries, not one entry per row: the key-account seeds add a few summary entries
    # (health history recomputes one per snapshot day), never one per account
    assert len(entries) < loaded.accounts / 2, [e.action for e in entries]
    assert {e.action for e in entries} <= {"demo_loaded", "demo_seeded", "recompute"}


def test_some_contacts_are_linked_to_two_accounts_when_groups_exist(
    sessions: sessionmaker[Session], db: Session
) -> None:
    spec = DemoSpec(accounts=300, months=2, seed=11, today=TODAY)
    with sessions.begin() as session:
        load_demo(session, spec)
    shared = db.execute(
        select(AccountContact.contact_id).group_by(AccountContact.contact_id)
        .having(func.count() > 1)
    ).all()
    assert shared
    # ids handed out by the generator leave the sequences usable for new rows
    from accord.users.service import create_user

    highest = db.scalar(select(func.max(User.id)))
    assert highest is not None
    user = create_user(db, None, email="new@accord.test", role="viewer")
    assert user.id > highest
    db.rollback()


def test_if_empty_reuses_a_loaded_database_and_a_plain_load_refuses_it(
    loaded: DemoSpec, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        summary = load_demo(session, loaded, if_empty=True)
    assert summary.reused and summary.accounts == loaded.accounts
    assert ("admin@accord.demo", "admin") in summary.logins
    with sessions.begin() as session, pytest.raises(Conflict):
        load_demo(session, loaded)


def test_the_cli_loads_the_demo_and_prints_the_logins(database_url: str) -> None:
    from typer.testing import CliRunner

    from accord.app.commands import app
    from accord.cli import common

    runner = CliRunner()
    args = ["--database-url", database_url, "demo", "--accounts", "25", "--months", "4",
            "--today", TODAY.isoformat()]
    try:
        first = runner.invoke(app, args)
        assert first.exit_code == 0, first.output
        assert "admin@accord.demo" in first.output
        assert "head1@accord.demo" in first.output
        assert "manager1@accord.demo" in first.output
        assert DEMO_PASSWORD in first.output
        again = runner.invoke(app, [*args, "--if-empty"])
        assert again.exit_code == 0, again.output
        assert "reusing" in again.output and DEMO_PASSWORD in again.output
        refused = runner.invoke(app, args)
        assert refused.exit_code != 0
        bad = runner.invoke(app, [*args[:3], "--accounts", "0"])
        assert bad.exit_code == 2
    finally:
        common.state.database_url = None
