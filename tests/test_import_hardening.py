"""Imports never crash on a bad workbook and never read without end (issue 9: B6, B9, L2).

B6: a truncated workbook is a rejected import (422 problem, an error on the page, exit 2),
never a parser error. B9: a workbook is capped in unpacked size and rows; empty rows are
not rows and are not followed past Excel's last row. L2: the chunked import's scratch
folders belong to their process and leftovers of a dead one are removed.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable, Sequence

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()
SHEET = "xl/worksheets/sheet1.xml"
ROWS = {
    "revenue": [["account_external_id", "date", "amount"], ["ACME", "2024-01-15", "12.00"],
                ["GLOBEX", "2024-01-31", "99.95"]],
    "accounts": [["external_id", "name"], ["NEW-1", "New One"], ["NEW-2", "New Two"]],
    "contacts": [["external_id", "account_external_id", "name"], ["C-9", "ACME", "Ann"]],
}


def workbook(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with its first sheet's XML changed (the zip stays valid)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(body) if info.filename == SHEET else body)
    return out.getvalue()


def cut_sheet(kind: str) -> bytes:
    """A workbook whose sheet XML stops halfway (openpyxl: ParseError while reading)."""
    return rewritten(workbook(ROWS[kind] * 20), lambda xml: xml[: len(xml) // 2])


def run(db, user, kind: str, data: bytes, suffix: str = "xlsx"):
    from accord.exchange.importing import run_import

    return run_import(db, db.merge(user), kind, io.BytesIO(data), filename=f"{kind}.{suffix}")


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch):
    """Set ACCORD_IMPORT_MAX_* for one test."""
    from accord.core.settings import get_settings

    def set_(**values: int) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"ACCORD_IMPORT_MAX_{name.upper()}", str(value))
        get_settings.cache_clear()

    yield set_
    get_settings.cache_clear()


# ---------------------------------------------------------------- B6: damaged workbooks


@pytest.mark.parametrize("kind", ["revenue", "accounts", "contacts"])
def test_a_workbook_cut_short_is_a_rejected_import(db, cast, kind):
    report = run(db, cast.admin, kind, cut_sheet(kind))
    assert report.status == "rejected"
    assert [(p.row, p.column) for p in report.problems] == [(1, "file")]
    assert "damaged or truncated" in report.problems[0].reason
    assert (report.inserted, report.updated) == (0, 0)


def test_a_truncated_file_is_a_rejected_import(db, cast):
    data = workbook(ROWS["revenue"] * 50)
    report = run(db, cast.admin, "revenue", data[: len(data) // 2])
    assert report.status == "rejected"
    assert "damaged or truncated" in report.problems[0].reason


def test_the_api_answers_a_damaged_workbook_with_a_422_problem(app, sessions, cast):
    client = api_client(app, cast.token(sessions, "admin"))
    response = client.post("/api/v1/imports/revenue",
                           files={"file": ("revenue.xlsx", cut_sheet("revenue"))})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    (error,) = response.json()["errors"]
    assert (error["row"], error["column"]) == (1, "file")
    assert "damaged or truncated" in error["reason"]


def test_the_import_page_shows_a_damaged_workbook_as_an_error(client, cast):
    token = sign_in(client, "admin@accord.test")
    response = client.post(
        "/import", data={"kind": "accounts", "source": "accord", "csrf_token": token},
        files={"file": ("accounts.xlsx", cut_sheet("accounts"))})
    assert response.status_code == 422
    assert "damaged or truncated" in response.text


def test_the_cli_says_so_and_exits_2(database_url, cast, tmp_path):
    path = tmp_path / "revenue.xlsx"
    path.write_bytes(cut_sheet("revenue"))
    result = runner.invoke(cli_app, ["--database-url", database_url, "import", "revenue",
                                     str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "damaged or truncated" in result.output


# ---------------------------------------------------------------- B9: bounded workbooks


def test_a_workbook_unpacking_past_the_limit_is_refused_before_it_is_read(db, cast, limits):
    limits(unpacked_mb=1)
    big = ROWS["revenue"] + [["ACME", "2024-01-15", "12.00", "x" * 200, f"L{i}"]
                             for i in range(6000)]
    data = workbook(big)
    assert len(data) < 1_000_000  # small on the wire, about 1.5 MB unpacked
    report = run(db, cast.admin, "revenue", data)
    assert report.status == "rejected"
    assert "ACCORD_IMPORT_MAX_UNPACKED_MB" in report.problems[0].reason
    limits(unpacked_mb=5)
    assert run(db, cast.admin, "revenue", data).status == "imported"


def test_rows_past_the_limit_refuse_the_file_but_empty_rows_do_not_count(db, cast, limits):
    limits(workbook_rows=3)
    header, line = ROWS["revenue"][0], ["ACME", "2024-01-15", "12.00"]
    four = workbook([header, *([line] * 4)])
    report = run(db, cast.admin, "revenue", four)
    assert report.status == "rejected"
    assert "more than 3 rows" in report.problems[0].reason
    spaced = workbook([header, line, [], [None, None], line, line, [], [], []])
    report = run(db, cast.admin, "revenue", spaced)
    assert (report.status, report.rows) == ("imported", 3)


def _claiming(rows: int) -> Callable[[bytes], bytes]:
    """Sheet XML whose dimension claims ``rows`` rows."""
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:C{rows}"'.encode(),
                              xml)


def _with_row(number: int, cells: bytes = b"") -> Callable[[bytes], bytes]:
    """Sheet XML with one more row element, numbered ``number`` (openpyxl yields every row
    in between as an empty row)."""
    row = f'<row r="{number}">'.encode() + cells + b"</row>"
    return lambda xml: _claiming(number)(xml.replace(b"</sheetData>", row + b"</sheetData>"))


def test_a_sheet_claiming_70_million_rows_is_refused_without_reading_them(db, cast):
    data = rewritten(workbook(ROWS["revenue"]), _with_row(70_000_000))
    assert len(data) < 10_000
    began = time.perf_counter()
    report = run(db, cast.admin, "revenue", data)
    assert report.status == "rejected"
    assert "past row 1,048,576" in report.problems[0].reason
    assert time.perf_counter() - began < 60  # not a 457 s read


def test_trailing_empty_rows_are_not_rows(db, cast):
    claims = rewritten(workbook(ROWS["revenue"]), _claiming(70_000_000))
    report = run(db, cast.admin, "revenue", claims)
    assert (report.status, report.rows, report.inserted) == ("imported", 2, 2)
    far = rewritten(workbook(ROWS["revenue"]), _with_row(1_000_000))
    report = run(db, cast.admin, "revenue", far)
    assert (report.status, report.rows, report.unchanged) == ("imported", 2, 2)


def test_a_row_past_excels_last_row_refuses_the_file(db, cast):
    acme = b'<c r="A2000000" t="inlineStr"><is><t>ACME</t></is></c>'
    data = rewritten(workbook(ROWS["revenue"]), _with_row(2_000_000, acme))
    report = run(db, cast.admin, "revenue", data)
    assert report.status == "rejected"
    assert "past row 1,048,576" in report.problems[0].reason


# ---------------------------------------------------------------- L2: scratch folders


@pytest.fixture
def temp_root(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A temporary folder of its own, as a fresh process sees it (nothing swept yet)."""
    import tempfile

    from accord.revenue.load import scratch

    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    monkeypatch.setattr(scratch, "_swept", set())
    return root


