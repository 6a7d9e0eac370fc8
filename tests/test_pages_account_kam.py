"""The account page carries the key-account panel: tier, quadrant, stage, decision, health."""

from __future__ import annotations

from page_helpers import sign_in


def test_an_unscored_account_shows_as_not_key_on_its_page(client, cast) -> None:
    sign_in(client, "owner@accord.test")
    html = client.get(f"/accounts/{cast.acme_id}").text
    assert 'id="kam-panel"' in html
    panel = html.split('id="kam-panel"', 1)[1]
    assert "not key" in panel.split('data-testid="kam-tier"', 1)[1][:400]
    assert f'href="/accounts/{cast.acme_id}/kam"' in panel


def test_an_outsider_gets_no_panel_and_no_page(client, cast) -> None:
    sign_in(client, "outsider@accord.test")
    response = client.get(f"/accounts/{cast.acme_id}")
    assert response.status_code == 404
    assert "kam-panel" not in response.text and "Acme" not in response.text
