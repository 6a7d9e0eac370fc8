"""REST: POST /api/v1/imports/{kind}, GET /api/v1/exports/{kind}, an account's revenue."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from conftest import api_client
from import_helpers import FIXTURES, upload


def post(client, kind, body, **form):
    files = {"file": (f"{kind}.csv", upload(body) if isinstance(body, str) else body, "text/csv")}
    return client.post(f"/api/v1/imports/{kind}", files=files,
                       data={k: str(v).lower() for k, v in form.items()})


def test_an_import_returns_its_report(app, sessions, cast):
    client = api_client(app, cast.token(sessions, "admin"))
    response = post(client, "revenue", (FIXTURES / "revenue.csv").read_text())
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["inserted"], body["rows"]) == ("imported", 3, 3)


def test_a_rejected_import_is_a_422_problem_listing_the_rows(app, sessions, cast):
    client = api_client(app, cast.token(sessions, "admin"))
    response = post(client, "revenue", (FIXTURES / "revenue_bad_row.csv").read_text())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["errors"] == [{"row": 3, "column": "date",
                               "reason": "malformed date '2024-02-31' (expected YYYY-MM-DD)"}]
    lines = client.get(f"/api/v1/accounts/{cast.acme_id}/revenue/lines").json()
    assert lines["total"] == 0


def test_skip_invalid_and_dry_run_are_form_fields(app, sessions, cast):
    client = api_client(app, cast.token(sessions, "admin"))
    dry = post(client, "revenue", (FIXTURES / "revenue.csv").read_text(), dry_run=True)
    assert (dry.status_code, dry.json()["status"], dry.json()["inserted"]) == (200, "dry_run", 3)
    skipped = post(client, "revenue", (FIXTURES / "revenue_bad_row.csv").read_text(),
                   skip_invalid=True)
    assert (skipped.json()["inserted"], skipped.json()["skipped"]) == (2, 1)


def test_monthly_revenue_and_lines_of_an_account(app, sessions, cast):
    client = api_client(app, cast.token(sessions, "admin"))
    post(client, "revenue", (FIXTURES / "revenue.csv").read_text())
    monthly = client.get(f"/api/v1/accounts/{cast.acme_id}/revenue/monthly").json()
    assert monthly == [
        {"month": "2024-01", "amount": "1200.00", "cumulative": "1200.00", "line_count": 1},
        {"month": "2024-02", "amount": "-200.00", "cumulative": "1000.00", "line_count": 1},
    ]
    page = client.get(f"/api/v1/accounts/{cast.acme_id}/revenue/lines?page_size=1").json()
    assert (page["total"], page["pages"], page["items"][0]["line_id"]) == (2, 2, "CN-7")
    assert page["items"][0]["key"] == "#CN-7"  # a line is known by its key within the account


def test_an_outsider_learns_nothing(app, sessions, cast):
    admin = api_client(app, cast.token(sessions, "admin"))
    post(admin, "revenue", (FIXTURES / "revenue.csv").read_text())
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert outsider.get(f"/api/v1/accounts/{cast.acme_id}/revenue/monthly").status_code == 404
    assert outsider.get(f"/api/v1/accounts/{cast.acme_id}/revenue/lines").status_code == 404
    response = post(outsider, "revenue", "account_external_id,date,amount\nACME,2024-05-01,1\n")
    assert response.status_code == 422
    assert response.json()["errors"][0]["reason"] == "unknown account 'ACME'"
    exported = outsider.get("/api/v1/exports/revenue").text
    assert "ACME" not in exported and "GLOBEX" in exported


def test_read_only_roles_get_403_and_need_a_token(app, sessions, cast):
    viewer = api_client(app, cast.token(sessions, "viewer"))
    assert post(viewer, "revenue", (FIXTURES / "revenue.csv").read_text()).status_code == 403
    assert viewer.get("/api/v1/exports/accounts").status_code == 200
    from fastapi.testclient import TestClient

    assert TestClient(app).get("/api/v1/exports/accounts").status_code == 401


def test_managers_may_not_import_accounts(app, sessions, cast):
    owner = api_client(app, cast.token(sessions, "owner"))
    assert post(owner, "accounts", (FIXTURES / "accounts.csv").read_text()).status_code == 403


def test_exports_stream_csv_and_excel(app, sessions, cast):
    client = api_client(app, cast.token(sessions, "admin"))
    csv_ = client.get("/api/v1/exports/accounts?format=csv")
    assert csv_.status_code == 200 and csv_.headers["content-type"].startswith("text/csv")
    assert csv_.text.splitlines()[0] == ("external_id,name,kind,segment,business_line,"
                                         "manager_email,parent_external_id,status,"
                                         "contract_end_on,notice_days")
    xlsx = client.get("/api/v1/exports/accounts?format=xlsx")
    assert "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "external_id" and {r[0] for r in rows[1:]} == {"ACME", "GLOBEX"}
