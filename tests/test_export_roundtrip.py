"""Exports use the import columns: exporting then re-importing changes nothing."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from accord.app.commands import app
from import_helpers import FIXTURES

runner = CliRunner()


def accord(database_url: str, *args: str):
    result = runner.invoke(app, ["--database-url", database_url, *args])
    return result


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reimports_unchanged(database_url, sessions, cast, tmp_path, fmt):
    from accord.cli.common import operator
    from accord.exchange.importing import run_import

    for kind in ("accounts", "contacts", "revenue"):
        assert accord(database_url, "import", kind, str(FIXTURES / f"{kind}.csv")).exit_code == 0
    for kind in ("accounts", "contacts", "revenue"):
        out = tmp_path / f"{kind}.{fmt}"
        exported = accord(database_url, "export", kind, "--format", fmt, "--output", str(out))
        assert exported.exit_code == 0, exported.output
        before = accord(database_url, "export", kind).output
        with sessions() as session:
            report = run_import(session, operator(), kind, out)
            session.commit()
        assert (report.status, report.inserted, report.updated) == ("imported", 0, 0)
        assert report.unchanged == report.rows > 0
        assert accord(database_url, "export", kind).output == before


def test_the_revenue_export_holds_exact_amounts(database_url, cast):
    accord(database_url, "import", "revenue", str(FIXTURES / "revenue.csv"))
    rows = list(csv.reader(io.StringIO(accord(database_url, "export", "revenue").output)))
    assert rows[0] == ["account_external_id", "date", "amount", "product_line", "line_id"]
    assert sorted(rows[1:]) == [
        ["ACME", "2024-01-15", "1200.00", "Widgets", ""],
        ["ACME", "2024-02-15", "-200.00", "Widgets", "CN-7"],
        ["GLOBEX", "2024-01-31", "99.95", "Services", ""],
    ]
