"""Issue 16's journey in a real browser, on SQLite and PostgreSQL: a B2C manager opens the
Clients page, sees the validation chart, follows "Create win-back campaign", creates one with
a holdout — and, months later, after some members bought again, sees its result.

The clients' purchase histories are revenue lines written here; the fit and the validation
run through the real services (``clients.fitting``), as the weekly job would. "Today" is the
app's (``accord.web.deps.today``), moved forward for the result.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect

from conftest import login

SLOW = 30_000
TODAY = date(2026, 3, 10)
LATER = date(2026, 7, 1)
CLIENTS = 300


def _arrange(sessions: Any, cast: Any) -> None:
    """The owner's individual clients: a seeded history of purchases from 2024 on — some
    still buying, many who stopped — with consent; fitted and validated."""
    from sqlalchemy import insert

    from accord.accounts.models import Account, AccountContact, Contact
    from accord.clients import fitting
    from accord.clients.models import ClientProfile
    from accord.core.database import utcnow
    from accord.core.models import User
    from accord.core.periods import month_index
    from accord.revenue.models import RevenueLine

    rng = random.Random(16)
    now = utcnow()
    start = date(2024, 1, 1)
    with sessions.begin() as s:
        people = [Account(name=f"Person {n:03d}", name_key=f"person {n:03d}", kind="person",
                          status="active", manager_id=cast.owner.id, created_at=now,
                          updated_at=now) for n in range(CLIENTS)]
        contacts = [Contact(name=p.name, email=f"person{n}@example.test", created_at=now,
                            updated_at=now) for n, p in enumerate(people)]
        s.add_all(people + contacts)
        s.flush()
        s.add_all([AccountContact(account_id=p.id, contact_id=c.id)
                   for p, c in zip(people, contacts, strict=True)])
        s.add_all([ClientProfile(account_id=p.id, marketing_consent=True) for p in people])
        lines = []
        for p in people:
            # as BG/NBD has it: a purchase rate from a gamma, a chance to drop out after
            # each purchase from a beta
            rate, drop = rng.gammavariate(0.8, 1 / 25), rng.betavariate(1.0, 3.0)
            day, k = start + timedelta(days=rng.randrange(300)), 0
            while day < TODAY:
                lines.append({"account_id": p.id, "line_key": f"#b{k}", "date": day,
                              "month": month_index(day),
                              "amount_cents": rng.randrange(2_000, 20_000)})
                if rng.random() < drop:
                    break
                day += timedelta(days=1 + int(rng.expovariate(rate)))
                k += 1
        s.execute(insert(RevenueLine), lines)
    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        assert admin is not None
        fitting.run_validation(s, admin, TODAY, calibration_end=date(2025, 6, 30),
                               holdout_end=date(2026, 2, 28), unit="week")
        fitting.run_fit(s, admin, TODAY, calibration_end=TODAY, unit="week")


def test_a_manager_creates_a_win_back_campaign_with_a_holdout_and_sees_its_result(
        page: Any, app: Any, cast: Any, sessions: Any) -> None:
    from sqlalchemy import select

    from accord.clients.models import CampaignMember
    from accord.core.periods import month_index
    from accord.revenue.models import RevenueLine
    from accord.web import deps

    _arrange(sessions, cast)
    page.set_default_timeout(SLOW)
    app.dependency_overrides[deps.today] = lambda: TODAY
    try:
        login(page, "owner@accord.test")
        page.goto("/clients")
        expect(page.locator("#validation-chart svg")).to_be_visible()
        page.click("#new-campaign")
        page.wait_for_url("**/clients/campaigns/new?**")
        expect(page.locator("#cp-source")).to_have_value("winback")
        page.fill("#cp-name", "Spring win-back")
        page.fill("#cp-holdout", "0.5")
        page.click("#create-campaign")
        page.wait_for_url("**/clients/campaigns/*")
        expect(page.locator("#campaign-name")).to_have_text("Spring win-back")
        members = int(page.locator("#tile-members").inner_text().replace(",", ""))
        held = int(page.locator("#tile-holdout").inner_text().replace(",", ""))
        assert members >= 2 and held == (members + 1) // 2  # round(0.5 × n), halves up
        expect(page.locator("#result-treatment")).to_contain_text("0.0 %")
        url = page.url

        # after the campaign: a few members of each group buy again
        campaign = int(url.rstrip("/").rsplit("/", 1)[-1])
        with sessions.begin() as s:
            groups = s.execute(select(CampaignMember.account_id, CampaignMember.group)
                               .where(CampaignMember.campaign_id == campaign)
                               .order_by(CampaignMember.account_id)).all()
            treatment = [a for a, g in groups if g == "treatment"]
            holdout = [a for a, g in groups if g == "holdout"]
            buyers = treatment[: max(1, len(treatment) // 2)] + holdout[:1]
            for n, account in enumerate(buyers):
                day = TODAY + timedelta(days=10 + n)
                s.add(RevenueLine(account_id=account, line_key=f"#won{n}", date=day,
                                  month=month_index(day), amount_cents=5_000))
        app.dependency_overrides[deps.today] = lambda: LATER
        page.goto(url)
        page.select_option("#r-months", "3")
        page.locator("#result-months button[type=submit]").click()
        page.wait_for_url("**months=3**")
        bought = len(treatment[: max(1, len(treatment) // 2)])
        expect(page.locator("#result-treatment td").nth(1)).to_have_text(str(bought))
        expect(page.locator("#result-holdout td").nth(1)).to_have_text("1")
        expect(page.locator("#share-difference")).to_contain_text("Treatment − holdout")
        expect(page.locator("#share-difference")).to_contain_text("95 % interval")
        expect(page.locator(".interval-chart").first).to_be_visible()
    finally:
        app.dependency_overrides.pop(deps.today, None)
