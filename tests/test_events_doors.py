"""The event doors on both databases: the pages (the form with a friendly preset, a start the
clocks skip and an RRULE that does not parse shown inline with nothing written, the event's
page with attendees, agenda and occurrences, recording an outcome, cancelling one
occurrence, the review pack as HTML and PDF — out of reach: 404) and ``accord events
list|add|pack``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.accounts.models import AccountContact, Contact, Interaction
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.calendar.models import CalendarEvent, FollowUp
from accord.core.database import utcnow
from page_helpers import sign_in

runner = CliRunner()


def _count(db, model=CalendarEvent) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _contact(sessions, account_id: int) -> int:
    with sessions.begin() as s:
        c = Contact(name="Carla Client", email="carla@acme.test", created_at=utcnow())
        s.add(c)
        s.flush()
        s.add(AccountContact(account_id=account_id, contact_id=c.id))
        return c.id


def _key(day: date, months: int) -> str:
    """The UTC key of 10:00 in Paris ``months`` months after ``day``."""
    from zoneinfo import ZoneInfo

    year, month = divmod(day.month - 1 + months, 12)
    local = datetime(day.year + year, month + 1, day.day, 10,
                     tzinfo=ZoneInfo("Europe/Paris"))
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def test_the_pages_schedule_show_record_and_cancel(app, sessions, cast, db) -> None:
    carla = _contact(sessions, cast.acme_id)
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    new = client.get(f"/accounts/{cast.acme_id}/events/new?kind=business_review")
    assert new.status_code == 200 and 'id="event-form"' in new.text
    assert '<option value="quarterly">Every three months</option>' in new.text
    assert "Carla Client" in new.text
    base = {"csrf_token": csrf, "title": "Quarterly review", "kind": "business_review",
            "time_zone": "Europe/Paris"}
    gap = client.post(f"/accounts/{cast.acme_id}/events",
                      data={**base, "starts_at": "2027-03-28T02:30"})
    assert gap.status_code == 422 and 'id="ev-starts_at-error"' in gap.text
    assert "does not exist in Europe/Paris" in gap.text
    bad = client.post(f"/accounts/{cast.acme_id}/events",
                      data={**base, "starts_at": "2026-06-01T10:00", "rrule": "EVERY MONDAY"})
    assert bad.status_code == 422 and 'id="ev-rrule-error"' in bad.text
    assert _count(db) == 0
    day = date.today() - timedelta(days=14)
    day -= timedelta(days=max(0, day.day - 28))  # a day every month has
    done = client.post(f"/accounts/{cast.acme_id}/events", data={
        **base, "starts_at": f"{day}T10:00", "repeat": "quarterly", "agenda": "The year",
        "contact_ids": str(carla), "user_ids": str(cast.owner.id)}, follow_redirects=False)
    assert done.status_code == 303, done.text
    url = done.headers["location"]
    page = client.get(url).text
    assert "FREQ=MONTHLY;INTERVAL=3" in page and "Carla Client" in page and "The year" in page
    assert "(Europe/Paris)" in page and 'id="review-pack-link"' in page
    first, second = (_key(day, 0), _key(day, 3))
    assert f'id="occurrence-{first}"' in page
    form = client.get(f"{url}/occurrences/{first}/outcome")
    assert form.status_code == 200 and 'id="outcome-form"' in form.text
    empty = client.post(f"{url}/occurrences/{first}/outcome",
                        data={"csrf_token": csrf, "summary": ""})
    assert empty.status_code == 422 and 'id="oc-summary-error"' in empty.text
    held = client.post(f"{url}/occurrences/{first}/outcome",
                       data={"csrf_token": csrf, "summary": "Went through the year"},
                       follow_redirects=False)
    assert held.status_code == 303
    assert _count(db, Interaction) == 1
    again = client.post(f"{url}/occurrences/{first}/outcome",
                        data={"csrf_token": csrf, "summary": "Twice"})
    assert again.status_code == 409 and _count(db, Interaction) == 1
    cancelled = client.post(f"{url}/occurrences/{second}/cancel",
                            data={"csrf_token": csrf}, follow_redirects=False)
    assert cancelled.status_code == 303
    page = client.get(url).text
    assert "on the timeline" in page and ">cancelled<" in page
    # a stranger's view
    outsider = TestClient(app)
    sign_in(outsider, "outsider@accord.test")
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"{url}/review-pack.pdf").status_code == 404
    gone = client.post(f"{url}/cancel", data={"csrf_token": csrf}, follow_redirects=False)
    assert gone.status_code == 303 and 'id="event-cancelled"' in client.get(url).text


def test_the_review_pack_holds_the_plan_figures_health_and_open_items(
    app, sessions, cast, db
) -> None:
    from decimal import Decimal

    from accord.core.models import User
    from accord.growth.opportunities.models import Opportunity
    from accord.plans import objectives
    from accord.plans import service as plans
    from accord.plans.schemas import ObjectiveIn, PlanStart

    today = date.today()
    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        plan = plans.start_plan(s, owner, cast.acme_id, PlanStart(horizon_months=12),
                                today=today)
        objectives.add_objective(s, owner, plan.id, ObjectiveIn(
            title="Win the robotics deal", metric="manual", baseline=Decimal(0),
            target=Decimal(80000)), today=today)
        s.add(FollowUp(account_id=cast.acme_id, title="Send the price list", due_on=today,
                       owner_id=owner.id, status="open", created_at=utcnow(),
                       updated_at=utcnow()))
        s.add(Opportunity(account_id=cast.acme_id, title="Second plant", kind="cross_sell",
                          stage="qualified", value=Decimal("40000.00"), probability=25,
                          owner_id=owner.id, next_step="", created_at=utcnow(),
                          updated_at=utcnow()))
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        event = CalendarEvent(uid="event-pack@accord", account_id=cast.acme_id,
                              kind="business_review", title="Annual review", agenda="Plan",
                              location="Lyon", starts_at=start,
                              ends_at=start + timedelta(hours=2), time_zone="UTC",
                              status="scheduled", organiser_id=owner.id, created_at=utcnow(),
                              updated_at=utcnow())
        s.add(event)
        s.flush()
        event_id = event.id
    client = TestClient(app)
    sign_in(client, "head@accord.test")
    html = client.get(f"/events/{event_id}/review-pack")
    assert html.status_code == 200
    for words in ("Win the robotics deal", "Send the price list", "Second plant",
                  'id="pack-health-score"', 'id="pack-nrr"', "Annual review · Acme Industries"):
        assert words in html.text, words
    pdf = client.get(f"/events/{event_id}/review-pack.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_cli_adds_lists_and_writes_the_pack(cast, database_url, db, tmp_path) -> None:
    bad = _cli(database_url, "--as", "owner@accord.test", "events", "add", str(cast.acme_id),
               "--title", "Weekly call", "--start", "2027-03-15T09:00", "--rrule", "NOPE")
    assert bad.exit_code != 0 and "rrule" in bad.output and _count(db) == 0
    added = _cli(database_url, "--as", "owner@accord.test", "events", "add",
                 str(cast.acme_id), "--title", "Weekly call", "--start", "2027-03-15T09:00",
                 "--tz", "Europe/Paris", "--rrule", "weekly", "--kind", "call")
    assert added.exit_code == 0, added.output
    assert "scheduled: Weekly call on 2027-03-15 09:00 Europe/Paris, repeating FREQ=WEEKLY" \
        in added.output
    event_id = added.output.split("event ")[1].split(" ")[0]
    listed = _cli(database_url, "--as", "owner@accord.test", "events", "list", "--from",
                  "2027-03-20", "--to", "2027-04-03", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert "2027-03-29T07:00:00Z" in listed.output and "2027-03-22T08:00:00Z" in listed.output
    hidden = _cli(database_url, "--as", "outsider@accord.test", "events", "list", "--from",
                  "2027-03-20", "--to", "2027-04-03")
    assert hidden.exit_code == 0 and "No events." in hidden.output
    out = tmp_path / "pack.pdf"
    packed = _cli(database_url, "--as", "owner@accord.test", "events", "pack", event_id,
                  "--out", str(out))
    assert packed.exit_code == 0, packed.output
    assert out.read_bytes().startswith(b"%PDF")
    refused = _cli(database_url, "--as", "outsider@accord.test", "events", "pack", event_id,
                   "--out", str(tmp_path / "no.pdf"))
    assert refused.exit_code != 0 and not (tmp_path / "no.pdf").exists()
