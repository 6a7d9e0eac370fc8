"""My day's doors (both databases): the pages (/today, /calendar, /overdue and its export),
the API and ``accord today`` / ``accord overdue``: sections, the home redirect, the head's
manager filter, visibility, the calendar grid across the year end and a daylight-saving
change, and export cells that are never formulas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.calendar.models import FollowUp
from accord.core.models import User
from conftest import api_client
from myday_world import TODAY, arrange, follow_up
from page_helpers import sign_in

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def world(sessions, cast, app) -> Iterator[dict[str, int]]:
    from accord.web import deps

    app.dependency_overrides[deps.today] = lambda: TODAY
    with sessions.begin() as s:
        ids = arrange(s, cast)
        s.add(follow_up(cast.acme_id, cast.owner.id, "=HYPERLINK(\"http://x\")",
                        date(2026, 1, 5)))
        s.add(follow_up(cast.acme_id, cast.owner.id, "@SUM(A1)", date(2026, 1, 6)))
    yield ids
    app.dependency_overrides.pop(deps.today, None)


def _page(app, email: str) -> TestClient:
    client = TestClient(app)
    sign_in(client, email)
    return client


def test_home_is_my_day_for_managers_and_heads(app, cast, world) -> None:
    for email, home in (("owner@accord.test", "/today"), ("head@accord.test", "/today"),
                        ("admin@accord.test", "/accounts"), ("viewer@accord.test", "/accounts")):
        response = _page(app, email).get("/", follow_redirects=False)
        assert response.headers["location"] == home, email


def test_my_day_page_lists_the_sections_one_click_from_done(app, cast, world) -> None:
    html = _page(app, "owner@accord.test").get("/today").text
    assert "Overdue <span class=\"count\">(4)</span>" in html
    assert html.index("=HYPERLINK") < html.index("@SUM") < html.index("Oldest overdue") \
        < html.index("Newer overdue")  # oldest first
    assert "Due today <span class=\"count\">(3)</span>" in html
    assert 'action="/follow-ups/' in html and '/done"' in html and 'name="until"' in html
    assert f'action="/accounts/{cast.acme_id}/plan/actions/{world["acme_action"]}/status"' in html
    assert "Globex" not in html and 'id="f-manager"' not in html  # no filter for a manager
    assert 'href="/today"' in html  # the nav link


def test_a_head_chooses_a_manager_of_their_teams_only(app, cast, world) -> None:
    head = _page(app, "head@accord.test")
    page = head.get("/today")
    assert page.status_code == 200 and 'id="f-manager"' in page.text
    assert "Olivia Owner" in page.text and "Oscar Outsider" not in page.text
    chosen = head.get(f"/today?manager_id={cast.teammate.id}")
    assert chosen.status_code == 200 and "Globex" not in chosen.text
    refused = head.get(f"/today?manager_id={cast.outsider.id}")
    assert refused.status_code == 422 and "not a manager whose day you may see" in refused.text
    assert "Globex" not in refused.text


def test_the_api_and_its_manager_filter(app, sessions, cast, world) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    body = owner.get("/api/v1/today").json()
    assert [i["title"] for i in body["overdue"]["items"]][-2:] == ["Oldest overdue",
                                                                  "Newer overdue"]
    assert body["day"] == TODAY.isoformat() and body["manager"] is None
    head = api_client(app, cast.token(sessions, "head"))
    refused = head.get(f"/api/v1/today?manager_id={cast.outsider.id}")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "manager_id"
    assert head.get(f"/api/v1/today?manager_id={cast.owner.id}").json()["manager"]["name"] \
        == "Olivia Owner"
    admin = api_client(app, cast.token(sessions, "admin"))
    assert "Globex" in admin.get("/api/v1/today").text


def test_the_calendar_month_and_week(app, sessions, cast, world) -> None:
    api = api_client(app, cast.token(sessions, "owner"))  # (merges the cast's owner: first)
    with sessions.begin() as s:
        s.get(User, cast.owner.id).time_zone = "Europe/Berlin"
    owner = _page(app, "owner@accord.test")
    month = owner.get("/calendar?view=month&date=2026-03-10").text
    assert "March 2026" in month and "times in Europe/Berlin" in month
    assert 'data-day="2026-02-23"' in month and 'data-day="2026-04-05"' in month
    cell = month.split('data-day="2026-03-18"')[1].split("</td>")[0]
    assert "Due today at nine" in cell and "09:00" in cell  # 08:00 UTC in Berlin, CET
    assert 'href="/calendar?view=month&amp;date=2026-02-01"' in month
    assert 'href="/calendar?view=month&amp;date=2026-04-01"' in month
    items = api.get("/api/v1/calendar/items?start=2026-03-16&end=2026-03-22").json()
    assert items["time_zone"] == "Europe/Berlin"
    assert "Globex" not in json.dumps(items)
    assert {"Due today at nine", "acme action"} <= {i["title"] for i in items["items"]}
    assert api.get("/api/v1/calendar/items?start=2026-03-22&end=2026-03-16").status_code == 422
    assert owner.get("/calendar?view=year").status_code == 422


def test_the_calendar_across_the_year_end_and_summer_time(app, sessions, cast, world) -> None:
    with sessions.begin() as s:
        s.get(User, cast.owner.id).time_zone = "Europe/Berlin"
        s.add(follow_up(cast.acme_id, cast.owner.id, "New year call", date(2027, 1, 2)))
        s.add(follow_up(cast.acme_id, cast.owner.id, "Summer call", date(2026, 3, 30),
                        due_at=datetime(2026, 3, 30, 8, 0, tzinfo=UTC)))
    owner = _page(app, "owner@accord.test")
    week = owner.get("/calendar?view=week&date=2026-12-31").text
    assert 'data-day="2026-12-28"' in week and 'data-day="2027-01-03"' in week
    assert "New year call" in week.split('data-day="2027-01-02"')[1].split("</td>")[0]
    assert 'date=2027-01-07"' in week and 'date=2026-12-24"' in week
    summer = owner.get("/calendar?view=week&date=2026-03-30").text
    assert "10:00" in summer.split('data-day="2026-03-30"')[1].split("</td>")[0]  # CEST


def test_the_overdue_list_and_exports_write_no_formula(app, sessions, cast, world) -> None:
    owner = _page(app, "owner@accord.test")
    html = owner.get("/overdue").text
    assert "Overdue <span class=\"count\">(6)</span>" in html and "Globex" not in html
    assert html.index("=HYPERLINK") < html.index("Oldest overdue") < html.index("acme action")
    text = owner.get("/overdue/export.csv").text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["kind", "account", "title", "due_on", "days_overdue", "owner", "link"]
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")" and rows[2][2] == "'@SUM(A1)"
    assert not any(c.startswith(FORMULA_STARTS) for row in rows for c in row)
    book = load_workbook(io.BytesIO(owner.get("/overdue/export.xlsx?kind=follow_up").content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(isinstance(c, str) and c.startswith(FORMULA_STARTS) for c in cells)
    api = api_client(app, cast.token(sessions, "head"))
    exported = api.get("/api/v1/overdue?format=csv").text
    assert "Oldest overdue" in exported and "Globex" not in exported
    assert api.get("/api/v1/overdue?kind=nope").status_code == 422
    assert owner.get("/overdue/export.pdf").status_code == 404


def test_accord_today_and_overdue(database_url, sessions, cast, world) -> None:
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli_app, hoist_global_options([*args, "--database-url",
                                                            database_url]))

    shown = run("today", "--as", "owner@accord.test", "--date", TODAY.isoformat())
    assert shown.exit_code == 0, shown.output
    assert "Overdue (4)" in shown.output and "Globex" not in shown.output
    as_json = run("today", "--as", "head@accord.test", "--manager", "owner@accord.test",
                  "--format", "json", "--date", TODAY.isoformat())
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.output)
    assert body["manager"]["name"] == "Olivia Owner" and body["count"] > 0
    refused = run("today", "--as", "head@accord.test", "--manager", "outsider@accord.test")
    assert refused.exit_code == 2 and "manager_id" in refused.output
    listed = run("overdue", "--as", "owner@accord.test", "--format", "csv", "--date",
                 TODAY.isoformat())
    assert listed.exit_code == 0 and "'=HYPERLINK" in listed.output
    with sessions.begin() as s:
        assert s.query(FollowUp).count() == 12  # nothing written
