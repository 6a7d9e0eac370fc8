"""Follow-ups' front doors on both databases: the API (create, read, edit, done, snooze,
cancel, log and close; a time the clocks skip and a snooze into the past are 422s that write
nothing; another manager's follow-up is a 404), the pages (the list and its empty state, the
form prefilled from an opportunity, the actions), ``accord followups …`` and the user's
time-zone setting on every door (``PATCH /api/v1/me``, ``/me``, ``accord users
set-time-zone``, the admin's user page)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.accounts.models import Interaction
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.calendar.models import FollowUp
from accord.core.models import User
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()
BODY = {"title": "Send the price list", "due_on": "2027-03-10"}


def _count(db, model=FollowUp) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_api_adds_edits_and_closes_follow_ups(app, sessions, cast, db) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    made = owner.post("/api/v1/follow-ups", json={**BODY, "account_id": cast.acme_id,
                                                  "due_time": "09:30"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert made.headers["etag"] == '"1"' and body["owner"]["email"] == "owner@accord.test"
    item = f"/api/v1/follow-ups/{body['id']}"
    assert made.headers["location"] == item
    stale = owner.patch(item, json={"title": "Call back"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 409
    edited = owner.patch(item, json={"title": "Call back"}, headers={"If-Match": '"1"'})
    assert edited.status_code == 200 and edited.json()["title"] == "Call back"
    past = owner.post(f"{item}/snooze", json={"until": "2000-01-01"})
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "until"
    assert owner.get(item).json()["status"] == "open"
    snoozed = owner.post(f"{item}/snooze", json={"until": "2099-01-01"})
    assert snoozed.status_code == 200 and snoozed.json()["effective_due_on"] == "2099-01-01"
    logged = owner.post(f"{item}/log", json={"kind": "call", "occurred_on": "2026-01-05",
                                             "summary": "Sent it"})
    assert logged.status_code == 200, logged.text
    assert logged.json()["status"] == "done" and logged.json()["closed_by_interaction_id"]
    assert owner.post(f"{item}/done").status_code == 422
    listed = owner.get(f"/api/v1/accounts/{cast.acme_id}/follow-ups").json()
    assert [f["id"] for f in listed] == [body["id"]]
    second = owner.post("/api/v1/follow-ups", json={**BODY, "account_id": cast.acme_id}).json()
    assert owner.post(f"/api/v1/follow-ups/{second['id']}/cancel",
                      json={"reason": "Not needed"}).json()["status"] == "cancelled"
    third = owner.post("/api/v1/follow-ups", json={**BODY, "account_id": cast.acme_id}).json()
    assert owner.post(f"/api/v1/follow-ups/{third['id']}/done").json()["status"] == "done"
    page = owner.get("/api/v1/follow-ups?status=all&sort=-due&page_size=2").json()
    assert (page["total"], len(page["items"])) == (3, 2)


def test_the_api_refuses_bad_input_and_writes_nothing(app, sessions, cast, db) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    assert owner.patch("/api/v1/me", json={"time_zone": "Europe/London"}).status_code == 200
    for body, field in (({**BODY, "due_on": "2027-03-28", "due_time": "01:30"}, "due_time"),
                        ({**BODY, "due_on": "1999-01-01"}, "due_on"),
                        ({**BODY, "due_time": "25:00"}, "due_time"),
                        ({**BODY, "title": ""}, "title"),
                        ({**BODY, "owner_id": cast.outsider.id}, "owner_id"),
                        ({**BODY, "source_kind": "opportunity", "source_id": 987654},
                         "source_id")):
        answer = owner.post("/api/v1/follow-ups", json={**body, "account_id": cast.acme_id})
        assert answer.status_code == 422, (body, answer.text)
        assert field in [e["field"] for e in answer.json()["errors"]], answer.text
    gap = owner.post("/api/v1/follow-ups", json={**BODY, "account_id": cast.acme_id,
                                                 "due_on": "2027-03-28", "due_time": "01:30"})
    assert "01:30 does not exist on 2027-03-28 in Europe/London" in gap.text
    assert owner.patch("/api/v1/me", json={"time_zone": "Mars/Base"}).status_code == 422
    assert owner.get("/api/v1/me").json()["time_zone"] == "Europe/London"
    assert _count(db) == 0


def test_another_managers_follow_up_is_not_found(app, sessions, cast, db) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert outsider.post("/api/v1/follow-ups", json={**BODY, "account_id": cast.acme_id}
                         ).status_code == 404
    made = owner.post("/api/v1/follow-ups", json={**BODY, "account_id": cast.acme_id}).json()
    item = f"/api/v1/follow-ups/{made['id']}"
    assert outsider.get(item).status_code == 404
    assert outsider.get("/api/v1/follow-ups/987654").status_code == 404
    assert outsider.post(f"{item}/done").status_code == 404
    assert outsider.get(f"/api/v1/accounts/{cast.acme_id}/follow-ups").status_code == 404
    assert outsider.get("/api/v1/follow-ups").json()["total"] == 0
    viewer = api_client(app, cast.token(sessions, "viewer"))
    assert viewer.get(item).status_code == 200
    assert viewer.post(f"{item}/done").status_code == 403
    assert _count(db) == 1


def test_the_pages(app, sessions, cast, db) -> None:
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    blank = client.get("/follow-ups/new")
    assert blank.status_code == 200 and 'id="fu-account_id"' in blank.text
    empty = client.get("/follow-ups")
    assert empty.status_code == 200 and 'id="no-follow-ups"' in empty.text
    opp = client.post(f"/accounts/{cast.acme_id}/opportunities", data={
        "csrf_token": csrf, "title": "Second plant", "kind": "cross_sell", "value": "40000",
        "next_step": "Send the offer", "next_step_on": "2027-03-12"}, follow_redirects=False)
    opp_url = opp.headers["location"]
    assert 'id="add-follow-up"' in client.get(opp_url).text
    opp_id = opp_url.rsplit("/", 1)[1]
    form = client.get(f"/follow-ups/new?source_kind=opportunity&source_id={opp_id}").text
    assert 'value="Send the offer"' in form and 'value="2027-03-12"' in form
    wrong = client.post("/follow-ups", data={
        "csrf_token": csrf, "account_id": str(cast.acme_id), "title": "Send the offer",
        "due_on": "2027-03-12", "source_kind": "opportunity", "source_id": opp_id,
        "due_time": "7pm"})
    assert wrong.status_code == 422 and 'id="fu-due_time-error"' in wrong.text
    assert _count(db) == 0
    done = client.post("/follow-ups", data={
        "csrf_token": csrf, "account_id": str(cast.acme_id), "title": "Send the offer",
        "due_on": "2027-03-12", "due_time": "09:30", "source_kind": "opportunity",
        "source_id": opp_id, "owner_id": str(cast.owner.id)}, follow_redirects=False)
    assert done.status_code == 303, done.text
    url = done.headers["location"]
    page = client.get(url).text
    assert "Send the offer" in page and "09:30 UTC" in page and 'id="log-form"' in page
    listed = client.get(f"/follow-ups?account_id={cast.acme_id}&q=offer").text
    assert "Send the offer" in listed and 'id="add-follow-up"' in listed
    past = client.post(f"{url}/snooze", data={"csrf_token": csrf, "until": "2001-01-01"})
    assert past.status_code == 422 and 'id="sn-until-error"' in past.text
    no_reason = client.post(f"{url}/cancel", data={"csrf_token": csrf, "reason": ""})
    assert no_reason.status_code == 422 and 'id="cn-reason-error"' in no_reason.text
    bad_log = client.post(f"{url}/log", data={"csrf_token": csrf, "kind": "call",
                                              "occurred_on": "2099-01-01", "summary": "x"})
    assert bad_log.status_code == 422 and 'id="lg-occurred_on-error"' in bad_log.text
    assert _count(db, Interaction) == 0
    logged = client.post(f"{url}/log", data={"csrf_token": csrf, "kind": "call",
                                             "occurred_on": "2026-01-05",
                                             "summary": "Sent the offer"},
                         follow_redirects=False)
    assert logged.status_code == 303
    assert "Closed by" in client.get(url).text and _count(db, Interaction) == 1
    outsider = TestClient(app)
    sign_in(outsider, "outsider@accord.test")
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"/follow-ups?account_id={cast.acme_id}").status_code == 404
    assert "Send the offer" not in outsider.get("/follow-ups?status=all").text


def test_the_time_zone_pages(app, sessions, cast, db) -> None:
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    page = client.get("/me").text
    assert 'id="my-time-zone">UTC<' in page
    version = page.split('name="version" value="')[1].split('"')[0]
    bad = client.post("/me", data={"csrf_token": csrf, "time_zone": "Europe/Londn",
                                   "version": version})
    assert bad.status_code == 422 and "unknown time zone" in bad.text
    ok = client.post("/me", data={"csrf_token": csrf, "time_zone": "Europe/London",
                                  "version": version}, follow_redirects=False)
    assert ok.status_code == 303
    assert 'id="my-time-zone">Europe/London<' in client.get("/me").text
    admin = TestClient(app)
    admin_csrf = sign_in(admin, "admin@accord.test")
    edit = admin.get(f"/admin/users/{cast.teammate.id}").text
    assert 'id="e-time_zone"' in edit
    saved = admin.post(f"/admin/users/{cast.teammate.id}", data={
        "csrf_token": admin_csrf, "name": "Tom Teammate", "role": "manager", "team_id": "",
        "segment": "", "capacity": "100", "is_active": "on", "time_zone": "Asia/Tokyo"},
        follow_redirects=False)
    assert saved.status_code == 303, saved.text
    wrong = admin.post(f"/admin/users/{cast.teammate.id}", data={
        "csrf_token": admin_csrf, "name": "Tom Teammate", "role": "manager", "team_id": "",
        "segment": "", "capacity": "100", "is_active": "on", "time_zone": "Tokyo"})
    assert wrong.status_code == 422 and 'id="e-time_zone-error"' in wrong.text
    db.rollback()
    assert db.get(User, cast.teammate.id).time_zone == "Asia/Tokyo"
    assert "Asia/Tokyo" in admin.get("/admin/users").text


def test_the_cli(sessions, cast, database_url, db) -> None:
    added = _cli(database_url, "--as", "owner@accord.test", "followups", "add",
                 str(cast.acme_id), "--title", "Send the price list", "--due", "2026-12-31",
                 "--time", "16:00")
    assert added.exit_code == 0, added.output
    assert "on Acme Industries: Send the price list (due 2026-12-31 16:00 UTC, open)" in \
        added.output
    fid = added.output.split("follow-up ")[1].split(" ")[0]
    zone = _cli(database_url, "users", "set-time-zone", "owner@accord.test", "Europe/London")
    assert zone.exit_code == 0 and "time zone Europe/London" in zone.output
    gap = _cli(database_url, "--as", "owner@accord.test", "followups", "add",
               str(cast.acme_id), "--title", "x", "--due", "2027-03-28", "--time", "01:30")
    assert gap.exit_code != 0 and "does not exist on 2027-03-28" in gap.output
    bad_zone = _cli(database_url, "users", "set-time-zone", "owner@accord.test", "Moon/Base")
    assert bad_zone.exit_code != 0 and "unknown time zone" in bad_zone.output
    out_of_reach = _cli(database_url, "--as", "outsider@accord.test", "followups", "done", fid)
    assert out_of_reach.exit_code != 0 and "no follow-up" in out_of_reach.output
    overdue = _cli(database_url, "followups", "list", "--overdue", "--today", "2027-01-01",
                   "--owner", "owner@accord.test", "--format", "json")
    assert overdue.exit_code == 0, overdue.output
    assert [f["id"] for f in json.loads(overdue.output)["items"]] == [int(fid)]
    past = _cli(database_url, "followups", "snooze", fid, "--until", "2026-12-01",
                "--today", "2026-12-30")
    assert past.exit_code != 0 and "until" in past.output
    snoozed = _cli(database_url, "followups", "snooze", fid, "--until", "2027-01-04",
                   "--today", "2026-12-30")
    assert snoozed.exit_code == 0 and "until 2027-01-04" in snoozed.output
    table = _cli(database_url, "followups", "list", "--today", "2027-01-01")
    assert "Follow-ups (1)" in table.output and "2027-01-04" in table.output
    done = _cli(database_url, "followups", "done", fid)
    assert done.exit_code == 0 and "done)" in done.output
    other = _cli(database_url, "followups", "add", str(cast.acme_id), "--title", "Visit",
                 "--due", "2027-02-01", "--owner", "teammate@accord.test")
    oid = other.output.split("follow-up ")[1].split(" ")[0]
    no_reason = _cli(database_url, "followups", "cancel", oid, "--reason", " ")
    assert no_reason.exit_code != 0
    cancelled = _cli(database_url, "followups", "cancel", oid, "--reason", "Not needed")
    assert cancelled.exit_code == 0 and "cancelled)" in cancelled.output
    assert _count(db) == 2
