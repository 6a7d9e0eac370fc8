"""The opportunities' front doors on both databases: the account's pages (the form prefilled
from the whitespace grid's link, inline errors, a probability of 140 % refused), one
opportunity's page (edit with its version, move, lost with a reason), the Pipeline page and
its CSV, and ``accord opportunities list|add|move``."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.growth.models import ProductLine
from accord.growth.opportunities.models import Opportunity
from page_helpers import sign_in

runner = CliRunner()


def _count(db) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(Opportunity)) or 0)


def _line(sessions, name: str = "Pumps") -> int:
    with sessions.begin() as s:
        row = ProductLine(name=name, description="", position=0)
        s.add(row)
        s.flush()
        return row.id


def test_the_pages_add_edit_move_and_lose(app, sessions, cast, db) -> None:
    pumps = _line(sessions)
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    base = f"/accounts/{cast.acme_id}/opportunities"
    form = client.get(f"{base}/new?product_line_id={pumps}&kind=cross_sell").text
    assert f'<option value="{pumps}" selected>Pumps</option>' in form
    assert '<option value="cross_sell" selected>' in form
    wrong = client.post(base, data={"csrf_token": csrf, "title": "Second plant",
                                    "kind": "cross_sell", "value": "40000",
                                    "probability": "140"})
    assert wrong.status_code == 422 and 'id="op-probability-error"' in wrong.text
    assert "less than or equal to 100" in wrong.text and _count(db) == 0
    done = client.post(base, data={"csrf_token": csrf, "title": "Second plant",
                                   "kind": "cross_sell", "value": "40000",
                                   "product_line_ids": str(pumps),
                                   "expected_close_on": "2027-02-15"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    page_url = done.headers["location"]
    page = client.get(page_url).text
    assert "40,000.00" in page and "4,000.00 weighted" in page
    listed = client.get(base).text
    assert "Second plant" in listed and "Pumps" in listed
    version = page.split('name="version" value="')[1].split('"')[0]
    original = page.split('name="original" value="')[1].split('"')[0].replace("&#34;", '"')
    edited = client.post(page_url, data={
        "csrf_token": csrf, "version": version, "original": original, "title": "Second plant",
        "kind": "cross_sell", "value": "45000", "probability": "", "expected_close_on":
        "2027-03-01", "owner_id": "", "next_step": "Send the offer", "next_step_on": "",
        "product_line_ids": str(pumps)}, follow_redirects=False)
    assert edited.status_code == 303, edited.text
    lost = client.post(f"{page_url}/stage", data={"csrf_token": csrf, "stage": "lost"})
    assert lost.status_code == 422 and 'id="mv-reason-error"' in lost.text
    moved = client.post(f"{page_url}/stage", data={"csrf_token": csrf, "stage": "proposed"},
                        follow_redirects=False)
    assert moved.status_code == 303
    db.rollback()
    row = db.scalars(select(Opportunity)).one()
    assert (row.stage, row.probability, row.next_step) == ("proposed", 50, "Send the offer")
    gone = client.post(f"{page_url}/stage", data={"csrf_token": csrf, "stage": "lost",
                                                  "reason": "Budget cut"},
                       follow_redirects=False)
    assert gone.status_code == 303
    assert "Lost because:</strong> Budget cut" in client.get(page_url).text
    outsider = TestClient(app)
    sign_in(outsider, "outsider@accord.test")
    assert outsider.get(page_url).status_code == 404
    assert outsider.get(base).status_code == 404


def test_the_pipeline_page_and_its_csv(app, sessions, cast) -> None:
    head = TestClient(app)
    csrf = sign_in(head, "head@accord.test")
    for title, value, close in (("=Big deal", "100000", "2027-01-10"),
                                ("Small deal", "1000", "2027-02-10")):
        head.post(f"/accounts/{cast.acme_id}/opportunities",
                  data={"csrf_token": csrf, "title": title, "kind": "upsell", "value": value,
                        "expected_close_on": close})
    page = head.get("/pipeline?by=segment").text
    assert "Manufacturing" in page and "10,100.00" in page and "2027-01" in page
    sorted_page = head.get("/pipeline?sort=-value").text
    assert sorted_page.index("=Big deal") < sorted_page.index("Small deal")
    assert head.get("/pipeline?close_month=2027-13").status_code == 422
    exported = head.get("/pipeline/export.csv?close_month=2027-01")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith(
        "text/csv")
    assert "'=Big deal" in exported.text and "Small deal" not in exported.text
    outsider = TestClient(app)
    sign_in(outsider, "outsider@accord.test")
    assert "Big deal" not in outsider.get("/pipeline").text
    assert "Big deal" not in outsider.get("/pipeline/export.csv").text


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_cli_adds_moves_and_lists(sessions, cast, database_url, db) -> None:
    pumps = _line(sessions)
    added = _cli(database_url, "opportunities", "add", str(cast.acme_id), "Second plant",
                 "--kind", "cross_sell", "--value", "40000", "--line", str(pumps),
                 "--close", "2027-02-15")
    assert added.exit_code == 0, added.output
    assert "added: Second plant (identified, 40,000.00" in added.output
    opp_id = added.output.split("opportunity ")[1].split(" ")[0]
    bad = _cli(database_url, "opportunities", "add", str(cast.acme_id), "x", "--kind",
               "upsell", "--value", "10", "--probability", "140")
    assert bad.exit_code != 0 and "probability" in bad.output
    out_of_reach = _cli(database_url, "--as", "outsider@accord.test", "opportunities", "add",
                        str(cast.acme_id), "x", "--kind", "upsell", "--value", "10")
    assert out_of_reach.exit_code != 0 and _count(db) == 1
    no_reason = _cli(database_url, "opportunities", "move", opp_id, "lost")
    assert no_reason.exit_code != 0 and "reason" in no_reason.output
    moved = _cli(database_url, "opportunities", "move", opp_id, "negotiation")
    assert moved.exit_code == 0 and "is negotiation (75 %)" in moved.output
    listed = _cli(database_url, "opportunities", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    body = json.loads(listed.output)
    assert body["total"] == 1 and body["items"][0]["weighted_value"] == "30000.00"
    table = _cli(database_url, "opportunities", "list", "--account", str(cast.acme_id))
    assert "Opportunities (1)" in table.output and "Second" in table.output


def test_the_page_lists_an_opportunity_under_an_objective(app, sessions, cast, db) -> None:
    from datetime import date
    from decimal import Decimal

    from accord.core.models import User
    from accord.growth.opportunities.models import ObjectiveOpportunity
    from accord.plans import service as plans
    from accord.plans.schemas import ObjectiveIn, PlanStart

    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        assert owner is not None
        plan = plans.start_plan(s, owner, cast.acme_id, PlanStart(horizon_months=12),
                                today=date.today())
        goal = plans.add_objective(s, owner, plan.id, ObjectiveIn(
            title="Win the robotics deal", metric="manual", baseline=Decimal(0),
            target=Decimal(80000)), today=date.today())
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    done = client.post(f"/accounts/{cast.acme_id}/opportunities",
                       data={"csrf_token": csrf, "title": "Robots", "kind": "cross_sell",
                             "value": "80000"}, follow_redirects=False)
    url = done.headers["location"]
    assert 'id="objective-form"' in client.get(url).text
    wrong = client.post(f"{url}/objectives", data={"csrf_token": csrf, "objective_id": "x"})
    assert wrong.status_code == 422 and "current plan" in wrong.text
    linked = client.post(f"{url}/objectives", data={"csrf_token": csrf,
                                                    "objective_id": str(goal.id)},
                         follow_redirects=False)
    assert linked.status_code == 303
    page = client.get(url).text
    assert 'id="linked-objectives"' in page and "Win the robotics deal" in page
    client.post(f"{url}/stage", data={"csrf_token": csrf, "stage": "proposed"})
    client.post(f"{url}/stage", data={"csrf_token": csrf, "stage": "won"})
    plan_page = client.get(f"/accounts/{cast.acme_id}/plan").text
    assert "80,000" in plan_page
    removed = client.post(f"{url}/objectives/{goal.id}/remove", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert removed.status_code == 303
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ObjectiveOpportunity)) == 0
