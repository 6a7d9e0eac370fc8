# ruff: noqa: E501 - CSV bodies read best on one line
"""SQLite's chunked revenue import (``pipeline.py``, ``chunk_worker.py``): with chunks forced
on small files, every import gives exactly what the one-connection staged path gives — the
lines, the monthly revenue, the counts and the report with its line numbers — including bad
rows, trimmed values, blank lines, CRLF, keys repeated across chunks and re-imports (the
merge). The chunk processes are real ``python -m accord.revenue.load.chunk_worker`` processes."""

from __future__ import annotations

import io
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.exchange.importing import run_import
from accord.revenue.load import pipeline
from accord.revenue.load.rows import GiveUp
from import_helpers import lines_of, monthly_of, recomputed_monthly

HEADER = "account_external_id,date,amount,product_line,line_id\n"


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """SQLite only: the chunked path is SQLite's (PostgreSQL copies a clean file directly)."""
    path = tmp_path / "accord.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def chunked(monkeypatch: pytest.MonkeyPatch):
    """Switch the chunked path on (tiny chunks) or off, and record which path ran."""
    used: list[int] = []
    real = pipeline.load_in_chunks

    def spy(*args, **kwargs):
        used.append(len(args[4]))
        try:
            return real(*args, **kwargs)
        except GiveUp:
            used.append(-1)  # fell back to the one-connection path
            raise

    monkeypatch.setattr(pipeline, "load_in_chunks", spy)

    def switch(on: bool) -> list[int]:
        monkeypatch.setattr(pipeline, "MIN_CHUNK_BYTES", 64 if on else 1 << 40)
        used.clear()
        return used

    return switch


