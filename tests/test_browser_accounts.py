"""In a real browser: log in, search, open an account, edit it, log an interaction."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import login


@pytest.fixture
def acme_revenue(sessions, cast):
    from accord.accounts import contacts as contact_service
    from accord.accounts.models import BuyingRole, Seniority
    from accord.accounts.schemas import ContactIn
    from accord.core.models import User
    from accord.core.periods import month_index
    from accord.revenue.models import MonthlyRevenue
    from accord.web.deps import today

    now = month_index(today())
    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        contact_service.add_contact(
            s,
            owner,
            cast.acme_id,
            ContactIn(
                name="Wile E. Coyote",
                email="wile@acme.test",
                function="Procurement",
                seniority=Seniority.EXECUTIVE,
                buying_role=BuyingRole.DECISION_MAKER,
                influence=5,
                title="CPO",
            ),
        )
        contact_service.add_contact(
            s,
            owner,
            cast.acme_id,
            ContactIn(
                name="Road Runner",
                function="IT",
                seniority=Seniority.DIRECTOR,
                buying_role=BuyingRole.CHAMPION,
                influence=3,
            ),
        )
        for back in range(36):
            cents = 800_000 + (35 - back) * 12_500 + (back % 4) * 90_000
            s.add(
                MonthlyRevenue(
                    account_id=cast.acme_id,
                    month=now - back,
                    amount_cents=cents,
                    cumulative_cents=0,
                    line_count=3,
                )
            )


def test_a_manager_searches_opens_edits_and_logs_an_interaction(page, cast, acme_revenue):
    login(page, "owner@accord.test")
    assert page.url.endswith("/today")  # a manager's home is My day
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.wait_for_url("**/accounts")

    page.fill("#q", "acme")
    page.wait_for_url("**/accounts?q=acme")  # htmx pushed the search into the address
    page.get_by_role("link", name="Acme Industries").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}")
    assert page.locator("h1").inner_text() == "Acme Industries"
    assert page.locator("#revenue-chart svg[role=img]").count() == 1
    assert "Wile E. Coyote" in page.locator("#contacts-table td.row-title").all_inner_texts()[1]

    page.get_by_role("link", name="Edit account").click()
    page.fill("#a-name", "Acme Worldwide")
    page.select_option("#a-status", "onboarding")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}")
    assert page.locator("h1").inner_text() == "Acme Worldwide"
    assert page.get_by_text("Account saved.").is_visible()

    page.locator("#log-interaction summary").click()
    page.select_option("#i-kind", "meeting")
    assert page.input_value("#i-occurred_on") == date.today().isoformat() or page.input_value(
        "#i-occurred_on"
    )
    page.fill("#i-summary", "Kick-off meeting for the new plant")
    page.fill("#i-outcome", "Pilot agreed for Q3")
    page.fill("#i-sentiment", "8")
    page.get_by_label("Wile E. Coyote").check()
    page.locator("#log-interaction").get_by_role("button", name="Log interaction").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}#timeline")
    first = page.locator("#timeline-list .timeline-item").first
    assert "Kick-off meeting for the new plant" in first.inner_text()
    assert "Wile E. Coyote" in first.inner_text()

    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto(f"/accounts/{cast.acme_id}")
    page.screenshot(path="/tmp/accord-account.png", full_page=True)


def test_an_error_in_the_edit_form_is_shown_next_to_the_field(page, cast):
    login(page, "owner@accord.test")
    page.goto(f"/accounts/{cast.acme_id}/edit")
    page.fill("#a-name", "")
    page.fill("#a-estimated_spend", "a lot")
    page.get_by_role("button", name="Save changes").click()
    page.locator("#a-name-error").wait_for()
    assert page.locator("#a-name-error").is_visible()
    assert page.locator("#a-estimated_spend-error").is_visible()
    assert page.input_value("#a-estimated_spend") == "a lot"


def test_the_list_sorts_and_pages_with_htmx(page, cast):
    login(page, "admin@accord.test")
    page.get_by_role("link", name="Name").click()
    page.wait_for_url("**sort=-name**")
    assert page.locator("#accounts-table tbody tr").first.inner_text().startswith("Globex")
    page.screenshot(path="/tmp/accord-list.png", full_page=True)
