"""A user's "today" is the date in their own time zone (``core.periods.local_today``), on
the rhythm's pages and API: a follow-up due on the user's date is due *today* for them,
whatever the UTC date is at that moment (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from accord.core.periods import local_date, local_today
from conftest import api_client

#: 14 hours ahead of UTC and 11 behind: at any moment one of them is on another date than UTC
FAR_ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")
ZONES = st.sampled_from(("UTC", "Europe/London", "America/New_York", "Asia/Tokyo",
                         *FAR_ZONES))


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 12, 31),
                    timezones=st.just(UTC)), ZONES)
def test_the_local_date_is_the_instant_seen_in_the_zone(now: datetime, zone: str) -> None:
    assert local_date(now, zone) == now.astimezone(ZoneInfo(zone)).date()
    assert local_today(now.date(), now, zone) == local_date(now, zone)
    assert abs((local_date(now, zone) - now.date()).days) <= 1
    # a fixed "today" (a test's) moves by the same day
    assert local_today(date(2030, 1, 1), now, zone) - date(2030, 1, 1) == (
        local_date(now, zone) - now.date())


def test_an_unknown_zone_is_utc() -> None:
    now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert local_date(now, "Mars/Olympus") == date(2026, 12, 31) == local_date(now, None)
    assert local_date(now, "Pacific/Kiritimati") == date(2027, 1, 1)  # the year end


def test_my_day_and_follow_ups_use_the_users_own_date(sessions, cast, app) -> None:
    from accord.calendar.models import FollowUp
    from accord.core.database import utcnow
    from accord.core.models import User

    client = api_client(app, cast.token(sessions, "owner"))  # (merges the cast's owner)
    for zone in FAR_ZONES:
        with sessions.begin() as s:
            s.get(User, cast.owner.id).time_zone = zone
            s.query(FollowUp).delete()
        mine = local_date(utcnow(), zone)  # the owner's date now
        created = client.post("/api/v1/follow-ups", json={
            "account_id": cast.acme_id, "title": f"Call ({zone})", "due_on": mine.isoformat()})
        assert created.status_code == 201, created.text
        day = client.get("/api/v1/today").json()
        titles = [i["title"] for i in day["due_today"]["items"]]
        assert f"Call ({zone})" in titles, (zone, mine, day["day"])
        assert day["day"] == mine.isoformat()
        # the day before the user's date is overdue for them
        with sessions.begin() as s:
            s.get(FollowUp, created.json()["id"]).due_on = mine - timedelta(days=1)
        day = client.get("/api/v1/today").json()
        assert f"Call ({zone})" in [i["title"] for i in day["overdue"]["items"]]


def test_the_commands_default_to_the_acting_users_own_date(sessions, cast, database_url) -> None:
    import json

    from typer.testing import CliRunner

    from accord.app.commands import app as cli_app
    from accord.app.commands import hoist_global_options
    from accord.core.database import utcnow
    from accord.core.models import User

    runner = CliRunner()
    for zone in FAR_ZONES:
        with sessions.begin() as s:
            s.get(User, cast.owner.id).time_zone = zone
        mine = local_date(utcnow(), zone)
        shown = runner.invoke(cli_app, hoist_global_options([
            "today", "--as", "owner@accord.test", "--format", "json",
            "--database-url", database_url]))
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.output)["day"] == mine.isoformat(), zone
        added = runner.invoke(cli_app, hoist_global_options([
            "followups", "add", str(cast.acme_id), "--title", f"Due today ({zone})",
            "--due", mine.isoformat(), "--as", "owner@accord.test",
            "--database-url", database_url]))
        assert added.exit_code == 0, added.output
        listed = runner.invoke(cli_app, hoist_global_options([
            "followups", "list", "--overdue", "--format", "json", "--as", "owner@accord.test",
            "--database-url", database_url]))
        assert listed.exit_code == 0, listed.output
        assert f"Due today ({zone})" not in listed.output  # today is not overdue for them