def _leftovers(root, pid: int):
    """What a chunked import killed with ``kill -9`` leaves: its folder, chunk databases."""
    folder = root / f"accord-import-{pid}" / "chunks-x1y2z3"
    folder.mkdir(parents=True)
    (folder / "chunk0.db").write_bytes(b"\0" * 100_000)
    (folder / "lookups.db").write_bytes(b"\0" * 1_000)
    return folder.parent


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_dead_processes_are_removed_and_live_ones_kept(temp_root):
    import os
    import subprocess
    import sys

    from accord.revenue.load import scratch

    dead = _leftovers(temp_root, _dead_pid())
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = _leftovers(temp_root, running.pid)
        mine = _leftovers(temp_root, os.getpid())
        other = temp_root / "accord-import-notapid"
        other.mkdir()
        assert scratch.remove_leftovers() == [dead]
        assert not dead.exists() and live.exists() and mine.exists() and other.exists()
    finally:
        running.kill()
        running.wait()
    assert scratch.remove_leftovers() == [live]


def test_the_next_chunked_import_removes_a_killed_imports_leftovers(db, cast, temp_root,
                                                                     monkeypatch):
    import os

    from accord.revenue.load import pipeline

    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("the chunked import is SQLite's")
    dead = _leftovers(temp_root, _dead_pid())
    parent = _leftovers(temp_root, os.getppid())  # a live process: left alone
    used: list[int] = []
    real = pipeline.load_in_chunks

    def counted(*a, **k):
        used.append(1)
        return real(*a, **k)

    monkeypatch.setattr(pipeline, "load_in_chunks", counted)
    monkeypatch.setattr(pipeline, "MIN_CHUNK_BYTES", 64)
    body = "account_external_id,date,amount\n" + "".join(
        f"{'ACME' if i % 2 else 'GLOBEX'},2024-{i % 12 + 1:02d}-15,{i}.00\n" for i in range(300))
    report = run(db, cast.admin, "revenue", body.encode(), "csv")
    assert used and (report.status, report.rows) == ("imported", 300)
    assert not dead.exists() and parent.exists()
    assert list((temp_root / f"accord-import-{os.getpid()}").iterdir()) == []  # cleaned up
