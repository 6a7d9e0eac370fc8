"""The KPI dashboard in a real browser: switch the as-of month, drill into churned accounts,
sort a table by clicking (and with the keyboard), open the report."""

from __future__ import annotations

import pytest

from conftest import login
from test_kpi_pages import arrange_portfolio


def _column(page, table: str, index: int) -> list[str]:
    return page.locator(f"#{table} tbody tr td:nth-child({index})").all_inner_texts()


@pytest.mark.browser
def test_the_dashboard_switches_months_drills_down_and_sorts(sessions, cast, page):
    arrange_portfolio(sessions, cast)
    login(page, "admin@accord.test")
    page.goto("/dashboard")
    assert page.locator("#as-of").input_value() == "2025-12"
    assert "41.7 %" in page.locator('[data-kpi="nrr"]').inner_text()

    page.select_option("#as-of", "2025-06")
    page.wait_for_url("**/dashboard?as_of=2025-06")
    assert "As of 2025-06" in page.locator("#policy").inner_text()
    assert "window 12 months" in page.locator("#policy").inner_text()
    page.select_option("#as-of", "2025-12")
    page.wait_for_url("**/dashboard?as_of=2025-12")

    # sort the segment table by NRR (Energy 0.0 %, Manufacturing 62.5 %, Retail —)
    header = page.locator("#by-segment thead th", has_text="NRR")
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert _column(page, "by-segment", 1) == ["Energy", "Manufacturing", "Retail"]
    header.locator("button").focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    assert _column(page, "by-segment", 1) == ["Manufacturing", "Energy", "Retail"]  # — last
    starting = page.locator("#by-segment thead th", has_text="Starting")
    starting.locator("button").click()
    assert header.get_attribute("aria-sort") is None
    assert _column(page, "by-segment", 1)[:2] == ["Retail", "Energy"]  # 0.00, 2,400.00

    page.click("#drill-churned")
    page.wait_for_url("**/dashboard/accounts?movement=churned*")
    table = page.locator("#movement-accounts").inner_text()
    assert "Globex Corporation" in table and "Acme" not in table
    assert "2,400.00" in table
    page.click("text=Reactivated")
    page.wait_for_url("**/dashboard/accounts?movement=reactivated*")
    assert "Hooli" in page.locator("#movement-accounts").inner_text()

    page.goto("/dashboard?as_of=2025-12")
    page.click("#report-link")
    page.wait_for_url("**/dashboard/report?as_of=2025-12")
    assert "Whole portfolio" in page.locator("#report-subject").inner_text()
    # WeasyPrint on a busy two-core machine (both suites running) can pass the 10 s default
    pdf = page.request.get("/dashboard/report.pdf?as_of=2025-12", timeout=60_000)
    assert pdf.ok and pdf.body().startswith(b"%PDF")


@pytest.mark.browser
def test_a_manager_sees_a_dashboard_of_their_own_accounts(sessions, cast, page):
    arrange_portfolio(sessions, cast)
    login(page, "outsider@accord.test")
    page.goto("/dashboard?as_of=2025-12")
    assert "0.0 %" in page.locator('[data-kpi="nrr"]').inner_text()
    managers = page.locator("#by-manager").inner_text()
    assert "outsider@accord.test" in managers and "owner@accord.test" not in managers
