# ruff: noqa: E501 - CSV bodies and expected reports read best on one line
"""Revenue import: the fast path and the file importer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from accord.core.models import User
from accord.exchange.importing import run_import
from accord.revenue.load.importing import bulk_load_revenue
from accord.revenue.rules import parse_cents
from import_helpers import audit_entries, csv_file, lines_of, monthly_of, recomputed_monthly

HEADER = "account_external_id,date,amount,product_line,line_id\n"


def imp(db, user, path, **kw):
    report = run_import(db, user, "revenue", path, **kw)
    db.commit()
    return report


def test_it_imports_lines_and_keeps_monthly_revenue_with_running_totals(db, cast, tmp_path):
    path = csv_file(tmp_path, "rev.csv", HEADER + """
ACME,2024-01-15,1000.00,Widgets,
ACME,2024-01-20,250.50,Gadgets,
ACME,2024-03-01,-100.00,Widgets,
GLOBEX,2024-02-10,99.99,,INV-1
""")
    report = imp(db, cast.admin, path)
    assert (report.status, report.rows, report.inserted, report.updated, report.unchanged) == (
        "imported", 4, 4, 0, 0)
    assert report.accounts_refreshed == 2
    assert monthly_of(db) == recomputed_monthly(db)
    acme = [m for m in monthly_of(db) if m[0] == cast.acme_id]
    assert [(m[2], m[3], m[4]) for m in acme] == [(125050, 2, 125050), (-10000, 1, 115050)]
    keys = {k for _, k, *_ in lines_of(db)}
    assert keys == {"2024-01-15|Widgets", "2024-01-20|Gadgets", "2024-03-01|Widgets", "#INV-1"}


def test_reimporting_the_same_file_changes_nothing(db, cast, tmp_path):
    path = csv_file(tmp_path, "rev.csv", HEADER + """
ACME,2024-01-15,1000.00,Widgets,
ACME,2024-01-15,500.00,Widgets,
GLOBEX,2024-02-10,99.99,,INV-1
""")
    imp(db, cast.admin, path)
    before_lines, before_monthly = lines_of(db), monthly_of(db)
    again = imp(db, cast.admin, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert lines_of(db) == before_lines
    assert monthly_of(db) == before_monthly
    assert [e[0] for e in audit_entries(db, "import")] == ["import", "import"]


def test_duplicate_lines_are_summed_and_a_changed_amount_updates_its_record(db, cast, tmp_path):
    first = csv_file(tmp_path, "a.csv", HEADER + """
ACME,2024-01-15,100.00,Widgets,
ACME,2024-01-15,0.50,Widgets,
ACME,2024-01-15,-20.00,Widgets,
ACME,2024-02-01,10.00,,X-1
""")
    imp(db, cast.admin, first)
    assert [(k, c) for _, k, _, c, *_ in lines_of(db)] == [("#X-1", 1000), ("2024-01-15|Widgets", 8050)]
    second = csv_file(tmp_path, "b.csv", HEADER + """
ACME,2024-01-15,70.00,Widgets,
ACME,2024-02-03,12.00,,X-1
""")
    report = imp(db, cast.admin, second)
    assert (report.inserted, report.updated, report.unchanged) == (0, 2, 0)
    rows = {k: (d, c) for _, k, d, c, *_ in lines_of(db)}
    assert rows == {"#X-1": ("2024-02-03", 1200), "2024-01-15|Widgets": ("2024-01-15", 7000)}
    assert monthly_of(db) == recomputed_monthly(db)


def test_duplicates_far_apart_are_summed_across_batches(db, cast, tmp_path):
    body = HEADER + "".join(
        f"ACME,2024-01-{(i % 28) + 1:02d},1.00,P{i % 3},\n" for i in range(300)
    )
    path = csv_file(tmp_path, "many.csv", body)
    first = imp(db, cast.admin, path, batch_size=7)
    assert first.inserted == 84
    assert sum(c for *_, c, _, _ in [(x[0], x[1], x[2], x[3], x[4], x[5]) for x in lines_of(db)]) == 30000
    again = imp(db, cast.admin, path, batch_size=7)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 84)
    assert sum(x[3] for x in lines_of(db)) == 30000
    assert monthly_of(db) == recomputed_monthly(db)


def test_credit_notes_make_negative_months_and_running_totals_follow(db, cast, tmp_path):
    path = csv_file(tmp_path, "credit.csv", HEADER + """
ACME,2024-01-10,300.00,,
ACME,2024-02-10,-500.00,,CN-1
ACME,2024-04-10,50.25,,
""")
    imp(db, cast.admin, path)
    rows = monthly_of(db)
    assert [(r[2], r[4]) for r in rows] == [(30000, 30000), (-50000, -20000), (5025, -14975)]
    assert rows == recomputed_monthly(db)


def test_a_file_with_bad_rows_is_rejected_whole_and_names_row_column_and_reason(db, cast, tmp_path):
    path = csv_file(tmp_path, "bad.csv", HEADER + """
ACME,2024-01-15,100.00,,
NOPE,2024-01-15,100.00,,
ACME,2024-13-01,100.00,,
ACME,15/01/2024,100.00,,
ACME,2024-01-15,12.345,,
ACME,2024-01-15,1e3,,
,2024-01-15,1.00,,
ACME,2024-01-16,,,
""")
    report = imp(db, cast.admin, path)
    assert report.status == "rejected"
    assert report.invalid_rows == 7
    got = [(p.row, p.column, p.reason.split(" ")[0] + " " + p.reason.split(" ")[1])
           for p in report.problems]
    assert got == [
        (3, "account_external_id", "unknown account"),
        (4, "date", "malformed date"),
        (5, "date", "malformed date"),
        (6, "amount", "malformed amount"),
        (7, "amount", "malformed amount"),
        (8, "account_external_id", "missing required"),
        (9, "amount", "missing required"),
    ]
    assert lines_of(db) == [] and monthly_of(db) == []
    assert audit_entries(db, "import") == []


def test_skip_invalid_imports_the_good_rows_and_reports_the_rest(db, cast, tmp_path):
    path = csv_file(tmp_path, "bad.csv", HEADER + """
