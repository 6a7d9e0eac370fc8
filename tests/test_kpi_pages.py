"""The KPI dashboard in a real browser: switch the as-of month, drill into churned accounts."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from accord.kpis import service
from conftest import login

B = 2024 * 12


@pytest.mark.browser
def test_the_dashboard_switches_months_and_drills_into_churned_accounts(sessions, cast, page):
    service.clear_cache()
    with sessions.begin() as db:
        rows = [(cast.acme_id, B + m, 10_000) for m in range(26)]
        rows += [(cast.globex_id, B + m, 20_000) for m in range(12)]
        running: dict[int, int] = {}
        for a, m, amount in rows:
            running[a] = running.get(a, 0) + amount
            db.execute(text("INSERT INTO monthly_revenue VALUES (:a, :m, :amt, :cum, 1)"),
                       {"a": a, "m": m, "amt": amount, "cum": running[a]})
        service.rebuild(db)
    login(page, "admin@accord.test")
    page.goto("/dashboard")
    assert page.locator("#as-of").input_value() == "2026-02"
    page.select_option("#as-of", "2025-12")
    page.wait_for_url("**/dashboard?as_of=2025-12")
    assert "window 12 months" in page.locator(".policy").inner_text()
    assert page.locator("#by-manager").inner_text().count("@accord.test") == 2
    page.click("#drill-churned")
    page.wait_for_url("**/dashboard/accounts?movement=churned*")
    table = page.locator("#movement-accounts").inner_text()
    assert "Globex Corporation" in table and "Acme" not in table
    assert "2,400.00" in table
    csv = page.request.get("/dashboard/export/managers.csv?as_of=2025-12")
    assert csv.ok and csv.text().startswith("manager,accounts_at_start,")
    assert "outsider@accord.test,1,2400.00,1,2400.00" in csv.text()

