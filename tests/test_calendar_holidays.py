"""The company calendar behind its four doors (accord.calendar.service): reading it for
deadlines, admins changing it (versioned, audited), importing .ics files all or nothing, the
API, the admin page and the CLI — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.calendar import service
from accord.calendar.ics import MAX_BYTES
from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.policy_store import KamSetting
from accord.core.versions import Expected, Stale
from accord.core.workdays import DEFAULT_CALENDAR, WorkCalendar
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()

NEW_YEAR = "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:New Year\r\nEND:VEVENT\r\n"
XMAS = ("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\n"
        "SUMMARY:Christmas\r\nEND:VEVENT\r\n")
BROKEN = "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026130\r\nSUMMARY:Broken\r\nEND:VEVENT\r\n"


def ics(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()


def person(db, cast, who: str) -> User:
    user = db.get(User, getattr(cast, who).id)
    assert user is not None
    return user


def audit_count(db) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def stored(db) -> dict | None:
    db.expire_all()
    row = db.get(KamSetting, service.SETTING)
    return None if row is None else dict(row.value)


# ---------------------------------------------------------------- the service


def test_the_defaults_apply_while_nothing_is_stored_and_reading_writes_nothing(db, cast):
    assert service.work_calendar(db) == DEFAULT_CALENDAR
    assert service.version(db) == 0
    assert stored(db) is None and audit_count(db) == 0


def test_an_admin_changes_the_calendar_audited_and_deadlines_follow(db, cast):
    admin = person(db, cast, "admin")
    service.save_calendar(db, admin, {
        "working_weekdays": [0, 1, 2, 3],
        "holidays": [{"on": "2026-12-25", "name": "Christmas Day"}],
    })
    db.commit()
    assert service.work_calendar(db) == WorkCalendar(
        frozenset({0, 1, 2, 3}), frozenset({date(2026, 12, 25)})
    )
    out = service.working_days(db, admin, date(2026, 12, 17), days=3)
    assert out.end == date(2026, 12, 23)  # Fri 18 off: Mon 21, Tue 22, Wed 23 (not Thu 17)
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.entity == "kam_setting" and entry.entity_id == "calendar"
    assert entry.after["working_weekdays"] == [0, 1, 2, 3]
    # a change names only its fields: the holidays stay
    service.save_calendar(db, admin, {"working_weekdays": [0, 1, 2, 3, 4]})
    assert [h.name for h in service.policy(db).holidays] == ["Christmas Day"]


@pytest.mark.parametrize("who", ["head", "owner", "viewer", "billing"])
def test_only_admins_change_the_calendar(db, cast, who):
    user = person(db, cast, who)
    with pytest.raises(Forbidden):
        service.save_calendar(db, user, {"working_weekdays": [0]})
    with pytest.raises(Forbidden):
        service.add_holiday(db, user, date(2026, 12, 25), "Christmas Day")
    with pytest.raises(Forbidden):
        service.import_holidays(db, user, ics(NEW_YEAR))
    with pytest.raises(Forbidden):
        service.remove_holiday(db, user, date(2026, 12, 25))
    assert service.get_calendar(db, user).working_weekdays == [0, 1, 2, 3, 4]


def test_adding_and_removing_one_holiday(db, cast):
    admin = person(db, cast, "admin")
    service.add_holiday(db, admin, date(2026, 12, 26), "Boxing Day")
    service.add_holiday(db, admin, date(2026, 12, 25), "Christmas Day")
    assert [h.on for h in service.policy(db).holidays] == [date(2026, 12, 25), date(2026, 12, 26)]
    with pytest.raises(ValidationFailed) as caught:
        service.add_holiday(db, admin, date(2026, 12, 25), "Again")
    assert caught.value.problems[0].field == "on" and "already" in caught.value.detail
    with pytest.raises(ValidationFailed) as caught:
        service.add_holiday(db, admin, date(2026, 5, 1), "Bell\x07")
    assert caught.value.problems[0].field == "name"
    assert service.remove_holiday(db, admin, date(2026, 12, 26)).name == "Boxing Day"
    with pytest.raises(NotFound):
        service.remove_holiday(db, admin, date(2026, 12, 26))


def test_a_calendar_needs_a_working_weekday_and_nothing_is_written(db, cast):
    admin = person(db, cast, "admin")
    with pytest.raises(ValidationFailed) as caught:
        service.save_calendar(db, admin, {"working_weekdays": []})
    assert caught.value.problems[0].field == "working_weekdays"
    assert stored(db) is None and audit_count(db) == 0


def test_a_stale_change_is_refused(db, cast):
    admin = person(db, cast, "admin")
    service.save_calendar(db, admin, {"working_weekdays": [0, 1, 2]}, expected=Expected(0))
    db.commit()
    with pytest.raises(Stale):
        service.save_calendar(db, admin, {"working_weekdays": [0]}, expected=Expected(0))


def test_an_import_merges_by_date_and_reports_counts(db, cast):
    admin = person(db, cast, "admin")
    service.add_holiday(db, admin, date(2026, 12, 25), "Christmas Day")
    out = service.import_holidays(db, admin, ics(XMAS, NEW_YEAR))
    assert (out.events, out.days, out.added, out.unchanged, out.holidays) == (2, 3, 2, 1, 3)
    names = {h.on: h.name for h in service.policy(db).holidays}
    assert names[date(2026, 12, 25)] == "Christmas Day"  # kept as it was
    assert names[date(2026, 12, 26)] == "Christmas"
    db.commit()
    before = audit_count(db)
    again = service.import_holidays(db, admin, ics(XMAS, NEW_YEAR))
    assert (again.added, again.unchanged) == (0, 3)
    assert audit_count(db) == before  # nothing changed, nothing written


def test_a_bad_file_writes_nothing(db, cast):
    admin = person(db, cast, "admin")
    with pytest.raises(ValidationFailed) as caught:
        service.import_holidays(db, admin, ics(NEW_YEAR, BROKEN))
    assert "event 2" in caught.value.detail and "Broken" in caught.value.detail
    assert stored(db) is None and audit_count(db) == 0


@pytest.mark.parametrize(
    ("days", "end", "field"),
    [(None, None, "days"), (3, date(2027, 1, 1), "days"), (5000, None, "days")],
)
def test_the_deadline_question_is_checked(db, cast, days, end, field):
    with pytest.raises(ValidationFailed) as caught:
        service.working_days(db, person(db, cast, "viewer"), date(2026, 1, 1), days=days, end=end)
    assert caught.value.problems[0].field == field


# ---------------------------------------------------------------- the API


def test_the_api_reads_changes_and_imports(app, cast, sessions, db):
    admin = api_client(app, cast.token(sessions, "admin"))
    viewer = api_client(app, cast.token(sessions, "viewer"))
    read = viewer.get("/api/v1/calendar")
    assert read.status_code == 200 and read.headers["etag"] == '"0"'
    assert read.json() == {"working_weekdays": [0, 1, 2, 3, 4], "holidays": []}

    put = admin.put("/api/v1/calendar", json={"working_weekdays": [0, 1, 2, 3]},
                    headers={"If-Match": '"0"'})
    assert put.status_code == 200, put.text
    assert put.headers["etag"] == '"1"'
    stale = admin.put("/api/v1/calendar", json={"working_weekdays": [0]},
                      headers={"If-Match": '"0"'})
    assert stale.status_code == 409

    files = {"file": ("holidays.ics", ics(XMAS, NEW_YEAR), "text/calendar")}
    done = admin.post("/api/v1/calendar/holidays/import", files=files)
    assert done.status_code == 200, done.text
    assert done.json() == {"events": 2, "days": 3, "added": 3, "unchanged": 0, "holidays": 3}
    assert viewer.get("/api/v1/calendar?year=2027").json()["holidays"] == [
        {"on": "2027-01-01", "name": "New Year"}
    ]
    due = viewer.get("/api/v1/calendar/working-days", params={"start": "2026-12-23", "days": 3})
    # Monday to Thursday: Thu 24, (Christmas) Mon 28, Tue 29
    assert due.json() == {"start": "2026-12-23", "days": 3, "end": "2026-12-29"}
    span = viewer.get("/api/v1/calendar/working-days",
                      params={"start": "2026-12-23", "end": "2027-01-05"})
    assert span.json()["days"] == 7  # Dec 24, 28, 29, 30, 31, Jan 4, 5


@pytest.mark.parametrize("who", ["head", "owner", "viewer"])
def test_the_api_refuses_changes_from_non_admins(app, cast, sessions, db, who):
    client = api_client(app, cast.token(sessions, who))
    assert client.put("/api/v1/calendar", json={"working_weekdays": [0]}).status_code == 403
    files = {"file": ("h.ics", ics(NEW_YEAR), "text/calendar")}
    assert client.post("/api/v1/calendar/holidays/import", files=files).status_code == 403
    assert stored(db) is None


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (ics(NEW_YEAR, BROKEN), "event 2 (line 7, 'Broken'): its DTSTART is not a date"),
        (b"not a calendar", "not an iCalendar file"),
        (ics(NEW_YEAR.replace("New Year", "New\x01Year")), "line 5 holds a control character"),
        (ics(NEW_YEAR) + b"X" * MAX_BYTES, "larger than 1024 kB"),
    ],
)
def test_a_bad_file_is_a_422_naming_the_problem_and_nothing_is_written(
    app, cast, sessions, db, data, says
):
    admin = api_client(app, cast.token(sessions, "admin"))
    before = audit_count(db)
    response = admin.post("/api/v1/calendar/holidays/import",
                          files={"file": ("h.ics", data, "text/calendar")})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["field"] == "file"
    assert any(says in e["message"] for e in problem["errors"]), problem
    assert stored(db) is None and audit_count(db) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"working_weekdays": []}, "working_weekdays"),
        ({"working_weekdays": [0, 9]}, "working_weekdays.1"),
        ({"holidays": [{"on": "2026-12-25", "name": "x" * 121}]}, "holidays.0.name"),
        ({"holidays": [{"on": "2026-12-25", "name": "Tab\there"}]}, "holidays.0.name"),
        ({"holidays": [{"on": "1800-12-25", "name": "Old"}]}, "holidays.0.on"),
        ({"weekends": [5, 6]}, "weekends"),
    ],
)
def test_bad_calendars_are_422_naming_the_field(app, cast, sessions, db, body, field):
    admin = api_client(app, cast.token(sessions, "admin"))
    response = admin.put("/api/v1/calendar", json=body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]], response.text
    assert stored(db) is None


# ---------------------------------------------------------------- the page


@pytest.fixture
def admin_page(app, cast):
    client = TestClient(app)
    return client, sign_in(client, "admin@accord.test")


def test_the_page_shows_an_empty_calendar_and_the_navigation_links_it(admin_page):
    client, _ = admin_page
    page = client.get("/admin/calendar")
    assert page.status_code == 200
    assert 'href="/admin/calendar"' in page.text
    assert "No public holidays yet" in page.text
    assert page.text.count('name="working_weekdays"') == 7
    assert page.text.count("checked") == 5


def test_the_page_edits_weekdays_and_holidays_with_inline_errors(admin_page, db):
    client, token = admin_page
    none = client.post("/admin/calendar", data={"csrf_token": token, "version": "0"})
    assert none.status_code == 422 and "at least one working weekday" in none.text
    saved = client.post("/admin/calendar", data={
        "csrf_token": token, "version": "0", "working_weekdays": ["0", "1", "2", "3"],
    }, follow_redirects=False)
    assert saved.status_code == 303
    stale = client.post("/admin/calendar", data={
        "csrf_token": token, "version": "0", "working_weekdays": ["0"],
    })
    assert stale.status_code == 409 and "changed this meanwhile" in stale.text
    assert "Monday, Tuesday, Wednesday, Thursday" in stale.text

    bad_date = client.post("/admin/calendar/holidays",
                           data={"csrf_token": token, "on": "25/12/2026", "name": "Xmas"})
    assert bad_date.status_code == 422 and "a date, e.g. 2026-12-25" in bad_date.text
    no_name = client.post("/admin/calendar/holidays",
                          data={"csrf_token": token, "on": "2026-12-25", "name": " "})
    assert no_name.status_code == 422 and 'id="h-name-error"' in no_name.text
    added = client.post("/admin/calendar/holidays",
                        data={"csrf_token": token, "on": "2026-12-25", "name": "Christmas Day"},
                        follow_redirects=False)
    assert added.status_code == 303
    twice = client.post("/admin/calendar/holidays",
                        data={"csrf_token": token, "on": "2026-12-25", "name": "Again"})
    assert twice.status_code == 422 and "is a holiday already" in twice.text
    page = client.get("/admin/calendar?year=2026")
    assert "Christmas Day" in page.text and "Friday" in page.text
    other_year = client.get("/admin/calendar?year=2025").text
    assert "No holidays in 2025" in other_year and 'id="holidays-table"' not in other_year
    removed = client.post("/admin/calendar/holidays/2026-12-25/remove",
                          data={"csrf_token": token}, follow_redirects=False)
    assert removed.status_code == 303
    assert service.policy(db).holidays == []


def test_the_page_imports_a_file_and_shows_what_it_did(admin_page, db):
    client, token = admin_page
    bad = client.post("/admin/calendar/import", data={"csrf_token": token},
                      files={"file": ("h.ics", ics(NEW_YEAR, BROKEN), "text/calendar")})
    assert bad.status_code == 422
    assert "nothing changed" in bad.text and "event 2 (line 7, &#39;Broken&#39;)" in bad.text
    assert stored(db) is None
    good = client.post("/admin/calendar/import", data={"csrf_token": token},
                       files={"file": ("h.ics", ics(XMAS, NEW_YEAR), "text/calendar")})
    assert good.status_code == 200
    assert "3 added, 0 already holidays" in good.text and "New Year" in good.text


@pytest.mark.parametrize("email", ["head@accord.test", "owner@accord.test"])
def test_the_page_is_for_admins(app, cast, email):
    client = TestClient(app)
    token = sign_in(client, email)
    assert client.get("/admin/calendar").status_code == 403
    assert 'href="/admin/calendar"' not in client.get("/accounts").text
    refused = client.post("/admin/calendar/holidays",
                          data={"csrf_token": token, "on": "2026-12-25", "name": "x"})
    assert refused.status_code == 403


# ---------------------------------------------------------------- the CLI


def run(database_url: str, *args: str):
    return runner.invoke(cli, ["--database-url", database_url, *args])


def test_the_cli_imports_lists_adds_and_removes(database_url, cast, tmp_path, db):
    good = tmp_path / "holidays.ics"
    good.write_bytes(ics(XMAS, NEW_YEAR))
    done = run(database_url, "calendar", "holidays", "import", str(good))
    assert done.exit_code == 0, done.output
    assert "3 added, 0 unchanged" in done.output
    listed = run(database_url, "calendar", "holidays", "list", "--year", "2027")
    assert listed.exit_code == 0 and "New Year" in listed.output
    assert "Christmas" not in listed.output
    added = run(database_url, "calendar", "holidays", "add", "2026-05-01", "Labour Day")
    assert added.exit_code == 0, added.output
    assert run(database_url, "calendar", "holidays", "remove", "2026-05-01").exit_code == 0
    due = run(database_url, "calendar", "working-days", "2026-12-23", "3")
    assert due.exit_code == 0 and due.output.strip() == "2026-12-29"  # Dec 24, 28, 29
    assert "Monday" in run(database_url, "calendar", "show").output


def test_the_cli_refuses_bad_files_and_non_admins(database_url, cast, tmp_path, db):
    bad = tmp_path / "bad.ics"
    bad.write_bytes(ics(NEW_YEAR, BROKEN))
    result = run(database_url, "calendar", "holidays", "import", str(bad))
    assert result.exit_code == 2
    assert "event 2" in result.output and "Broken" in result.output
    missing = run(database_url, "calendar", "holidays", "import", str(tmp_path / "none.ics"))
    assert missing.exit_code == 2 and "No such file" in missing.output
    folder = run(database_url, "calendar", "holidays", "import", str(tmp_path))
    assert folder.exit_code == 2 and "cannot read" in folder.output
    not_a_date = run(database_url, "calendar", "holidays", "add", "tomorrow", "x")
    assert not_a_date.exit_code == 2 and "not a date" in not_a_date.output
    good = tmp_path / "good.ics"
    good.write_bytes(ics(NEW_YEAR))
    as_viewer = runner.invoke(cli, ["--database-url", database_url, "--as", "viewer@accord.test",
                                    "calendar", "holidays", "import", str(good)])
    assert as_viewer.exit_code == 1
    assert stored(db) is None
