"""The selection matrix, stages, decisions and health through the API and the CLI:
validation, roles, visibility."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from conftest import api_client
from kam_helpers import TODAY, add_revenue, steady


def _scoring_body(client, attractiveness: str = "6", us: str = "6", them: str = "5") -> dict:
    criteria = client.get("/api/v1/selection/criteria").json()
    return {
        "attractiveness": [
            {"criterion_id": c["id"], "score": attractiveness} for c in criteria["attractiveness"]
        ],
        "buying": [
            {"criterion_id": c["id"], "us": us, "competitor": them} for c in criteria["buying"]
        ],
        "competitor_name": "Rival Ltd",
    }


def test_the_owner_scores_an_account_and_it_is_placed_on_the_matrix(app, sessions, cast) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    r = owner.post(f"/api/v1/accounts/{cast.acme_id}/scorings", json=_scoring_body(owner))
    assert r.status_code == 201, r.text
    assert (r.json()["quadrant"], r.json()["attractiveness"], r.json()["strength"]) == (
        "Strategic",
        "6.000",
        "1.2000",
    )
    matrix = owner.get("/api/v1/matrix").json()
    assert [p["name"] for p in matrix["points"]] == ["Acme Industries"]
    assert {c["code"] for c in matrix["checks"]} == {
        "key_count",
        "manager_load",
        "large_not_key",
        "key_not_large",
        "rescore",
    }
    history = owner.get(f"/api/v1/accounts/{cast.acme_id}/scorings").json()
    assert len(history) == 1 and history[0]["scored_by"] == "owner@accord.test"
    summary = owner.get(f"/api/v1/accounts/{cast.acme_id}/kam").json()
    assert summary["tier"] == "Strategic" and summary["stage"]["decision"] == "invest"


def test_a_scoring_missing_a_criterion_or_out_of_range_is_refused_whole(
    app, sessions, cast
) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    body = _scoring_body(owner)
    body["attractiveness"] = body["attractiveness"][1:]
    body["buying"][0]["us"] = "11"
    r = owner.post(f"/api/v1/accounts/{cast.acme_id}/scorings", json=body)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"attractiveness", "buying.0.us"} <= fields
    assert owner.get(f"/api/v1/accounts/{cast.acme_id}/scorings").json() == []


def test_a_competitor_scoring_zero_everywhere_is_refused(app, sessions, cast) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    r = owner.post(f"/api/v1/accounts/{cast.acme_id}/scorings", json=_scoring_body(owner, them="0"))
    assert r.status_code == 422 and "competitor" in r.json()["detail"]


def test_an_outsider_learns_nothing_and_a_viewer_cannot_score(app, sessions, cast) -> None:
    outsider = api_client(app, cast.token(sessions, "outsider"))
    viewer = api_client(app, cast.token(sessions, "viewer"))
    body = _scoring_body(outsider)
    for path in ("scorings", "stage", "health", "kam", "selection"):
        assert outsider.get(f"/api/v1/accounts/{cast.acme_id}/{path}").status_code == 404
    assert outsider.post(f"/api/v1/accounts/{cast.acme_id}/scorings", json=body).status_code == 404
    assert viewer.get(f"/api/v1/accounts/{cast.acme_id}/stage").status_code == 200
    assert viewer.post(f"/api/v1/accounts/{cast.acme_id}/scorings", json=body).status_code == 403
    assert (
        viewer.put(
            f"/api/v1/accounts/{cast.acme_id}/stage-overrides/governance",
            json={"score": 3, "reason": "x"},
        ).status_code
        == 403
    )
    owner = api_client(app, cast.token(sessions, "owner"))
    assert owner.post(f"/api/v1/accounts/{cast.acme_id}/scorings", json=body).status_code == 201
    assert outsider.get("/api/v1/matrix").json()["points"] == []
    assert outsider.get("/api/v1/decisions").json()["total"] == 0


def test_only_heads_and_admins_change_criteria_and_weights_must_sum_to_100(
    app, sessions, cast
) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    owner = api_client(app, cast.token(sessions, "owner"))
    new = [{"name": n, "weight": w} for n, w in (("Price", 50), ("Quality", 30), ("Support", 10))]
    r = head.put("/api/v1/selection/criteria/buying", json={"criteria": new})
    assert r.status_code == 422 and "sum to 90" in r.json()["detail"]
    new[2]["weight"] = 20
    assert owner.put("/api/v1/selection/criteria/buying", json={"criteria": new}).status_code == 403
    r = head.put("/api/v1/selection/criteria/buying", json={"criteria": new})
    assert r.status_code == 200 and [c["name"] for c in r.json()] == ["Price", "Quality", "Support"]
    assert len(head.get("/api/v1/selection/criteria").json()["buying"]) == 3


def test_settings_are_stored_validated_and_change_the_placement(app, sessions, cast) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    head.post(
        f"/api/v1/accounts/{cast.acme_id}/scorings", json=_scoring_body(head, attractiveness="6")
    )
    r = head.put("/api/v1/selection/settings", json={"attractiveness_cut": "11"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attractiveness_cut"
    assert (
        head.put("/api/v1/selection/settings", json={"attractiveness_cut": "6.5"}).status_code
        == 200
    )
    assert head.get("/api/v1/matrix").json()["points"][0]["quadrant"] == "Status"
    owner = api_client(app, cast.token(sessions, "owner"))
    assert owner.put("/api/v1/health/settings", json={"green_from": 80}).status_code == 403
    r = head.put(
        "/api/v1/health/settings/segments/Manufacturing",
        json={"measures": {"sentiment": {"weight": "40"}}},
    )
    assert r.status_code == 200
    assert (
        head.get("/api/v1/health/settings").json()["segments"]["Manufacturing"]["measures"][
            "sentiment"
        ]["weight"]
        == "40"
    )


def test_overrides_need_a_reason_and_a_recorded_stage_differing_needs_a_comment(
    app, sessions, cast
) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    url = f"/api/v1/accounts/{cast.acme_id}"
    assert (
        owner.put(f"{url}/stage-overrides/governance", json={"score": 3, "reason": ""}).status_code
        == 422
    )
    r = owner.put(f"{url}/stage-overrides/governance", json={"score": 3, "reason": "QBRs"})
    assert r.status_code == 200
    assert (
        next(c for c in r.json()["criteria"] if c["criterion"] == "governance")["source"]
        == "manager"
    )
    assert owner.post(f"{url}/stage-assessments", json={"stage": "Strategic"}).status_code == 422
    r = owner.post(
        f"{url}/stage-assessments",
        json={"stage": "Cooperative", "comment": "daily contact with operations"},
    )
    assert r.status_code == 201 and r.json()["recorded_stage"] == "Cooperative"
    assert r.json()["suggested_stage"] == "Tactical"
    assert owner.delete(f"{url}/stage-overrides/governance").status_code == 200


def test_decisions_are_filtered_sorted_and_refuse_unknown_choices(app, sessions, cast) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    head.post(f"/api/v1/accounts/{cast.acme_id}/scorings", json=_scoring_body(head))
    assert head.get("/api/v1/decisions?sort=sideways").status_code == 422
    assert head.get("/api/v1/decisions?tier=Gold").status_code == 422
    rows = head.get("/api/v1/decisions?tier=Strategic&sort=-health").json()
    assert rows["total"] == 1 and rows["items"][0]["decision"] is None  # no stage yet
    assert head.get("/api/v1/decisions?decision=none").json()["total"] == 1


def test_the_cli_prints_the_matrix_decisions_stages_and_health(
    database_url, sessions, cast
) -> None:
    from accord.core.models import User
    from accord.selection import service
    from kam_helpers import scoring

    with sessions.begin() as s:
        add_revenue(s, cast.acme_id, steady(1_000_000))
        head = s.get(User, cast.head.id)
        service.score_account(
            s, head, cast.acme_id, scoring(s, head, attractiveness="8", us="4"), today=TODAY
        )
    runner = CliRunner()
    base = ["--database-url", database_url]
    r = runner.invoke(cli_app, [*base, "matrix", "--format", "json", "--today", str(TODAY)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["points"][0]["quadrant"] == "Star" and doc["as_of"] == "2025-12"
    r = runner.invoke(
        cli_app,
        [
            *base,
            "--as",
            "outsider@accord.test",
            "matrix",
            "--format",
            "json",
            "--today",
            str(TODAY),
        ],
    )
    assert json.loads(r.output)["points"] == []
    r = runner.invoke(cli_app, [*base, "health", "--recompute", "--today", str(TODAY)])
    assert r.exit_code == 0 and "health recomputed for 2 accounts" in r.output
    r = runner.invoke(cli_app, [*base, "decisions", "--format", "csv", "--today", str(TODAY)])
    assert r.exit_code == 0 and "Acme Industries" in r.output and "Star" in r.output
    r = runner.invoke(
        cli_app, [*base, "stages", "--account", str(cast.acme_id), "--today", str(TODAY)]
    )
    assert r.exit_code == 0 and "Tactical" in r.output and "invest" in r.output
    r = runner.invoke(
        cli_app,
        [
            *base,
            "health",
            "--account",
            str(cast.acme_id),
            "--format",
            "json",
            "--today",
            str(TODAY),
        ],
    )
    assert r.exit_code == 0 and json.loads(r.output)["measures"][0]["measure"] == "revenue_trend"
    r = runner.invoke(
        cli_app, [*base, "--as", "outsider@accord.test", "stages", "--account", str(cast.acme_id)]
    )
    assert r.exit_code != 0 and "no account" in r.output
    r = runner.invoke(cli_app, [*base, "decisions", "--tier", "Gold"])
    assert r.exit_code == 2
