"""In a real browser: a manager adds an opportunity on Acme from the form the whitespace grid
links to (product line and kind prefilled), is refused a probability of 140 %, moves it to
``proposed`` and finds it, weighted, on the Pipeline page."""

from __future__ import annotations

from conftest import login

SLOW = 30_000


def test_a_manager_adds_moves_and_finds_an_opportunity(browser, page, live_server, cast,
                                                       sessions):
    from accord.growth.models import ProductLine

    with sessions.begin() as s:
        line = ProductLine(name="Field Robotics", description="", position=1)
        s.add(line)
        s.flush()
        line_id = line.id
    page.set_default_timeout(SLOW)
    login(page, "owner@accord.test")
    page.goto(f"/accounts/{cast.acme_id}/opportunities/new?product_line_id={line_id}"
              "&kind=cross_sell")
    assert page.locator("#op-kind").input_value() == "cross_sell"
    assert page.locator("#op-product_line_ids option:checked").inner_text() == "Field Robotics"
    page.fill("#op-title", "Robots for the second plant")
    page.fill("#op-value", "80000")
    page.fill("#op-probability", "140")
    page.fill("#op-expected_close_on", "2027-03-15")
    page.get_by_role("button", name="Add opportunity").click()
    assert "less than or equal to 100" in page.locator("#op-probability-error").inner_text()
    page.fill("#op-probability", "")
    page.get_by_role("button", name="Add opportunity").click()
    page.wait_for_selector("#opportunity-figures")
    assert "8,000.00 weighted" in page.locator("#opportunity-figures").inner_text()
    page.select_option("#mv-stage", "proposed")
    page.get_by_role("button", name="Move").click()
    page.wait_for_selector("#opportunity-figures")
    assert "40,000.00 weighted" in page.locator("#opportunity-figures").inner_text()
    page.goto("/pipeline?by=account")
    assert "Acme Industries" in page.locator("#pipeline-groups").inner_text()
    assert "40,000.00" in page.locator("#pipeline-totals").inner_text()
    assert "2027-03" in page.locator("#pipeline-forecast").inner_text()
