"""The whitespace matrix through its doors: an import keeps "bought" current (the listener
wired in ``app.wiring``), unknown product lines are listed, cells are marked not relevant
(writers who see the account; audited), open and won opportunities show in their cell, the
Growth tab and its forms, the CLI; visibility as everywhere."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from accord.accounts.models import Account
from accord.app.commands import app as cli
from accord.core.audit import AuditEntry
from accord.core.database import utcnow
from accord.core.periods import first_day, month_index
from accord.growth.models import WhitespaceFlag
from accord.growth.opportunities.models import Opportunity, OpportunityProductLine
from conftest import api_client
from import_helpers import upload
from page_helpers import sign_in

NOW = month_index(utcnow().date())


def _day(back: int) -> str:
    return first_day(NOW - back).replace(day=10).isoformat()


@pytest.fixture
def world(app, sessions, cast):
    """Lines Widgets, Services, Gadgets; Acme and its child unit Acme Labs bought Widgets
    and Services in the last months; a line of an unknown product line."""
    admin = api_client(app, cast.token(sessions, "admin"))
    ids = {}
    for name in ("Widgets", "Services", "Gadgets"):
        r = admin.post("/api/v1/catalogue/lines", json={"name": name, "list_price": "100.00"})
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    with sessions.begin() as s:
        now = utcnow()
        labs = Account(name="Acme Labs", name_key="acme labs", external_id="ACME-LABS",
                       kind="company", status="active", manager_id=cast.owner.id,
                       parent_id=cast.acme_id, created_at=now, updated_at=now)
        s.add(labs)
        s.flush()
        ids["labs"] = labs.id
    body = ("account_external_id,date,amount,product_line,line_id\n"
            f"ACME,{_day(2)},1200.00,Widgets,a1\n"
            f"ACME,{_day(3)},300.00,Services,a2\n"
            f"ACME,{_day(2)},50.00,Mystery,a3\n"
            f"ACME-LABS,{_day(2)},80.00,Services,b1\n"
            f"GLOBEX,{_day(2)},99.00,Widgets,g1\n")
    r = admin.post("/api/v1/imports/revenue",
                   files={"file": ("revenue.csv", upload(body), "text/csv")})
    assert r.status_code == 200, r.text
    return ids


def _cells(matrix: dict) -> dict[tuple[str, str], dict]:
    names = {line["id"]: line["name"] for line in matrix["lines"]}
    return {(u["name"], names[c["product_line_id"]]): c for u in matrix["units"]
            for c in u["cells"]}


def test_an_import_fills_bought_and_the_unknown_line_is_listed(app, sessions, cast, world):
    owner = api_client(app, cast.token(sessions, "owner"))
    m = owner.get(f"/api/v1/accounts/{cast.acme_id}/whitespace")
    assert m.status_code == 200, m.text
    cells = _cells(m.json())
    assert [u["name"] for u in m.json()["units"]] == ["Acme Industries", "Acme Labs"]
    assert cells[("Acme Industries", "Widgets")]["bought"] == "1200.00"
    assert cells[("Acme Industries", "Services")]["state"] == "bought"
    assert cells[("Acme Industries", "Gadgets")]["whitespace"] is True
    assert cells[("Acme Labs", "Services")]["bought"] == "80.00"
    assert cells[("Acme Labs", "Widgets")]["state"] == "whitespace"
    unmapped = owner.get("/api/v1/catalogue/unmapped").json()
    assert unmapped == [{"value": "Mystery", "lines": 1, "amount": "50.00"}]
    # mapped by an alias, it counts under its line
    admin = api_client(app, cast.token(sessions, "admin"))
    r = admin.post("/api/v1/catalogue/aliases",
                   json={"alias": "Mystery", "product_line_id": world["Gadgets"]})
    assert r.status_code == 201, r.text
    cells = _cells(owner.get(f"/api/v1/accounts/{cast.acme_id}/whitespace").json())
    assert cells[("Acme Industries", "Gadgets")]["bought"] == "50.00"
    assert owner.get("/api/v1/catalogue/unmapped").json() == []
    # out of reach: the same 404 as a missing account
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert outsider.get(f"/api/v1/accounts/{cast.acme_id}/whitespace").status_code == 404
    assert outsider.get("/api/v1/accounts/999999/whitespace").status_code == 404


def test_not_relevant_is_set_by_writers_and_audited(app, sessions, cast, world, db):
    owner = api_client(app, cast.token(sessions, "owner"))
    url = f"/api/v1/accounts/{cast.acme_id}/whitespace/{world['Gadgets']}"
    assert api_client(app, cast.token(sessions, "viewer")).put(
        url, json={"reason": "x"}).status_code == 403
    assert api_client(app, cast.token(sessions, "outsider")).put(
        url, json={"reason": "x"}).status_code == 404
    bad = owner.put(url, json={"reason": ""})
    assert bad.status_code == 422 and "reason" in bad.text
    assert owner.put(url, json={"reason": "a\x01b"}).status_code == 422
    assert owner.put(f"/api/v1/accounts/{cast.acme_id}/whitespace/99999",
                     json={"reason": "x"}).status_code == 404
    assert db.scalar(select(WhitespaceFlag.reason)) is None
    assert owner.put(url, json={"reason": "They build gadgets themselves"}).status_code == 204
    cell = _cells(owner.get(f"/api/v1/accounts/{cast.acme_id}/whitespace").json())[
        ("Acme Industries", "Gadgets")]
    assert (cell["state"], cell["not_relevant"], cell["whitespace"]) == (
        "not_relevant", "They build gadgets themselves", False)
    assert owner.delete(url).status_code == 204
    cell = _cells(owner.get(f"/api/v1/accounts/{cast.acme_id}/whitespace").json())[
        ("Acme Industries", "Gadgets")]
    assert cell["whitespace"] is True
    db.rollback()
    actions = db.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "whitespace_flag").order_by(AuditEntry.id)).all()
    assert actions == ["create", "delete"]


def test_open_and_won_opportunities_show_in_their_cell(app, sessions, cast, world):
    with sessions.begin() as s:
        for stage, value in (("proposed", "500.00"), ("qualified", "250.00"), ("won", "900"),
                             ("lost", "10")):
            o = Opportunity(account_id=cast.acme_id, title=stage, kind="cross_sell",
                            stage=stage, value=Decimal(value), probability=50)
            s.add(o)
            s.flush()
            s.add(OpportunityProductLine(opportunity_id=o.id, product_line_id=world["Gadgets"]))
    owner = api_client(app, cast.token(sessions, "owner"))
    cell = _cells(owner.get(f"/api/v1/accounts/{cast.acme_id}/whitespace").json())[
        ("Acme Industries", "Gadgets")]
    assert (cell["open_opportunities"], cell["open_value"], cell["won"], cell["state"]) == (
        2, "750.00", 1, "won")
    assert cell["whitespace"] is False


def test_the_growth_tab_and_its_forms(client, app, sessions, cast, world, db):
    csrf = sign_in(client, "owner@accord.test")
    page = client.get(f"/accounts/{cast.acme_id}/growth")
    assert page.status_code == 200
    assert "whitespace-grid" in page.text and "Acme Labs" in page.text
    assert (f"/accounts/{cast.acme_id}/opportunities/new?product_line_id={world['Gadgets']}"
            "&amp;kind=cross_sell") in page.text
    assert f"/accounts/{cast.acme_id}/proposals" in page.text
    assert f"/accounts/{cast.acme_id}/growth" in client.get(f"/accounts/{cast.acme_id}").text
    url = f"/accounts/{world['labs']}/growth/cells/{world['Widgets']}"
    bad = client.post(url, data={"csrf_token": csrf, "action": "set", "reason": " "})
    assert bad.status_code == 422 and "field-error" in bad.text
    ok = client.post(url, data={"csrf_token": csrf, "action": "set", "reason": "No lab use",
                                "back": str(cast.acme_id)}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == f"/accounts/{cast.acme_id}/growth"
    assert "No lab use" in client.get(f"/accounts/{cast.acme_id}/growth").text
    cleared = client.post(url, data={"csrf_token": csrf, "action": "clear"},
                          follow_redirects=False)
    assert cleared.status_code == 303
    db.rollback()
    assert db.scalar(select(WhitespaceFlag.reason)) is None
    # needs: one answered, one a gap
    r = client.post(f"/accounts/{cast.acme_id}/growth/needs",
                    data={"csrf_token": csrf, "text": "Cheaper maintenance",
                          "category": "cost", "product_line_ids": str(world["Services"])},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    bad = client.post(f"/accounts/{cast.acme_id}/growth/needs",
                      data={"csrf_token": csrf, "text": "", "category": "cost"})
    assert bad.status_code == 422
    gap = client.post(f"/accounts/{cast.acme_id}/growth/needs",
                      data={"csrf_token": csrf, "text": "Drones for inspection",
                            "category": "technology"}, follow_redirects=False)
    assert gap.status_code == 303
    page = client.get(f"/accounts/{cast.acme_id}/growth").text
    assert "Cheaper maintenance" in page and "product gap" in page
    assert "Drones for inspection" in client.get("/growth/whitespace").text


def test_the_command_prints_the_matrix_and_the_portfolio(world, cast, database_url):
    result = CliRunner().invoke(cli, ["--database-url", database_url, "--as",
                                      "owner@accord.test", "whitespace", "--account",
                                      str(cast.acme_id), "--format", "json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["account_id"] == cast.acme_id and len(shown["units"]) == 2
    result = CliRunner().invoke(cli, ["--database-url", database_url, "--as",
                                      "owner@accord.test", "whitespace"])
    assert result.exit_code == 0, result.output
    assert "Widgets" in result.stdout
    missing = CliRunner().invoke(cli, ["--database-url", database_url, "--as",
                                       "outsider@accord.test", "whitespace", "--account",
                                       str(cast.acme_id)])
    assert missing.exit_code != 0


def test_first_day_helper_is_a_date() -> None:
    assert isinstance(first_day(NOW), date)
