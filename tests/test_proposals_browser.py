"""In a real browser: a manager builds a proposal from Acme's opportunity, prices its offer
(a discount above the price is refused by the field), sends it, downloads the PDF (its text
holds the offer and the total), accepts it — and the opportunity is won."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf

from conftest import login

SLOW = 30_000


def test_a_manager_builds_sends_downloads_and_accepts(browser, page, live_server, cast,
                                                      sessions) -> None:
    from accord.core.database import utcnow
    from accord.growth.opportunities.models import Opportunity

    with sessions.begin() as s:
        opp = Opportunity(account_id=cast.acme_id, title="Pumps for the second plant",
                          kind="cross_sell", stage="proposed", value=Decimal("3000"),
                          probability=50, next_step="", created_at=utcnow(),
                          updated_at=utcnow())
        s.add(opp)
        s.flush()
        opp_id = opp.id
    page.set_default_timeout(SLOW)
    login(page, "owner@accord.test")
    page.goto(f"/accounts/{cast.acme_id}/proposals")
    page.fill("#np-title", "Second plant")
    page.check(f"input[name=opportunity_ids][value='{opp_id}']")
    page.get_by_role("button", name="Create the proposal").click()
    page.wait_for_selector("#edit-proposal")
    page.fill("#offer-0-description", "Pumps PX-200")
    page.fill("#offer-0-quantity", "3")
    page.fill("#offer-0-unit_price", "1250")
    page.fill("#offer-0-discount", "1300")
    page.fill("#offer-0-tax_rate", "20")
    page.click("#save-proposal")
    assert "not above the price" in page.locator("#offer-0-discount-error").inner_text()
    page.fill("#offer-0-discount", "50")
    page.click("#save-proposal")
    page.wait_for_selector("#proposal-send")
    assert page.locator("#total").inner_text() == "4,320.00"
    page.click("#proposal-send")
    page.wait_for_selector("#proposal-accept")
    with page.expect_download() as download:
        page.evaluate("() => { const a = document.getElementById('download-pdf');"
                      " a.setAttribute('download', ''); a.click(); }")
    data = download.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Pumps PX-200" in text and "4,320.00" in text
    page.click("#proposal-accept")
    page.wait_for_selector("#proposal-status")
    assert page.locator("#proposal-status").inner_text() == "accepted"
    assert "won" in page.locator("#proposal-opportunities").inner_text()
    with sessions() as s:
        row = s.get(Opportunity, opp_id)
        assert row is not None and row.stage == "won"
