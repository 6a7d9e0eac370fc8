"""Issue 13's journey in a real browser, on SQLite and PostgreSQL: Acme's manager opens My day,
completes a follow-up by logging an interaction, snoozes another, schedules a recurring
business review; the iCalendar feed fetched with its token holds the event with its RRULE;
the daily digest, sent to a real SMTP server on loopback, lists the overdue item left; a
revoked feed token gets 404.

The follow-ups are set up through the real service (as the manager would add them); the rest
goes through the pages.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import icalendar
from playwright.sync_api import expect

from conftest import login
from digest_helpers import smtp_server

SLOW = 30_000
TO_CLOSE = "Call about the delivery delay"
TO_SNOOZE = "Book the site visit"
LEFT_OVERDUE = "Send the revised price list"


def _follow_ups(sessions, cast, today) -> dict[str, int]:
    from accord.calendar.followups import service
    from accord.calendar.followups.schemas import FollowUpIn
    from accord.core.models import User

    ids = {}
    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        for title, due in ((TO_CLOSE, today), (TO_SNOOZE, today - timedelta(days=3)),
                           (LEFT_OVERDUE, today - timedelta(days=5))):
            ids[title] = service.add_follow_up(
                s, owner, FollowUpIn(account_id=cast.acme_id, title=title, due_on=due),
                today).id
    return ids


def _contact(sessions, cast) -> None:
    """A client contact at Acme, so the logged call is a qualifying touch."""
    from accord.accounts.models import AccountContact, Contact
    from accord.core.database import utcnow

    with sessions.begin() as s:
        now = utcnow()
        c = Contact(name="Carla Client", email="carla@acme.example", created_at=now,
                    updated_at=now)
        s.add(c)
        s.flush()
        s.add(AccountContact(account_id=cast.acme_id, contact_id=c.id))


def test_my_day_follow_ups_review_feed_and_digest(browser, page, live_server, cast, sessions,
                                                  settings) -> None:
    from accord.accounts.models import Account
    from accord.calendar.digest.service import send_digests
    from accord.calendar.models import CalendarEvent, FollowUp
    from accord.core.database import utcnow

    today = utcnow().date()  # the app's today
    _contact(sessions, cast)
    ids = _follow_ups(sessions, cast, today)
    page.set_default_timeout(SLOW)
    login(page, "owner@accord.test")

    # My day: the three follow-ups, the oldest overdue first
    page.goto("/today")
    expect(page.locator("#due_today")).to_contain_text(TO_CLOSE)
    overdue = page.locator("#overdue")
    expect(overdue).to_contain_text(LEFT_OVERDUE)
    text = overdue.inner_text()
    assert text.index(LEFT_OVERDUE) < text.index(TO_SNOOZE)

    # complete one by logging the call it asked for
    page.locator("#due_today").get_by_role("link", name=TO_CLOSE).click()
    page.wait_for_url(f"**/follow-ups/{ids[TO_CLOSE]}")
    form = page.locator("#log-form")
    form.locator("select[name=kind]").select_option("call")
    form.locator("textarea[name=summary], input[name=summary]").first.fill(
        "Agreed a new delivery date")
    form.locator("select[name=contact_ids]").select_option(label="Carla Client")
    form.get_by_role("button", name="Log and close").click()
    with sessions() as s:
        closed = s.get(FollowUp, ids[TO_CLOSE])
        assert closed.status == "done" and closed.closed_by_interaction_id is not None
        assert s.get(Account, cast.acme_id).last_qualifying_touch_on == today

    # snooze another from My day, one click; the page comes back to My day
    page.goto("/today")
    page.locator("#overdue").get_by_role(
        "button", name=f"Snooze to tomorrow: {TO_SNOOZE}").click()
    page.wait_for_load_state()
    assert page.url.endswith("/today"), (page.url, page.content()[:3000])
    expect(page.locator("#overdue")).not_to_contain_text(TO_SNOOZE)
    with sessions() as s:
        snoozed = s.get(FollowUp, ids[TO_SNOOZE])
        assert snoozed.status == "snoozed" and snoozed.snoozed_until > today

    # a recurring business review
    page.goto(f"/accounts/{cast.acme_id}/events/new?kind=business_review")
    event_form = page.locator("#event-form")
    event_form.locator("input[name=title]").fill("Quarterly business review")
    start = (today + timedelta(days=14)).isoformat()
    event_form.locator("input[name=starts_at]").fill(f"{start}T10:00")
    event_form.locator("input[name=rrule]").fill("FREQ=MONTHLY;INTERVAL=3")
    event_form.get_by_role("button", name="Schedule").click()
    page.wait_for_url("**/events/*")
    with sessions() as s:
        event = s.query(CalendarEvent).filter_by(account_id=cast.acme_id).one()
        assert event.rrule == "FREQ=MONTHLY;INTERVAL=3"
        uid = event.uid

    # the feed, fetched with its token (no login needed), holds the event with its RRULE
    page.goto("/me/calendar-feed")
    page.get_by_role("button", name="Create a feed address").click()
    url = page.locator("#feed-url").input_value()
    assert "/calendar/feed/" in url
    path = url[url.index("/calendar/feed/"):]
    anonymous = browser.new_context(base_url=live_server)
    response = anonymous.request.get(path)
    assert response.status == 200
    feed = icalendar.Calendar.from_ical(response.body())
    events: dict[str, Any] = {str(e["UID"]): e for e in feed.walk("VEVENT")}
    assert uid in events
    rule: Any = events[uid]["RRULE"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["INTERVAL"] == [3]
    assert f"follow-up-{ids[LEFT_OVERDUE]}@accord" in events  # an all-day follow-up

    # the digest, sent to a real SMTP server on loopback, lists the overdue item
    with smtp_server() as (inbox, port):
        mail = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                           "smtp_starttls": False})
        report = send_digests(sessions, mail, today, to="owner@accord.test")
        assert report.sent == 1
        (message,) = inbox.to("owner@accord.test")
        plain = message.get_body(("plain",))
        assert plain is not None
        body = plain.get_content()
        assert LEFT_OVERDUE in body
        assert TO_CLOSE not in body  # done

    # revoked, the feed's address answers 404
    page.goto("/me/calendar-feed")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").first.click()
    page.wait_for_load_state()
    assert anonymous.request.get(path).status == 404
    anonymous.close()
