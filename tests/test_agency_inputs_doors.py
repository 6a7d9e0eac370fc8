"""Client inputs' front doors on both databases: the API (request, read, edit, received,
cancel, mark a chase sent, the account's panel and interval, run the chases now, the
setting; a chase interval of 0 and a due date before today are 422s that write nothing; an
outsider and a specialist get 404), the pages (the list and its empty state, the form, the
detail with the drafted e-mail and its mailto link, "Mark as sent", received, the Work tab
panel and its interval form, the setting page) and ``accord inputs …``."""

from __future__ import annotations

import json
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.accounts.models import AccountContact, Contact, Interaction
from accord.agency.inputs import chasing, service
from accord.agency.models import InputChase, InputRequest
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.calendar.models import FollowUp
from accord.core.database import utcnow
from accord.core.models import User
from accord.users.service import issue_token
from accord.web.templating import templates
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()
FAR = date(2099, 12, 31)  # beyond any "today" the doors use
DUE = "2099-06-30"


def _count(db, model=InputRequest) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def _carla(sessions, account_id: int) -> int:
    with sessions.begin() as s:
        now = utcnow()
        c = Contact(name="Carla Client", email="carla@acme.test", created_at=now,
                    updated_at=now)
        s.add(c)
        s.flush()
        s.add(AccountContact(account_id=account_id, contact_id=c.id))
        return int(c.id)


def _specialist(sessions, cast) -> str:
    with sessions.begin() as s:
        u = User(email="spec@accord.test", role="specialist", name="Spec",
                 password_hash=s.get(User, cast.owner.id).password_hash, capacity=100,
                 is_active=True, created_at=utcnow())
        s.add(u)
        s.flush()
        return issue_token(s, None, u.id, "test-spec").token


def _chase(sessions) -> None:
    with sessions.begin() as s:
        chasing.run_chases(s, FAR)


def test_the_api(app, sessions, cast, db) -> None:
    carla = _carla(sessions, cast.acme_id)
    owner = api_client(app, cast.token(sessions, "owner"))
    zero = owner.post("/api/v1/inputs", json={"account_id": cast.acme_id, "title": "Logo",
                                              "due_on": DUE, "chase_days": 0})
    assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "chase_days"
    past = owner.post("/api/v1/inputs", json={"account_id": cast.acme_id, "title": "Logo",
                                              "due_on": "2000-01-03"})
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "due_on"
    assert "before today" in past.json()["errors"][0]["message"]
    assert _count(db) == 0
    made = owner.post("/api/v1/inputs", json={
        "account_id": cast.acme_id, "title": "Brand book", "due_on": DUE,
        "contact_id": carla, "chase_days": 2, "reason": "colours"})
    assert made.status_code == 201, made.text
    body = made.json()
    item = f"/api/v1/inputs/{body['id']}"
    assert made.headers["location"] == item and made.headers["etag"] == '"1"'
    assert body["owner"]["email"] == "owner@accord.test" and body["next_chase_on"]
    edited = owner.patch(item, json={"title": "Brand book 2027"}, headers={"If-Match": '"1"'})
    assert edited.status_code == 200 and edited.json()["version"] == 2
    assert owner.patch(item, json={"title": "x"}, headers={"If-Match": '"1"'}).status_code == 409
    # visibility: an outsider and a specialist get 404, a viewer reads but may not write
    outsider = api_client(app, cast.token(sessions, "outsider"))
    spec = api_client(app, _specialist(sessions, cast))
    for other in (outsider, spec):
        assert other.get(item).status_code == 404
        assert other.get("/api/v1/inputs?status=all").json()["total"] == 0
        assert other.get(f"/api/v1/accounts/{cast.acme_id}/inputs").status_code == 404
    viewer = api_client(app, cast.token(sessions, "viewer"))
    assert viewer.get(item).status_code == 200
    assert viewer.post(f"{item}/cancel", json={"reason": "r"}).status_code == 403
    # the panel and the account's interval
    put = owner.put(f"/api/v1/accounts/{cast.acme_id}/chase-interval", json={"chase_days": 4})
    assert put.status_code == 200 and put.json()["account_chase_days"] == 4
    bad = owner.put(f"/api/v1/accounts/{cast.acme_id}/chase-interval", json={"chase_days": 0})
    assert bad.status_code == 422
    panel = owner.get(f"/api/v1/accounts/{cast.acme_id}/inputs").json()
    assert [i["id"] for i in panel["open"]] == [body["id"]]
    # chases: run now is for admins (it reaches every account; a head is refused); then
    # mark one sent
    assert owner.post("/api/v1/inputs/chase-now").status_code == 403
    assert api_client(app, cast.token(sessions, "head")).post(
        "/api/v1/inputs/chase-now").status_code == 403
    assert api_client(app, cast.token(sessions, "admin")).post(
        "/api/v1/inputs/chase-now").status_code == 200
    _chase(sessions)
    detail = owner.get(item).json()
    [chase] = detail["chase_list"]
    assert chase["mailto"].startswith("mailto:carla") and "subject=Reminder" in chase["mailto"]
    assert outsider.post(f"/api/v1/chases/{chase['id']}/sent").status_code == 404
    sent = owner.post(f"/api/v1/chases/{chase['id']}/sent")
    assert sent.status_code == 200 and sent.json()["chase_list"][0]["status"] == "sent"
    assert _count(db, Interaction) == 1
    listed = owner.get("/api/v1/inputs?status=open&sort=-due").json()
    assert listed["total"] == 1 and listed["items"][0]["chases"] == 1
    got = owner.post(f"{item}/received", json={"note": "thanks"})
    assert got.status_code == 200 and got.json()["status"] == "received"
    assert owner.post(f"{item}/cancel", json={"reason": "r"}).status_code == 422
    # the setting
    assert owner.get("/api/v1/agency/settings").json() == {"escalate_after": 3,
                                                           "default_chase_days": 3}
    assert owner.put("/api/v1/agency/settings", json={
        "escalate_after": 2, "default_chase_days": 5}).status_code == 403
    head = api_client(app, cast.token(sessions, "head"))
    assert head.put("/api/v1/agency/settings", json={
        "escalate_after": 2, "default_chase_days": 5}).json()["escalate_after"] == 2


