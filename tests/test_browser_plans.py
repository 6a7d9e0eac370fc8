"""In a real browser: a manager writes Acme's plan with an objective tied to its revenue and
sees its progress computed, shares two sections through a link, and the link opened in a
fresh browser (no cookies) shows only those sections."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import login

GOAL = "Cut the energy bill of the plants by a fifth"
BUSINESS = "Industrial pumps, sold through dealers in twelve countries"
RISK = "A rival offers a cheaper maintenance contract"
#: a busy machine (several suites at once) can take longer than the fixture's 10 s
SLOW = 30_000


@pytest.fixture
def acme_revenue(sessions, cast):
    """Three years of Acme's monthly revenue, so its 12-month revenue is Accord's to compute."""
    from accord.core.periods import month_index
    from accord.revenue.models import MonthlyRevenue
    from accord.web.deps import today

    now = month_index(today())
    with sessions.begin() as s:
        for back in range(36):
            s.add(MonthlyRevenue(account_id=cast.acme_id, month=now - back,
                                 amount_cents=900_000 + (35 - back) * 10_000,
                                 cumulative_cents=0, line_count=2))


def _revenue_progress(sessions, cast, baseline: Decimal, target: Decimal) -> str:
    """What the page must show: Accord's own figure placed between baseline and target."""
    from accord.plans import metrics, rules
    from accord.web.deps import today

    with sessions() as s:
        current = metrics.current_values(s, [cast.acme_id], today=today())[
            (cast.acme_id, "revenue_12m")]
    assert current is not None and baseline < current < target
    progress = rules.progress(baseline, target, current)
    assert progress is not None
    return f"{progress * 100:.0f} %"


def test_a_manager_writes_a_plan_and_shares_two_sections(browser, page, live_server, cast,
                                                         sessions, acme_revenue):
    page.set_default_timeout(SLOW)
    login(page, "owner@accord.test")
    page.goto(f"/accounts/{cast.acme_id}/plan")
    assert "No plan for Acme Industries yet" in page.locator("#no-plan").inner_text()
    page.select_option("#start-horizon_months", "12")
    page.get_by_role("button", name="Start a plan").click()
    page.wait_for_selector("#plan-period")
    assert "12 months" in page.locator("#plan-period").inner_text()

    # the client's goals and business, each on its own form
    page.locator("#goals").get_by_role("link", name="Edit").click()
    page.fill("#p-goals", f"{GOAL}\nKeep every plant running")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}/plan#goals")
    assert GOAL in page.locator("#goals").inner_text()
    page.locator("#business").get_by_role("link", name="Edit").click()
    page.fill("#p-business", BUSINESS)
    page.get_by_role("button", name="Save").click()
    page.locator("#risks").get_by_role("link", name="Edit").click()
    page.fill("#p-risks", RISK)
    page.get_by_role("button", name="Save").click()
    assert BUSINESS in page.locator("#business").inner_text()

    # an objective tied to the account's 12-month revenue: progress computed, not typed
    page.get_by_role("link", name="Add objective").first.click()
    page.fill("#o-title", "Grow Acme's revenue")
    page.select_option("#o-metric", "revenue_12m")
    page.fill("#o-baseline", "50000")
    page.fill("#o-target", "250000")
    page.get_by_role("button", name="Add objective").click()
    page.wait_for_selector("article.objective")
    objective = page.locator("article.objective").first
    assert "computed by Accord" in objective.inner_text()
    expected = _revenue_progress(sessions, cast, Decimal(50000), Decimal(250000))
    assert objective.locator(".plan-progress-value").inner_text() == expected
    assert objective.locator("progress").count() == 1
    assert objective.locator(".current").inner_text() != "—"

    # two sections shareable, then a link
    page.check("#share-goals")
    page.check("#share-objectives")
    page.get_by_role("button", name="Save shared sections").click()
    page.wait_for_url("**#sharing")
    assert page.is_checked("#share-goals") and not page.is_checked("#share-business")
    page.locator("#sharing").get_by_role("link", name="Share links").click()
    page.get_by_role("button", name="Create a link").click()
    url = page.locator("#share-url").input_value()
    assert url.startswith(live_server) and "/shared/plans/" in url

    # the client: a fresh browser context, no cookies
    client = browser.new_context()
    client.set_default_timeout(SLOW)
    try:
        shared = client.new_page()
        response = shared.goto(url)
        assert response is not None and response.status == 200
        text = shared.locator("body").inner_text()
        assert GOAL in text and "Grow Acme's revenue" in text and expected in text
        assert BUSINESS not in text and RISK not in text  # not shared
        assert shared.locator("nav").count() == 0 and shared.locator("a").count() == 0
        assert shared.locator("form").count() == 0
        assert client.cookies() == []
    finally:
        client.close()

    # revoked, the same link is gone for the client
    page.goto(f"/accounts/{cast.acme_id}/plan/links")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#share-links").get_by_role("button", name="Revoke").click()
    page.wait_for_selector("#share-links >> text=revoked")
    client = browser.new_context()
    client.set_default_timeout(SLOW)
    try:
        gone = client.new_page()
        response = gone.goto(url)
        assert response is not None and response.status == 404
        assert GOAL not in gone.locator("body").inner_text()
    finally:
        client.close()
