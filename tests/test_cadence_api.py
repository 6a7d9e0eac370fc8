"""The cadence's doors: the REST API (ETag/If-Match, 0 refused, 404 wall), the pages (admin
form, the account's override form, coverage bars) and ``accord cadence``."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.app.commands import hoist_global_options
from accord.calendar.models import CadenceOverride
from accord.core.policy_store import KamSetting
from conftest import api_client
from kam_helpers import sign_in

runner = CliRunner()
SETTINGS = "/api/v1/cadence/settings"


def test_the_settings_carry_an_etag_and_a_stale_if_match_is_a_409(app, cast, sessions) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    read = admin.get(SETTINGS)
    assert read.status_code == 200 and read.headers["etag"]
    assert read.json()["tiers"]["Strategic"] == {"touch_days": 14, "review_days": 91}
    saved = admin.put(SETTINGS, json={"tiers": {"Star": {"touch_days": 20}}},
                      headers={"If-Match": read.headers["etag"]})
    assert saved.status_code == 200 and saved.json()["tiers"]["Star"]["touch_days"] == 20
    assert saved.headers["etag"] != read.headers["etag"]
    stale = admin.put(SETTINGS, json={"due_ratio": "0.7"},
                      headers={"If-Match": read.headers["etag"]})
    assert stale.status_code == 409
    zero = admin.put(SETTINGS, json={"tiers": {"Status": {"touch_days": 0}}})
    assert zero.status_code == 422
    assert "0 is not an interval" in zero.json()["errors"][0]["message"]
    assert admin.get(SETTINGS).json()["tiers"]["Status"]["touch_days"] == 30
    viewer = api_client(app, cast.token(sessions, "viewer"))
    assert viewer.get(SETTINGS).status_code == 200  # readable by all
    assert viewer.put(SETTINGS, json={}).status_code == 403


def test_an_account_override_through_the_api(app, cast, sessions, db) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    url = f"/api/v1/accounts/{cast.acme_id}/cadence"
    zero = owner.put(f"{url}/override", json={"touch_days": 0, "reason": "daily"})
    assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "touch_days"
    assert db.scalar(select(func.count()).select_from(CadenceOverride)) == 0
    put = owner.put(f"{url}/override", json={"touch_days": 1, "reason": "daily"})
    assert put.status_code == 200 and put.json()["source"] == "override"
    got = owner.get(url).json()
    assert (got["touch_days"], got["state"], got["override"]["reason"]) == (1, "neglected",
                                                                           "daily")
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert outsider.get(url).status_code == 404
    assert outsider.put(f"{url}/override", json={"touch_days": 3, "reason": "x"}
                        ).status_code == 404
    assert owner.delete(f"{url}/override").status_code == 204
    assert owner.get(url).json()["source"] == "tier"


def test_coverage_by_a_grouping_and_a_bad_one(app, cast, sessions) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    out = head.get("/api/v1/kpis/coverage?by=tier")
    assert out.status_code == 200 and out.json()["by"] == "tier"
    assert out.json()["total"]["accounts"] == 0  # nothing scored: no key accounts
    assert head.get("/api/v1/kpis/coverage?by=colour").status_code == 422
    registry = head.get("/api/v1/kpis/registry").json()
    assert any(k["slug"] == "coverage" and k["group"] == "rhythm" for k in registry)


def test_the_pages(client, cast, sessions, db) -> None:
    csrf = sign_in(client, "owner@accord.test")
    page = client.get(f"/accounts/{cast.acme_id}/cadence")
    assert page.status_code == 200 and "Contact cadence" in page.text
    zero = client.post(f"/accounts/{cast.acme_id}/cadence",
                       data={"csrf_token": csrf, "touch_days": "0", "reason": "daily"})
    assert zero.status_code == 422 and "0 is not an interval" in zero.text
    assert db.scalar(select(func.count()).select_from(CadenceOverride)) == 0
    saved = client.post(f"/accounts/{cast.acme_id}/cadence",
                        data={"csrf_token": csrf, "reports_only": "1", "reason": "reports"},
                        follow_redirects=False)
    assert saved.status_code == 303
    db.rollback()  # a fresh snapshot: the app committed
    row = db.get(CadenceOverride, cast.acme_id)
    assert row is not None and row.touch_days is None
    assert "none (reports only)" in client.get(f"/accounts/{cast.acme_id}/cadence").text
    assert client.get(f"/accounts/{cast.globex_id}/cadence").status_code == 404
    assert client.get("/admin/cadence").status_code == 403
    coverage = client.get("/cadence/coverage?by=manager")
    assert coverage.status_code == 200 and "covered" in coverage.text


def test_the_admin_page_saves_and_refuses_zero(client, cast, sessions, db) -> None:
    csrf = sign_in(client, "admin@accord.test")
    assert "Strategic" in client.get("/admin/cadence").text
    zero = client.post("/admin/cadence", data={"csrf_token": csrf, "Star_touch": "0",
                                                "Star_review": "91", "version": "0"})
    assert zero.status_code == 422 and "0 is not an interval" in zero.text
    assert db.get(KamSetting, "cadence") is None
    ok = client.post("/admin/cadence", data={"csrf_token": csrf, "Star_touch": "25",
                                              "Star_review": "", "Strategic_touch": "14",
                                              "version": "0"}, follow_redirects=False)
    assert ok.status_code == 303
    db.rollback()  # a fresh snapshot: the app committed
    stored = db.get(KamSetting, "cadence")
    assert stored is not None and stored.value["tiers"]["Star"] == {"touch_days": 25,
                                                                    "review_days": None}


def _run(database_url: str, *args: str):
    return runner.invoke(cli, hoist_global_options([*args, "--database-url", database_url]))


def test_the_cli(cast, database_url, db) -> None:
    shown = _run(database_url, "cadence", "show", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["tiers"]["Star"]["touch_days"] == 21
    zero = _run(database_url, "cadence", "override", str(cast.acme_id), "--touch-days", "0",
                "--reason", "daily")
    assert zero.exit_code == 2 and "0 is not an interval" in zero.output
    assert db.scalar(select(func.count()).select_from(CadenceOverride)) == 0
    ok = _run(database_url, "cadence", "override", str(cast.acme_id), "--touch-days", "3",
              "--reason", "every third day", "--today", "2026-03-01")
    assert ok.exit_code == 0, ok.output
    assert "touch every 3 d" in ok.output
    assert _run(database_url, "cadence", "set", "--tier", "Star", "--touch-days", "0"
                ).exit_code == 2
    assert _run(database_url, "cadence", "set", "--tier", "Star", "--stage", "Strategic",
                "--touch-days", "7").exit_code == 0
    assert "Strategic" in _run(database_url, "cadence", "show").output
    cov = _run(database_url, "cadence", "coverage", "--by", "manager", "--json")
    assert cov.exit_code == 0 and json.loads(cov.output)["by"] == "manager"
    assert _run(database_url, "cadence", "clear", str(cast.acme_id)).exit_code == 0

