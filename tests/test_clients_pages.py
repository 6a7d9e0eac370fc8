"""The Clients page, its API and its exports, and ``accord clients list|show`` (issue 16):
they render the same figures as ``clients.reading`` for the accounts the caller sees, the
page explains what to do before the first fit, a bad filter is a 422 naming its field, no
exported cell can start a formula, and a person account's page shows its client panel."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from conftest import api_client
from page_helpers import sign_in
from test_clients_reading import add_fit, add_score, arrange, expected, person

VALIDATION = {
    "by_purchases": [{"purchases": 0, "clients": 30, "actual": 0.21, "predicted": 0.25},
                     {"purchases": "7+", "clients": 2, "actual": 3.5, "predicted": 3.1}],
    "cumulative": [{"week": w, "actual": 2.0 * w, "predicted": 2.1 * w, "holdout": w > 2}
                   for w in range(1, 5)],
    "errors": {"mean_absolute_error": 0.22, "holdout_percent_error": 4.5,
               "cumulative_percent_error": None},
}


def test_before_the_first_fit_the_page_says_what_to_do(client, cast, sessions) -> None:
    sign_in(client, "owner@accord.test")
    page = client.get("/clients")
    assert page.status_code == 200
    assert 'id="no-fit"' in page.text and 'href="/clients/fits"' in page.text
    assert 'id="client-list"' not in page.text
    assert '<a href="/clients"' in page.text  # the nav link


def test_the_page_shows_the_figures_lists_and_charts(client, cast, sessions) -> None:
    world = arrange(sessions, cast)
    with sessions.begin() as s:
        add_fit(s, kind="validation", validation=VALIDATION)
    sign_in(client, "owner@accord.test")
    page = client.get("/clients")
    assert page.status_code == 200
    html = page.text
    for anchor in ('id="tile-clients"', 'id="rfm-grid"', 'id="rfm-counts"',
                   'id="p-alive-chart"', 'id="fit-parameters"', 'id="validation-chart"',
                   'id="validation-by-purchases"', 'id="validation-table"', 'id="tab-at_risk"'):
        assert anchor in html, anchor
    assert '<span id="holdout-from">3</span>' in html
    assert "Error of the holdout total: +4.5 %" in html
    winback = expected(world, "owner", "winback")
    rows = re.findall(r'<tr id="client-(\d+)">', html)
    assert [int(r) for r in rows] == winback[:50]
    assert f'href="/accounts/{winback[0]}"' in html
    hidden = [c.account_id for c in world.clients if c.account_id not in world.seen_by["owner"]]
    assert not any(f'id="client-{h}"' in html for h in hidden)
    link = re.search(r'id="new-campaign" href="([^"]+)"', html)
    assert link and link.group(1).startswith("/clients/campaigns/new?source=winback")
    narrowed = client.get("/clients?list=all&segment=loyal&min_value=10&sort=name").text
    link = re.search(r'id="new-campaign" href="([^"]+)"', narrowed)
    assert link and "source=segment" in link.group(1) and "segment=loyal" in link.group(1)
    assert "min_value=10.00" in link.group(1)
    assert 'id="export-xlsx" href="/clients/export?' in narrowed
    bad = client.get("/clients?min_value=-3&p_alive_max=7")
    assert bad.status_code == 422 and "min_value" in bad.text and "p_alive_max" in bad.text
    assert client.get("/clients?list=best&page=3&per_page=5").status_code == 200


def test_the_api_answers_the_lists_overview_and_one_client(app, cast, sessions) -> None:
    world = arrange(sessions, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    listed = owner.get("/api/v1/clients?list=best&per_page=3")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["list"] == "best" and body["total"] == len(expected(world, "owner", "best"))
    assert [i["account_id"] for i in body["items"]] == expected(world, "owner", "best")[:3]
    bad = owner.get("/api/v1/clients?list=best&p_alive_min=2&sort=nope")
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"p_alive_min", "sort"}
    over = owner.get("/api/v1/clients/overview").json()
    assert over["clients"] == len(world.seen_by["owner"]) and over["fit"]["mbgnbd"]["r"] == 0.525
    assert sum(b["clients"] for b in over["p_alive_histogram"]) == over["clients"]
    assert len(over["rfm_grid"]) == 5 and over["lists"]["all"] == over["clients"]
    mine = world.clients[0].account_id
    one = owner.get(f"/api/v1/accounts/{mine}/client")
    assert one.status_code == 200 and one.json()["scored"] is True
    assert one.json()["p_alive"] == world.clients[0].p
    company = owner.get(f"/api/v1/accounts/{cast.acme_id}/client")
    assert company.status_code == 422 and company.json()["errors"][0]["field"] == "account_id"
    hidden = next(c.account_id for c in world.clients if c.account_id not in world.seen_by[
        "owner"])
    assert owner.get(f"/api/v1/accounts/{hidden}/client").status_code == 404


def test_exports_have_no_formula_cells(client, cast, sessions) -> None:
    with sessions.begin() as s:
        fit = add_fit(s)
        evil = person(s, "=HYPERLINK(\"http://x\",\"y\")", cast.owner.id, external_id="+EVIL")
        add_score(s, evil, fit, p=0.1, previous=None, total=50_000, value=100)
        other = person(s, "Plain Person", cast.owner.id)
        add_score(s, other, fit, p=0.2, previous=None, total=40_000, value=100)
    sign_in(client, "owner@accord.test")
    got = client.get("/clients/export?format=csv&list=winback")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[0][:3] == ["account_id", "external_id", "name"]
    assert rows[1][1:3] == ["'+EVIL", "'=HYPERLINK(\"http://x\",\"y\")"]
    assert rows[1][11] == "500.00" and rows[2][2] == "Plain Person"
    book = client.get("/clients/export?format=xlsx&list=winback")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert sheet.cell(2, 3).value == "'=HYPERLINK(\"http://x\",\"y\")"
    assert sheet.cell(2, 12).value == 500
    assert client.get("/clients/export?format=pdf").status_code == 422


def test_a_person_accounts_page_shows_the_client_panel(client, cast, sessions) -> None:
    world = arrange(sessions, cast)
    sign_in(client, "owner@accord.test")
    mine = world.clients[0]
    page = client.get(f"/accounts/{mine.account_id}").text
    assert 'id="client-panel"' in page and f"{mine.p:.2f}" in page
    assert 'id="client-panel"' not in client.get(f"/accounts/{world.unscored}").text
    assert 'id="client-panel"' not in client.get(f"/accounts/{cast.acme_id}").text


def test_the_command_lists_and_shows(cast, sessions, database_url) -> None:
    world = arrange(sessions, cast)

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli_app, hoist_global_options(
            ["clients", *args, "--database-url", database_url]))

    listed = run("list", "--winback", "--limit", "5", "--format", "json")
    assert listed.exit_code == 0, listed.output
    doc = json.loads(listed.output)
    assert [i["account_id"] for i in doc["items"]] == expected(world, "admin", "winback")[:5]
    segment = run("list", "--rfm-segment", "loyal", "--format", "csv")
    assert segment.exit_code == 0, segment.output
    lines = segment.output.strip().splitlines()
    assert len(lines) - 1 == len(expected(world, "admin", "all", lambda c: c.segment == "loyal"))
    assert run("list", "--best").exit_code == 0
    both = run("list", "--best", "--winback")
    assert both.exit_code == 2 and "one list" in both.output
    shown = run("show", "P-000", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["account_id"] == world.clients[0].account_id
    assert run("show", "P-001").exit_code == 0
    company = run("show", "ACME")
    assert company.exit_code == 2 and "company" in company.output
    assert run("show", "NOPE").exit_code == 1


def test_the_nav_shows_clients_to_all_but_specialists(client, cast, sessions) -> None:
    sign_in(client, "viewer@accord.test")
    assert '<a href="/clients"' in client.get("/accounts").text
    other = TestClient(client.app)
    sign_in(other, "billing@accord.test")
    assert other.get("/clients").status_code == 200


def test_the_validation_view_reads_what_it_can_and_draws_both_series() -> None:
    from accord.clients import charts

    view = charts.validation_view({
        "by_purchases": [{"purchases": 0, "clients": 3, "actual": 1, "predicted": "x"}, "junk",
                         {"purchases": 1, "clients": 2, "actual": 0.5, "predicted": 0.75}],
        "cumulative": [{"week": 1, "actual": 1.0, "predicted": 1.5, "holdout": True}],
        "errors": {"mean_absolute_error": None, "holdout_percent_error": -2.25}})
    assert [r["label"] for r in view.by_purchases] == ["1"]
    assert view.by_purchases[0]["error"] == 0.25 and view.holdout_from == "1"
    assert view.errors == [("error of the holdout total", "-2.2 %")]
    assert charts.validation_view(["not", "a", "document"]).empty
    svg = str(charts.by_purchases_chart(view))
    assert svg.count('data-series="Actual"') == 1 and svg.count('data-series="Predicted"') == 1
    assert charts.SERIES_COLOURS["Predicted"] in svg