ACME,2024-01-15,100.00,,
NOPE,2024-01-15,100.00,,
GLOBEX,2024-01-15,7.5,,
""")
    report = imp(db, cast.admin, path, skip_invalid=True)
    assert (report.status, report.inserted, report.skipped) == ("imported", 2, 1)
    assert [(p.row, p.column) for p in report.problems] == [(3, "account_external_id")]
    assert sorted(x[3] for x in lines_of(db)) == [750, 10000]


def test_dry_run_reports_what_would_change_and_writes_nothing(db, cast, tmp_path):
    path = csv_file(tmp_path, "rev.csv", HEADER + "ACME,2024-01-15,100.00,,\nACME,2024-02-15,1,,\n")
    report = imp(db, cast.admin, path, dry_run=True)
    assert (report.status, report.inserted) == ("dry_run", 2)
    assert lines_of(db) == [] and monthly_of(db) == []
    assert audit_entries(db, "import") == []


def test_a_missing_column_rejects_the_file(db, cast, tmp_path):
    path = csv_file(tmp_path, "cols.csv", "account_external_id,amount\nACME,1.00\n")
    report = imp(db, cast.admin, path, skip_invalid=True)
    assert report.status == "rejected"
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (1, "date", "missing required column")]


def test_a_manager_learns_nothing_of_accounts_they_cannot_see(db, cast, tmp_path):
    path = csv_file(tmp_path, "rev.csv", HEADER + "ACME,2024-01-15,100.00,,\nGLOBEX,2024-01-15,5,,\n")
    report = imp(db, cast.owner, path)
    assert report.status == "rejected"
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "account_external_id", "unknown account 'GLOBEX'")]
    assert lines_of(db) == []


def test_read_only_roles_cannot_import(db, cast, tmp_path):
    from accord.core.errors import Forbidden

    path = csv_file(tmp_path, "rev.csv", HEADER + "ACME,2024-01-15,100.00,,\n")
    with pytest.raises(Forbidden):
        run_import(db, cast.viewer, "revenue", path)


def test_the_fast_path_loads_tuples_and_counts_exactly(db, cast):
    rows = [
        (cast.acme_id, date(2024, 1, 5), 1000, "A", None),
        (cast.acme_id, date(2024, 1, 5), 500, "A", None),
        (cast.acme_id, date(2024, 2, 5), 200, None, "L1"),
        (cast.globex_id, date(2023, 12, 31), -300, None, None),
    ]
    stats = bulk_load_revenue(db, iter(rows), batch_size=2)
    db.commit()
    assert (stats.lines, stats.inserted, stats.updated, stats.unchanged) == (4, 3, 0, 0)
    assert stats.accounts == 2
    assert monthly_of(db) == recomputed_monthly(db)
    again = bulk_load_revenue(db, iter(rows), batch_size=3)
    db.commit()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    changed = bulk_load_revenue(db, iter([(cast.acme_id, date(2024, 2, 5), 250, None, "L1")]))
    db.commit()
    assert (changed.inserted, changed.updated, changed.unchanged) == (0, 1, 0)
    assert monthly_of(db) == recomputed_monthly(db)
    assert int(db.scalar(text("SELECT sum(amount_cents) FROM revenue_lines"))) == 1450


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2,
                   allow_nan=False, allow_infinity=False))
def test_amounts_become_exact_cents(amount: Decimal) -> None:
    assert parse_cents(str(amount)) == int(amount * 100)
    assert parse_cents(f"{amount:.2f}") == int(amount * 100)


@pytest.mark.parametrize("text_", ["1.234", "1,5", "1e3", "", "--1", "1.", ".5", "12 34", "½"])
def test_malformed_amounts_are_refused(text_: str) -> None:
    assert parse_cents(text_) is None


def _unused(user: User) -> None:  # keep the import for type checkers
    del user


def test_a_line_repeated_without_its_product_keeps_the_product_on_both_databases(db, cast, tmp_path):
    # the greatest product of the repeated key, a missing one ignored (as the aggregate max)
    path = csv_file(tmp_path, "repeat.csv", HEADER + "ACME,2024-01-05,10.00,Widgets,INV1\n"
                    "ACME,2024-01-05,5.00,,INV1\n")
    imp(db, cast.admin, path)
    assert [(k, c, p) for _, k, _, c, p, _ in lines_of(db)] == [("#INV1", 1500, "Widgets")]


def test_a_load_that_changes_no_month_still_moves_the_kpi_watermark(db, cast, tmp_path):
    from accord.kpis import derived

    imp(db, cast.admin, csv_file(tmp_path, "a.csv", HEADER + "ACME,2024-01-05,10.00,P1,INV1\n"))
    derived.ensure_fresh(db)
    db.commit()
    # the same line with another product line: a line updated, no monthly sum changed; the
    # account's month is still announced (growth's per-product-line summary reads it)
    report = imp(db, cast.admin, csv_file(tmp_path, "b.csv", HEADER + "ACME,2024-01-05,10.00,P2,INV1\n"))
    assert (report.updated, report.accounts_refreshed) == (1, 1)
    newest = derived.watermarks(db)[1]
    assert derived.ensure_fresh(db).max_load_id == newest
    db.commit()
    assert derived.ensure_fresh(db).max_load_id == newest
