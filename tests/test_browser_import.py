"""The import page in a real browser: a bad row is reported, skip-invalid imports the rest."""

from __future__ import annotations

import pytest

from accord.exchange.kinds import exported
from conftest import login
from import_helpers import FIXTURES

pytestmark = pytest.mark.browser


def test_an_admin_sees_the_row_level_report_then_imports_the_good_rows(page, cast):
    login(page, "admin@accord.test")
    page.goto("/import")
    page.select_option("select[name=kind]", "revenue")
    page.select_option("select[name=source]", "accord")
    page.set_input_files("input[name=file]", str(FIXTURES / "revenue_bad_row.csv"))
    page.click("#import-form button[type=submit]")
    report = page.locator("table.import-report")
    report.wait_for()
    rows = report.locator("tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t")[:2] == ["3", "date"]
    assert "malformed date" in rows.first.inner_text()
    assert "rejected" in page.locator(".import-result").inner_text()

    page.set_input_files("input[name=file]", str(FIXTURES / "revenue_bad_row.csv"))
    page.check("input[name=skip_invalid]")
    page.click("#import-form button[type=submit]")
    page.locator(".import-result .badge", has_text="imported").wait_for()
    assert page.locator("[data-count=inserted]").inner_text() == "2"
    assert page.locator("[data-count=skipped]").inner_text() == "1"
    assert page.locator("table.import-report tbody tr").count() == 1

    page.goto(f"/api/v1/accounts/{cast.acme_id}/revenue/monthly")
    assert "1200.00" in page.content()


def test_the_import_page_offers_exports(page, cast):
    login(page, "viewer@accord.test")
    page.goto("/import")
    assert page.locator("input[name=file]").count() == 0
    links = page.locator("a[href^='/api/v1/exports/']")
    assert links.count() == 2 * len(exported())  # CSV and Excel of each kind
    assert len(exported()) >= 6  # accounts, contacts, revenue; the licences' three
