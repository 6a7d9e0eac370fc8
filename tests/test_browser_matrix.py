"""In a real browser: score an account, see it move on the matrix, see the decision change."""

from __future__ import annotations

import pytest

from conftest import login
from kam_helpers import add_revenue, steady

pytestmark = pytest.mark.browser


def _score(page, acme: int, attractiveness: str, us: str, them: str) -> None:
    page.goto(f"/accounts/{acme}/kam")
    for box in page.locator("input[name^='a_']").all():
        box.fill(attractiveness)
    for box in page.locator("input[name^='us_']").all():
        box.fill(us)
    for box in page.locator("input[name^='them_']").all():
        box.fill(them)
    page.fill("#competitor", "Rival Ltd")
    with page.expect_navigation():
        page.click("#save-scoring")
    assert page.url.endswith(f"/accounts/{acme}/kam"), page.url


def test_scoring_moves_the_account_on_the_matrix_and_changes_the_decision(
    page, sessions, cast
) -> None:
    with sessions.begin() as s:
        add_revenue(s, cast.acme_id, steady(2_000_000))
    acme = cast.acme_id
    login(page, "head@accord.test")

    _score(page, acme, "3", "4", "5")
    assert "Streamline" in page.locator("[data-testid=kam-quadrant]").inner_text()
    with page.expect_navigation():
        page.click("#record-stage")
    assert "Tactical" in page.locator("[data-testid=kam-stage]").inner_text()
    assert "maintain" in page.locator("[data-testid=kam-decision]").inner_text()

    page.goto("/matrix")
    point = page.locator(f"a.matrix-point[data-account-id='{acme}']")
    assert point.get_attribute("data-quadrant") == "Streamline"
    assert page.locator(f"line.movement[data-account-id='{acme}']").count() == 0
    page.goto("/decisions")
    row = page.locator(f"tr[data-account-id='{acme}']")
    assert row.locator(".tier").inner_text() == "Streamline"
    assert row.locator(".decision").inner_text() == "maintain"

    _score(page, acme, "8", "6", "5")
    assert "Strategic" in page.locator("[data-testid=kam-quadrant]").inner_text()
    assert "invest" in page.locator("[data-testid=kam-decision]").inner_text()

    page.goto("/matrix")
    assert (
        page.locator(f"a.matrix-point[data-account-id='{acme}']").get_attribute("data-quadrant")
        == "Strategic"
    )
    assert page.locator(f"line.movement[data-account-id='{acme}']").count() == 1
    page.locator(f"a.matrix-point[data-account-id='{acme}']").click()
    page.wait_for_url(f"**/accounts/{acme}/kam")

    page.goto("/decisions")
    row = page.locator(f"tr[data-account-id='{acme}']")
    assert row.locator(".tier").inner_text() == "Strategic"
    assert row.locator(".decision").inner_text() == "invest"


def test_a_bad_score_is_shown_back_with_the_values_kept(page, cast) -> None:
    login(page, "owner@accord.test")
    page.goto(f"/accounts/{cast.acme_id}/kam")
    page.locator("input[name^='a_']").first.fill("12")
    with page.expect_navigation():
        page.click("#save-scoring")
    assert page.locator(".form-errors").is_visible()
    assert page.locator("input[name^='a_']").first.input_value() == "12"
