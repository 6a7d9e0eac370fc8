"""The Plans page (``/plans``), its CSV and Excel exports and ``GET /api/v1/plans``, on both
databases: what each user sees, filters, sorting links, the empty state, formula-safe
exports and refusals naming the field."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.plans.models import AccountPlan, PlanAction, PlanObjective
from conftest import api_client
from page_helpers import sign_in


@pytest.fixture
def plans(db: Session, cast: Any) -> dict[str, int]:
    """Acme's plan (an objective whose title would start a formula, an overdue action) and
    Globex's (stale)."""
    today = date.today()
    acme = AccountPlan(account_id=cast.acme_id, horizon_months=12,
                       starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=340),
                       business="Valves", last_reviewed_on=today - timedelta(days=5))
    globex = AccountPlan(account_id=cast.globex_id, horizon_months=6,
                         starts_on=today - timedelta(days=400),
                         ends_on=today - timedelta(days=220))
    db.add_all([acme, globex])
    db.flush()
    objective = PlanObjective(plan_id=acme.id, title="=HYPERLINK(\"http://evil\")",
                              metric="manual", baseline=Decimal(0), target=Decimal(10))
    db.add(objective)
    db.flush()
    db.add(PlanAction(objective_id=objective.id, title="Call the CFO", status="open",
                      due_on=today - timedelta(days=2)))
    db.commit()
    return {"acme": acme.id, "globex": globex.id}


def _page(client: TestClient, who: str, query: str = "") -> str:
    sign_in(client, f"{who}@accord.test")
    response = client.get(f"/plans{query}")
    assert response.status_code == 200, response.text
    return response.text


def test_the_page_lists_the_plans_each_user_sees(app: Any, cast: Any,
                                                 plans: dict[str, int]) -> None:
    admin = _page(TestClient(app), "admin")
    assert "Acme Industries" in admin and "Globex Corporation" in admin
    assert f'href="/accounts/{cast.acme_id}/plan"' in admin
    assert "1 overdue" in admin and "stale" in admin
    assert 'href="/plans?sort=-account"' in admin  # the sorted column flips on a second click
    assert 'aria-label="Main"' in admin and 'href="/plans"' in admin  # in the navigation
    owner = _page(TestClient(app), "owner")
    assert "Acme Industries" in owner and "Globex Corporation" not in owner
    outsider = _page(TestClient(app), "outsider")
    assert "Acme Industries" not in outsider and "Globex Corporation" in outsider


def test_filters_and_the_empty_states(app: Any, cast: Any, plans: dict[str, int]) -> None:
    client = TestClient(app)
    stale = _page(client, "admin", "?stale=yes")
    assert "Globex Corporation" in stale and "Acme Industries" not in stale
    overdue = client.get("/plans?overdue=yes&segment=Manufacturing").text
    assert "Acme Industries" in overdue and "Globex Corporation" not in overdue
    assert "No plans match" in client.get("/plans?tier=Strategic").text
    # unknown values are dropped on the page (the API refuses them)
    assert "Acme Industries" in client.get("/plans?tier=Gold&sort=nope&page=x").text


def test_no_plans_yet(app: Any, cast: Any) -> None:
    assert "No plans yet" in _page(TestClient(app), "admin")


def test_the_exports_are_formula_safe(app: Any, cast: Any, plans: dict[str, int]) -> None:
    client = TestClient(app)
    sign_in(client, "head@accord.test")
    response = client.get("/plans/export.csv?overdue=yes")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][0] == "account" and len(rows) == 2  # the head: Acme only
    assert rows[1][0] == "Acme Industries"
    assert rows[1][-1].startswith("'=HYPERLINK")  # a formula is written as text
    book = client.get("/plans/export.xlsx")
    assert book.status_code == 200

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(book.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == "Acme Industries" and values[1][-1].startswith("'=")
    assert client.get("/plans/export.pdf").status_code == 404


def test_the_api_lists_filters_and_refuses_bad_choices(app: Any, cast: Any, sessions: Any,
                                                       plans: dict[str, int]) -> None:
    api = api_client(app, cast.token(sessions, "teammate"))
    body = api.get("/api/v1/plans").json()
    assert [p["account_name"] for p in body["items"]] == ["Acme Industries"]
    item = body["items"][0]
    assert item["overdue_actions"] == 1 and item["stale"] is False
    assert item["objectives"][0]["progress"] is None  # no update noted yet
    admin = api_client(app, cast.token(sessions, "admin"))
    stale = admin.get("/api/v1/plans", params={"stale": "true"}).json()
    assert [p["account_name"] for p in stale["items"]] == ["Globex Corporation"]
    paged = admin.get("/api/v1/plans", params={"page_size": 1, "page": 2, "sort": "-account"})
    assert paged.json()["total"] == 2 and paged.json()["items"][0]["account_name"] == (
        "Acme Industries")
    for params, field in (({"tier": "Gold"}, "tier"), ({"sort": "name"}, "sort"),
                          ({"page_size": 500}, "page_size")):
        refused = admin.get("/api/v1/plans", params=params)
        assert refused.status_code == 422
        assert field in refused.text
    outsider = api_client(app, cast.token(sessions, "outsider"))
    names = [p["account_name"] for p in outsider.get("/api/v1/plans").json()["items"]]
    assert names == ["Globex Corporation"]


def test_the_account_page_shows_the_plans_headline(app: Any, cast: Any, db: Session,
                                                   plans: dict[str, int]) -> None:
    from accord.plans.models import ObjectiveUpdate

    objective = db.query(PlanObjective).filter_by(plan_id=plans["acme"]).one()
    db.add(ObjectiveUpdate(objective_id=objective.id, value=Decimal(4), noted_on=date.today()))
    db.add(PlanObjective(plan_id=plans["acme"], title="Revenue up", metric="revenue_12m",
                         baseline=Decimal(0), target=Decimal(1000), position=1))
    db.commit()
    client = TestClient(app)
    sign_in(client, "owner@accord.test")
    page = client.get(f"/accounts/{cast.acme_id}").text
    assert 'id="plan-headline"' in page and "Open the plan" in page
    assert 'value="0.4000"' in page  # the manual objective: 4 of 0 → 10
    assert "Revenue up" in page and "Progress unknown" not in page.split("Revenue up")[1][:300]
    assert "Call the CFO" in page and "overdue" in page
    other = client.get(f"/accounts/{cast.acme_id}")
    assert other.status_code == 200
    sign_in(client := TestClient(app), "outsider@accord.test")
    globex = client.get(f"/accounts/{cast.globex_id}").text
    assert "stale" in globex and "No objectives yet" in globex