def write(tmp_path: Path, name: str, body: str, newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(body.replace("\n", newline).encode("utf-8"))
    return path


def outcome(db, user, path: Path, **kw) -> tuple:
    report = run_import(db, user, "revenue", path, **kw)
    result = (report.status, report.rows, report.invalid_rows, report.inserted, report.updated,
              report.unchanged, [(p.row, p.column, p.reason) for p in report.problems],
              lines_of(db), monthly_of(db))
    db.rollback()
    return result


def both_ways(db, user, chunked, path: Path, **kw) -> tuple:
    used = chunked(True)
    with_chunks = outcome(db, user, path, **kw)
    assert used and used[0] >= 2 and -1 not in used, "the chunked path did not run"
    used = chunked(False)
    without = outcome(db, user, path, **kw)
    assert not used
    assert with_chunks == without
    return with_chunks


def ledger(rows: int, seed: int = 3) -> str:
    rnd = random.Random(seed)
    out = []
    for i in range(rows):
        account = rnd.choice(["ACME", "GLOBEX"])
        month = 1 + (i * 12) // rows
        out.append(f"{account},2024-{month:02d}-{rnd.randint(1, 28):02d},{rnd.randint(-500, 90000) / 100:.2f},P{rnd.randint(1, 4)},\n")
    return HEADER + "".join(out)


def test_a_clean_file_in_chunks_loads_exactly_as_in_one_piece(db, cast, chunked, tmp_path):
    path = write(tmp_path, "clean.csv", ledger(400))
    status, rows, invalid, inserted, *_ , lines, monthly = both_ways(db, cast.admin, chunked, path)
    assert (status, rows, invalid) == ("imported", 400, 0)
    assert inserted == len(lines) > 0
    # and committed, the monthly revenue is that of the lines
    chunked(True)
    run_import(db, cast.admin, "revenue", path)
    db.commit()
    assert monthly_of(db) == recomputed_monthly(db)


def test_bad_rows_are_reported_with_their_file_lines_across_chunks(db, cast, chunked, tmp_path):
    body = ledger(300).splitlines(keepends=True)
    body[40] = "ACME,2024-02-31,10.00,P1,\n"  # line 41
    body[150] = "NOBODY,2024-03-01,10.00,P1,\n"  # line 151
    body[290] = "GLOBEX,2024-11-02,12.345,P1,\n"  # line 291
    path = write(tmp_path, "bad.csv", "".join(body))
    status, rows, invalid, *_, problems, lines, _monthly = both_ways(db, cast.admin, chunked, path)
    assert (status, rows, invalid) == ("rejected", 300, 3)
    assert [p[0] for p in problems] == [41, 151, 291]
    assert lines == []
    skipped = both_ways(db, cast.admin, chunked, path, skip_invalid=True)
    assert skipped[0] == "imported" and len(skipped[7]) > 0


def test_spaces_blank_lines_and_crlf_keep_lines_and_values(db, cast, chunked, tmp_path):
    body = ledger(200).splitlines(keepends=True)
    body[10] = " ACME , 2024-01-05 , 7.50 , P9 ,\n"
    body[60] = "\n"
    body[61] = "   \n"
    body[120] = "GLOBEX,2024-13-01,1.00,P1,\n"
    path = write(tmp_path, "odd.csv", "".join(body), newline="\r\n")
    result = both_ways(db, cast.admin, chunked, path)
    assert result[6] == [(121, "date", "malformed date '2024-13-01' (expected YYYY-MM-DD)")]
    assert result[1] == 198  # two blank lines are not rows


def test_keys_repeated_across_chunks_are_summed_and_a_reimport_changes_nothing(db, cast, chunked, tmp_path):
    rows = [f"ACME,2024-0{1 + i % 3}-15,1.00,Same,\n" for i in range(120)]
    rows += [f"GLOBEX,2024-01-{1 + i % 28:02d},2.00,,L{i % 7}\n" for i in range(120)]
    path = write(tmp_path, "repeat.csv", HEADER + "".join(rows))
    status, *_ , lines, _monthly = both_ways(db, cast.admin, chunked, path)
    assert status == "imported"
    assert sorted((k, c) for _, k, _, c, *_ in lines if k.endswith("|Same")) == [
        ("2024-01-15|Same", 4000), ("2024-02-15|Same", 4000), ("2024-03-15|Same", 4000)]
    chunked(True)
    run_import(db, cast.admin, "revenue", path)
    db.commit()
    before = (lines_of(db), monthly_of(db))
    again = both_ways(db, cast.admin, chunked, path)
    assert again[3:6] == (0, 0, len(before[0]))  # inserted, updated, unchanged
    assert (again[7], again[8]) == before


def test_a_changed_file_in_chunks_updates_what_changed(db, cast, chunked, tmp_path):
    first = write(tmp_path, "first.csv", ledger(240, seed=5))
    chunked(True)
    run_import(db, cast.admin, "revenue", first)
    db.commit()
    body = ledger(240, seed=5).replace(",P1,", ",P1x,")  # new keys, old ones stay
    second = write(tmp_path, "second.csv", body)
    result = both_ways(db, cast.admin, chunked, second)
    assert result[0] == "imported" and result[3] > 0
    run_import(db, cast.admin, "revenue", second)
    db.commit()
    assert monthly_of(db) == recomputed_monthly(db)


def test_the_plan_cuts_at_line_starts_and_counts_lines(tmp_path):
    path = write(tmp_path, "plan.csv", HEADER + "".join(f"A,2024-01-01,{i}.00,,\n" for i in range(1, 101)))
    with open(path, "rb") as raw:
        parts = pipeline.plan(raw, 4)
        data = path.read_bytes()
    assert parts is not None and len(parts) == 4
    assert parts[0][0] == len(HEADER) and parts[-1][1] == len(data)
    for (start, end, first), following in zip(parts, [*parts[1:], None], strict=True):
        assert data[start - 1:start] == b"\n"
        assert first == data[:start].count(b"\n") + 1
        if following:
            assert end == following[0]
    quoted = write(tmp_path, "quoted.csv", HEADER + 'A,2024-01-01,"1.00",,\n' * 50)
    lone_cr = write(tmp_path, "cr.csv", HEADER + "A,2024-01-01,1.00,\r,\n" * 50)
    for path in (quoted, lone_cr):
        with open(path, "rb") as raw:
            assert pipeline.plan(raw, 4) is None


def test_chunks_are_detached_when_the_connection_goes_back(db, cast, chunked, tmp_path):
    path = write(tmp_path, "clean.csv", ledger(200))
    for _ in range(3):  # more chunks in all than SQLite can attach at once
        used = chunked(True)
        run_import(db, cast.admin, "revenue", path)
        db.commit()
        db.close()
        assert used
    raw = db.connection().connection.driver_connection
    assert pipeline.free_slots(raw) == 10


def test_an_upload_without_a_file_name_is_copied_for_the_chunk_processes(db, cast, chunked, tmp_path):
    body = ledger(300, seed=9).encode()
    used = chunked(True)
    report = run_import(db, cast.admin, "revenue", io.BytesIO(body), filename="upload.csv")
    assert used and report.status == "imported" and report.rows == 300
    uploaded = (lines_of(db), monthly_of(db))
    db.rollback()
    chunked(False)
    run_import(db, cast.admin, "revenue", write(tmp_path, "same.csv", body.decode()))
    assert (lines_of(db), monthly_of(db)) == uploaded


def test_a_chunk_process_that_fails_leaves_nothing_and_the_import_takes_the_other_path(
        db, cast, chunked, tmp_path, monkeypatch, caplog):
    path = write(tmp_path, "clean.csv", ledger(300, seed=4))
    chunked(False)
    expected = outcome(db, cast.admin, path)
    used = chunked(True)
    monkeypatch.setattr(pipeline, "WORKER", [sys.executable, "-c", "import sys; sys.exit(3)"])
    assert outcome(db, cast.admin, path) == expected
    assert used and "fell back to one connection" in caplog.text


def test_digits_of_other_scripts_are_refused_by_both_ways(db, cast, chunked, tmp_path):
    body = ledger(200).splitlines(keepends=True)
    body[50] = "ACME,2024-02-01,\uff11\uff12.\uff13\uff14,X,\n"  # fullwidth 12.34
    body[150] = "ACME,2024-02-01,\u00b23.45,X,\n"  # superscript two
    path = write(tmp_path, "digits.csv", "".join(body))
    result = both_ways(db, cast.admin, chunked, path)
    assert result[0] == "rejected" and [p[0] for p in result[6]] == [51, 151]


def test_a_repeated_key_without_its_product_keeps_it_in_chunks(db, cast, chunked, tmp_path):
    rows = [f"ACME,2024-01-{1 + i % 28:02d},1.00,P{i % 3},L{i}\n" for i in range(150)]
    rows[10] = "ACME,2024-01-05,10.00,Widgets,INV1\n"
    rows[120] = "ACME,2024-01-05,5.00,,INV1\n"  # in another chunk, and with a blank (staged)
    rows[121] = "\n"
    path = write(tmp_path, "repeat.csv", HEADER + "".join(rows))
    lines = both_ways(db, cast.admin, chunked, path)[7]
    assert [(c, p) for _, k, _, c, p, _ in lines if k == "#INV1"] == [(1500, "Widgets")]


def test_two_chunked_imports_in_one_transaction(db, cast, chunked, tmp_path, monkeypatch):
    used = chunked(True)
    monkeypatch.setattr(pipeline, "MAX_CHUNKS", 3)  # room for both loads' chunks
    first = run_import(db, cast.admin, "revenue", write(tmp_path, "a.csv", ledger(200, seed=1)))
    second = run_import(db, cast.admin, "revenue", write(tmp_path, "b.csv", ledger(200, seed=2)))
    assert (first.status, second.status) == ("imported", "imported")
    assert used == [3, 3]  # both chunked, the second beside the first's attached chunks
    db.commit()
    assert monthly_of(db) == recomputed_monthly(db)


def test_the_chunk_processes_follow_the_cpus_this_process_may_use(monkeypatch):
    import os

    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    for cpus, expected in ((set(), 1), ({0}, 1), ({0, 1}, 2), (set(range(64)), pipeline.MAX_CHUNKS)):
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid, cpus=cpus: cpus, raising=False)
        assert pipeline.parallel_chunks() == expected


def test_one_probe_chooses_the_route_from_the_table(monkeypatch):
    from accord.revenue.load.routes import ROUTES, Probe

    monkeypatch.setattr(pipeline, "MIN_CHUNK_BYTES", 1 << 20)

    def routes(probe: Probe) -> list[str]:
        return [r.name for r in ROUTES if r.takes(probe)]

    big, small = 8 << 20, 1 << 20
    assert routes(Probe(False, True, big, quote=False, escapes=False)) == ["copy", "staged"]
    assert routes(Probe(False, True, big, quote=False, escapes=True)) == ["staged"]
    assert routes(Probe(False, False, big)) == ["staged"]  # a workbook, cells to restore
    assert routes(Probe(True, True, big, quote=False, escapes=True)) == ["chunks", "staged"]
    assert routes(Probe(True, True, big, quote=True, escapes=False)) == ["staged"]
    assert routes(Probe(True, True, small, quote=False, escapes=False)) == ["staged"]
