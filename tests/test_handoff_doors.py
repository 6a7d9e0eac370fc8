"""The API's ETag/If-Match on item answers and the `accord handoffs` commands, on both
databases."""

from __future__ import annotations

from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from conftest import api_client

runner = CliRunner()


def _open(app, sessions, cast):
    owner = api_client(app, cast.token(sessions, "owner"))
    made = owner.post(f"/api/v1/accounts/{cast.acme_id}/handoffs", json={"kind": "sales"})
    assert made.status_code == 201, made.text
    return owner, made.json()["id"], made.headers["etag"]


def test_answers_carry_the_version_and_a_stale_if_match_is_a_409(app, sessions, cast):
    owner, handoff_id, etag = _open(app, sessions, cast)
    url = f"/api/v1/handoffs/{handoff_id}/items/decision_makers"
    first = owner.put(url, json={"kind": "text", "text": "the CFO"}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.headers["etag"] != etag
    stale = owner.put(url, json={"kind": "text", "text": "the CEO"}, headers={"If-Match": etag})
    assert stale.status_code == 409
    read = owner.get(f"/api/v1/handoffs/{handoff_id}")
    assert read.headers["etag"] == first.headers["etag"]
    item = next(i for i in read.json()["items"] if i["key"] == "decision_makers")
    assert item["text"] == "the CFO"
    bad = owner.put(url, json={"kind": "link", "text": "javascript:x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "text"
    refused = owner.post(f"/api/v1/handoffs/{handoff_id}/submit")
    assert refused.status_code == 422
    assert "items.billing_contact" in [e["field"] for e in refused.json()["errors"]]
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert outsider.get(f"/api/v1/handoffs/{handoff_id}").status_code == 404


def test_the_cli_shows_answers_submits_returns_and_accepts(database_url, app, sessions, cast):
    _owner, handoff_id, _etag = _open(app, sessions, cast)

    def accord(*args: str):
        return runner.invoke(cli_app, ["--database-url", database_url,
                                       "--as", "owner@accord.test", "handoffs", *args])

    listed = accord("list", "--box", "mine", "--format", "json")
    assert listed.exit_code == 0 and '"account_name": "Acme Industries"' in listed.output
    assert accord("list", "--box", "mine").exit_code == 0
    early = accord("submit", str(handoff_id))
    assert early.exit_code == 2 and "billing_contact" in early.output
    for key in ("decision_makers", "sold_and_promised", "contract_term", "success_criteria",
                "billing_contact", "first_review"):
        done = accord("answer", str(handoff_id), key, "--kind", "text", "--text", f"about {key}")
        assert done.exit_code == 0, done.output
    na = accord("answer", str(handoff_id), "open_issues", "--kind", "not_applicable",
                "--reason", "none at signature")
    assert na.exit_code == 0 and "not applicable" in na.output
    assert accord("submit", str(handoff_id), "--today", "2026-03-02").exit_code == 0
    no_reason = accord("return", str(handoff_id), "--reason", " ")
    assert no_reason.exit_code == 2
    assert accord("return", str(handoff_id), "--reason", "vague").exit_code == 0
    assert accord("submit", str(handoff_id)).exit_code == 0
    accepted = accord("accept", str(handoff_id), "--format", "json")
    assert accepted.exit_code == 0 and '"state": "accepted"' in accepted.output
    shown = accord("show", str(handoff_id), "--format", "json")
    assert shown.exit_code == 0 and '"quality": "0.8571"' in shown.output
    assert accord("show", str(handoff_id)).exit_code == 0
    viewer = runner.invoke(cli_app, ["--database-url", database_url, "--as",
                                     "viewer@accord.test", "handoffs", "accept", str(handoff_id)])
    assert viewer.exit_code != 0
    missing = accord("show", "987654")
    assert missing.exit_code == 1 and "no hand-off" in missing.output
