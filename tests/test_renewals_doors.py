# ruff: noqa: E501 - CSV bodies read best on one line
"""Renewals' front doors on both databases: the account form's contract fields (bad values
refused inline, nothing written), the account page's profile, the accounts import and export
columns (a bad cell reported by row, column and reason), the Renewals page (list, filters,
empty state), ``GET /api/v1/renewals`` and the setting, and ``accord renewals
list|remind|settings``."""

from __future__ import annotations

import json
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.accounts.models import Account
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.calendar.models import RenewalReminder
from accord.core.database import utcnow
from accord.exchange.importing import run_import
from accord.growth.opportunities.models import Opportunity
from conftest import api_client
from import_helpers import csv_file
from page_helpers import sign_in

runner = CliRunner()
HEADER = "external_id,name,kind,segment,business_line,manager_email,parent_external_id,status,contract_end_on,notice_days\n"


def _contract(sessions, account_id: int, end: date | None, notice: int | None) -> None:
    with sessions.begin() as s:
        account = s.get(Account, account_id)
        account.contract_end_on, account.notice_days = end, notice


def _stored(db, account_id: int) -> tuple[date | None, int | None]:
    db.rollback()
    account = db.get(Account, account_id)
    db.refresh(account)
    return account.contract_end_on, account.notice_days


def test_the_account_form_edits_the_contract_and_refuses_bad_values(app, sessions, cast, db) -> None:
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    url = f"/accounts/{cast.acme_id}/edit"
    form = client.get(url).text
    assert 'name="contract_end_on"' in form and 'name="notice_days"' in form
    version = form.split('name="version" value="')[1].split('"')[0]
    original = form.split('name="original" value="')[1].split('"')[0].replace("&#34;", '"')
    base = {"csrf_token": csrf, "version": version, "original": original,
            "name": "Acme Industries", "kind": "company", "status": "active",
            "manager_id": str(cast.owner.id)}
    for bad, field in (({"notice_days": "99999"}, "notice_days"),
                       ({"notice_days": "-1"}, "notice_days"),
                       ({"contract_end_on": "nonsense"}, "contract_end_on")):
        wrong = client.post(url, data={**base, **bad})
        assert wrong.status_code == 422, wrong.text
        assert f'id="a-{field}-error"' in wrong.text
        assert _stored(db, cast.acme_id) == (None, None)
    done = client.post(url, data={**base, "contract_end_on": "2027-06-30", "notice_days": "90"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    assert _stored(db, cast.acme_id) == (date(2027, 6, 30), 90)
    profile = client.get(f"/accounts/{cast.acme_id}").text
    assert "2027-06-30" in profile and "90 days' notice" in profile


def test_the_api_sets_the_contract_and_refuses_nonsense(app, sessions, cast, db) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    for body, field in (({"notice_days": 99999}, "notice_days"),
                        ({"notice_days": -1}, "notice_days"),
                        ({"contract_end_on": "31/06/2027"}, "contract_end_on")):
        wrong = owner.patch(f"/api/v1/accounts/{cast.acme_id}", json=body)
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == field
    assert _stored(db, cast.acme_id) == (None, None)
    done = owner.patch(f"/api/v1/accounts/{cast.acme_id}",
                       json={"contract_end_on": "2027-06-30", "notice_days": 90})
    assert done.status_code == 200 and done.json()["notice_days"] == 90


def test_the_import_reads_the_contract_and_names_bad_cells(db, cast, tmp_path) -> None:
    bad = csv_file(tmp_path, "bad.csv", HEADER + """
OK-1,Fine Ltd,company,,,,,active,2027-06-30,90
BAD-1,Bad Date,company,,,,,active,2027-02-30,90
BAD-2,Bad Notice,company,,,,,active,2027-06-30,-1
BAD-3,Long Notice,company,,,,,active,2027-06-30,99999
BAD-4,Old Date,company,,,,,active,1999-12-31,
""")
    report = run_import(db, cast.admin, "accounts", bad)
    db.commit()
    assert report.status == "rejected"
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "contract_end_on", "not a date (YYYY-MM-DD): '2027-02-30'"),
        (4, "notice_days", "not a whole number of days from 0 to 3650: '-1'"),
        (5, "notice_days", "at most 3650 days, got 99999"),
        (6, "contract_end_on", "a contract end date from 2000-01-01 to 2100-12-31"),
    ]
    assert db.scalar(select(Account.id).where(Account.external_id == "OK-1")) is None
    good = csv_file(tmp_path, "good.csv", HEADER + "ACME,Acme Industries,company,,,owner@accord.test,,active,2027-06-30,90\n")
    report = run_import(db, cast.admin, "accounts", good)
    db.commit()
    assert (report.status, report.updated) == ("imported", 1)
    assert _stored(db, cast.acme_id) == (date(2027, 6, 30), 90)
    blank = csv_file(tmp_path, "blank.csv", HEADER + "ACME,Acme Industries,company,,,owner@accord.test,,active,,\n")
    run_import(db, cast.admin, "accounts", blank)
    db.commit()
    assert _stored(db, cast.acme_id) == (None, None)