def test_the_pages(app, sessions, cast, db) -> None:
    carla = _carla(sessions, cast.acme_id)
    client = TestClient(app)
    csrf = sign_in(client, "owner@accord.test")
    empty = client.get("/inputs")
    assert empty.status_code == 200 and 'id="no-inputs"' in empty.text
    form = client.get(f"/inputs/new?account_id={cast.acme_id}")
    assert form.status_code == 200 and "Carla Client" in form.text
    assert "Blank: the account&#39;s interval, now 3 working days" in form.text \
        or "now 3 working days" in form.text
    zero = client.post("/inputs", data={"csrf_token": csrf, "account_id": str(cast.acme_id),
                                        "title": "Logo", "due_on": DUE, "chase_days": "0"})
    assert zero.status_code == 422 and 'id="in-chase_days-error"' in zero.text
    assert _count(db) == 0
    made = client.post("/inputs", data={
        "csrf_token": csrf, "account_id": str(cast.acme_id), "title": "Brand book",
        "due_on": DUE, "contact_id": str(carla), "chase_days": "1"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    page = client.get(url)
    assert page.status_code == 200 and 'id="no-chases"' in page.text
    _chase(sessions)
    page = client.get(url).text
    assert 'id="mailto-1"' in page and "mailto:carla" in page and 'id="sent-1"' in page
    db.rollback()
    chase_id = db.scalars(select(InputChase.id)).one()
    sent = client.post(f"/chases/{chase_id}/sent", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == url
    db.rollback()
    assert db.scalars(select(FollowUp.status)).one() == "done"
    listing = client.get("/inputs?status=all&sort=-due").text
    assert "Brand book" in listing
    received = client.post(f"{url}/received", data={"csrf_token": csrf, "on": "1999-01-01"})
    assert received.status_code == 422 and 'id="rc-on-error"' in received.text
    received = client.post(f"{url}/received", data={"csrf_token": csrf, "note": "ok"},
                           follow_redirects=False)
    assert received.status_code == 303
    assert 'id="input-closed"' in client.get(url).text
    interval = client.post(f"/accounts/{cast.acme_id}/chase-interval", data={
        "csrf_token": csrf, "chase_days": "6", "next": "/inputs"}, follow_redirects=False)
    assert interval.status_code == 303 and interval.headers["location"] == "/inputs"
    assert client.get("/admin/agency").status_code == 403
    head = TestClient(app)
    head_csrf = sign_in(head, "head@accord.test")
    assert head.get("/admin/agency").status_code == 200
    saved = head.post("/admin/agency", data={"csrf_token": head_csrf, "escalate_after": "0",
                                             "default_chase_days": "3"})
    assert saved.status_code == 422 and 'id="ag-escalate_after-error"' in saved.text
    saved = head.post("/admin/agency", data={"csrf_token": head_csrf, "escalate_after": "2",
                                             "default_chase_days": "3"},
                      follow_redirects=False)
    assert saved.status_code == 303
    assert 'id="chase-now-form"' not in head.get("/inputs").text
    ran = head.post("/inputs/chase-now", data={"csrf_token": head_csrf},
                    follow_redirects=False)
    assert ran.status_code == 403
    admin = TestClient(app)
    admin_csrf = sign_in(admin, "admin@accord.test")
    assert 'id="chase-now-form"' in admin.get("/inputs").text
    ran = admin.post("/inputs/chase-now", data={"csrf_token": admin_csrf},
                     follow_redirects=False)
    assert ran.status_code == 303


def test_the_panel_renders_for_the_work_tab(sessions, cast, db) -> None:
    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        panel = service.account_inputs(s, owner, cast.acme_id, date(2027, 3, 1))
    html = templates.env.get_template("agency/inputs_panel.html").render(
        panel=panel, csrf_token="t")
    assert 'id="no-open-inputs"' in html and 'id="request-input"' in html
    assert f'action="/accounts/{cast.acme_id}/chase-interval"' in html


def test_the_cli(sessions, cast, database_url, db) -> None:
    _carla(sessions, cast.acme_id)
    zero = _cli(database_url, "--as", "owner@accord.test", "inputs", "request", "--account",
                str(cast.acme_id), "--title", "Logo", "--due", DUE, "--chase-days", "0")
    assert zero.exit_code != 0 and "chase_days" in zero.output
    past = _cli(database_url, "--as", "owner@accord.test", "inputs", "request", "--account",
                str(cast.acme_id), "--title", "Logo", "--due", "2027-01-01", "--today",
                "2027-03-01")
    assert past.exit_code != 0 and "before today" in past.output
    stranger = _cli(database_url, "--as", "owner@accord.test", "inputs", "request",
                    "--account", str(cast.acme_id), "--title", "Logo", "--due", DUE,
                    "--contact", "nobody@else.test")
    assert stranger.exit_code != 0 and "no contact" in stranger.output
    assert _count(db) == 0
    made = _cli(database_url, "--as", "owner@accord.test", "inputs", "request", "--account",
                str(cast.acme_id), "--title", "Brand book", "--due", "2027-03-12",
                "--contact", "carla@acme.test", "--chase-days", "2", "--reason", "colours",
                "--today", "2027-03-01")
    assert made.exit_code == 0, made.output
    assert "next chase 2027-03-03" in made.output
    db.rollback()
    input_id = str(db.scalars(select(InputRequest.id)).one())
    settings = _cli(database_url, "inputs", "settings", "--escalate-after", "1")
    assert settings.exit_code == 0 and "escalate after 1 chases" in settings.output
    head = _cli(database_url, "--as", "head@accord.test", "inputs", "chase", "--today",
                "2027-03-03")
    assert head.exit_code != 0 and "admin" in head.output, head.output
    for day, said in (("2027-03-03", "1 chased, 0 escalated"),
                      ("2027-03-03", "0 chased, 0 escalated"),
                      ("2027-03-05", "0 chased, 1 escalated")):
        ran = _cli(database_url, "inputs", "chase", "--today", day)
        assert ran.exit_code == 0 and said in ran.output, ran.output
    shown = _cli(database_url, "inputs", "show", input_id)
    assert shown.exit_code == 0 and "escalated 2027-03-05 to head@accord.test" in shown.output
    db.rollback()
    chase_id = str(db.scalars(select(InputChase.id)).one())
    sent = _cli(database_url, "--as", "owner@accord.test", "inputs", "sent", chase_id,
                "--today", "2027-03-05")
    assert sent.exit_code == 0, sent.output
    listed = _cli(database_url, "inputs", "list", "--escalated", "--format", "json",
                  "--today", "2027-03-05")
    assert [i["id"] for i in json.loads(listed.output)["items"]] == [int(input_id)]
    overdue = _cli(database_url, "inputs", "list", "--overdue", "--today", "2027-03-15")
    assert overdue.exit_code == 0 and "Brand book" in overdue.output
    out_of_reach = _cli(database_url, "--as", "outsider@accord.test", "inputs", "received",
                        input_id)
    assert out_of_reach.exit_code != 0 and "no input request" in out_of_reach.output
    got = _cli(database_url, "--as", "owner@accord.test", "inputs", "received", input_id,
               "--on", "2027-03-08", "--note", "by mail", "--today", "2027-03-09")
    assert got.exit_code == 0 and "received 2027-03-08" in got.output
    cancel = _cli(database_url, "--as", "owner@accord.test", "inputs", "cancel", input_id,
                  "--reason", "x", "--today", "2027-03-09")
    assert cancel.exit_code != 0 and "closed" in cancel.output
