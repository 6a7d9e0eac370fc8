"""In a real browser: Acme's manager opens the Growth tab from the account page, marks a
whitespace cell not relevant with a reason (then sees it so), clears it again, and records a
need no product line answers (a product gap)."""

from __future__ import annotations

from conftest import login

SLOW = 30_000


def test_a_manager_marks_a_cell_not_relevant_and_records_a_gap(page, cast, sessions) -> None:
    from accord.growth.models import ProductLine

    with sessions.begin() as s:
        s.add_all([ProductLine(name="Widgets", position=1), ProductLine(name="Gadgets",
                                                                         position=2)])
        s.flush()
        gadgets = s.query(ProductLine).filter_by(name="Gadgets").one().id
    page.set_default_timeout(SLOW)
    login(page, "owner@accord.test")
    page.goto(f"/accounts/{cast.acme_id}")
    page.get_by_role("link", name="Growth").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}/growth")
    cell = page.locator(f"#cell-{cast.acme_id}-{gadgets}")
    assert cell.get_attribute("data-state") == "whitespace"
    cell.locator("summary").click()
    assert cell.get_by_role("link", name="Create an opportunity").count() == 1
    cell.locator("input[name=reason]").fill("They make gadgets in house")
    cell.get_by_role("button", name="Mark not relevant").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}/growth")
    cell = page.locator(f"#cell-{cast.acme_id}-{gadgets}")
    assert cell.get_attribute("data-state") == "not_relevant"
    cell.locator("summary").click()
    assert "They make gadgets in house" in cell.inner_text()
    cell.get_by_role("button", name="Clear").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}/growth")
    assert page.locator(f"#cell-{cast.acme_id}-{gadgets}").get_attribute(
        "data-state") == "whitespace"
    page.fill("#need-text", "Drones to inspect remote sites")
    page.select_option("#need-category", "technology")
    page.get_by_role("button", name="Add need").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}/growth#needs")
    assert "product gap" in page.locator("#needs").inner_text()
