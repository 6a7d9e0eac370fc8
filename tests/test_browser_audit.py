"""In a real browser: two people save one account (the second sees what changed), then a
head reads the change in the audit log, filters it and exports it (L1, A2)."""

from __future__ import annotations

from pathlib import Path

from conftest import login


def test_a_stale_save_then_the_audit_log(page, browser, live_server, cast):
    edit = f"/accounts/{cast.acme_id}/edit"
    login(page, "owner@accord.test")
    page.goto(edit)

    other = browser.new_context(base_url=live_server)
    try:
        tom = other.new_page()
        login(tom, "teammate@accord.test")
        tom.goto(edit)
        tom.fill("#a-notes", "Renewal call on Monday")
        tom.click("text=Save changes")
        tom.wait_for_url(f"**/accounts/{cast.acme_id}")
    finally:
        other.close()

    page.fill("#a-notes", "Prefers e-mail")
    page.click("text=Save changes")
    conflict = page.locator("#conflict")
    conflict.wait_for()
    assert "Someone else changed this meanwhile" in conflict.inner_text()
    assert "Renewal call on Monday" in conflict.inner_text()
    assert page.input_value("#a-notes") == "Prefers e-mail"  # her input is kept
    page.click("text=Save changes")  # saving again is a deliberate overwrite
    page.wait_for_url(f"**/accounts/{cast.acme_id}")

    head = browser.new_context(base_url=live_server)
    try:
        hannah = head.new_page()
        login(hannah, "head@accord.test")
        hannah.click("nav >> text=Audit log")
        hannah.wait_for_url("**/audit")
        hannah.fill("#f-account_id", str(cast.acme_id))
        hannah.fill("#f-action", "update")
        hannah.click("#audit-filter button[type=submit]")
        hannah.wait_for_url("**/audit?**")
        rows = hannah.locator("#audit-table > tbody > tr")
        assert rows.count() == 2
        newest = rows.nth(0).inner_text()
        assert "owner@accord.test" in newest and "Prefers e-mail" in newest
        assert "Renewal call on Monday" in newest  # before → after
        with hannah.expect_download() as download:
            hannah.click("text=Export CSV")
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert "Prefers e-mail" in text and text.startswith("id,at,actor")
    finally:
        head.close()
