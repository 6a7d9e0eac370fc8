"""The scorecard's front doors on both databases: the API (on-time per department and per
account, a department's scorecard, effort; bad periods and a department out of reach), the
pages (the overview and its CSV, a department's scorecard with its chart, tables and late
briefs, the period picker's errors), the dashboard and the monthly report's section,
``accord departments scorecard``, and the KPI registry."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.agency.models import Brief, DepartmentMember
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.database import utcnow
from accord.core.models import User
from accord.kpis.registry import BY_SLUG
from conftest import api_client
from page_helpers import sign_in
from test_agency_scorecard_sql import add_brief, add_department
from test_kpi_pages import arrange_portfolio

runner = CliRunner()
NOV = "period=2026-11"


def _arrange(sessions, cast) -> dict[str, int]:
    with sessions.begin() as db:
        creative = add_department(db, "Creative")
        media = add_department(db, "Media")
        add_brief(db, cast.acme_id, creative.id, delivered=date(2026, 11, 3),
                  due=date(2026, 11, 5), turnaround=4, estimated="10", actual="12.5")
        late = add_brief(db, cast.acme_id, creative.id, delivered=date(2026, 11, 10),
                         due=date(2026, 11, 6), original=date(2026, 11, 12), turnaround=8,
                         rounds=2, title="=Late one")
        add_brief(db, cast.globex_id, creative.id, delivered=date(2026, 11, 20),
                  due=date(2026, 11, 30), turnaround=6, title="Globex secret")
        add_brief(db, cast.globex_id, media.id, delivered=date(2026, 11, 2),
                  due=date(2026, 11, 1), turnaround=2)
        specialist = User(email="specialist@accord.test", role="specialist",
                          name="Sam Specialist", password_hash=db.get(User, cast.owner.id)
                          .password_hash, capacity=0, is_active=True, created_at=utcnow())
        db.add(specialist)
        db.flush()
        db.add(DepartmentMember(department_id=media.id, user_id=specialist.id))
        return {"creative": creative.id, "media": media.id, "late": late.id}


def _briefs(db) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(Brief)) or 0)


def test_the_api_gives_on_time_scorecard_and_effort(app, sessions, cast, db) -> None:
    ids = _arrange(sessions, cast)
    admin = api_client(app, cast.token(sessions, "admin"))
    by_dep = admin.get(f"/api/v1/agency/on-time?by=department&{NOV}")
    assert by_dep.status_code == 200, by_dep.text
    body = by_dep.json()
    assert body["period"] == {"start": "2026-11-01", "end": "2026-11-30", "label": "2026-11"}
    rows = {r["name"]: r for r in body["items"]}
    assert (rows["Creative"]["delivered"], rows["Creative"]["on_time"]) == (3, 2)
    assert rows["Creative"]["rate"] == "0.6667" and rows["Creative"]["rate_original"] == "1.0000"
    assert rows["Creative"]["median_turnaround"] == "6.0"
    assert (body["overall"]["delivered"], body["overall"]["on_time"]) == (4, 2)
    explicit = admin.get("/api/v1/agency/on-time?from=2026-11-01&to=2026-11-30&by=account")
    assert {r["name"] for r in explicit.json()["items"]} == {"Acme Industries",
                                                             "Globex Corporation"}
    card = admin.get(f"/api/v1/departments/{ids['creative']}/scorecard?{NOV}")
    assert card.status_code == 200, card.text
    c = card.json()
    assert c["late_total"] == 1 and c["late"][0]["url"] == f"/briefs/{ids['late']}"
    assert len(c["trend"]) == 12 and c["figures"]["rounds_per_brief"] == "0.67"
    effort = admin.get(f"/api/v1/agency/effort?{NOV}&account_id={cast.acme_id}").json()
    assert effort["overall"]["estimated_hours"] == "10.00"
    assert effort["overall"]["difference"] == "2.50"
    # the owner sees Acme's briefs only: Globex's are not counted, nor named
    owner = api_client(app, cast.token(sessions, "owner"))
    theirs = owner.get(f"/api/v1/agency/on-time?by=account&{NOV}").json()
    assert [r["name"] for r in theirs["items"]] == ["Acme Industries"]
    assert "Globex" not in owner.get(
        f"/api/v1/departments/{ids['creative']}/scorecard?{NOV}").text


def test_the_api_refuses_bad_periods_and_hidden_departments(app, sessions, cast, db) -> None:
    ids = _arrange(sessions, cast)
    before = _briefs(db)
    admin = api_client(app, cast.token(sessions, "admin"))
    for query, field in (("period=2026-13", "period"), ("period=2026&from=2026-01-01", "period"),
                         ("from=2026-02-01&to=2026-01-01", "to"), ("from=2026-01-01", "to"),
                         ("from=1800-01-01&to=2026-01-01", "from"),
                         ("from=2000-01-01&to=2026-01-01", "to")):
        answer = admin.get(f"/api/v1/agency/on-time?{query}")
        assert answer.status_code == 422, query
        assert answer.json()["errors"][0]["field"] == field, (query, answer.json())
    assert admin.get("/api/v1/agency/on-time?by=team").status_code == 422
    assert admin.get(f"/api/v1/agency/on-time?{NOV}&sort=colour").status_code == 422
    missing = admin.get(f"/api/v1/departments/999999/scorecard?{NOV}")
    assert missing.status_code == 404 and missing.json()["detail"] == "no department 999999"
    # a specialist of Media: Creative answers like a missing department
    client = TestClient(app)
    sign_in(client, "specialist@accord.test")
    hidden = client.get(f"/departments/{ids['creative']}/scorecard?{NOV}")
    assert hidden.status_code == 404
    own = client.get(f"/departments/{ids['media']}/scorecard?{NOV}")
    assert own.status_code == 200 and "Globex Corporation" in own.text  # the name only
    assert ">Creative<" not in client.get(f"/briefs/scorecard?{NOV}").text
    assert _briefs(db) == before


def test_the_pages_show_the_scorecards_and_export_csv(app, sessions, cast) -> None:
    ids = _arrange(sessions, cast)
    client = TestClient(app)
    sign_in(client, "admin@accord.test")
    page = client.get(f"/briefs/scorecard?{NOV}")
    assert page.status_code == 200, page.text
    assert f'href="/departments/{ids["creative"]}/scorecard?period=2026-11"' in page.text
    assert "66.7 %" in page.text and 'id="export-csv"' in page.text
    assert "inactive" not in page.text
    sorted_page = client.get(f"/briefs/scorecard?{NOV}&sort=-rate").text
    assert sorted_page.index(f'id="department-{ids["creative"]}"') < sorted_page.index(
        f'id="department-{ids["media"]}"')
    exported = client.get(f"/briefs/scorecard/export.csv?{NOV}")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:5] == ["department_id", "department", "delivered", "on_time", "rate"]
    assert rows[-1][1] == "All" and rows[-1][2] == "4"
    card = client.get(f"/departments/{ids['creative']}/scorecard?{NOV}")
    assert card.status_code == 200, card.text
    text = card.text
    assert "<svg" in text and 'id="late-table"' in text
    assert f'href="/briefs/{ids["late"]}"' in text and "=Late one" in text
    assert BY_SLUG["brief_on_time_rate"].description in text
    assert 'id="effort-table"' in text and "12.50" in text
    bad = client.get(f"/departments/{ids['creative']}/scorecard?period=2026-13")
    assert bad.status_code == 422 and 'id="p-period-error"' in bad.text
    reversed_ = client.get("/briefs/scorecard?from=2026-12-01&to=2026-11-01")
    assert reversed_.status_code == 422 and 'id="p-to-error"' in reversed_.text
    empty = client.get(f"/departments/{ids['media']}/scorecard?period=2020")
    assert 'id="no-deliveries"' in empty.text and 'id="no-late"' in empty.text


def test_the_export_neutralises_formulas(app, sessions, cast) -> None:
    with sessions.begin() as db:
        dep = add_department(db, "=HYPERLINK(1)")
        add_brief(db, cast.acme_id, dep.id, delivered=date(2026, 11, 3), due=date(2026, 11, 5))
    client = TestClient(app)
    sign_in(client, "admin@accord.test")
    rows = list(csv.reader(io.StringIO(client.get(f"/briefs/scorecard/export.csv?{NOV}").text)))
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_the_dashboard_and_the_report_show_briefs_on_time(app, sessions, cast) -> None:
    arrange_portfolio(sessions, cast)
    ids = _arrange(sessions, cast)
    client = TestClient(app)
    sign_in(client, "admin@accord.test")
    # the report's month: nothing delivered in 2025-12 → no section
    assert 'id="agency-section"' not in client.get("/dashboard?as_of=2025-12").text
    with sessions.begin() as db:
        add_brief(db, cast.acme_id, ids["creative"], delivered=date(2025, 12, 3),
                  due=date(2025, 12, 1), turnaround=3)
        add_brief(db, cast.globex_id, ids["media"], delivered=date(2025, 12, 4),
                  due=date(2025, 12, 10), turnaround=5)
    dash = client.get("/dashboard?as_of=2025-12").text
    section = dash[dash.index('id="agency-section"'):].split("</section>")[0]
    assert ">Creative<" in section and ">Media<" in section and "1 of 2 on time" in section
    report = client.get("/dashboard/report?as_of=2025-12&manager=owner@accord.test").text
    mine = report[report.index('id="agency-section"'):].split("</section>")[0]
    assert ">Creative<" in mine and ">Media<" not in mine  # the owner's accounts only


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_cli_prints_the_scorecard(sessions, cast, database_url) -> None:
    ids = _arrange(sessions, cast)
    table = _cli(database_url, "departments", "scorecard", "--period", "2026-11")
    assert table.exit_code == 0, table.output
    assert "Creative" in table.output and "66.7 %" in table.output
    as_json = _cli(database_url, "departments", "scorecard", "--from", "2026-11-01", "--to",
                   "2026-11-30", "--by", "account", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    assert {r["name"] for r in json.loads(as_json.output)["items"]} == {
        "Acme Industries", "Globex Corporation"}
    one = _cli(database_url, "departments", "scorecard", "--department", "creative",
               "--period", "2026-11")
    assert one.exit_code == 0, one.output
    assert "Creative, 2026-11: 2 of 3 on time" in one.output
    by_id = _cli(database_url, "departments", "scorecard", "--department",
                 str(ids["media"]), "--period", "2026-11", "--format", "json")
    assert json.loads(by_id.output)["figures"]["delivered"] == 1
    bad = _cli(database_url, "departments", "scorecard", "--period", "2026-Q5")
    assert bad.exit_code == 2 and "period" in bad.output
    nobody = _cli(database_url, "departments", "scorecard", "--department", "Nope")
    assert nobody.exit_code == 1 and "no department" in nobody.output
    bad_day = _cli(database_url, "departments", "scorecard", "--from", "yesterday", "--to",
                   "2026-11-30")
    assert bad_day.exit_code == 2 and "--from" in bad_day.output


def test_the_registry_lists_the_agency_figures(app, sessions, cast) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    registry = {k["slug"]: k for k in head.get("/api/v1/kpis/registry").json()}
    assert registry["brief_on_time_rate"]["group"] == "agency"
    assert registry["brief_on_time_rate"]["unit"] == "ratio"
    assert registry["brief_median_turnaround"]["unit"] == "count"
