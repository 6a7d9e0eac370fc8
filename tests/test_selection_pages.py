"""The matrix, KAM and decisions pages: visibility, forms, exports."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from kam_helpers import add_revenue, sign_in, steady


def _score_acme(client, token: str, acme: int, attractiveness: str = "8") -> None:
    html = client.get(f"/accounts/{acme}/kam").text
    import re

    data = {"csrf_token": token, "competitor_name": "Rival Ltd"}
    for name in re.findall(r'name="((?:a|us|them)_\d+)"', html):
        data[name] = (
            attractiveness if name.startswith("a_") else ("6" if name.startswith("us") else "5")
        )
    r = client.post(f"/accounts/{acme}/kam/score", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]


def test_an_outsider_gets_a_404_page_for_someone_elses_kam_page(client, cast) -> None:
    sign_in(client, "outsider@accord.test")
    r = client.get(f"/accounts/{cast.acme_id}/kam")
    assert r.status_code == 404 and "Acme" not in r.text


def test_the_matrix_page_draws_the_scored_account_with_cut_lines(client, sessions, cast) -> None:
    with sessions.begin() as s:
        add_revenue(s, cast.acme_id, steady(3_000_000))
    token = sign_in(client, "owner@accord.test")
    _score_acme(client, token, cast.acme_id)
    html = client.get("/matrix").text
    assert (
        f'class="matrix-point" data-account-id="{cast.acme_id}" data-quadrant="Strategic"' in html
    )
    assert html.count('class="cut-line"') == 2 and "Portfolio checks" in html
    html = client.get("/matrix?segment=Energy").text
    assert "matrix-point" not in html


def test_a_viewer_sees_the_kam_page_without_the_forms_and_cannot_post(client, cast) -> None:
    token = sign_in(client, "viewer@accord.test")
    html = client.get(f"/accounts/{cast.acme_id}/kam").text
    assert "Score the account" in html and "save-scoring" not in html
    r = client.post(f"/accounts/{cast.acme_id}/kam/stage", data={"csrf_token": token})
    assert r.status_code == 403


def test_the_decisions_page_sorts_filters_and_exports(client, sessions, cast) -> None:
    with sessions.begin() as s:
        add_revenue(s, cast.acme_id, steady(3_000_000))
    token = sign_in(client, "head@accord.test")
    _score_acme(client, token, cast.acme_id)
    r = client.post("/health/recompute", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    html = client.get("/decisions?sort=-health&tier=Strategic").text
    assert f'data-account-id="{cast.acme_id}"' in html and 'aria-sort="descending"' in html
    assert "Acme Industries" not in client.get("/decisions?tier=Star").text
    csv_text = client.get("/decisions/export.csv").text
    header, row = csv_text.splitlines()[:2]
    assert header.startswith("account_id,name,segment") and "Acme Industries" in row
    book = load_workbook(io.BytesIO(client.get("/decisions/export.xlsx").content))
    rows = list(book.active.values)
    assert rows[0][1] == "name" and rows[1][1] == "Acme Industries" and rows[1][4] == "Strategic"


def test_a_head_edits_the_buying_criteria_and_a_wrong_sum_is_shown(client, cast) -> None:
    token = sign_in(client, "head@accord.test")
    data = {
        "csrf_token": token,
        "name_0": "Price",
        "weight_0": "60",
        "name_1": "Service",
        "weight_1": "30",
    }
    r = client.post("/selection/criteria/buying", data=data)
    assert r.status_code == 422 and "they sum to 90" in r.text and 'value="Service"' in r.text
    data["weight_1"] = "40"
    r = client.post("/selection/criteria/buying", data=data, follow_redirects=False)
    assert r.status_code == 303
    html = client.get("/selection/criteria").text
    assert 'value="Service"' in html and 'value="Quality"' not in html


def test_a_manager_sees_the_criteria_but_cannot_change_them(client, cast) -> None:
    token = sign_in(client, "owner@accord.test")
    assert "disabled" in client.get("/selection/criteria").text
    r = client.post(
        "/selection/criteria/buying",
        data={"csrf_token": token, "name_0": "Price", "weight_0": "100"},
    )
    assert r.status_code == 403
