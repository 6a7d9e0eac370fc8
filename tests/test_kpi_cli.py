"""``accord kpi``: JSON, CSV and table output; policy; errors as exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from accord.app.commands import app, hoist_global_options
from accord.kpis import service
from import_helpers import write_monthly

B = 2024 * 12
runner = CliRunner()


def _arrange(sessions, cast) -> None:
    service.clear_cache()
    with sessions.begin() as db:
        write_monthly(db, cast.acme_id,
                      {B + m: 10_000 if m < 12 else 12_500 for m in range(24)}, lines=2)
        write_monthly(db, cast.globex_id, {B + m: 30_000 for m in range(6)}, lines=2)
        service.rebuild(db)


def _run(database_url: str, *args: str):
    return runner.invoke(app, hoist_global_options([*args, "--database-url", database_url]))


def test_it_prints_the_json_document(sessions, cast, database_url):
    _arrange(sessions, cast)
    result = _run(database_url, "kpi", "--as-of", "2025-12", "--format", "json", "--series")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["as_of"] == "2025-12" and doc["window_months"] == 12
    assert doc["portfolio"]["starting_revenue"] == 3000.0
    assert doc["portfolio"]["churned_revenue"] == 1800.0
    assert doc["portfolio"]["expansion_revenue"] == 300.0
    assert doc["portfolio"]["new_revenue"] == 0 and doc["portfolio"]["grr"] == 0.4
    assert [s["as_of"] for s in doc["series"]] == ["2025-12"]
    assert {"by_manager", "by_segment", "by_tier", "concentration"} <= set(doc)


def test_it_prints_a_breakdown_as_csv_with_exact_decimals(sessions, cast, database_url):
    _arrange(sessions, cast)
    result = _run(database_url, "kpi", "--as-of", "2025-12", "--by", "segment", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("segment,accounts_at_start,starting_revenue")
    assert any(line.startswith("Manufacturing,1,1200.00,0,0.00,0.00,300.00,1.000000,1.250000,")
               for line in lines[1:])


def test_it_prints_tables_with_the_policy_next_to_the_figures(sessions, cast, database_url):
    _arrange(sessions, cast)
    result = _run(database_url, "kpi", "--as-of", "2025-12", "--by", "manager")
    assert result.exit_code == 0, result.output
    assert "Net revenue retention" in result.output and "window 12 months" in result.output
    assert "owner@accord.test" in result.output


def test_a_user_sees_only_their_accounts_with_as(sessions, cast, database_url):
    _arrange(sessions, cast)
    result = _run(database_url, "--as", "owner@accord.test", "kpi", "--as-of", "2025-12",
                  "--format", "json")
    assert json.loads(result.output)["portfolio"]["starting_revenue"] == 1200.0


def test_it_refuses_bad_options_with_a_message_and_exit_code(sessions, cast, database_url):
    _arrange(sessions, cast)
    for args in (["--basis", "weekly"], ["--as-of", "12/2025"], ["--window", "99"]):
        result = _run(database_url, "kpi", *args)
        assert result.exit_code == 2, args
        assert "error" in result.output


def test_the_policy_is_shown_and_changed(sessions, cast, database_url):
    _arrange(sessions, cast)
    result = _run(database_url, "kpi-policy", "--window", "6", "--abc-a", "0.7")
    assert result.exit_code == 0, result.output
    assert "window_months: 6" in result.output and "abc_a: 0.7" in result.output
    doc = json.loads(_run(database_url, "kpi", "--as-of", "2025-12", "--format", "json").output)
    assert doc["window_months"] == 6 and doc["abc_cutoffs"]["A"] == 0.7
    assert _run(database_url, "kpi-policy", "--abc-b", "0.5").exit_code == 2
