"""Win-back campaigns' three doors (both databases): the API, the pages and
``accord campaigns``, each calling the one service — and bad input refused at each with the
field named and nothing written."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.web import deps
from conftest import api_client
from page_helpers import sign_in
from test_clients_campaigns import FROZEN, _counts, arrange

URL = "/api/v1/clients/campaigns"
runner = CliRunner()


def _cli(database_url: str, *args: str) -> Any:
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_api(app: Any, sessions: Any, cast: Any) -> None:
    from accord.core.periods import month_index
    from accord.revenue.models import RevenueLine

    ids = arrange(sessions, cast, clients=10)
    app.dependency_overrides[deps.today] = lambda: FROZEN
    try:
        owner = api_client(app, cast.token(sessions, "owner"))
        made = owner.post(URL, json={"name": "API win-back", "source": "winback",
                                     "holdout": 0.4, "follow_ups_due_on": "2026-03-17"})
        assert made.status_code == 201, made.text
        body = made.json()
        assert made.headers["location"] == f"{URL}/{body['id']}"
        assert (body["members"], body["held_out"], body["no_consent"], body["suppressed"]) == (
            5, 2, 1, 1)
        reached = [m for m in body["member_page"]["items"]
                   if m["group"] == "treatment" and not m["excluded"]]
        assert body["member_page"]["total"] == 5 and body["follow_ups"] == len(reached)
        assert all(m["follow_up_id"] for m in reached)
        listed = owner.get(URL).json()
        assert [c["id"] for c in listed["items"]] == [body["id"]]
        assert owner.get(f"{URL}/{body['id']}", params={"page_size": 2}).json()[
            "member_page"]["pages"] == 3
        with sessions.begin() as s:
            s.add(RevenueLine(account_id=ids["north"][2], line_key="#api", amount_cents=4200,
                              date=FROZEN + timedelta(days=5),
                              month=month_index(FROZEN + timedelta(days=5))))
        app.dependency_overrides[deps.today] = lambda: date(2026, 9, 1)
        result = owner.get(f"{URL}/{body['id']}/result", params={"months": 1})
        assert result.status_code == 200, result.text
        out = result.json()
        assert out["complete"] and out["treatment"]["members"] == 3
        assert out["treatment"]["buyers"] + out["holdout"]["buyers"] == 1
        share = {k: Decimal(v) for k, v in out["share_difference"].items()}
        assert share["low"] <= share["estimate"] <= share["high"]
        export = owner.get(f"{URL}/{body['id']}/export")
        assert export.status_code == 200 and export.headers["content-type"].startswith(
            "text/csv")
        lines = export.text.splitlines()
        assert lines[0] == "name,email,p_alive,value"
        assert len(lines) - 1 + int(export.headers["x-left-out-no-consent"]) + int(
            export.headers["x-left-out-suppressed"]) == 3
        assert export.headers["x-left-out-held-out"] == "2"
        # who may not
        outsider = api_client(app, cast.token(sessions, "outsider"))
        assert outsider.get(f"{URL}/{body['id']}").status_code == 404
        assert outsider.get(f"{URL}/{body['id']}/export").status_code == 404
        viewer = api_client(app, cast.token(sessions, "viewer"))
        assert viewer.get(URL).status_code == 403
        assert viewer.post(URL, json={"name": "x", "source": "winback"}).status_code == 403
    finally:
        app.dependency_overrides.pop(deps.today, None)


def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
        app: Any, sessions: Any, cast: Any) -> None:
    ids = arrange(sessions, cast, clients=4)
    owner = api_client(app, cast.token(sessions, "owner"))
    before = _counts(sessions)
    for body, field in (
            ({"name": "", "source": "winback"}, "name"),
            ({"name": "x", "source": "everyone"}, "source"),
            ({"name": "x", "source": "winback", "holdout": 0.95}, "holdout"),
            ({"name": "x", "source": "winback", "holdout": "0.12345"}, "holdout"),
            ({"name": "x", "source": "segment"}, "segment"),
            ({"name": "x", "source": "winback", "result_months": 40}, "result_months"),
            ({"name": "x", "source": "winback", "follow_ups_due_on": "2001-01-01"},
             "follow_ups_due_on"),
            ({"name": "x", "source": "accounts", "account_ids": [ids["south"][0]]},
             "account_ids"),
            ({"name": "x", "source": "accounts", "account_ids": [1], "q": "a"}, "q"),
            ({"name": "x", "source": "winback", "limit": 0}, "limit")):
        refused = owner.post(URL, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert field in [e["field"] for e in refused.json()["errors"]], refused.json()
    assert str(ids["south"][0]) in owner.post(URL, json={
        "name": "x", "source": "accounts", "account_ids": [ids["south"][0]]}).text
    assert owner.get(f"{URL}/1/result", params={"months": 0}).status_code == 422
    assert owner.get(f"{URL}/2147483648").status_code == 422
    assert _counts(sessions) == before


def test_the_pages(app: Any, sessions: Any, cast: Any) -> None:
    ids = arrange(sessions, cast, clients=10)
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    new = client.get("/clients/campaigns/new", params={
        "source": "winback", "segment": "at risk", "min_value": "10.00"})
    assert new.status_code == 200
    assert 'value="10.00"' in new.text and 'id="campaign-form"' in new.text
    assert '<option value="at risk" selected>' in new.text
    refused = client.post("/clients/campaigns", data={
        "csrf_token": csrf, "name": "Paged", "source": "winback", "holdout": "2"})
    assert refused.status_code == 422 and "cp-holdout-error" in refused.text
    made = client.post("/clients/campaigns", follow_redirects=False, data={
        "csrf_token": csrf, "name": "Paged", "source": "winback", "holdout": "0.5",
        "segment": "at risk"})
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="tile-members">2<' in page.text  # clients 1 and 3: "at risk" and win-back
    assert 'id="share-difference"' in page.text and "interval-chart" in page.text
    assert client.get(url, params={"months": 6}).status_code == 200
    assert client.get(url, params={"months": 99}).status_code == 422
    assert "Paged" in client.get("/clients/campaigns").text
    export = client.get(f"{url}/export")
    assert export.status_code == 200 and export.text.startswith("name,email,p_alive,value")
    outsider = TestClient(app)
    sign_in(outsider, "outsider@accord.test")
    assert outsider.get(url).status_code == 404
    viewer = TestClient(app)
    sign_in(viewer, "viewer@accord.test")
    assert viewer.get("/clients/campaigns/new").status_code == 403
    assert ids


def test_the_command_line(sessions: Any, cast: Any, database_url: str, tmp_path: Path) -> None:
    arrange(sessions, cast, clients=10)
    before = _counts(sessions)
    as_owner = ("--as", "owner@accord.test", "campaigns")
    for args, said in ((("create", "X", "--winback", "--best"), "one of"),
                       (("create", "X", "--winback", "--holdout", "0.99"), "holdout"),
                       (("create", "X", "--accounts", "1,x"), "account_ids"),
                       (("create", "X", "--winback", "--follow-ups", "2001-01-01",
                         "--today", FROZEN.isoformat()), "follow_ups_due_on")):
        bad = _cli(database_url, *as_owner, *args)
        assert bad.exit_code != 0 and said in bad.output, bad.output
    assert _counts(sessions) == before
    made = _cli(database_url, *as_owner, "create", "Shell", "--winback", "--holdout", "0.2",
                "--follow-ups", "2026-03-20", "--today", FROZEN.isoformat())
    assert made.exit_code == 0, made.output
    assert "5 members, 4 treatment, 1 held out" in made.output
    campaign = made.output.split()[1]
    listed = _cli(database_url, *as_owner, "list", "--format", "json")
    assert json.loads(listed.output)["items"][0]["name"] == "Shell"
    shown = _cli(database_url, *as_owner, "show", campaign)
    assert shown.exit_code == 0 and "Client 00" in shown.output
    result = _cli(database_url, *as_owner, "result", campaign, "--months", "2", "--format",
                  "json", "--today", "2026-06-01")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["treatment"]["members"] == 4
    table = _cli(database_url, *as_owner, "result", campaign, "--today", "2026-04-01")
    assert table.exit_code == 0 and "so far" in table.output
    target = tmp_path / "out.csv"
    exported = _cli(database_url, *as_owner, "export", campaign, str(target))
    assert exported.exit_code == 0 and "held out" in exported.output
    assert target.read_text().startswith("name,email,p_alive,value\n")
    missing = _cli(database_url, "--as", "outsider@accord.test", "campaigns", "show", campaign)
    assert missing.exit_code != 0 and "no campaign" in missing.output
