# ruff: noqa: E501 - CSV bodies and expected reports read best on one line
"""`accord import ...` and `accord export ...`: exit codes, reports, stdout exports."""

from __future__ import annotations

from typer.testing import CliRunner

from accord.app.commands import app
from import_helpers import FIXTURES, csv_file

runner = CliRunner()


def accord(database_url: str, *args: str):
    return runner.invoke(app, ["--database-url", database_url, *args])


def test_a_good_file_imports_with_exit_code_zero_and_a_summary(database_url, cast):
    result = accord(database_url, "import", "revenue", str(FIXTURES / "revenue.csv"))
    assert result.exit_code == 0, result.output
    assert "imported" in result.output and "inserted" in result.output
    again = accord(database_url, "import", "revenue", str(FIXTURES / "revenue.csv"))
    assert again.exit_code == 0
    assert "unchanged" in again.output


def test_a_file_with_a_bad_row_exits_2_and_lists_the_row(database_url, cast):
    result = accord(database_url, "import", "revenue", str(FIXTURES / "revenue_bad_row.csv"))
    assert result.exit_code == 2, result.output
    assert "rejected" in result.output
    assert "malformed date '2024-02-31'" in result.output
    export = accord(database_url, "export", "revenue")
    assert export.output.strip().splitlines() == ["account_external_id,date,amount,product_line,line_id"]


def test_skip_invalid_imports_the_rest_and_exits_zero(database_url, cast):
    result = accord(database_url, "import", "revenue", str(FIXTURES / "revenue_bad_row.csv"),
                    "--skip-invalid")
    assert result.exit_code == 0, result.output
    lines = accord(database_url, "export", "revenue").output.strip().splitlines()
    assert len(lines) == 3


def test_dry_run_writes_nothing(database_url, cast):
    result = accord(database_url, "import", "accounts", str(FIXTURES / "accounts.csv"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    exported = accord(database_url, "export", "accounts").output
    assert "SUB-1" not in exported and "ACME" in exported


def test_many_problems_are_cut_at_fifty(database_url, cast, tmp_path):
    body = "account_external_id,date,amount\n" + "".join(f"NOPE{i},2024-01-01,1\n" for i in range(80))
    result = accord(database_url, "import", "revenue", str(csv_file(tmp_path, "bad.csv", body)))
    assert result.exit_code == 2
    assert "and 30 more" in result.output


def test_other_errors_exit_1(database_url, cast, tmp_path):
    missing = accord(database_url, "import", "revenue", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1
    forbidden = runner.invoke(app, ["--database-url", database_url, "--as", "viewer@accord.test",
                                    "import", "revenue", str(FIXTURES / "revenue.csv")])
    assert forbidden.exit_code == 1
    no_output = accord(database_url, "export", "accounts", "--format", "xlsx")
    assert no_output.exit_code == 1


def test_acting_as_a_manager_hides_other_accounts(database_url, cast):
    result = runner.invoke(app, ["--database-url", database_url, "--as", "owner@accord.test",
                                 "import", "revenue", str(FIXTURES / "revenue.csv")])
    assert result.exit_code == 2
    assert "unknown account 'GLOBEX'" in result.output


def test_salesforce_source_option(database_url, cast):
    result = accord(database_url, "import", "accounts", str(FIXTURES / "salesforce_accounts.csv"),
                    "--source", "salesforce")
    assert result.exit_code == 0, result.output
    assert "001A000002" in accord(database_url, "export", "accounts").output