def test_the_export_carries_the_contract_columns(app, sessions, cast) -> None:
    _contract(sessions, cast.acme_id, date(2027, 6, 30), 90)
    admin = api_client(app, cast.token(sessions, "admin"))
    lines = admin.get("/api/v1/exports/accounts?format=csv").text.splitlines()
    assert lines[0].endswith(",contract_end_on,notice_days")
    assert any(line.startswith("ACME,") and line.endswith(",2027-06-30,90") for line in lines)


def test_the_renewals_page_the_api_and_the_setting(app, sessions, cast, db) -> None:
    today = utcnow().date()
    client = TestClient(app)
    sign_in(client, "owner@accord.test")
    empty = client.get("/renewals")
    assert empty.status_code == 200 and 'id="renewals-empty"' in empty.text
    _contract(sessions, cast.acme_id, today + timedelta(days=60), 30)  # reminder: today
    _contract(sessions, cast.globex_id, today + timedelta(days=40), 10)
    page = client.get("/renewals").text
    assert "Acme Industries" in page and "Globex" not in page  # the owner sees Acme only
    assert (today + timedelta(days=30)).isoformat() in page  # the notice deadline
    assert client.get("/renewals?scope=later").status_code == 422
    admin = api_client(app, cast.token(sessions, "admin"))
    listed = admin.get("/api/v1/renewals").json()
    assert [r["account_name"] for r in listed["items"]] == ["Acme Industries", "Globex Corp"] or \
        [r["account_id"] for r in listed["items"]] == [cast.acme_id, cast.globex_id]
    assert listed["items"][0]["state"] == "due" and listed["lead_days"] == 30
    mine = admin.get(f"/api/v1/renewals?manager_id={cast.outsider.id}").json()
    assert [r["account_id"] for r in mine["items"]] == [cast.globex_id]
    assert admin.get("/api/v1/renewals?page_size=500").status_code == 422
    owner = api_client(app, cast.token(sessions, "owner"))
    assert owner.put("/api/v1/renewals/settings", json={"lead_days": 10}).status_code == 403
    assert admin.put("/api/v1/renewals/settings", json={"lead_days": 400}).status_code == 422
    changed = admin.put("/api/v1/renewals/settings", json={"lead_days": 10})
    assert changed.status_code == 200 and changed.json() == {"lead_days": 10}
    # with 10 lead days Acme's reminder is 20 days away: no longer in the window
    assert [r["account_id"] for r in owner.get("/api/v1/renewals").json()["items"]] == []


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_cli_lists_reminds_and_sets(sessions, cast, database_url, db) -> None:
    _contract(sessions, cast.acme_id, date(2027, 6, 30), 90)
    listed = _cli(database_url, "renewals", "list", "--date", "2027-03-10", "--format", "json")
    assert listed.exit_code == 0, listed.output
    body = json.loads(listed.output)
    assert [(r["account_id"], r["state"], r["notice_deadline"]) for r in body["items"]] == [
        (cast.acme_id, "due", "2027-04-01")]
    table = _cli(database_url, "renewals", "list", "--date", "2027-03-10")
    assert table.exit_code == 0 and "Renewals (1; page 1 of 1)" in table.output
    reminded = _cli(database_url, "renewals", "remind", "--date", "2027-03-10")
    assert reminded.exit_code == 0 and "1 renewal reminder recorded" in reminded.output
    again = _cli(database_url, "renewals", "remind", "--date", "2027-03-10")
    assert "0 renewal reminders recorded" in again.output
    db.rollback()
    assert db.scalar(select(func.count()).select_from(RenewalReminder)) == 1
    assert db.scalar(select(Opportunity.kind)) == "renewal"
    as_manager = _cli(database_url, "--as", "owner@accord.test", "renewals", "remind")
    assert as_manager.exit_code != 0
    bad = _cli(database_url, "renewals", "remind", "--date", "2027-02-30")
    assert bad.exit_code != 0
    assert _cli(database_url, "renewals", "settings", "--lead-days", "400").exit_code != 0
    assert "lead_days: 45" in _cli(database_url, "renewals", "settings", "--lead-days", "45").output
    assert "lead_days: 45" in _cli(database_url, "renewals", "settings").output
