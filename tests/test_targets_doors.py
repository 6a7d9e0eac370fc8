"""The targets' front doors on both databases: the API (create, replace, If-Match, problems),
the Targets page (set, inline errors, a manager's own view), the dashboard and the monthly
report measured against targets, and ``accord targets``."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.models import AuditEntry
from accord.plans.targets.models import ManagerTarget
from conftest import api_client
from page_helpers import sign_in
from test_kpi_pages import arrange_portfolio

OWNER_2025 = {"manager": "owner@accord.test", "period": "2025", "metric": "book_revenue",
              "target": "4000"}
runner = CliRunner()


def _targets(db) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(ManagerTarget)) or 0)


def test_the_api_sets_replaces_lists_and_refuses(app, sessions, cast, db) -> None:
    arrange_portfolio(sessions, cast)
    head = api_client(app, cast.token(sessions, "head"))
    made = head.put("/api/v1/targets", json=OWNER_2025)
    assert made.status_code == 201, made.text
    body = made.json()
    # the owner's 2025 book: Acme 150.00, Initech 100.00 and Umbrella 50.00 a month
    assert body["actual"] == "3600.00" and body["attainment"] == "0.9000"
    assert body["status"] == "behind" and made.headers["etag"] == '"1"'
    stale = head.put("/api/v1/targets", json={**OWNER_2025, "target": "3500"},
                     headers={"If-Match": '"7"'})
    assert stale.status_code == 409
    again = head.put("/api/v1/targets", json={**OWNER_2025, "target": "3500"},
                     headers={"If-Match": '"1"'})
    assert again.status_code == 200 and again.json()["status"] == "on_track"
    assert again.headers["etag"] == '"2"'
    for bad, field in (({**OWNER_2025, "metric": None}, "metric"),
                       ({**OWNER_2025, "period": "2025-Q9"}, "period"),
                       ({**OWNER_2025, "target": "-3"}, "target"),
                       ({**OWNER_2025, "target": "abc"}, "target")):
        refused = head.put("/api/v1/targets", json=bad)
        assert refused.status_code == 422, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]]
    outsider = head.put("/api/v1/targets", json={**OWNER_2025, "manager": "outsider@accord.test"})
    assert outsider.status_code == 404
    owner = api_client(app, cast.token(sessions, "owner"))
    assert owner.put("/api/v1/targets", json=OWNER_2025).status_code == 403
    mine = owner.get("/api/v1/targets").json()
    assert mine["total"] == 1 and mine["items"][0]["target"] == "3500"
    assert _targets(db) == 1
    gone = head.delete(f"/api/v1/targets/{body['id']}")
    assert gone.status_code == 204 and _targets(db) == 0


def test_the_page_sets_a_target_and_shows_errors_inline(app, sessions, cast, db) -> None:
    arrange_portfolio(sessions, cast)
    client = TestClient(app)
    csrf = sign_in(client, "head@accord.test")
    page = client.get("/targets")
    assert page.status_code == 200 and 'id="target-form"' in page.text
    assert "No targets" in page.text  # the empty state
    audit_before = db.scalar(select(func.count()).select_from(AuditEntry))
    wrong = client.post("/targets", data={**OWNER_2025, "period": "someday", "target": "-1",
                                          "csrf_token": csrf})
    assert wrong.status_code == 422
    assert 'id="tg-period-error"' in wrong.text and 'id="tg-target-error"' in wrong.text
    assert "more than 0" in wrong.text and _targets(db) == 0
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    done = client.post("/targets", data={**OWNER_2025, "csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    listed = client.get("/targets?period=2025").text
    assert "Olivia Owner" in listed and "3,600.00" in listed and "90 %" in listed
    target_id = int(re.search(r'id="target-(\d+)"', listed).group(1))  # type: ignore[union-attr]
    edit = client.get(f"/targets?edit={target_id}")
    assert 'name="version" value="1"' in edit.text
    # the manager sees their own, without the form
    owner = TestClient(app)
    sign_in(owner, "owner@accord.test")
    own = owner.get("/targets").text
    assert "Olivia Owner" in own and 'id="target-form"' not in own
    assert owner.post("/targets", data={**OWNER_2025, "csrf_token": csrf}).status_code == 403


def test_the_dashboard_and_the_report_measure_against_targets(app, sessions, cast) -> None:
    arrange_portfolio(sessions, cast)
    head = api_client(app, cast.token(sessions, "head"))
    for period, metric, value in (("2025", "book_revenue", "4000"), ("2025-Q4", "book_nrr", "1.1"),
                                  ("2024", "book_revenue", "1")):
        assert head.put("/api/v1/targets", json={**OWNER_2025, "period": period,
                                                 "metric": metric, "target": value}).is_success
    client = TestClient(app)
    sign_in(client, "head@accord.test")
    dash = client.get("/dashboard?as_of=2025-12").text
    section = dash[dash.index('id="targets-section"'):]
    assert "Measured against targets" in section and "3,600.00" in section
    assert "NRR of the book" in section and "2024" not in section.split("</section>")[0]
    report = client.get("/dashboard/report?as_of=2025-12&manager=owner@accord.test").text
    assert 'id="targets-section"' in report and "3,600.00" in report
    # another month's report holds another period: the 2025 target's actual up to its month
    june = client.get("/dashboard?as_of=2025-06").text
    assert "1,800.00" in june[june.index('id="targets-section"'):]
    outsider = TestClient(app)
    sign_in(outsider, "outsider@accord.test")
    theirs = outsider.get("/dashboard?as_of=2025-12").text
    assert 'id="targets-empty"' in theirs and "Olivia Owner" not in theirs


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_cli_sets_and_lists(sessions, cast, database_url) -> None:
    arrange_portfolio(sessions, cast)
    done = _cli(database_url, "targets", "set", "owner@accord.test", "2025", "book_revenue",
                "4000", "--today", "2026-01-15")
    assert done.exit_code == 0, done.output
    assert "set: owner@accord.test 2025 book_revenue" in done.output
    listed = _cli(database_url, "targets", "list", "--period", "2025", "--today", "2026-01-15")
    assert listed.exit_code == 0 and "Targets (1)" in listed.output  # a Rich table
    as_json = json.loads(_cli(database_url, "targets", "list", "--format", "json").output)
    assert as_json["items"][0]["actual"] == "3600.00"
    for args in (("owner@accord.test", "2025", "profit", "5"),
                 ("owner@accord.test", "2025-Q5", "book_revenue", "5"),
                 ("owner@accord.test", "2025", "book_revenue", "-5"),
                 ("owner@accord.test", "2025", "book_revenue", "lots")):
        refused = _cli(database_url, "targets", "set", *args)
        assert refused.exit_code == 2, (args, refused.output)
    as_owner = _cli(database_url, "--as", "owner@accord.test", "targets", "set",
                    "teammate@accord.test", "2025", "book_revenue", "5")
    assert as_owner.exit_code == 1 and "head or an admin" in as_owner.output
