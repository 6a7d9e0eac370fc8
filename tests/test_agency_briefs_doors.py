"""Briefs' front doors on both databases: the API (write, edit with If-Match, the moves,
the board, an account's briefs; bad input refused with nothing written; a specialist sees the
account's name only and another department's brief is a 404), the pages (the form and its
errors, the detail and its actions, the board, the Work tab; a specialist's view has no
account link and /accounts/{id}/work is a 404 for them), ``accord briefs …``, and the docs'
transition table equal to the code's."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.agency.briefs import rules
from accord.agency.models import Brief, BriefTransition
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.models import AuditEntry
from conftest import api_client
from page_helpers import sign_in
from test_agency_briefs_service import make_world

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[1] / "docs" / "briefs.md"


def _counts(db) -> tuple[int, ...]:
    db.rollback()
    return tuple(int(db.scalar(select(func.count()).select_from(m)) or 0)
                 for m in (Brief, BriefTransition, AuditEntry))


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def _specialist_token(sessions, world) -> str:
    from accord.users.service import issue_token

    with sessions.begin() as session:
        return issue_token(session, None, world.specialist.id, "spec").token


def test_the_api_writes_moves_and_reads_briefs(app, sessions, cast, db) -> None:
    world = make_world(db, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    spec = api_client(app, _specialist_token(sessions, world))
    body = {"account_id": cast.acme_id, "department_id": world.creative,
            "title": "Spring campaign", "sections": {"objective": "Launch"},
            "attachments": [{"name": "Brand book", "url": "https://acme.test/b.pdf"}],
            "deliverable_type": "creative", "due_on": "2099-03-02"}
    made = owner.post("/api/v1/briefs", json=body)
    assert made.status_code == 201, made.text
    item = made.headers["location"]
    assert made.headers["etag"] == '"1"' and made.json()["status"] == "draft"
    assert owner.patch(item, json={"title": "Summer"}, headers={"If-Match": '"9"'}
                       ).status_code == 409
    edited = owner.patch(item, json={"title": "Summer"}, headers={"If-Match": '"1"'})
    assert edited.status_code == 200 and edited.json()["title"] == "Summer"
    assert spec.get(item).status_code == 404  # a draft is the account's alone
    assert owner.post(f"{item}/send").json()["status"] == "sent"
    assert owner.post(f"{item}/send").status_code == 409
    assert owner.post(f"{item}/accept", json={}).status_code == 403
    seen = spec.get(item)
    assert seen.status_code == 200
    assert seen.json()["account_id"] is None and seen.json()["account_name"] == "Acme Industries"
    assert "/accounts/" not in seen.text and "ACME" not in seen.text
    accepted = spec.post(f"{item}/accept", json={"proposed_due_on": "2099-03-09",
                                                 "reason": "Two launches first"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["proposed_due_on"] == "2099-03-09"
    agreed = owner.post(f"{item}/agree-date").json()
    assert (agreed["due_on"], agreed["original_due_on"]) == ("2099-03-09", "2099-03-02")
    assert spec.post(f"{item}/start").status_code == 200
    delivered = spec.post(f"{item}/deliver", json={"actual_hours": "6.5"}).json()
    assert delivered["status"] == "delivered" and delivered["first_delivered_on"]
    assert owner.post(f"{item}/request-changes", json={"reason": "Bigger logo"}
                      ).json()["rounds"] == 1
    spec.post(f"{item}/deliver", json={})
    refused = owner.post(f"{item}/approve", json={"checks": {"brand": True}})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    approved = owner.post(f"{item}/approve", json={"checks": {"brand": True, "formats": True}})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    timeline = owner.get(f"{item}/transitions").json()
    assert [t["action"] for t in timeline] == [
        "create", "send", "accept", "agree_date", "start", "deliver", "request_changes",
        "deliver", "approve"]
    listed = owner.get(f"/api/v1/accounts/{cast.acme_id}/briefs").json()
    assert [b["title"] for b in listed] == ["Summer"]
    assert spec.get(f"/api/v1/accounts/{cast.acme_id}/briefs").status_code == 404
    board = spec.get("/api/v1/briefs/board").json()
    assert board["department_name"] == "Creative"
    assert {c["status"]: c["total"] for c in board["columns"]}["approved"] == 1
    assert spec.get("/api/v1/briefs?status=approved").json()["total"] == 1


def test_bad_input_through_the_api_writes_nothing(app, sessions, cast, db) -> None:
    world = make_world(db, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    base = {"account_id": cast.acme_id, "department_id": world.creative, "title": "Spring"}
    before = _counts(db)
    past = owner.post("/api/v1/briefs", json={**base, "due_on": "2000-01-03"})
    assert past.status_code == 422
    assert past.json()["errors"][0]["field"] == "due_on"
    assert "before today" in past.json()["errors"][0]["message"]
    nowhere = owner.post("/api/v1/briefs", json={**base, "department_id": 987654})
    assert nowhere.status_code == 422
    assert nowhere.json()["errors"] == [{"field": "department_id",
                                         "message": "no department 987654"}]
    saturday = owner.post("/api/v1/briefs", json={**base, "due_on": "2099-03-07"})
    assert saturday.status_code == 422 and "choose 2099-03-06 or 2099-03-09" in saturday.text
    assert _counts(db) == before
    # a specialist opening another department's brief
    made = owner.post("/api/v1/briefs", json={**base, "department_id": world.media,
                                              "sections": {}}).json()
    owner.post(f"/api/v1/briefs/{made['id']}/send")
    spec = api_client(app, _specialist_token(sessions, world))
    before = _counts(db)
    other = spec.get(f"/api/v1/briefs/{made['id']}")
    assert other.status_code == 404 and other.json()["detail"] == f"no brief {made['id']}"
    assert spec.post(f"/api/v1/briefs/{made['id']}/accept", json={}).status_code == 404
    assert _counts(db) == before


def test_the_pages_write_show_and_move_a_brief(app, sessions, cast, db) -> None:
    world = make_world(db, cast)
    owner = TestClient(app)
    csrf = sign_in(owner, "owner@accord.test")
    form = owner.get(f"/briefs/new?account_id={cast.acme_id}&department_id={world.creative}")
    assert form.status_code == 200 and 'name="sections.objective"' in form.text
    partial = owner.get(f"/briefs/new?department_id={world.media}",
                        headers={"HX-Request": "true"})
    assert 'name="sections.budget"' in partial.text and "<html" not in partial.text
    before = _counts(db)
    bad = owner.post("/briefs", data={"csrf_token": csrf, "account_id": str(cast.acme_id),
                                      "department_id": str(world.creative), "title": "Spring",
                                      "due_on": "2000-01-03", "then": "send"})
    assert bad.status_code == 422 and "a due date before today" in bad.text
    assert 'class="field-error"' in bad.text
    assert _counts(db) == before
    made = owner.post("/briefs", data={
        "csrf_token": csrf, "account_id": str(cast.acme_id),
        "department_id": str(world.creative), "title": "Spring campaign",
        "sections.objective": "Launch", "attachment_name": "Brand book",
        "attachment_url": "https://acme.test/b.pdf", "deliverable_type": "creative",
        "priority": "high", "then": "send"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    page = made.headers["location"]
    brief_id = int(page.rsplit("/", 1)[1])
    shown = owner.get(page)
    assert "Sent" in shown.text and "Brand book" in shown.text and 'id="cancel-form"' in shown.text
    refused = owner.post(f"{page}/cancel", data={"csrf_token": csrf, "reason": ""})
    assert refused.status_code == 422 and "field-error" in refused.text

    spec = TestClient(app)
    spec_csrf = sign_in(spec, "specialist@accord.test")
    seen = spec.get(page)
    assert seen.status_code == 200 and "Acme Industries" in seen.text
    assert f"/accounts/{cast.acme_id}" not in seen.text and 'id="accept-form"' in seen.text
    assert spec.get(f"/accounts/{cast.acme_id}/work").status_code == 404
    assert spec.get(f"{page}/edit").status_code == 403
    proposal = spec.post(f"{page}/accept", data={"csrf_token": spec_csrf,
                                                 "proposed_due_on": "2099-03-07",
                                                 "reason": "busy"})
    assert proposal.status_code == 422 and "day off" in proposal.text
    assert spec.post(f"{page}/accept", data={"csrf_token": spec_csrf},
                     follow_redirects=False).status_code == 303
    board = spec.get("/briefs/board")
    assert board.status_code == 200 and f'id="card-{brief_id}"' in board.text
    assert f"/accounts/{cast.acme_id}" not in board.text
    assert spec.get("/briefs").status_code == 200

    work = owner.get(f"/accounts/{cast.acme_id}/work")
    assert work.status_code == 200 and "Spring campaign" in work.text
    assert 'id="new-brief"' in work.text and 'id="inputs-panel"' in work.text
    edit = owner.get(f"{page}/edit")
    assert edit.status_code == 200 and 'name="sections.objective"' in edit.text
    saved = owner.post(f"{page}/edit", data={"csrf_token": csrf, "title": "Summer campaign",
                                             "priority": "urgent"}, follow_redirects=False)
    assert saved.status_code == 303
    db.rollback()
    assert db.get(Brief, brief_id).title == "Summer campaign"
    empty = TestClient(app)
    sign_in(empty, "viewer@accord.test")
    listing = empty.get("/briefs?status=approved")
    assert listing.status_code == 200 and 'id="no-briefs"' in listing.text


def test_the_cli_lists_writes_and_moves_briefs(database_url, cast, db) -> None:
    world = make_world(db, cast)
    made = _cli(database_url, "briefs", "new", "--account", "ACME", "--department", "Creative",
                "--title", "Spring", "--section", "objective=Launch", "--due", "2099-03-02",
                "--format", "json")
    assert made.exit_code == 0, made.output
    brief_id = json.loads(made.output)["id"]
    bad = _cli(database_url, "briefs", "new", "--account", "ACME", "--department", "Creative",
               "--title", "Spring", "--due", "2000-01-03")
    assert bad.exit_code == 2 and "due_on" in bad.output and "before today" in bad.output
    nowhere = _cli(database_url, "briefs", "new", "--account", "ACME", "--department", "Nope",
                   "--title", "Spring")
    assert nowhere.exit_code != 0 and "no department" in nowhere.output
    assert _cli(database_url, "briefs", "send", str(brief_id)).exit_code == 0
    moved = _cli(database_url, "briefs", "move", str(brief_id), "accept", "--due",
                 "2099-03-09", "--reason", "busy")
    assert moved.exit_code == 0, moved.output
    assert _cli(database_url, "briefs", "move", str(brief_id), "agree-date").exit_code == 0
    assert _cli(database_url, "briefs", "move", str(brief_id), "start").exit_code == 0
    assert _cli(database_url, "briefs", "move", str(brief_id), "deliver", "--hours",
                "3").exit_code == 0
    twice = _cli(database_url, "briefs", "move", str(brief_id), "start")
    assert twice.exit_code == 1 and "delivered" in twice.output
    approved = _cli(database_url, "briefs", "move", str(brief_id), "approve")
    assert approved.exit_code == 0, approved.output
    listed = _cli(database_url, "briefs", "list", "--department", "Creative", "--account",
                  "ACME", "--status", "approved", "--format", "json")
    assert listed.exit_code == 0 and json.loads(listed.output)["total"] == 1
    shown = _cli(database_url, "briefs", "show", str(brief_id))
    assert shown.exit_code == 0 and "agree_date" in shown.output
    wrong = _cli(database_url, "briefs", "move", str(brief_id), "fly")
    assert wrong.exit_code == 2 and "action" in wrong.output
    del world


def test_the_docs_table_is_the_codes_table() -> None:
    text = DOCS.read_text()
    section = text.split("## States and transitions", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    found = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        action = cells[0].strip("`")
        sources = tuple(re.findall(r"`(\w+)`", cells[1]))
        to = None if cells[2] == "(unchanged)" else cells[2].strip("`")
        found[action] = (sources, to, cells[3])
    assert found == rules.TRANSITIONS
