# ruff: noqa: E501 - CSV bodies read best on one line
"""The staged revenue import: SQL checks held to the Python rules, both staging paths give
the same report, odd files (quotes, blank lines, CRLF, line breaks in fields), and the
set-based check that replaced the foreign keys. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from accord.exchange.importing import run_import
from accord.revenue.load import checks
from accord.revenue.load.importing import bulk_load_revenue
from accord.revenue.load.monthly import AccountVanished
from accord.revenue.load.raw_rows import RL_IN
from accord.revenue.rules import line_key, line_key_sql, parse_cents, parse_month_of_day
from import_helpers import lines_of, monthly_of, recomputed_monthly

HEADER = "account_external_id,date,amount,product_line,line_id\n"
DB_EXAMPLES = settings(max_examples=25, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture])


def write(tmp_path, name: str, body: str, newline: str = "\n"):
    path = tmp_path / name
    path.write_bytes(body.replace("\n", newline).encode("utf-8"))
    return path


def imp(db, user, path, **kw):
    report = run_import(db, user, "revenue", path, **kw)
    db.commit()
    return report


def problems(report):
    return [(p.row, p.column, p.reason) for p in report.problems]


def staged_values(db, column: str, values: list[str], expression: str) -> list:
    """Put values in a staging table as the importer would, evaluate one check expression."""
    conn = db.connection()
    sqlite = db.get_bind().dialect.name == "sqlite"
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_in")
    conn.exec_driver_sql(f"CREATE TEMP TABLE rl_in ({RL_IN.format(key='bigint')})")
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_acc")
    conn.exec_driver_sql(f"CREATE TEMP TABLE rl_acc ({checks.RL_ACC_COLUMNS})")
    for i, value in enumerate(values, 2):
        conn.execute(text(f"INSERT INTO rl_in (line_no, {column}) VALUES (:n, :v)"), {"n": i, "v": value})
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_loaded")
    conn.exec_driver_sql("CREATE TEMP TABLE rl_loaded (line_no bigint PRIMARY KEY)")
    if not sqlite:
        checks.fill_days(conn)
    d = checks.Dialect(sqlite, trimmed=True)  # the rule after trimming (the second pass)
    got = conn.exec_driver_sql(f"SELECT {expression.format(d=d)} FROM {d.source} ORDER BY s.line_no").all()
    conn.exec_driver_sql("DROP TABLE rl_in")
    return [r[0] if len(r) == 1 else tuple(r) for r in got]


AMOUNT_TEXT = st.one_of(
    st.decimals(min_value=-10**16, max_value=10**16, places=2, allow_nan=False,
                allow_infinity=False).map(str),
    st.decimals(min_value=-1000, max_value=1000, places=1, allow_nan=False,
                allow_infinity=False).map(str),
    st.integers(-10**17, 10**17).map(str),
    st.text(alphabet="0123456789.- e,+", max_size=8),
    st.from_regex(r"\A ?-?0*[0-9]{0,17}(\.[0-9]{0,3})? ?\Z"),
)


@DB_EXAMPLES
@given(values=st.lists(AMOUNT_TEXT, min_size=1, max_size=20))
def test_the_sql_amount_rule_is_parse_cents(db, values):
    got = staged_values(db, "amount_text", values,
                        "CASE WHEN {d.amount_ok} THEN {d.cents} END")
    assert [None if g is None else int(g) for g in got] == [parse_cents(v) for v in values]


DATE_TEXT = st.one_of(
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.from_regex(r"\A ?[0-9]{4}-[0-9]{2}-[0-9]{2} ?\Z"),
    st.text(alphabet="0123456789-/ T:", max_size=12),
)


@DB_EXAMPLES
@given(values=st.lists(DATE_TEXT, min_size=1, max_size=20))
def test_the_sql_date_rule_is_the_calendar(db, values):
    got = staged_values(db, "date_text", values, "CASE WHEN {d.date_ok} THEN {d.month} END")
    assert [None if g is None else int(g) for g in got] == [parse_month_of_day(v) for v in values]


KEY_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                   max_size=6)


@DB_EXAMPLES
@given(rows=st.lists(st.tuples(st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
                               KEY_TEXT, KEY_TEXT), min_size=1, max_size=20))
def test_the_sql_line_key_is_line_key(db, rows):
    """``line_key_sql`` (what the staged checks build) is ``line_key`` (what the Python
    routes and ``bulk_load_revenue`` build), for any text, on both databases."""
    conn = db.connection()
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_keys")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE rl_keys (n integer, day text, product text, line_id text)")
    conn.execute(text("INSERT INTO rl_keys VALUES (:n, :day, :product, :line_id)"),
                 [{"n": i, "day": day, "product": product, "line_id": line_id}
                  for i, (day, product, line_id) in enumerate(rows)])
    got = conn.exec_driver_sql(f"SELECT {line_key_sql('day', 'product', 'line_id')} "
                               "FROM rl_keys ORDER BY n").scalars().all()
    conn.exec_driver_sql("DROP TABLE rl_keys")
    assert got == [line_key(day, product or None, line_id or None)
                   for day, product, line_id in rows]


BAD_BODY = HEADER + """ACME,2024-01-15,100.00,Licences,
NOPE,2024-01-15,100.00,,
ACME,2024-02-30,1,,
ACME,2024-01-15,1.234,,
,,,,
ACME,2024-03-01,5,Support,INV-9
"""
BAD_REPORT = [
    (3, "account_external_id", "unknown account 'NOPE'"),
    (4, "date", "malformed date '2024-02-30' (expected YYYY-MM-DD)"),
    (5, "amount", "malformed amount '1.234' (expected e.g. 1234.56, at most 2 decimals)"),
    (6, "account_external_id", "missing required field"),
    (6, "date", "missing required field"),
    (6, "amount", "missing required field"),
]


def test_fast_and_quoted_files_give_the_same_report(db, cast, tmp_path):
    plain = imp(db, cast.admin, write(tmp_path, "plain.csv", BAD_BODY))
    quoted_body = "\n".join(",".join(f'"{v}"' if v else v for v in line.split(","))
                            for line in BAD_BODY.splitlines()) + "\n"
    quoted = imp(db, cast.admin, write(tmp_path, "quoted.csv", quoted_body))
    assert problems(plain) == problems(quoted) == BAD_REPORT
    assert (plain.rows, plain.invalid_rows) == (quoted.rows, quoted.invalid_rows) == (6, 4)
    assert lines_of(db) == []


def test_blank_lines_crlf_and_a_line_break_inside_a_field_keep_row_numbers_right(db, cast, tmp_path):
    body = HEADER + 'ACME,2024-01-15,100.00,Licences,\n\nNOPE,2024-01-15,1,,\n' \
        '"ACME",2024-01-20,2,"two\nlines",\nACME,2024-01-15,x,,\n'
    report = imp(db, cast.admin, write(tmp_path, "odd.csv", body, newline="\r\n"))
    assert report.rows == 4
    assert problems(report) == [
        (4, "account_external_id", "unknown account 'NOPE'"),
        (7, "amount", "malformed amount 'x' (expected e.g. 1234.56, at most 2 decimals)"),
    ]
    crlf = imp(db, cast.admin, write(tmp_path, "crlf.csv", HEADER + "ACME,2024-01-15,100.00,Licences,\nGLOBEX,2024-01-16,-3.5,,L-1\n", "\r\n"))
    assert (crlf.status, crlf.inserted) == ("imported", 2)
    assert sorted((r[1], r[3]) for r in lines_of(db)) == [("#L-1", -350), ("2024-01-15|Licences", 10000)]


def test_spaces_around_values_are_trimmed_and_missing_optional_columns_are_fine(db, cast, tmp_path):
    path = write(tmp_path, "short.csv", "date,amount,account_external_id\n 2024-05-01 , 12.5 , ACME \n")
    report = imp(db, cast.admin, path)
    assert (report.status, report.inserted) == ("imported", 1)
    assert lines_of(db) == [(cast.acme_id, "2024-05-01|", "2024-05-01", 1250, None, None)]
    assert monthly_of(db) == recomputed_monthly(db)


def test_short_rows_are_reported_not_lost(db, cast, tmp_path):
    report = imp(db, cast.admin, write(tmp_path, "short.csv", HEADER + "ACME,2024-01-15\nACME,2024-01-16,3,,\n"))
    assert report.rows == 2
    assert problems(report) == [(2, "amount", "missing required field")]


def test_deleting_an_account_deletes_its_revenue(db, cast, tmp_path):
    imp(db, cast.admin, write(tmp_path, "r.csv", HEADER + "ACME,2024-01-15,100,,\nGLOBEX,2024-01-15,7,,\n"))
    db.execute(text("DELETE FROM accounts WHERE id = :id"), {"id": cast.globex_id})
    db.commit()
    assert {r[0] for r in lines_of(db)} == {cast.acme_id}
    assert {r[0] for r in monthly_of(db)} == {cast.acme_id}


def test_a_load_for_an_account_that_does_not_exist_is_refused_whole(db, cast):
    rows = [(cast.acme_id, date(2024, 1, 5), 1000, "A", None),
            (999_999, date(2024, 1, 5), 500, "A", None)]
    with pytest.raises(AccountVanished):
        bulk_load_revenue(db, iter(rows))
    db.rollback()
    assert lines_of(db) == []


def test_blank_lines_without_quotes_keep_row_numbers_right(db, cast, tmp_path):
    body = HEADER + "ACME,2024-01-15,1,,\n\n\nACME,2024-01-16,oops,,\n   \nACME,2024-01-17,2,,\n"
    report = imp(db, cast.admin, write(tmp_path, "blank.csv", body))
    assert report.rows == 3  # a line of spaces is blank too
    assert problems(report) == [
        (5, "amount", "malformed amount 'oops' (expected e.g. 1234.56, at most 2 decimals)"),
    ]


def test_a_key_written_with_and_without_spaces_is_one_line_summed_across_both_passes(db, cast, tmp_path):
    body = HEADER + "ACME,2024-01-15,1,Licences,\nACME , 2024-01-15 ,2, Licences ,\nACME,2024-01-15,4,Licences,\n"
    report = imp(db, cast.admin, write(tmp_path, "spaces.csv", body))
    assert (report.status, report.rows, report.inserted, report.invalid_rows) == ("imported", 3, 1, 0)
    assert lines_of(db) == [(cast.acme_id, "2024-01-15|Licences", "2024-01-15", 700, "Licences", None)]
    again = imp(db, cast.admin, write(tmp_path, "spaces.csv", body))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert lines_of(db)[0][3] == 700


def test_hubspot_deals_import_as_revenue_against_hubspot_company_ids(db, cast, tmp_path):
    from import_helpers import FIXTURES

    companies = run_import(db, cast.admin, "accounts", FIXTURES / "hubspot_companies.csv", source="hubspot")
    db.commit()
    assert companies.inserted == 2
    deals = write(tmp_path, "deals.csv", "Record ID,Deal Name,Associated Company ID,Close Date,Amount,Deal Type\n"
                  "501,Renewal,9001,2024-03-31,12000,existingbusiness\n502,Pilot,9002,2024-04-02,800.5,newbusiness\n"
                  "503,Lost,9999,2024-04-03,1,newbusiness\n")
    report = imp(db, cast.admin, deals, source="hubspot", skip_invalid=True)
    assert (report.status, report.inserted, report.skipped) == ("imported", 2, 1)
    assert problems(report) == [(4, "Associated Company ID", "unknown account '9999'")]
    assert sorted((r[1], r[3], r[4]) for r in lines_of(db)) == [
        ("#501", 1200000, "existingbusiness"), ("#502", 80050, "newbusiness")]


def test_a_bad_row_late_in_a_clean_looking_file_still_gives_the_whole_report(db, cast, tmp_path):
    """On PostgreSQL the copy route has copied several batches before it meets the bad row:
    it gives up, is rolled back, and the staged route loads and reports; nothing is counted twice."""
    good = "".join(f"ACME,2024-01-{d:02d},{d}.50,Support,\n" for d in range(1, 21))
    body = HEADER + good + "ACME,2024-02-01, 7 ,Support,\nACME,2024-02-02,x,,\n"
    report = imp(db, cast.admin, write(tmp_path, "late.csv", body), skip_invalid=True, batch_size=3)
    assert (report.status, report.rows, report.inserted, report.skipped) == ("imported", 22, 21, 1)
    assert problems(report) == [(23, "amount", "malformed amount 'x' (expected e.g. 1234.56, at most 2 decimals)")]
    assert sum(r[3] for r in lines_of(db)) == sum(d * 100 + 50 for d in range(1, 21)) + 700
    assert monthly_of(db) == recomputed_monthly(db)


LOAD_ROW = st.tuples(
    st.sampled_from(["acme", "globex"]),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 6, 30)),
    st.integers(-50_000, 200_000),
    st.sampled_from([None, "Licences", "Support"]),
    st.sampled_from([None, None, "L1", "L2", "L3"]),
)


@DB_EXAMPLES
@given(loads=st.lists(st.lists(LOAD_ROW, max_size=8), min_size=1, max_size=4))
def test_monthly_revenue_kept_incrementally_equals_a_recomputation(db, cast, loads):
    """Loads one after another — new lines, repeats, changed amounts, a line id moving to
    another month — and after each the monthly rows (amounts, counts, running totals) are
    what a recomputation from every line gives."""
    db.execute(text("DELETE FROM revenue_lines"))
    db.execute(text("DELETE FROM monthly_revenue"))
    db.commit()
    ids = {"acme": cast.acme_id, "globex": cast.globex_id}
    for load in loads:
        rows = [(ids[a], day, cents, product, line_id) for a, day, cents, product, line_id in load]
        stats = bulk_load_revenue(db, iter(rows), batch_size=3)
        db.commit()
        assert monthly_of(db) == recomputed_monthly(db)
        changed = {r[0] for r in rows}
        assert set(stats.account_ids) <= changed


def _kpi_rows(db) -> list[tuple[int, ...]]:
    return [tuple(int(v) for v in r) for r in db.execute(text(
        "SELECT variant, month, gid, movement, account_id, cur_cents, prev_cents, bucket "
        "FROM kpi_account_windows ORDER BY variant, month, gid, movement, account_id"))]


def test_an_import_tells_the_kpi_engine_from_which_month_and_it_ends_as_a_rebuild(db, cast, tmp_path):
    from accord.kpis import derived

    history = HEADER + "".join(
        f"ACME,{2024 + m // 12}-{m % 12 + 1:02d}-10,{100 + m},Licences,A-{m}\n"
        f"GLOBEX,{2024 + m // 12}-{m % 12 + 1:02d}-12,{50 + 3 * m},,\n" for m in range(20))
    imp(db, cast.admin, write(tmp_path, "history.csv", history))
    derived.rebuild(db)
    db.commit()
    # an old month corrected for one account, a new month for the other
    change = HEADER + "ACME,2024-06-10,999,Licences,A-5\nGLOBEX,2025-09-12,70,,\n"
    report = imp(db, cast.admin, write(tmp_path, "change.csv", change))
    assert (report.inserted, report.updated, report.accounts_refreshed) == (1, 1, 2)
    incremental = _kpi_rows(db)
    derived.rebuild(db)
    db.commit()
    assert incremental == _kpi_rows(db) and incremental
