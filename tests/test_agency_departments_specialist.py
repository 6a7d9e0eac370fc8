"""The ``specialist`` role on both databases: an admin creates and edits one on every door
(API, page, ``accord users``); a specialist lands on the briefs board and their navigation
shows only Briefs and Departments; the others' navigation gains Briefs (and Departments for
admins); a specialist cannot be made an account's manager (API, account page, import)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.accounts.models import Account
from accord.app.commands import app as cli_app
from accord.core.database import utcnow
from accord.core.models import User
from conftest import PASSWORD, api_client
from page_helpers import csrf_from, sign_in

runner = CliRunner()


def _specialist(sessions, password_hash, email="spec@accord.test") -> int:
    with sessions.begin() as s:
        user = User(email=email, role="specialist", name="Sid Specialist",
                    password_hash=password_hash, capacity=100, is_active=True,
                    created_at=utcnow())
        s.add(user)
        s.flush()
        return int(user.id)


def _nav(html: str) -> str:
    return html.split('<nav aria-label="Main">')[1].split("</nav>")[0]


def test_a_specialist_lands_on_the_briefs_board(app, sessions, cast, password_hash) -> None:
    _specialist(sessions, password_hash)
    client = TestClient(app)
    token = csrf_from(client.get("/login").text)
    answer = client.post("/login", data={"email": "spec@accord.test", "password": PASSWORD,
                                         "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/briefs/board"
    home = client.get("/", follow_redirects=False)
    assert home.headers["location"] == "/briefs/board"
    nav = _nav(client.get("/departments").text)
    assert 'href="/briefs/board"' in nav and 'href="/departments"' in nav
    assert nav.count("<li>") == 2
    for other in ("/today", "/accounts", "/dashboard", "/renewals", "/import"):
        assert f'href="{other}"' not in nav, other
    # with a next page, the specialist goes there
    again = TestClient(app)
    token = csrf_from(again.get("/login").text)
    answer = again.post("/login", data={"email": "spec@accord.test", "password": PASSWORD,
                                        "csrf_token": token, "next": "/departments"},
                        follow_redirects=False)
    assert answer.headers["location"] == "/departments"


def test_the_others_navigation_gains_briefs(app, cast) -> None:
    for who, home in (("owner", "/today"), ("head", "/today"), ("viewer", "/accounts"),
                      ("admin", "/accounts")):
        client = TestClient(app)
        sign_in(client, getattr(cast, who).email)
        assert client.get("/", follow_redirects=False).headers["location"] == home
        nav = _nav(client.get("/departments").text)
        assert 'href="/briefs/board"' in nav and 'href="/renewals"' in nav, who
        assert nav.index('href="/renewals"') < nav.index('href="/briefs/board"')
        assert ('href="/departments"' in nav) == (who == "admin"), who


def test_an_admin_creates_and_edits_a_specialist_on_every_door(app, sessions, cast, db,
                                                               database_url) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    made = admin.post("/api/v1/users", json={"email": "mia@accord.test", "role": "specialist",
                                             "name": "Mia Media"})
    assert made.status_code == 201, made.text
    assert made.json()["role"] == "specialist"
    moved = admin.patch(f"/api/v1/users/{cast.viewer.id}", json={"role": "specialist"})
    assert moved.status_code == 200 and moved.json()["role"] == "specialist"
    client = TestClient(app)
    token = sign_in(client, cast.admin.email)
    form = client.get("/admin/users").text
    assert 'value="specialist"' in form
    created = client.post("/admin/users", data={
        "csrf_token": token, "email": "cy@accord.test", "name": "Cy Copy", "role": "specialist",
        "capacity": "100", "password": "a long password 123"}, follow_redirects=False)
    assert created.status_code == 303, created.text
    cli = runner.invoke(cli_app, ["--database-url", database_url, "users", "create",
                                  "seo@accord.test", "--role", "specialist", "--name", "Sue"])
    assert cli.exit_code == 0, cli.output
    assert "created specialist seo@accord.test" in cli.stdout
    db.rollback()
    roles = dict(db.execute(select(User.email, User.role).where(User.email.in_(
        ["mia@accord.test", "cy@accord.test", "seo@accord.test", "viewer@accord.test"]))).all())
    assert set(roles.values()) == {"specialist"} and len(roles) == 4


def test_a_specialist_cannot_manage_an_account(app, sessions, cast, db,
                                               password_hash) -> None:
    specialist = _specialist(sessions, password_hash)
    admin = api_client(app, cast.token(sessions, "admin"))
    before = int(db.scalar(select(func.count()).select_from(Account)) or 0)
    refused = admin.post("/api/v1/accounts", json={"name": "Initech", "manager_id": specialist})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "manager_id",
                                         "message": "spec@accord.test cannot manage accounts"}]
    moved = admin.patch(f"/api/v1/accounts/{cast.acme_id}", json={"manager_id": specialist})
    assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "manager_id"
    db.rollback()
    assert int(db.scalar(select(func.count()).select_from(Account)) or 0) == before
    assert db.get(Account, cast.acme_id).manager_id == cast.owner.id


def test_an_import_does_not_make_a_specialist_an_owner(db, sessions, cast,
                                                      password_hash) -> None:
    from accord.accounts.owners import Owners

    _specialist(sessions, password_hash)
    owners = Owners.load(db, "accord", {"spec@accord.test"})
    match = owners.match("spec@accord.test")
    assert match.user_id is None and match.problem is not None
    assert "cannot manage accounts (specialist)" in match.problem
