"""The scorecards' front doors on both databases: the API (the table, one scorecard, the
accounts behind a figure, problems), the export (CSV and Excel, never a formula), the pages
(tiles with definitions and trend lines, links to the accounts, inline errors), ``accord team
scorecard`` and the scorecards' section of the monthly report."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.models import User
from conftest import api_client
from page_helpers import sign_in
from test_team_scorecard import PERIOD, world

runner = CliRunner()
API = "/api/v1/team/scorecards"


def _named(db, who, name: str) -> None:
    db.get(User, who.id).name = name
    db.commit()


def test_the_api_serves_the_table_a_scorecard_and_the_accounts_behind(
    app, sessions, cast, db
) -> None:
    world(db, cast)
    owner, teammate = cast.owner.id, cast.teammate.id
    mine = api_client(app, cast.token(sessions, "owner"))
    table = mine.get(f"{API}?period={PERIOD}&sort=-revenue")
    assert table.status_code == 200, table.text
    body = table.json()
    assert [r["label"] for r in body["rows"]] == ["Olivia Owner"]
    assert body["rows"][0]["cells"]["revenue"]["value"] == "250.00"
    assert {f["key"]: f["registry"] for f in body["figures"]}["nrr"] == "nrr"
    card = mine.get(f"{API}/{owner}?period={PERIOD}").json()
    figures = {f["key"]: f for f in card["figures"]}
    assert figures["revenue"]["status"] == "behind" and len(figures["nrr"]["trend"]) == 5
    behind = mine.get(figures["revenue"]["accounts"])
    assert behind.status_code == 200, behind.text
    assert {a["name"] for a in behind.json()["items"]} == {"Acme Industries", "Bravo"}
    # another manager's scorecard answers like a missing one
    for path in (f"{API}/{teammate}", f"{API}/987654", f"{API}/{teammate}/accounts?figure=nrr"):
        refused = mine.get(path)
        assert refused.status_code == 404 and refused.json()["title"] == "Not found", path
    head = api_client(app, cast.token(sessions, "head"))
    assert head.get(f"{API}/{teammate}?period={PERIOD}").status_code == 200
    for path, field in ((f"{API}?period=2025-13", "period"), (f"{API}?sort=colour", "sort"),
                        (f"{API}/{owner}/accounts?figure=profit", "figure"),
                        (f"{API}/{owner}/accounts?figure=nrr&page_size=0", "page_size"),
                        (f"{API}/{owner}?period=1999", "period")):
        bad = head.get(path)
        assert bad.status_code == 422, (path, bad.text)
        assert field in json.dumps(bad.json()["errors"]), (path, bad.text)


def test_the_export_writes_numbers_and_never_a_formula(app, sessions, cast, db) -> None:
    world(db, cast)
    _named(db, cast.owner, "=HYPERLINK(\"http://x.test\")")
    admin = api_client(app, cast.token(sessions, "admin"))
    got = admin.get(f"{API}/export?format=csv&period={PERIOD}&sort=manager")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[0][:5] == ["row", "name", "email", "team", "period"] and "nrr" in rows[0]
    owner = next(r for r in rows if r[2] == "owner@accord.test")
    assert owner[1] == "'=HYPERLINK(\"http://x.test\")"
    assert owner[rows[0].index("revenue")] == "250.00"
    assert {r[0] for r in rows[1:]} == {"manager", "team", "portfolio"}
    book = admin.get(f"{API}/export?format=xlsx&period={PERIOD}")
    assert book.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.value for c in cells if c.data_type == "f"]
    assert "'=HYPERLINK(\"http://x.test\")" in [c.value for c in cells]
    header = [c.value for c in next(sheet.iter_rows())]
    line = next(r for r in sheet.iter_rows(values_only=True) if r[2] == "owner@accord.test")
    assert line[header.index("revenue")] == 250
    assert admin.get(f"{API}/export?format=pdf").status_code == 422


def test_the_pages_show_tiles_with_definitions_and_link_to_the_accounts(
    app, sessions, cast, db
) -> None:
    world(db, cast)
    owner = cast.owner.id
    head = TestClient(app)
    sign_in(head, "head@accord.test")
    table = head.get(f"/team/scorecards?period={PERIOD}&sort=-nrr")
    assert table.status_code == 200
    html = table.text
    assert 'id="scorecards-table"' in html and f'id="manager-{owner}"' in html
    assert 'id="team-' in html and 'id="portfolio"' in html
    assert "/api/v1/team/scorecards/export?" in html and "format=xlsx" in html
    assert 'aria-sort="descending"' in html
    page = head.get(f"/team/scorecards/{owner}?period={PERIOD}")
    assert page.status_code == 200
    card = page.text
    assert card.count('class="tile"') == 12
    assert 'id="figure-revenue"' in card and 'class="chart-svg line-chart"' in card
    assert f"/team/scorecards/{owner}/accounts?figure=revenue&amp;period=2025-12" in card
    assert "Current revenue of the base cohort against its starting revenue." in card
    assert "today&#39;s figure" in card or "today's figure" in card
    accounts = head.get(f"/team/scorecards/{owner}/accounts?figure=revenue&period={PERIOD}")
    assert accounts.status_code == 200 and 'id="figure-accounts"' in accounts.text
    assert "Bravo" in accounts.text and "250.00" in accounts.text
    bad = head.get(f"/team/scorecards/{owner}?period=2025-13")
    assert bad.status_code == 422 and 'id="p-period-error"' in bad.text
    assert 'class="tile"' in bad.text  # the last complete month shown instead
    assert head.get(f"/team/scorecards/{cast.outsider.id}").status_code == 404
    mine = TestClient(app)
    sign_in(mine, "owner@accord.test")
    assert mine.get(f"/team/scorecards/{cast.teammate.id}").status_code == 404
    own = mine.get("/team/scorecards").text
    assert "Olivia Owner" in own and "Tom Teammate" not in own


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_cli_shows_a_scorecard(sessions, cast, database_url, db) -> None:
    world(db, cast)
    done = _cli(database_url, "team", "scorecard", "--manager", "owner@accord.test",
                "--period", PERIOD, "--today", "2026-01-15", "--format", "json")
    assert done.exit_code == 0, done.output
    card = json.loads(done.output)
    assert card["manager"]["email"] == "owner@accord.test" and card["period"] == PERIOD
    assert {f["key"]: f["value"] for f in card["figures"]}["revenue"] == "250.00"
    shown = _cli(database_url, "team", "scorecard", "--manager", "owner@accord.test",
                 "--period", "2025-Q4", "--today", "2026-01-15")
    assert shown.exit_code == 0 and "Olivia Owner" in shown.output and "2025-Q4" in shown.output
    bad = _cli(database_url, "team", "scorecard", "--manager", "owner@accord.test",
               "--period", "2025-13")
    assert bad.exit_code == 2 and "period" in bad.output
    unknown = _cli(database_url, "team", "scorecard", "--manager", "nobody@accord.test")
    assert unknown.exit_code == 1 and "no manager" in unknown.output
    as_owner = _cli(database_url, "--as", "owner@accord.test", "team", "scorecard",
                    "--manager", "teammate@accord.test")
    assert as_owner.exit_code == 1 and "no manager" in as_owner.output


def test_the_monthly_report_has_the_scorecards_section(app, cast, db) -> None:
    world(db, cast)
    head = TestClient(app)
    sign_in(head, "head@accord.test")
    report = head.get(f"/dashboard/report?as_of={PERIOD}").text
    assert 'id="scorecards-section"' in report
    section = report[report.index('id="scorecards-section"'):]
    section = section[:section.index("</section>")]
    assert "Olivia Owner" in section and "Tom Teammate" in section
    assert "Oscar Outsider" not in section and "250.00" in section
    chosen = head.get(f"/dashboard/report?as_of={PERIOD}&manager=owner@accord.test").text
    part = chosen[chosen.index('id="scorecards-section"'):]
    assert "Olivia Owner" in part[:part.index("</section>")]
    assert "Tom Teammate" not in part[:part.index("</section>")]
