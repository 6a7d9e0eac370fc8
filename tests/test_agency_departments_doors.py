"""Departments' front doors on both databases: the API (list, create, read, edit with
If-Match, members, holidays, deliverable types; admins only write, bad input is a 422 naming
the field that writes nothing), the pages (the list, the forms and their messages beside the
fields, the template's rows, members, holidays, checklists) and ``accord departments …``."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.agency.models import DeliverableType, Department, DepartmentHoliday, DepartmentMember
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.models import AuditEntry
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()


def _counts(db) -> tuple[int, ...]:
    db.rollback()
    return tuple(int(db.scalar(select(func.count()).select_from(m)) or 0)
                 for m in (Department, DepartmentMember, DepartmentHoliday, DeliverableType,
                           AuditEntry))


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_api_creates_reads_and_edits_departments(app, sessions, cast, db) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    made = admin.post("/api/v1/departments", json={"name": "Media", "time_zone": "Europe/Paris",
                                                   "weekdays": [0, 1, 2, 3, 4],
                                                   "turnaround_days": 8,
                                                   "lead_id": cast.head.id})
    assert made.status_code == 201, made.text
    body = made.json()
    item = f"/api/v1/departments/{body['id']}"
    assert made.headers["location"] == item and made.headers["etag"] == '"1"'
    assert [s["key"] for s in body["sections"]] == ["budget", "period", "channels", "kpis"]
    stale = admin.patch(item, json={"turnaround_days": 9}, headers={"If-Match": '"5"'})
    assert stale.status_code == 409
    edited = admin.patch(item, json={"turnaround_days": 9, "weekdays": None},
                         headers={"If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["turnaround_days"], edited.json()["weekdays"]) == (9, None)
    assert edited.headers["etag"] == '"2"'
    members = admin.put(f"{item}/members", json={"user_ids": [cast.viewer.id, cast.owner.id]})
    assert members.status_code == 200 and members.json()["member_count"] == 2
    holiday = admin.post(f"{item}/holidays", json={"day": "2027-07-14", "name": "Bastille"})
    assert holiday.json()["holidays"] == [{"day": "2027-07-14", "name": "Bastille"}]
    assert admin.delete(f"{item}/holidays/2027-07-14").json()["holidays"] == []
    # everyone reads: names, lead, members, no account data
    viewer = api_client(app, cast.token(sessions, "viewer"))
    listed = viewer.get("/api/v1/departments").json()
    assert listed["total"] == 1 and listed["items"][0]["is_mine"] is True
    assert listed["items"][0]["member_count"] == 2
    assert viewer.get(item).json()["name"] == "Media"
    assert viewer.get("/api/v1/departments/987654").status_code == 404


def test_the_api_refuses_bad_input_and_others_than_admins(app, sessions, cast, db) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    made = admin.post("/api/v1/departments", json={"name": "Creative"}).json()
    before = _counts(db)
    for body, field in (({"name": "Media", "time_zone": "Mars/Olympus"}, "time_zone"),
                        ({"name": "Media", "turnaround_days": 0}, "turnaround_days"),
                        ({"name": "CREATIVE"}, "name"),
                        ({"name": "Media", "sections": []}, "sections"),
                        ({"name": "Media", "weekdays": [7]}, "weekdays")):
        refused = admin.post("/api/v1/departments", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert any(field in e["field"] for e in refused.json()["errors"]), refused.json()
    item = f"/api/v1/departments/{made['id']}"
    assert admin.patch(item, json={"time_zone": "Nowhere"}).status_code == 422
    assert admin.put(f"{item}/members", json={"user_ids": [987654]}).status_code == 422
    assert admin.post(f"{item}/holidays", json={"day": "1800-01-01"}).status_code == 422
    assert admin.put("/api/v1/deliverable-types/report",
                     json={"name": "Report", "items": []}).status_code == 422
    for who in ("head", "owner", "viewer", "billing"):
        client = api_client(app, cast.token(sessions, who))
        calls: tuple[tuple[str, str, Any], ...] = (
                ("post", "/api/v1/departments", {"name": "Media"}),
                ("patch", item, {"turnaround_days": 3}),
                ("put", f"{item}/members", {"user_ids": []}),
                ("post", f"{item}/holidays", {"day": "2027-01-01"}),
                ("delete", f"{item}/holidays/2027-01-01", None),
                ("put", "/api/v1/deliverable-types/report",
                 {"name": "Report", "items": [{"key": "a", "label": "A"}]}))
        for method, url, body in calls:
            kwargs = {"json": body} if body is not None else {}
            answer = client.request(method.upper(), url, **kwargs)
            assert answer.status_code == 403, (who, method, url, answer.text)
    assert _counts(db)[:4] == before[:4]


def test_the_api_saves_checklists(app, sessions, cast, db) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.get("/api/v1/deliverable-types/report").status_code == 404
    saved = admin.put("/api/v1/deliverable-types/report", json={
        "name": "Report", "items": [{"key": "period_right", "label": "Covers the period"}]})
    assert saved.status_code == 200 and saved.headers["etag"] == '"1"'
    again = admin.put("/api/v1/deliverable-types/report", headers={"If-Match": '"3"'}, json={
        "name": "Report", "items": [{"key": "a", "label": "A"}]})
    assert again.status_code == 409
    viewer = api_client(app, cast.token(sessions, "viewer"))
    assert viewer.get("/api/v1/deliverable-types").json()["items"][0]["key"] == "report"
    assert viewer.get("/api/v1/deliverable-types/report").json()["items"] == [
        {"key": "period_right", "label": "Covers the period"}]


def test_the_pages(app, cast, db) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    token = sign_in(client, cast.admin.email)
    empty = client.get("/departments")
    assert empty.status_code == 200 and 'id="no-departments"' in empty.text
    assert 'href="/admin/departments/new"' in empty.text
    form = client.get("/admin/departments/new")
    assert form.status_code == 200 and 'name="time_zone"' in form.text
    before = _counts(db)
    bad = client.post("/admin/departments/new", data={
        "csrf_token": token, "name": "Creative", "time_zone": "Mars/Olympus",
        "turnaround_days": "0", "weekdays_mode": "own", "weekdays": ["7"]})
    assert bad.status_code == 422
    for field in ("time_zone", "turnaround_days", "weekdays"):
        assert f'id="dep-{field}-error"' in bad.text, field
    assert _counts(db) == before
    made = client.post("/admin/departments/new", data={
        "csrf_token": token, "name": "Creative", "time_zone": "Europe/Prague",
        "turnaround_days": "4", "weekdays_mode": "own", "weekdays": ["0", "1", "2", "3"],
        "is_active": "on"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    page = client.get(url)
    assert page.status_code == 200 and 'value="mandatories"' in page.text
    version = page.text.split('name="version" value="')[1].split('"')[0]
    original = page.text.split('name="original" value="')[1].split('"')[0]
    fields = {"csrf_token": token, "name": "Creative", "time_zone": "Europe/Prague",
              "turnaround_days": "4", "weekdays_mode": "company", "is_active": "on",
              "version": version, "original": original.replace("&#34;", '"'),
              "sections-0-key": "objective", "sections-0-label": "Objective",
              "sections-1-key": "audience", "sections-1-label": "", "sections-1-hint": "who"}
    refused = client.post(url, data=fields)
    assert refused.status_code == 422
    assert 'id="dep-sections-1-label-error"' in refused.text  # beside the row at fault
    saved = client.post(url, data={**fields, "sections-1-remove": "on",
                                   "sections-5-label": "Key visual"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    db.rollback()
    department = db.scalar(select(Department))
    assert [s["key"] for s in department.sections] == ["objective", "key_visual"]
    assert department.weekdays is None
    members = client.post(f"{url}/members", data={"csrf_token": token,
                                                  "user_ids": [str(cast.viewer.id)]},
                          follow_redirects=False)
    assert members.status_code == 303
    holiday = client.post(f"{url}/holidays", data={"csrf_token": token, "day": "2027-12-24",
                                                   "name": "Studio closed"},
                          follow_redirects=False)
    assert holiday.status_code == 303
    bad_day = client.post(f"{url}/holidays", data={"csrf_token": token, "day": "24.12."})
    assert bad_day.status_code == 422 and 'id="hol-day-error"' in bad_day.text
    shown = client.get(url).text
    assert "Vera Viewer" in shown and "Studio closed" in shown
    assert client.post(f"{url}/holidays/2027-12-24/remove", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    listed = client.get("/departments").text
    assert "Creative" in listed and f'href="{url}"' in listed


def test_the_checklist_pages(app, cast, db) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    token = sign_in(client, cast.admin.email)
    assert 'id="no-types"' in client.get("/admin/deliverable-types").text
    made = client.post("/admin/deliverable-types", data={
        "csrf_token": token, "key": "media_plan", "name": "Media plan",
        "items-0-label": "The budget matches the brief", "items-1-key": "dates",
        "items-1-label": "Dates match"}, follow_redirects=False)
    assert made.status_code == 303
    db.rollback()
    row = db.get(DeliverableType, "media_plan")
    assert [i["key"] for i in row.items] == ["the_budget_matches_the_brief", "dates"]
    before = _counts(db)
    bad = client.post("/admin/deliverable-types", data={
        "csrf_token": token, "key": "media_plan", "name": "Media plan",
        "items-0-key": "dates", "items-0-label": "A", "items-1-key": "dates",
        "items-1-label": "B"})
    assert bad.status_code == 422 and "used twice" in bad.text
    empty = client.post("/admin/deliverable-types", data={
        "csrf_token": token, "key": "Bad Key", "name": "X", "items-0-label": "A"})
    assert empty.status_code == 422 and "a key is 1 to 40 characters" in empty.text
    assert _counts(db) == before


def test_others_than_admins_see_the_list_only(app, cast, db) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    sign_in(client, cast.viewer.email)
    page = client.get("/departments")
    assert page.status_code == 200 and "/admin/departments/new" not in page.text
    for url in ("/admin/departments/new", "/admin/deliverable-types"):
        assert client.get(url).status_code == 403, url


def test_the_command_line(database_url, cast, db, monkeypatch) -> None:
    from accord.cli import common

    monkeypatch.setattr(common.console, "width", 200)
    seeded = _cli(database_url, "departments", "seed")
    assert seeded.exit_code == 0, seeded.output
    assert "created 8 departments and 3 deliverable types" in seeded.stdout
    assert "created 0 departments" in _cli(database_url, "departments", "seed").stdout
    listed = _cli(database_url, "departments", "list", "--format", "json")
    assert listed.exit_code == 0 and json.loads(listed.stdout)["total"] == 8
    added = _cli(database_url, "departments", "add", "Social", "--lead", "head@accord.test",
                 "--time-zone", "Europe/Prague", "--turnaround", "3", "--weekdays", "0,1,2")
    assert added.exit_code == 0, added.output
    assert "objective, deliverables, background" in added.stdout
    members = _cli(database_url, "departments", "members", "social", "viewer@accord.test",
                   "owner@accord.test")
    assert members.exit_code == 0 and "2 members" in members.stdout, members.output
    holiday = _cli(database_url, "departments", "holiday", "Social", "2027-05-08", "Studio day")
    assert holiday.exit_code == 0, holiday.output
    shown = _cli(database_url, "departments", "show", "Social", "--format", "json")
    data = json.loads(shown.stdout)
    assert data["weekdays"] == [0, 1, 2] and data["lead"]["email"] == "head@accord.test"
    assert data["holidays"] == [{"day": "2027-05-08", "name": "Studio day"}]
    assert "Mon, Tue, Wed" in _cli(database_url, "departments", "show", "social").stdout
    table = _cli(database_url, "departments", "list", "--all")
    assert table.exit_code == 0 and "Social" in table.stdout
    before = _counts(db)
    for args, message in (
            (["add", "Media"], "a department called 'Media' exists"),
            (["add", "Studio", "--time-zone", "Mars/Olympus"], "unknown time zone"),
            (["add", "Studio", "--turnaround", "0"], "turnaround"),
            (["add", "Studio", "--weekdays", "0,7"], "no weekday"),
            (["add", "Studio", "--lead", "ghost@accord.test"], "no active user"),
            (["members", "Social", "ghost@accord.test"], "no active user"),
            (["holiday", "Social", "08.05.2027", "x"], "not a date"),
            (["holiday", "Social", "2027-05-09", "--remove"], "no day off"),
            (["show", "Marketing"], "no department 'Marketing'"),
            (["--as", "owner@accord.test", "add", "Studio"], "needs the role admin")):
        if args[0] == "--as":
            result = _cli(database_url, "--as", args[1], "departments", *args[2:])
        else:
            result = _cli(database_url, "departments", *args)
        assert result.exit_code != 0, (args, result.output)
        assert message in result.output, (args, result.output)
    assert _counts(db) == before
    removed = _cli(database_url, "departments", "holiday", "Social", "2027-05-08", "--remove")
    assert removed.exit_code == 0 and "removed" in removed.stdout
