"""The whole first-day journey in a real browser, in one go (issue 2's "done when").

A manager logs in, searches their accounts, opens one, edits it, logs an interaction, then
imports a revenue file with one bad row and reads the row-level report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import login

pytestmark = pytest.mark.browser


def test_a_manager_works_an_account_and_imports_revenue_with_a_bad_row(
    page, cast, tmp_path: Path
):
    login(page, "owner@accord.test")
    page.goto("/accounts")  # a manager lands on My day

    page.fill("#q", "acme")
    page.wait_for_url("**/accounts?q=acme")
    assert page.locator("#accounts-table tbody tr").count() == 1  # Globex is not theirs
    page.get_by_role("link", name="Acme Industries").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}")

    page.get_by_role("link", name="Edit account").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}/edit")
    page.wait_for_load_state("networkidle")
    page.fill("#a-segment", "Aerospace")
    assert page.input_value("#a-segment") == "Aerospace"
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}")
    assert "Aerospace" in page.locator("main").inner_text()

    page.locator("#log-interaction summary").click()
    page.select_option("#i-kind", "call")
    page.fill("#i-summary", "Quarterly check-in call")
    page.locator("#log-interaction").get_by_role("button", name="Log interaction").click()
    page.wait_for_url(f"**/accounts/{cast.acme_id}#timeline")
    assert "Quarterly check-in call" in page.locator("#timeline-list").inner_text()

    csv = tmp_path / "acme-revenue.csv"
    csv.write_text(
        "account_external_id,date,amount,product_line\n"
        "ACME,2026-01-15,1500.00,Widgets\n"
        "ACME,2026-02-15,12.345,Widgets\n"
        "ACME,2026-03-15,800.00,Service\n"
    )
    page.goto("/import")
    page.select_option("select[name=kind]", "revenue")
    page.set_input_files("input[name=file]", str(csv))
    page.click("#import-form button[type=submit]")
    report = page.locator("table.import-report")
    report.wait_for()
    assert report.locator("tbody tr").count() == 1
    cells = report.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "amount"
    assert "rejected" in page.locator(".import-result").inner_text()

    page.goto(f"/accounts/{cast.acme_id}")  # the rejected file wrote nothing
    assert "1,500.00" not in page.locator("main").inner_text()
