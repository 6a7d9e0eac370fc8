"""Workload and capacity through its doors (both databases): the API, the Team pages and the
command line answer alike, and bad input — a negative capacity, a team or manager out of
reach, a move of an account out of reach, settings of the wrong type — is a clear error that
writes nothing."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.models import AuditEntry, User
from conftest import api_client
from page_helpers import csrf_from, sign_in

runner = CliRunner()


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def _audits(db) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _team_ids(db, cast) -> tuple[int, int]:
    db.rollback()
    north = db.scalar(select(User.team_id).where(User.id == cast.owner.id))
    south = db.scalar(select(User.team_id).where(User.id == cast.outsider.id))
    return int(north or 0), int(south or 0)


def test_the_api(app, cast, sessions, db) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    north, south = _team_ids(db, cast)
    loads = head.get("/api/v1/team/workload")
    assert loads.status_code == 200, loads.text
    body = loads.json()
    assert [m["email"] for m in body["managers"]] == ["owner@accord.test",
                                                      "teammate@accord.test"]
    owner = body["managers"][0]
    assert (owner["points"], owner["capacity"], owner["accounts"], owner["warnings"]) == (
        "1.00", 100, 1, [])
    assert body["teams"] == [{"id": north, "name": "North"}]
    assert head.get(f"/api/v1/team/workload?team_id={south}").status_code == 404
    assert head.get("/api/v1/team/workload?team_id=0").status_code == 422
    viewer = api_client(app, cast.token(sessions, "viewer"))
    assert viewer.get("/api/v1/team/workload").status_code == 403

    behind = head.get(f"/api/v1/team/managers/{cast.owner.id}/accounts?figure=accounts")
    assert behind.status_code == 200
    assert [(i["name"], i["points"], i["tier"]) for i in behind.json()["items"]] == [
        ("Acme Industries", "1.00", "not key")]
    odd = head.get(f"/api/v1/team/managers/{cast.owner.id}/accounts?figure=everything")
    assert odd.status_code == 422 and odd.json()["errors"][0]["field"] == "figure"
    assert head.get(f"/api/v1/team/managers/{cast.outsider.id}/accounts").status_code == 404

    before = _audits(db)
    move = {"moves": [{"account_id": cast.acme_id, "to_manager_id": cast.teammate.id}]}
    tried = head.post("/api/v1/team/what-if", json=move)
    assert tried.status_code == 200, tried.text
    after = {m["email"]: m["points"] for m in tried.json()["after"]}
    assert after == {"owner@accord.test": "0.00", "teammate@accord.test": "3.00"}
    out_of_reach = head.post("/api/v1/team/what-if", json={"moves": [
        {"account_id": cast.globex_id, "to_manager_id": cast.teammate.id}]})
    assert out_of_reach.status_code == 422
    assert [e["field"] for e in out_of_reach.json()["errors"]] == ["moves.0.account_id"]
    as_text = head.post("/api/v1/team/what-if", json={"moves": [
        {"account_id": str(cast.acme_id), "to_manager_id": cast.teammate.id}]})
    assert as_text.status_code == 422
    assert _audits(db) == before  # the what-if writes nothing


def test_the_settings_api_and_a_negative_capacity(app, cast, sessions, db) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    read = admin.get("/api/v1/team/settings")
    assert read.status_code == 200 and read.headers["etag"] == '"0"'
    assert read.json()["person"] == "0.05"
    saved = admin.put("/api/v1/team/settings", json={"strategic": "12"},
                      headers={"If-Match": '"0"'})
    assert saved.status_code == 200 and saved.headers["etag"] == '"1"'
    stale = admin.put("/api/v1/team/settings", json={"strategic": "13"},
                      headers={"If-Match": '"0"'})
    assert stale.status_code == 409
    owner = api_client(app, cast.token(sessions, "owner"))  # (issuing a token is audited)
    before = _audits(db)
    for bad, field in (({"strategic": "-1"}, "strategic"), ({"star": "1.234"}, "star"),
                       ({"key_accounts_limit": 0}, "key_accounts_limit"),
                       ({"coverage_below": "1.5"}, "coverage_below"), ({"nope": 1}, "nope")):
        refused = admin.put("/api/v1/team/settings", json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert field in [e["field"] for e in refused.json()["errors"]], refused.text
    assert owner.put("/api/v1/team/settings", json={"star": "9"}).status_code == 403
    # a negative capacity (the issue's bad input) is refused by the users' API, naming it
    negative = admin.patch(f"/api/v1/users/{cast.owner.id}", json={"capacity": -5})
    assert negative.status_code == 422
    assert [e["field"] for e in negative.json()["errors"]] == ["capacity"]
    assert _audits(db) == before
    assert admin.get("/api/v1/team/settings").json()["strategic"] == "12"


def test_the_pages(app, cast, sessions, db) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    csrf = sign_in(client, cast.head.email)
    page = client.get("/team")
    assert page.status_code == 200
    assert "Olivia Owner" in page.text and "Tom Teammate" in page.text
    assert "Oscar Outsider" not in page.text
    assert f'href="/team/managers/{cast.owner.id}?figure=key_accounts"' in page.text
    picked = client.get(f"/team?pick={cast.owner.id}")
    assert f'name="account_id" value="{cast.acme_id}"' in picked.text
    manager = client.get(f"/team/managers/{cast.owner.id}?figure=accounts")
    assert manager.status_code == 200 and "Acme Industries" in manager.text
    assert client.get(f"/team/managers/{cast.outsider.id}").status_code == 404

    before = _audits(db)
    tried = client.post("/team/what-if", data={"csrf_token": csrf,
                                               "account_id": str(cast.acme_id),
                                               "to_manager_id": str(cast.teammate.id)})
    assert tried.status_code == 200 and 'id="what-if-loads"' in tried.text
    assert 'action="/team/moves"' in tried.text
    assert re.search(f'name="to_manager_id" value="{cast.teammate.id}"', tried.text)
    for form in ({"account_id": "x1", "to_manager_id": str(cast.teammate.id)},
                 {"to_manager_id": str(cast.teammate.id)},
                 {"account_id": str(cast.globex_id), "to_manager_id": str(cast.teammate.id)}):
        refused = client.post("/team/what-if", data={"csrf_token": csrf, **form})
        assert refused.status_code == 422 and "form-errors" in refused.text, form
    assert _audits(db) == before

    settings = client.get("/admin/team")
    assert settings.status_code == 200
    token = csrf_from(settings.text)
    bad = client.post("/admin/team", data={"csrf_token": token, "strategic": "-3",
                                           "coverage_below": "seventy"})
    assert bad.status_code == 422 and bad.text.count('class="field-error"') == 2
    assert _audits(db) == before
    saved = client.post("/admin/team", data={"csrf_token": token, "version": "0",
                                             "strategic": "12", "coverage_below": "75"},
                        follow_redirects=False)
    assert saved.status_code == 303
    assert 'value="75"' in client.get("/admin/team").text

    owner = TestClient(app)
    sign_in(owner, cast.owner.email)
    assert owner.get("/team").status_code == 200
    assert owner.get("/admin/team").status_code == 403
    assert owner.get(f"/team/managers/{cast.teammate.id}").status_code == 404


def test_the_command_line(cast, database_url, db) -> None:
    shown = _cli(database_url, "--as", cast.head.email, "team", "workload", "--format", "json",
                 "--today", "2026-03-16")
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    assert [m["email"] for m in body["managers"]] == ["owner@accord.test",
                                                      "teammate@accord.test"]
    table = _cli(database_url, "team", "workload", "--team", "south")
    assert table.exit_code == 0, table.output
    assert "outsider@accord.test" in table.output and "1 managers" in table.output
    assert _cli(database_url, "--as", cast.head.email, "team", "workload", "--team",
                "South").exit_code != 0
    before = _audits(db)
    for args in (["--set", "strategic"], ["--set", "bogus=1"], ["--set", "star=-2"]):
        refused = _cli(database_url, "team", "settings", *args)
        assert refused.exit_code == 2, refused.output
    assert _audits(db) == before
    saved = _cli(database_url, "team", "settings", "--set", "strategic=12", "--set",
                 "key_accounts_limit=4")
    assert saved.exit_code == 0 and "strategic: 12" in saved.output, saved.output
    assert "key_accounts_limit: 4" in _cli(database_url, "team", "settings").output


def test_the_settings_page_saves_names_bad_fields_and_refuses_a_stale_form(
        client, cast, sessions, db) -> None:
    csrf = sign_in(client, "head@accord.test")
    page = client.get("/admin/team")
    assert page.status_code == 200
    form = {"csrf_token": csrf, "version": "0", "strategic": "12", "coverage_below": "75"}
    before = _audits(db)
    bad = client.post("/admin/team", data={**form, "strategic": "-1"})
    assert bad.status_code == 422 and "strategic" in bad.text and "-1" in bad.text
    assert _audits(db) == before  # nothing written
    saved = client.post("/admin/team", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/team"
    api = client.get("/api/v1/team/settings", headers={"X-CSRF-Token": csrf}).json()
    assert (api["strategic"], api["coverage_below"]) == ("12", "0.75")
    assert _audits(db) == before + 1
    stale = client.post("/admin/team", data={**form, "strategic": "11"})  # opened at 0
    assert stale.status_code == 409
    assert client.get("/api/v1/team/settings").json()["strategic"] == "12"


def test_a_settings_form_number_that_only_looks_whole_is_named_not_a_crash(
        client, cast, sessions, db) -> None:
    """'²' passes ``str.isdigit`` but is no integer: a 422 naming the field, not a 500."""
    csrf = sign_in(client, "head@accord.test")
    before = _audits(db)
    bad = client.post("/admin/team", data={"csrf_token": csrf, "version": "0",
                                           "key_accounts_limit": "²"})
    assert bad.status_code == 422 and "key_accounts_limit" in bad.text
    assert _audits(db) == before


def test_the_cli_refuses_a_setting_without_a_name(database_url) -> None:
    out = _cli(database_url, "team", "settings", "--set", "=5")
    assert out.exit_code == 2 and "name=value" in out.output
