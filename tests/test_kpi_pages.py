"""The KPI dashboard pages: figures as in the API document, drill-down, exports, visibility.

The portfolio (as of 2025-12, 12-month trailing windows; previous window = 2024):

| account  | manager  | 2023 | 2024 (P) | 2025 (C) | movement                 |
|----------|----------|------|----------|----------|--------------------------|
| Acme     | owner    |      | 1,200.00 | 1,800.00 | expanded                 |
| Initech  | owner    |      | 3,600.00 | 1,200.00 | contracted               |
| Umbrella | owner    |      |          |   600.00 | new                      |
| Globex   | outsider |      | 2,400.00 |          | churned                  |
| Hooli    | outsider |  120 |          |   240.00 | reactivated              |

Whole portfolio: starting 7,200.00, ending 3,840.00, NRR 41.7 %, GRR 33.3 %;
ABC (current window 1,800 / 1,200 / 600 / 240): A A A B.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from accord.accounts.models import Account
from accord.core.database import utcnow
from accord.kpis import pareto, service
from conftest import api_client
from import_helpers import write_monthly
from page_helpers import sign_in

B = 2024 * 12  # 2024-01


def _account(db, name: str, manager_id: int, segment: str) -> int:
    now = utcnow()
    a = Account(name=name, name_key=name.lower(), external_id=name.upper(), kind="company",
                status="active", segment=segment, manager_id=manager_id, created_at=now,
                updated_at=now)
    db.add(a)
    db.flush()
    return int(a.id)


def arrange_portfolio(sessions, cast) -> dict[str, int]:
    """The portfolio of the module docstring; returns account ids by name."""
    service.clear_cache()
    pareto.clear_cache()
    with sessions.begin() as db:
        ids = {"Acme": cast.acme_id, "Globex": cast.globex_id}
        ids["Initech"] = _account(db, "Initech", cast.owner.id, "Manufacturing")
        ids["Umbrella"] = _account(db, "Umbrella", cast.owner.id, "Retail")
        ids["Hooli"] = _account(db, "Hooli", cast.outsider.id, "Energy")
        year = range(12)
        write_monthly(db, ids["Acme"], {**{B + m: 10_000 for m in year},
                                   **{B + 12 + m: 15_000 for m in year}})
        write_monthly(db, ids["Initech"], {**{B + m: 30_000 for m in year},
                                      **{B + 12 + m: 10_000 for m in year}})
        write_monthly(db, ids["Umbrella"], {B + 12 + m: 5_000 for m in year})
        write_monthly(db, ids["Globex"], {B + m: 20_000 for m in year})
        write_monthly(db, ids["Hooli"], {**{B - 12 + m: 1_000 for m in year},
                                    **{B + 12 + m: 2_000 for m in year}})
        service.rebuild(db)
    return ids






def pct(value: float | None) -> str:
    return "—" if value is None else f"{Decimal(str(value)) * 100:.1f} %"


def test_the_dashboard_shows_the_figures_of_the_api_document(sessions, cast, app, client):
    arrange_portfolio(sessions, cast)
    doc = api_client(app, cast.token(sessions, "admin")).get(
        "/api/v1/kpis?as_of=2025-12&series=true").json()
    sign_in(client, "admin@accord.test")
    r = client.get("/dashboard?as_of=2025-12")
    assert r.status_code == 200
    html = r.text
    p = doc["portfolio"]
    assert (p["nrr"], p["grr"]) == (0.416667, 0.333333)
    for slug in ("nrr", "grr", "logo_churn_rate", "expansion_rate"):
        tile = html.split(f'data-kpi="{slug}"', 1)[1].split("</div>\n</div>", 1)[0]
        assert pct(p[slug]) in tile, slug
    assert pct(doc["concentration"]["top20_share"]) in html  # 46.9 %
    assert "7,200.00" in html and "3,840.00" in html and "−2,400.00" in html
    assert "window 12 months · basis trailing" in html
    # managers, segments, tiers and the series
    assert html.count('<table class="data-table sortable"') == 4
    assert '<script src="/static/sortable.js" defer></script>' in html
    managers = html.split('id="by-manager"', 1)[1].split("</table>", 1)[0]
    assert managers.count("<tr>") - 1 == len(doc["by_manager"]) == 2
    tiers = html.split('id="by-tier"', 1)[1].split("</table>", 1)[0]
    assert "not key" in tiers
    assert 'class="cutoff cutoff-A"' in html and 'class="cutoff cutoff-B"' in html
    assert 'aria-label="Revenue bridge from starting to ending revenue"' in html
    assert 'data-series="NRR"' in html and 'data-series="GRR"' in html
    assert "http://" not in html.split("<main", 1)[1].replace("http://www.w3.org/2000/svg", "")


def test_the_pareto_curve_is_ranked_downsampled_and_marks_the_abc_cut_offs(sessions, cast):
    arrange_portfolio(sessions, cast)
    with sessions() as db:
        curve = pareto.pareto_curve(db, cast.admin, today=utcnow().date(), as_of="2025-12")
        assert (curve["accounts"], curve["total_revenue_cents"]) == (4, 384_000)
        assert curve["boundaries"] == {"A": 3, "B": 4}
        assert curve["classes"] == {"A": 3, "B": 1, "C": 0}
        assert [tuple(map(str, p)) for p in curve["points"]] == [
            ("0.250000", "0.468750"), ("0.500000", "0.781250"), ("0.750000", "0.937500"),
            ("1.000000", "1.000000")]
        small = pareto.pareto_curve(db, cast.admin, today=utcnow().date(), as_of="2025-12",
                                    points=2)
        assert [p[0] for p in small["points"]] == [Decimal("0.25"), Decimal("0.5"), Decimal(1)]
        doc = service.kpi_report(db, cast.admin, today=utcnow().date(), as_of="2025-12")
        abc = doc["concentration"]["abc"]
        assert (abc["A"], abc["A"] + abc["B"]) == (3, 4)
        mine = pareto.pareto_curve(db, cast.outsider, today=utcnow().date(), as_of="2025-12")
        assert (mine["accounts"], mine["total_revenue_cents"]) == (1, 24_000)


@pytest.mark.parametrize("movement, name, previous, current, abc", [
    ("churned", "Globex Corporation", "2,400.00", "0.00", None),
    ("contracted", "Initech", "3,600.00", "1,200.00", "A"),
    ("expanded", "Acme Industries", "1,200.00", "1,800.00", "A"),
    ("new", "Umbrella", "0.00", "600.00", "A"),
    ("reactivated", "Hooli", "0.00", "240.00", "B"),
])
def test_each_movement_drills_down_to_its_accounts_with_both_windows_and_abc_class(
    sessions, cast, client, movement, name, previous, current, abc
):
    arrange_portfolio(sessions, cast)
    sign_in(client, "admin@accord.test")
    r = client.get(f"/dashboard/accounts?movement={movement}&as_of=2025-12")
    assert r.status_code == 200
    body = r.text.split('id="movement-accounts"', 1)[1].split("</table>", 1)[0]
    rows = body.split("<tbody>", 1)[1].count("<tr>")
    assert rows == 1 and name in body and previous in body and current in body
    badge = re.search(r'<span class="badge [^"]+">([ABC])</span>', body)
    assert (badge.group(1) if badge else None) == abc


EXPORTS = ["managers", "segments", "tiers", "series", "accounts?movement=churned",
           "accounts?movement=contracted"]


@pytest.mark.parametrize("table", EXPORTS)
def test_every_table_exports_to_csv_and_excel_with_the_same_rows(sessions, cast, client, table):
    arrange_portfolio(sessions, cast)
    sign_in(client, "admin@accord.test")
    name, _, query = table.partition("?")
    query = "&".join(q for q in (query, "as_of=2025-12") if q)
    r_csv = client.get(f"/dashboard/export/{name}.csv?{query}")
    r_xlsx = client.get(f"/dashboard/export/{name}.xlsx?{query}")
    assert r_csv.status_code == r_xlsx.status_code == 200
    assert "attachment" in r_csv.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r_csv.text)))
    assert len(rows) > 1
    sheet = openpyxl.load_workbook(io.BytesIO(r_xlsx.content)).worksheets[0]
    cells = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == rows[0]
    assert len(cells) == len(rows)
    for got, want in zip(cells[1:], rows[1:], strict=True):
        for g, w in zip(got, want, strict=True):
            if isinstance(g, int | float):
                assert Decimal(str(g)) == Decimal(w)
            else:
                assert g == w


def test_the_csv_holds_exact_figures_and_the_workbook_every_table(sessions, cast, client):
    arrange_portfolio(sessions, cast)
    sign_in(client, "admin@accord.test")
    managers = client.get("/dashboard/export/managers.csv?as_of=2025-12").text
    assert managers.startswith("manager,accounts_at_start,starting_revenue,")
    assert "outsider@accord.test,1,2400.00,1,2400.00" in managers
    book = openpyxl.load_workbook(io.BytesIO(
        client.get("/dashboard/export/all.xlsx?as_of=2025-12").content))
    assert book.sheetnames == ["managers", "segments", "tiers", "series", "About"]
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert (about["as_of"], about["window_months"], about["basis"]) == ("2025-12", "12",
                                                                        "trailing")
    assert client.get("/dashboard/export/all.csv").status_code == 404
    assert client.get("/dashboard/export/secrets.csv").status_code == 404


def test_a_manager_dashboard_covers_only_their_own_accounts(sessions, cast, client):
    arrange_portfolio(sessions, cast)
    sign_in(client, "outsider@accord.test")
    html = client.get("/dashboard?as_of=2025-12").text
    starting = html.split('id="bridge-table"', 1)[1].split("</table>", 1)[0]
    assert "2,400.00" in starting and "7,200.00" not in starting and "240.00" in starting
    assert "owner@accord.test" not in html and "Manufacturing" not in html
    csv_text = client.get("/dashboard/export/managers.csv?as_of=2025-12").text
    assert [r[0] for r in csv.reader(io.StringIO(csv_text))][1:] == ["outsider@accord.test"]
    expanded = client.get("/dashboard/accounts?movement=expanded&as_of=2025-12").text
    assert "Acme" not in expanded and "No expanded accounts" in expanded
    workbook = client.get("/dashboard/export/accounts.xlsx?movement=contracted&as_of=2025-12")
    assert openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0].max_row == 1
    for path in ("/dashboard?manager=owner@accord.test",
                 "/dashboard/accounts?movement=expanded&manager=owner@accord.test",
                 "/dashboard/export/managers.csv?manager=owner@accord.test",
                 "/dashboard?manager=nobody@accord.test"):
        r = client.get(path)
        assert r.status_code == 404 and "Acme" not in r.text, path


def test_an_admin_can_look_at_one_manager_as_that_manager_sees_it(sessions, cast, client):
    arrange_portfolio(sessions, cast)
    sign_in(client, "admin@accord.test")
    html = client.get("/dashboard?as_of=2025-12&manager=outsider@accord.test").text
    assert "Oscar Outsider (outsider@accord.test)" in html
    bridge = html.split('id="bridge-table"', 1)[1].split("</table>", 1)[0]
    assert "2,400.00" in bridge and "7,200.00" not in bridge
    assert "movement=churned&amp;as_of=2025-12&amp;manager=outsider%40accord.test" in html


def test_the_dashboard_without_revenue_says_how_to_import(cast, client):
    service.clear_cache()
    sign_in(client, "admin@accord.test")
    r = client.get("/dashboard")
    assert r.status_code == 200
    assert "No revenue yet" in r.text and "accord import revenue" in r.text
    assert 'href="/import"' in r.text


def test_an_as_of_month_after_the_data_is_refused(sessions, cast, client):
    arrange_portfolio(sessions, cast)
    sign_in(client, "admin@accord.test")
    assert client.get("/dashboard?as_of=2031-01").status_code == 422
    assert client.get("/dashboard/accounts?movement=vanished").status_code == 422
