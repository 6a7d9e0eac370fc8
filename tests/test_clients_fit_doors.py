"""The doors of the clients' fits, validations and settings (issue 16): the API, the pages
and the CLI call one service and refuse alike — a unit of "fortnight", a calibration end
before the first purchase, an empty portfolio, a role that may not — with the field named
and nothing written (both databases)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.app.commands import app as accord_app
from accord.clients.models import ClientFit, ClientScore
from accord.core.models import AuditEntry
from conftest import api_client
from page_helpers import sign_in
from route_samples_clients_fits import people_buying

TODAY = date.today()
runner = CliRunner()


def _world(sessions: sessionmaker[Session], cast: Any, clients: int = 40) -> list[int]:
    with sessions.begin() as s:
        return people_buying(s, clients, TODAY, seed=5, manager_id=cast.owner.id)


def _written(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions.begin() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) or 0  # type: ignore
                     for t in (ClientFit, ClientScore, AuditEntry))


def _cli(database_url: str, *args: str, who: str | None = None) -> Any:
    as_ = ["--as", who] if who else []
    return runner.invoke(accord_app, ["--database-url", database_url, *as_, *args])


def test_the_api_fits_lists_validates_and_refuses(app, cast, sessions) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    empty = admin.post("/api/v1/clients/fits", json={})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "clients"
    ids = _world(sessions, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    before = _written(sessions)
    assert owner.post("/api/v1/clients/fits", json={}).status_code == 403
    for body, field in (({"unit": "fortnight"}, "unit"),
                        ({"calibration_end": "2001-01-01"}, "calibration_end")):
        bad = admin.post("/api/v1/clients/fits", json=body)
        assert bad.status_code == 422 and field in [e["field"] for e in bad.json()["errors"]]
    assert _written(sessions) == before
    made = admin.post("/api/v1/clients/fits")  # no body: today, the setting's unit
    assert made.status_code == 201, made.text
    fit = made.json()
    assert made.headers["location"] == f"/api/v1/clients/fits/{fit['id']}"
    assert (fit["kind"], fit["clients"], fit["scores"], fit["unit"]) == (
        "scores", len(ids), len(ids), "week")
    assert fit["lifecycle"] is not None and fit["calibration_end"] == TODAY.isoformat()
    viewer = api_client(app, cast.token(sessions, "viewer"))
    listed = viewer.get("/api/v1/clients/fits?kind=scores").json()
    assert listed["total"] == 1 and listed["items"][0]["bgnbd"]["r"] == fit["bgnbd"]["r"]
    assert viewer.get(f"/api/v1/clients/fits/{fit['id']}").json()["id"] == fit["id"]
    assert viewer.get("/api/v1/clients/fits?kind=other").status_code == 422
    end = (TODAY - timedelta(days=90)).isoformat()
    checked = admin.post("/api/v1/clients/validations",
                         json={"calibration_end": end, "holdout_end": TODAY.isoformat()})
    assert checked.status_code == 201, checked.text
    assert checked.json()["validation"]["by_purchases"]
    assert viewer.post("/api/v1/clients/validations", json={
        "calibration_end": end, "holdout_end": TODAY.isoformat()}).status_code == 403


def test_the_settings_api_takes_if_match(app, cast, sessions) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    read = head.get("/api/v1/clients/settings")
    assert read.headers["etag"] == '"0"' and read.json()["model"] == "mbgnbd"
    changed = head.put("/api/v1/clients/settings", json={"churned_after_days": 365},
                       headers={"If-Match": '"0"'})
    assert changed.status_code == 200 and changed.json()["churned_after_days"] == 365
    stale = head.put("/api/v1/clients/settings", json={"horizon": 12},
                     headers={"If-Match": '"0"'})
    assert stale.status_code == 409
    manager = api_client(app, cast.token(sessions, "owner"))
    assert manager.get("/api/v1/clients/settings").json()["churned_after_days"] == 365
    assert manager.put("/api/v1/clients/settings", json={"horizon": 12}).status_code == 403


def test_the_fits_page_runs_a_fit_and_a_validation(client, cast, sessions) -> None:
    _world(sessions, cast)
    csrf = sign_in(client, "head@accord.test")
    page = client.get("/clients/fits")
    assert page.status_code == 200 and 'id="run-fit-form"' in page.text
    bad = client.post("/clients/fits", data={"csrf_token": csrf, "unit": "fortnight"})
    assert bad.status_code == 422 and "is not a unit" in bad.text
    bad = client.post("/clients/fits", data={"csrf_token": csrf, "calibration_end": "13/13"})
    assert bad.status_code == 422 and "not a date" in bad.text
    assert _written(sessions)[0] == 0
    done = client.post("/clients/fits", data={"csrf_token": csrf, "unit": "month"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/clients/fits"
    shown = client.get("/clients/fits").text
    assert "clients scored" in shown and re.search(r'id="fit-\d+-mbgnbd"', shown)
    checked = client.post("/clients/validations", data={
        "csrf_token": csrf, "calibration_end": (TODAY - timedelta(days=90)).isoformat(),
        "holdout_end": TODAY.isoformat(), "unit": "week"}, follow_redirects=False)
    assert checked.status_code == 303
    assert 'id="validation-by-purchases"' in client.get("/clients/fits").text
    late = client.post("/clients/validations", data={
        "csrf_token": csrf, "calibration_end": TODAY.isoformat(),
        "holdout_end": TODAY.isoformat()})
    assert late.status_code == 422 and "must be after the calibration end" in late.text


def test_a_manager_reads_the_fits_but_runs_nothing(client, cast, sessions) -> None:
    _world(sessions, cast, 20)
    csrf = sign_in(client, "owner@accord.test")
    page = client.get("/clients/fits")
    assert page.status_code == 200 and "run-fit-form" not in page.text
    assert client.post("/clients/fits", data={"csrf_token": csrf}).status_code == 403
    assert client.get("/admin/clients").status_code == 403
    assert _written(sessions)[0] == 0


def test_the_settings_page_saves_and_names_bad_fields(client, cast, sessions) -> None:
    csrf = sign_in(client, "admin@accord.test")
    page = client.get("/admin/clients")
    assert page.status_code == 200 and "champions | 5-5 | 4-5" in page.text
    form = {"csrf_token": csrf, "version": "0", "model": "bgnbd", "unit": "month",
            "horizon": "12", "yearly_discount": "8", "rfm_window_days": "180",
            "lapsed_below": "25", "churned_after_days": "400", "winback_p_alive_below": "40",
            "winback_min_past_cents": "100.50", "at_risk_drop": "10",
            "best_p_alive_above": "80", "refit_every_days": "14",
            "segments": "best | 4-5 | 4-5\neveryone else | 1-5 | 1-5"}
    bad = client.post("/admin/clients", data={**form, "segments": "best | 4-5"})
    assert bad.status_code == 422 and "line 1" in bad.text
    bad = client.post("/admin/clients", data={**form, "segments": "best | 4-5 | 4-5"})
    assert bad.status_code == 422 and "no segment takes" in bad.text
    saved = client.post("/admin/clients", data=form, follow_redirects=False)
    assert saved.status_code == 303
    api = client.get("/api/v1/clients/settings", headers={"X-CSRF-Token": csrf}).json()
    assert (api["model"], api["unit"], api["lapsed_below"], api["winback_min_past_cents"],
            api["refit_every_days"]) == ("bgnbd", "month", "0.25", 10050, 14)
    assert [s["name"] for s in api["segments"]] == ["best", "everyone else"]
    stale = client.post("/admin/clients", data=form)
    assert stale.status_code == 409


def test_the_cli_fits_validates_lists_and_sets(database_url, cast, sessions) -> None:
    empty = _cli(database_url, "clients", "fit", "--format", "json")
    assert empty.exit_code == 2 and "nothing to fit" in empty.output
    ids = _world(sessions, cast)
    for args, said in ((("--unit", "fortnight"), "is not a unit"),
                       (("--calibration-end", "2001-01-01"), "before the first purchase"),
                       (("--calibration-end", "2026-13-01"), "not a date")):
        bad = _cli(database_url, "clients", "fit", *args)
        assert bad.exit_code == 2 and said in bad.output, bad.output
    refused = _cli(database_url, "clients", "fit", who="owner@accord.test")
    assert refused.exit_code == 1
    assert _written(sessions)[0] == 0
    done = _cli(database_url, "clients", "fit", "--format", "json", "--model", "mbgnbd")
    assert done.exit_code == 0, done.output
    printed = json.loads(done.output.strip().splitlines()[-1])
    assert list(printed) == ["r", "alpha", "a", "b", "log_likelihood", "clients", "converged"]
    assert printed["clients"] == len(ids)
    table = _cli(database_url, "clients", "fit", "--unit", "month")
    assert table.exit_code == 0 and "clients scored" in table.output
    end = (TODAY - timedelta(days=90)).isoformat()
    checked = _cli(database_url, "clients", "validate", "--calibration-end", end,
                   "--holdout-end", TODAY.isoformat())
    assert checked.exit_code == 0 and "holdout" in checked.output, checked.output
    listed = _cli(database_url, "clients", "fits", "--format", "json")
    assert json.loads(listed.output)["total"] == 3
    saved = _cli(database_url, "clients", "settings", "--set", "horizon=26", "--set",
                 "unit=month")
    assert saved.exit_code == 0 and "horizon: 26" in saved.output
    for wrong in ("horizon=0", "nope=1", "horizon"):
        assert _cli(database_url, "clients", "settings", "--set", wrong).exit_code == 2
    assert _cli(database_url, "clients", "settings", "--set", "horizon=3",
                who="viewer@accord.test").exit_code == 1
