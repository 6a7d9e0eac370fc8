"""Issue 14's journey in a real browser, on SQLite and PostgreSQL.

Acme's manager writes a creative brief from the account's Work tab and sends it; a Creative
specialist sees it on the department board — with Acme's name and nothing else of the account
(the account page is a 404 for them) — accepts it with a later due date and a reason; the
manager agrees the date; the specialist starts and delivers it; the manager requests changes;
the specialist delivers again; the manager approves it with the checklist done. Then a client
input, asked for two weeks ago with a chase every two working days and escalation after two
unanswered chases: the chase job (run day by day, as the scheduler would) makes two chases
that land on the manager's My day as follow-ups; the manager sends them (the drafted e-mail,
then "Mark as sent"); the third is escalated to the head, who sees it on their My day; the
manager marks the input received.

The departments, the specialist and the past request are set up through the real services;
everything else goes through the pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import expect

from conftest import login

SLOW = 30_000
TITLE = "Spring launch key visual"


def _arrange(sessions: Any, cast: Any, password_hash: str, today: date) -> dict[str, int]:
    from sqlalchemy import select

    from accord.accounts.models import AccountContact, Contact
    from accord.agency.departments.checklists import seed_defaults
    from accord.agency.departments.service import set_members
    from accord.agency.models import Department
    from accord.core.database import utcnow
    from accord.core.models import User

    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        seed_defaults(s, admin)
        specialist = User(email="sid@accord.test", role="specialist", name="Sid Specialist",
                          password_hash=password_hash, capacity=100, is_active=True,
                          created_at=utcnow())
        s.add(specialist)
        carla = Contact(name="Carla Client", email="carla@acme.example", created_at=utcnow(),
                        updated_at=utcnow())
        s.add(carla)
        s.flush()
        s.add(AccountContact(account_id=cast.acme_id, contact_id=carla.id))
        creative = s.scalar(select(Department.id).where(Department.name == "Creative"))
        assert creative is not None
        set_members(s, admin, creative, [specialist.id])
        return {"creative": int(creative), "carla": int(carla.id)}


def _past_request(sessions: Any, cast: Any, carla: int, asked_on: date) -> int:
    """The brand book asked for on ``asked_on``, chased every two working days; the setting
    escalates after two unanswered chases."""
    from accord.agency.inputs.schemas import AgencySettingsIn, InputIn
    from accord.agency.inputs.service import request_input, save_agency_settings
    from accord.core.models import User

    with sessions.begin() as s:
        save_agency_settings(s, s.get(User, cast.admin.id),
                             AgencySettingsIn(escalate_after=2, default_chase_days=3))
        made = request_input(
            s, s.get(User, cast.owner.id),
            InputIn(account_id=cast.acme_id, title="Brand book", contact_id=carla,
                    due_on=asked_on, chase_days=2, reason="The creatives need the fonts"),
            asked_on)
        return int(made.id)


def _run_chases(sessions: Any, day: date) -> dict[str, Any]:
    from accord.agency.inputs.chasing import run_chases

    with sessions.begin() as s:
        return run_chases(s, day)


def _act(page: Any, form: str) -> None:
    page.locator(f"#{form}-form button[type=submit]").click()
    page.wait_for_load_state()


def test_brief_to_the_department_and_a_client_input_chased_then_escalated(
        browser, page, live_server, cast, sessions, password_hash) -> None:
    from sqlalchemy import select

    from accord.agency.models import Brief, InputRequest
    from accord.core.database import utcnow
    from accord.core.workdays import add_working_days, count_working_days

    today = utcnow().date()  # the app's today
    ids = _arrange(sessions, cast, password_hash, today)
    page.set_default_timeout(SLOW)

    # the manager writes a creative brief from Acme's Work tab and sends it
    login(page, "owner@accord.test")
    page.goto(f"/accounts/{cast.acme_id}/work")
    page.locator("#new-brief").click()
    page.select_option("#br-department_id", str(ids["creative"]))
    expect(page.get_by_label("Objective")).to_be_visible()
    page.fill("#br-title", TITLE)
    page.get_by_label("Objective").fill("Launch the spring range to trade buyers")
    page.get_by_label("Audience").fill("Purchasing managers of DIY chains")
    page.select_option("#br-deliverable_type", "creative")
    page.locator("#create-and-send").click()
    expect(page.locator("#brief-state")).to_have_text("Sent")
    brief_url = page.url
    with sessions.begin() as s:
        brief = s.scalars(select(Brief).where(Brief.title == TITLE)).one()
        original, brief_id = brief.due_on, brief.id
    cal = work_calendar_for(sessions)
    later = add_working_days(cal, original, 3)

    # a Creative specialist: the brief on the board, the account's name and nothing else
    other = browser.new_context(base_url=live_server)
    spec = other.new_page()
    spec.set_default_timeout(SLOW)
    login(spec, "sid@accord.test")
    spec.goto("/briefs/board")
    spec.get_by_role("link", name=TITLE).click()
    expect(spec.locator("#brief-account")).to_have_text("Acme Industries")
    assert spec.locator(f"a[href^='/accounts/{cast.acme_id}']").count() == 0
    assert "carla" not in spec.content().lower()
    assert spec.goto(f"/accounts/{cast.acme_id}").status == 404
    assert spec.goto(f"/accounts/{cast.acme_id}/work").status == 404
    spec.goto(brief_url)
    spec.fill("#ac-proposed_due_on", later.isoformat())
    spec.fill("#ac-reason", "The photographer is booked until then")
    _act(spec, "accept")
    expect(spec.locator("#brief-state")).to_have_text("Accepted")
    expect(spec.locator("#brief-proposal")).to_contain_text(later.isoformat())

    # the manager agrees the later date; the original is kept
    page.goto(brief_url)
    _act(page, "agree-date")
    expect(page.locator("#brief-due")).to_contain_text(f"Due {later.isoformat()}")
    expect(page.locator("#brief-due")).to_contain_text(f"originally {original.isoformat()}")

    # the specialist starts and delivers
    spec.goto(brief_url)
    _act(spec, "start")
    expect(spec.locator("#brief-state")).to_have_text("In progress")
    spec.fill("#dl-actual_hours", "14")
    _act(spec, "deliver")
    expect(spec.locator("#brief-state")).to_have_text("Delivered")

    # the manager asks for changes (a round), the specialist delivers again
    page.goto(brief_url)
    page.fill("#request-changes-reason", "Use the new product shot")
    _act(page, "request-changes")
    expect(page.locator("#brief-state")).to_have_text("In progress")
    spec.goto(brief_url)
    _act(spec, "deliver")
    expect(spec.locator("#brief-state")).to_have_text("Delivered")

    # the manager approves with the whole checklist ticked
    page.goto(brief_url)
    boxes = page.locator("#checklist input[type=checkbox]")
    assert boxes.count() >= 3
    for n in range(boxes.count()):
        boxes.nth(n).check()
    _act(page, "approve")
    expect(page.locator("#brief-state")).to_have_text("Approved")
    expect(page.locator("#brief-timeline")).to_contain_text("The photographer is booked")
    with sessions.begin() as s:
        done = s.get(Brief, brief_id)
        assert (done.rounds, done.original_due_on, done.due_on) == (1, original, later)
        assert done.first_delivered_on == today and done.blocked_days == 0
        assert done.turnaround_days == count_working_days(cal, today, today)
    other.close()

    # a client input asked for ten working days ago: two chases, then the head
    asked_on = _back(cal, today, 10)
    request_id = _past_request(sessions, cast, ids["carla"], asked_on)
    first, second, third = (add_working_days(cal, asked_on, n) for n in (2, 4, 6))
    assert _run_chases(sessions, first)["chased"] == 1
    assert _run_chases(sessions, second)["chased"] == 1
    page.goto("/today")
    overdue = page.locator("#overdue")
    expect(overdue).to_contain_text("Brand book (chase 1)")
    expect(overdue).to_contain_text("Brand book (chase 2)")
    page.goto(f"/inputs/{request_id}")
    expect(page.locator("#mailto-1")).to_have_attribute("href", _starts_mailto())
    page.locator("#sent-1").click()
    page.wait_for_load_state()
    page.locator("#sent-2").click()
    page.wait_for_load_state()
    page.goto("/today")
    expect(page.locator("#overdue")).not_to_contain_text("Brand book (chase")
    escalated = _run_chases(sessions, third)
    assert (escalated["chased"], escalated["escalated"]) == (0, 1)

    head_context = browser.new_context(base_url=live_server)
    head = head_context.new_page()
    head.set_default_timeout(SLOW)
    login(head, "head@accord.test")
    head.goto("/today")
    expect(head.locator("main")).to_contain_text("Escalated")
    expect(head.locator("main")).to_contain_text("Brand book")
    head_context.close()

    page.goto(f"/inputs/{request_id}")
    expect(page.locator("#input-escalated")).to_be_visible()
    page.locator("#received-form button[type=submit]").click()
    expect(page.locator("#input-status")).to_have_text("Received")
    with sessions.begin() as s:
        request = s.get(InputRequest, request_id)
        assert (request.status, request.chases, request.closed_on) == ("received", 2, today)
        assert request.escalated_on == third


def work_calendar_for(sessions: Any) -> Any:
    from accord.core.work_calendar import work_calendar

    with sessions.begin() as s:
        return work_calendar(s)


def _back(cal: Any, day: date, days: int) -> date:
    from datetime import timedelta

    from accord.core.workdays import is_working_day

    while days:
        day -= timedelta(days=1)
        if is_working_day(cal, day):
            days -= 1
    return day


def _starts_mailto() -> Any:
    import re

    return re.compile(r"^mailto:carla@acme\.example\?subject=")
