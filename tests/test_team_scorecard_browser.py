"""In a real browser (issue 17, done when): a manager opens their scorecard from the
scorecards table, picks the period, reads a figure's definition and follows the figure to
the accounts behind it, and back."""

from __future__ import annotations

import pytest

from conftest import login
from test_team_scorecard import PERIOD, world

#: a busy machine (several suites at once) can take longer than the fixture's 10 s
SLOW = 30_000


@pytest.mark.browser
def test_a_manager_opens_their_scorecard_and_follows_a_figure_to_its_accounts(
    db, cast, page
) -> None:
    world(db, cast)
    owner = cast.owner.id
    page.set_default_timeout(SLOW)
    login(page, "owner@accord.test")
    page.goto(f"/team/scorecards?period={PERIOD}")
    rows = page.locator("#scorecards-table tbody tr")
    assert rows.count() == 1 and "Olivia Owner" in rows.first.inner_text()
    page.click(f"#manager-{owner} th a")
    page.wait_for_url(f"**/team/scorecards/{owner}?period={PERIOD}")
    # another month through the picker, then back to December
    page.fill("#p-period", "2025-11")
    page.click("#period-picker button[type=submit]")
    page.wait_for_url(f"**/team/scorecards/{owner}?period=2025-11")
    assert page.locator("h1").inner_text().endswith("2025-11")
    page.fill("#p-period", PERIOD)
    page.click("#period-picker button[type=submit]")
    page.wait_for_url(f"**/team/scorecards/{owner}?period={PERIOD}")
    tile = page.locator("#tile-revenue")
    assert "250.00" in tile.locator("#figure-revenue").inner_text()
    assert "behind" in tile.inner_text()  # against the December target of 400.00
    assert tile.locator("svg.line-chart").count() == 1
    tile.locator("details summary").click()
    assert "Revenue of the manager's accounts" in tile.locator("details").inner_text()
    page.click("#figure-revenue")
    page.wait_for_url(f"**/team/scorecards/{owner}/accounts?figure=revenue&period={PERIOD}")
    listed = page.locator("#figure-accounts").inner_text()
    assert "Acme Industries" in listed and "Bravo" in listed and "150.00" in listed
    assert "Globex" not in listed and "Tango" not in listed
    page.click("#back-to-scorecard")
    page.wait_for_url(f"**/team/scorecards/{owner}?period={PERIOD}")
    page.click("#figure-nrr")
    page.wait_for_url(f"**/team/scorecards/{owner}/accounts?figure=nrr&period={PERIOD}")
    cohort = page.locator("#figure-accounts").inner_text()
    assert "churned" in cohort and "Charlie" in cohort
