"""The licences settings through their three doors (issue 15): an admin or head reads and
changes when a seat is active and the signals' thresholds (API with ETag and If-Match, the
/admin/licences page in per cent, ``accord subscriptions settings``); a manager may not;
bad input — a share above 1, 0 days, an unknown field, a stale version — is refused and
writes nothing. The currency shown is the company's."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.models import AuditEntry
from accord.core.policy_store import KamSetting
from conftest import api_client
from page_helpers import sign_in

URL = "/api/v1/licences/settings"


def _audits(db) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_the_api_reads_changes_and_refuses(app, cast, sessions, db) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    read = admin.get(URL)
    assert read.status_code == 200 and read.headers["etag"] == '"0"'
    assert read.json()["active_days"] == 30 and read.json()["risk_adoption"] == "0.40"
    changed = admin.put(URL, json={"active_days": 45, "upsell_allocation": "0.95"},
                        headers={"If-Match": '"0"'})
    assert changed.status_code == 200, changed.text
    assert changed.json()["active_days"] == 45 and changed.json()["upsell_allocation"] == "0.95"
    assert changed.json()["upsell_adoption"] == "0.80"  # not given: kept
    assert changed.headers["etag"] == '"1"'
    manager = api_client(app, cast.token(sessions, "owner"))
    before = _audits(db)
    for body, field in (({"upsell_adoption": "1.5"}, "upsell_adoption"),
                        ({"active_days": 0}, "active_days"),
                        ({"currency": "USD"}, "currency")):
        refused = admin.put(URL, json=body)
        assert refused.status_code == 422, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]], refused.text
    stale = admin.put(URL, json={"active_days": 20}, headers={"If-Match": '"0"'})
    assert stale.status_code == 409
    assert manager.get(URL).status_code == 200
    assert manager.put(URL, json={"active_days": 20}).status_code == 403
    assert _audits(db) == before
    assert admin.get(URL).json()["active_days"] == 45


def test_the_page_takes_per_cent_and_the_command_line_fractions(app, cast, client, db,
                                                                database_url) -> None:
    csrf = sign_in(client, "head@accord.test")
    page = client.get("/admin/licences")
    assert page.status_code == 200 and 'value="90"' in page.text and "EUR" in page.text
    form = {"csrf_token": csrf, "version": "0", "active_days": "14",
            "upsell_allocation": "92.5", "upsell_adoption": "80", "risk_adoption": "35"}
    saved = client.post("/admin/licences", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    db.rollback()
    stored = db.get(KamSetting, "licences")
    assert stored is not None and stored.value["upsell_allocation"] == "0.925"
    assert stored.value["active_days"] == 14
    bad = client.post("/admin/licences", data={**form, "version": "1", "risk_adoption": "140"})
    assert bad.status_code == 422 and 'id="ls-risk_adoption-error"' in bad.text
    stale = client.post("/admin/licences", data={**form, "active_days": "20"})  # version 0
    assert stale.status_code == 409 and 'id="settings-conflict"' in stale.text
    owner = sign_in(client, "owner@accord.test")
    assert client.get("/admin/licences").status_code == 403
    assert client.post("/admin/licences", data={**form, "csrf_token": owner}).status_code == 403

    runner = CliRunner()

    def cli(*args: str):
        return runner.invoke(cli_app, hoist_global_options(
            ["subscriptions", "settings", *args, "--database-url", database_url]))

    shown = cli()
    assert shown.exit_code == 0 and "active_days: 14" in shown.output
    assert "currency: EUR" in shown.output
    changed = cli("--risk-adoption", "0.30", "--as", "admin@accord.test")
    assert changed.exit_code == 0, changed.output
    assert "risk_adoption: 0.30" in changed.output
    refused = cli("--upsell-adoption", "2", "--as", "admin@accord.test")
    assert refused.exit_code != 0 and "upsell_adoption" in refused.output
    assert cli("--active-days", "0").exit_code != 0
