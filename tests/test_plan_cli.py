"""``accord plans show|export``: text, JSON and Markdown; errors as exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from accord.app.commands import app, hoist_global_options
from plan_helpers import full_plan

runner = CliRunner()


def _run(database_url: str, *args: str):
    return runner.invoke(app, hoist_global_options([*args, "--database-url", database_url]))


def _arrange(sessions, cast) -> None:
    with sessions.begin() as s:
        full_plan(s, cast)


def test_it_shows_the_current_plan(sessions, cast, database_url) -> None:
    _arrange(sessions, cast)
    shown = _run(database_url, "plans", "show", "ACME", "--today", "2026-03-10")
    assert shown.exit_code == 0, shown.output
    assert "Acme Industries" in shown.output and "completeness 90 %" in shown.output
    assert "Carla Acme" in shown.output and "Open a second plant" in shown.output
    as_json = _run(database_url, "plans", "show", str(cast.acme_id), "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.output)
    assert doc["goals"] == ["Open a second plant"] and doc["key_people"][0]["name"] == "Carla Acme"


def test_it_exports_markdown_and_json(sessions, cast, database_url, tmp_path) -> None:
    _arrange(sessions, cast)
    md = _run(database_url, "plans", "export", "ACME", "--format", "md")
    assert md.exit_code == 0, md.output
    assert md.output.startswith("# Account plan: Acme Industries")
    assert "## Pain points" in md.output and "- Downtime" in md.output
    assert "| Carla Acme | Head of purchasing | decision maker | — |" in md.output
    target = tmp_path / "acme.json"
    written = _run(database_url, "plans", "export", "ACME", "--format", "json", "--output",
                   str(target))
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text())["account_name"] == "Acme Industries"


def test_errors_exit_non_zero(sessions, cast, database_url) -> None:
    none_yet = _run(database_url, "plans", "show", "ACME")
    assert none_yet.exit_code != 0 and "no plan" in none_yet.output
    unknown = _run(database_url, "plans", "export", "NOPE")
    assert unknown.exit_code != 0 and "no account" in unknown.output
    _arrange(sessions, cast)
    hidden = _run(database_url, "--as", "outsider@accord.test", "plans", "show", "ACME")
    assert hidden.exit_code != 0 and "no account" in hidden.output
