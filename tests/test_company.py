"""The company settings' front doors (name, currency, logo): the API, the admin page and
``accord company``, on both databases; admins and heads change them, bad input is named."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.company import company_policy
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()
LOGO = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def test_the_api_reads_and_changes_the_company(app, sessions, cast, db) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    read = head.get("/api/v1/company")
    assert read.status_code == 200 and read.json()["currency"] == "EUR"
    assert read.headers["etag"] == '"0"'
    bad = head.put("/api/v1/company", json={"currency": "eu€", "logo": "http://x/logo.png"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"logo"}
    done = head.put("/api/v1/company", json={"name": "Northwind", "currency": "usd",
                                             "logo": LOGO}, headers={"If-Match": '"0"'})
    assert done.status_code == 200, done.text
    assert done.json()["currency"] == "USD" and done.json()["name"] == "Northwind"
    stale = head.put("/api/v1/company", json={"name": "X"}, headers={"If-Match": '"0"'})
    assert stale.status_code == 409
    owner = api_client(app, cast.token(sessions, "owner"))
    assert owner.put("/api/v1/company", json={"name": "Mine"}).status_code == 403
    assert owner.get("/api/v1/company").json()["name"] == "Northwind"
    db.rollback()
    assert company_policy(db).logo == LOGO


def test_the_admin_page_saves_with_errors_by_field(app, cast) -> None:
    client = TestClient(app)
    token = sign_in(client, "admin@accord.test")
    assert 'id="company-form"' in client.get("/admin/company").text
    bad = client.post("/admin/company", data={"csrf_token": token, "name": "Northwind",
                                               "currency": "EURO", "version": "0"})
    assert bad.status_code == 422 and 'value="EURO"' in bad.text
    good = client.post("/admin/company", follow_redirects=False, data={
        "csrf_token": token, "name": "Northwind", "currency": "GBP", "logo": "", "version": "0"})
    assert good.status_code == 303
    assert "GBP" in client.get("/admin/company").text
    manager = TestClient(app)
    sign_in(manager, "owner@accord.test")
    assert manager.get("/admin/company").status_code == 403


def _cli(database_url: str, who: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options(
        [*args, "--database-url", database_url, "--as", who]))


def test_the_cli_shows_and_sets(cast, database_url, tmp_path) -> None:
    shown = _cli(database_url, "admin@accord.test", "company", "show")
    assert shown.exit_code == 0 and "EUR" in shown.output
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    done = _cli(database_url, "admin@accord.test", "company", "set", "--name", "Northwind",
                "--currency", "chf", "--logo", str(logo))
    assert done.exit_code == 0, done.output
    shown = _cli(database_url, "admin@accord.test", "company", "show", "--format", "json")
    assert '"CHF"' in shown.output and "data:image/svg+xml;base64," in shown.output
    refused = _cli(database_url, "owner@accord.test", "company", "set", "--name", "Mine")
    assert refused.exit_code != 0
    bad = _cli(database_url, "admin@accord.test", "company", "set", "--currency", "E1")
    assert bad.exit_code != 0 and "currency" in bad.output
