"""The feed's front doors on both databases: the API makes a token whose URL serves the feed
(parsed with ``icalendar``: the recurring event with its RRULE, a follow-up as an all-day
event) with its cache headers and no login; a revoked or random token is the same 404 for
everybody; the page shows the URL once and revokes; ``accord calendar feed-url``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import icalendar
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.calendar.models import FeedToken
from accord.core.models import AuditEntry
from conftest import api_client
from page_helpers import sign_in
from test_feed_service import event, follow_up

runner = CliRunner()


def _arrange(sessions, cast) -> int:
    with sessions.begin() as s:
        event(s, cast.acme_id, "weekly-acme@accord", "Weekly call", organiser=cast.owner.id,
              start=datetime(2026, 1, 5, 9, tzinfo=UTC), rrule="FREQ=WEEKLY;INTERVAL=2",
              tz="Europe/London")
        event(s, cast.globex_id, "globex@accord", "Globex review", organiser=cast.outsider.id,
              start=datetime(2026, 3, 18, 10, tzinfo=UTC))
        return follow_up(s, cast.acme_id, cast.owner.id, "Send the offer", date.today()).id


def test_the_api_token_serves_the_feed_without_a_login(app, sessions, cast, db) -> None:
    fu = _arrange(sessions, cast)
    api = api_client(app, cast.token(sessions, "owner"))
    made = api.post("/api/v1/me/feed-tokens")
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["url"] == f"http://testserver/calendar/feed/{body['token']}.ics"
    assert body["path"] == f"/calendar/feed/{body['token']}.ics" and body["active"] is True
    listed = api.get("/api/v1/me/feed-tokens").json()
    assert [t["id"] for t in listed] == [body["id"]] and "token" not in listed[0]
    anonymous = TestClient(app)
    db.rollback()
    audit = db.scalar(select(func.count()).select_from(AuditEntry))
    feed = anonymous.get(body["path"])
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.headers["cache-control"] == "private, max-age=300"
    assert "set-cookie" not in feed.headers
    parsed: Any = icalendar.Calendar.from_ical(feed.content)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    assert events["weekly-acme@accord"]["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2"
    assert events["weekly-acme@accord"]["DTSTART"].params["TZID"] == "Europe/London"
    assert events[f"follow-up-{fu}@accord"]["DTSTART"].dt == date.today()
    assert "globex@accord" not in events and b"Globex" not in feed.content
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audit  # a GET wrote nothing
    # the token is the identity: signed in as someone else, the URL still gives the owner's
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert b"weekly-acme@accord" in outsider.get(body["path"]).content
    # the outsider cannot revoke it; the owner can, and then it is a 404 for everybody
    assert outsider.delete(f"/api/v1/me/feed-tokens/{body['id']}").status_code == 404
    assert api.delete(f"/api/v1/me/feed-tokens/{body['id']}").status_code == 204
    gone = [anonymous.get(body["path"]), api.get(body["path"]),
            anonymous.get("/calendar/feed/" + "A" * 43 + ".ics")]
    assert [g.status_code for g in gone] == [404, 404, 404]
    assert len({(g.text, g.headers["content-type"]) for g in gone}) == 1
    assert api.get("/api/v1/me/feed-tokens").json()[0]["active"] is False


def test_the_page_shows_the_url_once_and_revokes(app, sessions, cast, db) -> None:
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    assert "No feed address yet" in client.get("/me/calendar-feed").text
    made = client.post("/me/calendar-feed", data={"csrf_token": csrf})
    assert made.status_code == 200 and "shown only this once" in made.text
    url = made.text.split('id="feed-url" class="token-box mono" type="text" readonly value="')[1]
    url = url.split('"')[0]
    assert url.startswith("http://testserver/calendar/feed/") and url.endswith(".ics")
    path = url.removeprefix("http://testserver")
    assert TestClient(app).get(path).status_code == 200
    page = client.get("/me/calendar-feed").text
    assert url not in page and "active" in page
    db.rollback()
    token_id = db.scalar(select(FeedToken.id))
    other = TestClient(app)
    other_csrf = sign_in(other, "teammate@accord.test")
    refused = other.post(f"/me/calendar-feed/{token_id}/revoke", data={"csrf_token": other_csrf},
                         follow_redirects=False)
    assert refused.status_code == 404
    revoked = client.post(f"/me/calendar-feed/{token_id}/revoke", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert revoked.status_code == 303
    assert TestClient(app).get(path).status_code == 404


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_cli_prints_the_feed_url_lists_and_revokes(app, sessions, cast, database_url,
                                                       db) -> None:
    made = _cli(database_url, "--as", "owner@accord.test", "calendar", "feed-url")
    assert made.exit_code == 0, made.output
    url = made.output.split()[0]
    assert url.startswith("http://127.0.0.1:8000/calendar/feed/") and url.endswith(".ics")
    assert TestClient(app).get(url.removeprefix("http://127.0.0.1:8000")).status_code == 200
    listed = _cli(database_url, "--as", "owner@accord.test", "calendar", "feed-url", "--list")
    assert listed.exit_code == 0 and "active" in listed.output
    db.rollback()
    token_id = db.scalar(select(FeedToken.id))
    not_theirs = _cli(database_url, "--as", "teammate@accord.test", "calendar", "feed-url",
                      "--revoke", str(token_id))
    assert not_theirs.exit_code != 0 and "no feed token" in not_theirs.output
    revoked = _cli(database_url, "--as", "owner@accord.test", "calendar", "feed-url",
                   "--revoke", str(token_id))
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert TestClient(app).get(url.removeprefix("http://127.0.0.1:8000")).status_code == 404
    nobody = _cli(database_url, "calendar", "feed-url")
    assert nobody.exit_code != 0 and "--as EMAIL" in nobody.output


def test_the_feed_reads_in_a_few_statements_whatever_it_holds(app, sessions, cast) -> None:
    from sqlalchemy import event as sa_event

    from accord.calendar.models import EventOccurrence

    def count(path: str) -> int:
        statements: list[str] = []

        def seen(conn, cursor, statement, *args) -> None:
            statements.append(statement)

        sa_event.listen(app.state.engine, "before_cursor_execute", seen)
        try:
            assert TestClient(app).get(path).status_code == 200
        finally:
            sa_event.remove(app.state.engine, "before_cursor_execute", seen)
        return len(statements)

    _arrange(sessions, cast)
    path = api_client(app, cast.token(sessions, "owner")).post(
        "/api/v1/me/feed-tokens").json()["path"]
    few = count(path)
    with sessions.begin() as s:
        for n in range(20):
            row = event(s, cast.acme_id, f"more-{n}@accord", f"Call {n}", organiser=cast.owner.id,
                        start=datetime(2026, 2, 1 + n, 9, tzinfo=UTC), rrule="FREQ=MONTHLY",
                        tz="America/New_York")
            s.add(EventOccurrence(event_id=row.id, starts_at=datetime(2026, 3, 1 + n, 14,
                                                                       tzinfo=UTC),
                                  status="cancelled"))
            follow_up(s, cast.acme_id, cast.owner.id, f"Task {n}", date(2026, 4, 1 + n))
    many = count(path)
    assert many == few <= 6, (few, many)
