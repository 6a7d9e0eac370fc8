"""Issue 11's "done when", the hand-off part, in a real browser: a sales user creates the
company they won with the new-account form (choosing its receiving manager: none chosen is
refused inline) and writes its hand-off, submits it incomplete (refused, the item named), completes
and submits it; the manager returns it with a reason; sales submits it again; the manager
accepts it and the account is active. Another company in onboarding cannot be made active
by editing its status: the error names its hand-off."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, login

pytestmark = pytest.mark.browser

SALES = "sales@accord.test"


@dataclass
class Won:
    umbrella_id: int  # another company in onboarding
    umbrella_handoff: int  # its draft hand-off


@pytest.fixture
def won(sessions, cast, password_hash) -> Won:
    """The sales user (team North, the owner's) and another company they created for the
    owner to manage: it starts in onboarding with its draft hand-off. (The company the test
    follows is created in the browser.)"""
    from accord.accounts import service as accounts
    from accord.accounts.models import AccountKind, AccountStatus
    from accord.accounts.schemas import AccountIn
    from accord.core.database import utcnow
    from accord.core.models import User
    from accord.handoffs import service as handoffs
    from accord.handoffs.schemas import HandoffCreate

    today = utcnow().date()
    with sessions.begin() as s:
        north = s.get(User, cast.owner.id).team_id
        sales = User(email=SALES, role="sales", name="Sam Sales", password_hash=password_hash,
                     capacity=100, is_active=True, created_at=utcnow(), team_id=north)
        s.add(sales)
        s.flush()
        account = accounts.create_account(s, sales, AccountIn(
            name="Umbrella Corp", kind=AccountKind.COMPANY, status=AccountStatus.ONBOARDING,
            manager_id=cast.owner.id))
        drafts = handoffs.list_handoffs(s, sales, box="all", account_id=account.id,
                                        today=today).items
        handoff_id = drafts[0].id if drafts else handoffs.create_handoff(
            s, sales, account.id, HandoffCreate(), today=today).id
    return Won(account.id, handoff_id)


def _answer(page, key: str, kind: str, *, text: str = "", reason: str = "") -> None:
    """Answer one checklist item with the keyboard-friendly form (htmx swaps the checklist)."""
    item = page.locator(f"#item-{key}")
    page.select_option(f"#i-{key}-kind", kind)
    if text:
        page.fill(f"#i-{key}-text", text)
    if reason:
        page.fill(f"#i-{key}-reason", reason)
    item.get_by_role("button", name=re.compile("Save answer")).click()
    expect(page.locator(f"#item-{key} [data-testid=answer]")).to_contain_text(text or reason)


def test_sales_hands_a_new_company_over_and_the_manager_returns_then_accepts_it(
    page, browser, live_server, cast, won
):
    login(page, SALES, PASSWORD)

    # sales creates the company they won; it needs its receiving manager, chosen in the form
    page.goto("/accounts/new")
    page.fill("#a-name", "Initech")
    assert page.locator("#a-status").input_value() == "onboarding"
    page.get_by_role("button", name="Create account").click()
    error = page.locator("#a-manager_id-error")
    error.wait_for()
    assert "choose the manager who will receive the account" in error.inner_text()
    page.select_option("#a-manager_id", str(cast.owner.id))
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))
    initech_id = int(page.url.rsplit("/", 1)[1])

    # its hand-off is on the account page
    assert "onboarding" in page.locator("#profile").inner_text()
    page.locator("#handoffs-panel").get_by_role("link", name=re.compile(r"Hand-off #\d+")).click()
    page.wait_for_url(re.compile(r"/handoffs/\d+$"))
    handoff_url = page.url
    handoff_id = int(handoff_url.rsplit("/", 1)[1])
    assert page.locator("h1").inner_text() == f"Hand-off #{handoff_id}: Initech"

    # one item answered, the bar follows without a reload; submitting now is refused
    _answer(page, "decision_makers", "text", text="Ivy (CFO) decides, Bob signs")
    assert page.locator("#handoff-completeness [data-testid=completeness]").inner_text() == "14 %"
    page.get_by_role("button", name="Submit hand-off").click()
    refusal = page.locator("#action-errors")
    refusal.wait_for()
    assert "Billing contact" in refusal.inner_text()
    assert "Decision makers" not in refusal.inner_text()
    assert page.locator("#item-billing_contact-missing").is_visible()

    # the rest answered (one not applicable, with its reason), then submitted
    _answer(page, "sold_and_promised", "text", text="200 seats, onboarding workshop")
    _answer(page, "contract_term", "file", text="initech-contract.pdf")
    _answer(page, "success_criteria", "link", text="https://wiki.example.com/initech")
    _answer(page, "open_issues", "not_applicable", reason="nothing open at signature")
    _answer(page, "billing_contact", "text", text="accounts@initech.example")
    _answer(page, "first_review", "text", text="2027-02-01")
    assert page.locator("#handoff-completeness [data-testid=completeness]").inner_text() == "100 %"
    page.get_by_role("button", name="Submit hand-off").click()
    page.wait_for_url(handoff_url)
    assert page.locator("[data-testid=handoff-state]").first.inner_text() == "submitted"

    # the manager finds it waiting and returns it with a reason
    manager = browser.new_context(base_url=live_server)
    manager.set_default_timeout(10_000)
    mpage = manager.new_page()
    login(mpage, "owner@accord.test")
    mpage.goto("/handoffs")
    mpage.locator("#handoffs-table").get_by_role("link", name=f"Hand-off #{handoff_id}").click()
    mpage.wait_for_url(handoff_url)
    mpage.get_by_role("button", name=re.compile("Return to")).click()  # no reason: refused
    mpage.locator("#r-reason-error").wait_for()
    mpage.fill("#r-reason", "Renewal date missing from the contract term")
    mpage.get_by_role("button", name=re.compile("Return to")).click()
    mpage.locator("#return-reason").wait_for()
    assert "Renewal date missing" in mpage.locator("#return-reason").inner_text()

    # sales reads it in the returned list, completes the item, submits again
    page.goto("/handoffs?box=returned")
    page.locator("#handoffs-table").get_by_role("link", name=f"Hand-off #{handoff_id}").click()
    page.wait_for_url(handoff_url)
    assert "Renewal date missing" in page.locator("#return-reason").inner_text()
    _answer(page, "contract_term", "text", text="3 years from 2026-12-01, renews 2029-12-01")
    page.get_by_role("button", name="Submit again").click()
    page.wait_for_url(handoff_url)
    assert page.locator("[data-testid=handoff-state]").first.inner_text() == "submitted"

    # the manager accepts it: the account is active
    mpage.goto(handoff_url)
    mpage.get_by_role("button", name="Accept hand-off").click()
    mpage.locator("#accepted").wait_for()
    assert mpage.locator("#account-status").inner_text() == "active"
    assert mpage.locator("#handoff-quality").inner_text() == "86 %"  # 6 of 7 with evidence
    mpage.goto(f"/accounts/{initech_id}")
    assert "active" in mpage.locator("#profile").inner_text()

    # another company in onboarding cannot be made active by editing its status
    mpage.goto(f"/accounts/{won.umbrella_id}/edit")
    mpage.wait_for_load_state("networkidle")
    mpage.select_option("#a-status", "active")
    mpage.get_by_role("button", name="Save changes").click()
    error = mpage.locator("#a-status-error")
    error.wait_for()
    assert f"hand-off #{won.umbrella_handoff}" in error.inner_text()
    mpage.goto(f"/accounts/{won.umbrella_id}")
    assert "onboarding" in mpage.locator("#profile").inner_text()
    manager.close()
