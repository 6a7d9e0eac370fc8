"""O1: teams administration — one service (accord.users.teams) behind the page, the API and
the CLI; validated, audited, and what makes a head's visibility work on a fresh install."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, Team, User
from accord.users import teams
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()


def run(database_url: str, *args: str):
    return runner.invoke(cli, ["--database-url", database_url, *args])


def audit_of(db, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "team", AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
    )


def admin_of(db, cast) -> User:
    return db.get(User, cast.admin.id)


# ---------------------------------------------------------------- the service's rules


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "give the team a name"),
        ("   ", "give the team a name"),
        ("x" * 121, "at most 120"),
        ("Bad\x00name", "control"),
        ("Two\nlines", "control"),
        ("Tab\tname", "control"),
    ],
)
def test_a_team_name_is_refused_when_empty_long_or_with_control_characters(
    db, cast, name, message
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        teams.create_team(db, admin_of(db, cast), name)
    assert caught.value.problems[0].field == "name" and message in caught.value.detail


def test_names_are_trimmed_and_unique_whatever_their_case(db, cast) -> None:
    admin = admin_of(db, cast)
    made = teams.create_team(db, admin, "  Östra Key Accounts  ")
    assert made.name == "Östra Key Accounts"
    for clash in ("north", "NORTH ", "östra key accounts"):
        with pytest.raises(Conflict):
            teams.create_team(db, admin, clash)
    with pytest.raises(Conflict):
        teams.rename_team(db, admin, made.id, "SOUTH")
    assert teams.rename_team(db, admin, made.id, "östra KEY accounts").name == "östra KEY accounts"
    assert teams.create_team(db, admin, "x" * 120).name == "x" * 120


def test_the_head_is_an_active_head_or_admin(db, cast) -> None:
    admin = admin_of(db, cast)
    for who in ("owner", "viewer"):
        with pytest.raises(ValidationFailed) as caught:
            teams.create_team(db, admin, "East", getattr(cast, who).id)
        assert caught.value.problems[0].field == "head_id" and "role head or admin" in str(
            caught.value.detail
        )
    with pytest.raises(ValidationFailed, match="no user"):
        teams.create_team(db, admin, "East", 999_999)
    db.get(User, cast.other_head.id).is_active = False
    with pytest.raises(ValidationFailed, match="deactivated"):
        teams.create_team(db, admin, "East", cast.other_head.id)
    east = teams.create_team(db, admin, "East", cast.head.id)  # a head may head two teams
    assert east.head is not None and east.head.id == cast.head.id
    west = teams.create_team(db, admin, "West", cast.admin.id)
    assert west.head is not None and west.head.id == cast.admin.id
    assert teams.set_head(db, admin, east.id, None).head is None


def test_a_user_is_in_one_team_at_most_and_moves_when_added_elsewhere(db, cast) -> None:
    admin = admin_of(db, cast)
    north = db.get(User, cast.owner.id).team_id
    east = teams.create_team(db, admin, "East")
    change = teams.add_member(db, admin, east.id, cast.owner.id)
    assert change.changed and change.left_team == "North"
    assert [m.email for m in change.team.members] == ["owner@accord.test"]
    assert db.get(User, cast.owner.id).team_id == east.id
    assert cast.owner.id not in [m.id for m in teams.get_team(db, admin, north).members]
    again = teams.add_member(db, admin, east.id, cast.owner.id)
    assert not again.changed and again.team.member_count == 1
    with pytest.raises(NotFound, match="not a member"):
        teams.remove_member(db, admin, east.id, cast.teammate.id)
    with pytest.raises(ValidationFailed, match="no user"):
        teams.add_member(db, admin, east.id, 999_999)
    db.get(User, cast.viewer.id).is_active = False
    with pytest.raises(ValidationFailed, match="deactivated"):
        teams.add_member(db, admin, east.id, cast.viewer.id)
    assert teams.remove_member(db, admin, east.id, cast.owner.id).member_count == 0
    assert db.get(User, cast.owner.id).team_id is None


def test_only_an_empty_team_is_deleted(db, cast) -> None:
    admin = admin_of(db, cast)
    north = db.get(User, cast.owner.id).team_id
    with pytest.raises(Conflict, match="2 members"):
        teams.delete_team(db, admin, north)
    empty = teams.create_team(db, admin, "Empty")
    teams.delete_team(db, admin, empty.id)
    assert db.get(Team, empty.id) is None
    with pytest.raises(NotFound):
        teams.delete_team(db, admin, empty.id)


def test_heads_read_their_own_teams_and_only_admins_change_them(db, cast) -> None:
    head = db.get(User, cast.head.id)
    north = db.get(User, cast.owner.id).team_id
    south = db.get(User, cast.outsider.id).team_id
    assert [t.name for t in teams.list_teams(db, head)] == ["North"]
    assert teams.get_team(db, head, north).member_count == 2
    with pytest.raises(NotFound):  # another head's team: not found, like a missing one
        teams.get_team(db, head, south)
    assert [t.name for t in teams.list_teams(db, admin_of(db, cast))] == ["North", "South"]
    for who in ("owner", "viewer", "billing"):
        with pytest.raises(Forbidden):
            teams.list_teams(db, db.get(User, getattr(cast, who).id))
    for write in (
        lambda: teams.create_team(db, head, "Mine"),
        lambda: teams.rename_team(db, head, north, "Mine"),
        lambda: teams.set_head(db, head, south, head.id),
        lambda: teams.add_member(db, head, north, cast.outsider.id),
        lambda: teams.remove_member(db, head, north, cast.owner.id),
        lambda: teams.delete_team(db, head, north),
    ):
        with pytest.raises(Forbidden):
            write()


def test_every_change_is_audited(db, cast) -> None:
    admin = admin_of(db, cast)
    east = teams.create_team(db, admin, "East", cast.head.id)
    teams.update_team(db, admin, east.id, {"name": "Eastern", "head_id": cast.other_head.id})
    teams.add_member(db, admin, east.id, cast.owner.id)
    teams.remove_member(db, admin, east.id, cast.owner.id)
    teams.delete_team(db, admin, east.id)
    created = audit_of(db, "create")[-1]
    assert created.after == {"name": "East", "head_id": cast.head.id}
    assert created.actor == "admin@accord.test" and created.entity_id == str(east.id)
    updated = audit_of(db, "update")[-1]
    assert updated.before == {"name": "East", "head_id": cast.head.id}
    assert updated.after == {"name": "Eastern", "head_id": cast.other_head.id}
    added = audit_of(db, "add_member")[-1]
    assert added.after is not None and added.before is not None
    assert added.after["email"] == "owner@accord.test" and added.before["team_id"] is not None
    removed = audit_of(db, "remove_member")[-1]
    assert removed.before is not None and removed.before["user_id"] == cast.owner.id
    assert audit_of(db, "delete")[-1].before == {"name": "Eastern", "head_id": cast.other_head.id}


# ---------------------------------------------------------------- the API


def test_the_api_creates_reads_changes_and_deletes_teams(app, cast, sessions) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    made = admin.post("/api/v1/teams", json={"name": " East ", "head_id": cast.head.id})
    assert made.status_code == 201, made.text
    team = made.json()
    assert made.headers["location"] == f"/api/v1/teams/{team['id']}"
    assert team["name"] == "East" and team["head"]["email"] == "head@accord.test"
    assert team["members"] == [] and team["member_count"] == 0
    assert admin.post("/api/v1/teams", json={"name": "east"}).status_code == 409
    bad = admin.post("/api/v1/teams", json={"name": "A\u0007B", "head_id": cast.owner.id})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert admin.post("/api/v1/teams", json={"name": "x" * 121}).status_code == 422
    assert admin.post("/api/v1/teams", json={"name": "X", "head_id": "1"}).status_code == 422
    url = f"/api/v1/teams/{team['id']}"
    added = admin.post(f"{url}/members", json={"user_id": cast.outsider.id})
    assert added.status_code == 200 and added.json()["member_count"] == 1
    patched = admin.patch(url, json={"name": "Eastern", "head_id": None})
    assert patched.status_code == 200
    assert patched.json()["name"] == "Eastern" and patched.json()["head"] is None
    assert admin.patch(url, json={"head_id": cast.viewer.id}).status_code == 422
    assert admin.patch(url, json={"name": "North"}).status_code == 409
    listed = {t["name"]: t for t in admin.get("/api/v1/teams").json()}
    assert listed["Eastern"]["member_count"] == 1 and listed["South"]["member_count"] == 0
    assert admin.delete(url).status_code == 409
    assert admin.delete(f"{url}/members/{cast.outsider.id}").status_code == 204
    assert admin.delete(f"{url}/members/{cast.outsider.id}").status_code == 404
    assert admin.delete(url).status_code == 204
    assert admin.get(url).status_code == 404


@pytest.mark.parametrize("who", ["head", "owner", "viewer", "billing"])
def test_only_an_admin_writes_teams_over_the_api(app, cast, sessions, db, who) -> None:
    client = api_client(app, cast.token(sessions, who))
    north = db.get(User, cast.owner.id).team_id
    db.rollback()  # end the arranging transaction before the app writes
    assert client.post("/api/v1/teams", json={"name": "Mine"}).status_code == 403
    assert client.patch(f"/api/v1/teams/{north}", json={"name": "Mine"}).status_code == 403
    assert client.delete(f"/api/v1/teams/{north}").status_code == 403
    member = client.post(f"/api/v1/teams/{north}/members", json={"user_id": cast.outsider.id})
    assert member.status_code == 403
    assert client.delete(f"/api/v1/teams/{north}/members/{cast.owner.id}").status_code == 403


def test_a_head_reads_their_own_team_over_the_api_and_no_other(app, cast, sessions, db) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    north = db.get(User, cast.owner.id).team_id
    south = db.get(User, cast.outsider.id).team_id
    db.rollback()  # end the arranging transaction before the app writes
    assert [t["name"] for t in head.get("/api/v1/teams").json()] == ["North"]
    members = head.get(f"/api/v1/teams/{north}").json()["members"]
    assert sorted(m["email"] for m in members) == ["owner@accord.test", "teammate@accord.test"]
    assert head.get(f"/api/v1/teams/{south}").status_code == 404
    assert head.get("/api/v1/teams/999999").status_code == 404
    owner = api_client(app, cast.token(sessions, "owner"))
    assert owner.get("/api/v1/teams").status_code == 403


def test_on_a_fresh_install_a_head_sees_a_manager_s_accounts_once_teams_are_made(
    database_url, app, db
) -> None:
    assert run(database_url, "users", "create", "root@fresh.test", "--role", "admin").exit_code == 0
    made = run(database_url, "users", "token", "root@fresh.test")
    assert made.exit_code == 0, made.output
    admin = api_client(app, made.stdout.strip())
    head = admin.post("/api/v1/users", json={"email": "hd@fresh.test", "role": "head"}).json()
    mgr = admin.post("/api/v1/users", json={"email": "mg@fresh.test", "role": "manager"}).json()

    def client_of(email: str):
        return api_client(app, run(database_url, "users", "token", email).stdout.strip())

    head_client, mgr_client = client_of("hd@fresh.test"), client_of("mg@fresh.test")
    account = mgr_client.post("/api/v1/accounts", json={"name": "Initech"})
    assert account.status_code == 201, account.text
    account_url = f"/api/v1/accounts/{account.json()['id']}"
    assert head_client.get(account_url).status_code == 404
    team = admin.post("/api/v1/teams", json={"name": "Key Accounts", "head_id": head["id"]})
    assert team.status_code == 201, team.text
    joined = admin.post(f"/api/v1/teams/{team.json()['id']}/members", json={"user_id": mgr["id"]})
    assert joined.status_code == 200, joined.text
    assert head_client.get(account_url).status_code == 200
    names = [a["name"] for a in head_client.get("/api/v1/accounts").json()["items"]]
    assert names == ["Initech"]


# ---------------------------------------------------------------- the CLI


def test_the_cli_administers_teams(database_url, cast, db, monkeypatch) -> None:
    from accord.cli import common

    monkeypatch.setattr(common.console, "width", 200)
    made = run(database_url, "teams", "create", "East", "--head", "head@accord.test")
    assert made.exit_code == 0, made.output
    assert "created team East" in made.stdout
    steps = [
        (["teams", "rename", "east", "Eastern"], "renamed to Eastern"),
        (["teams", "set-head", "Eastern", "otherhead@accord.test"], "head otherhead@accord.test"),
        (["teams", "add-member", "Eastern", "owner@accord.test"], "moved from team North"),
        (["teams", "add-member", "Eastern", "owner@accord.test"], "already in team"),
        (["teams", "remove-member", "Eastern", "owner@accord.test"], "removed from team"),
        (["teams", "set-head", "Eastern", "--clear"], "head none"),
    ]
    for args, expected in steps:
        result = run(database_url, *args)
        assert result.exit_code == 0, (args, result.output)
        assert expected in result.stdout, (args, result.stdout)
    shown = run(database_url, "teams", "show", "North")
    assert shown.exit_code == 0 and "teammate@accord.test" in shown.stdout
    assert "owner@accord.test" not in shown.stdout  # moved to Eastern, then removed
    digits = run(database_url, "teams", "create", "2027")
    assert digits.exit_code == 0 and run(database_url, "teams", "delete", "2027").exit_code == 0
    listed = run(database_url, "teams", "list")
    assert listed.exit_code == 0 and "Eastern" in listed.stdout and "North" in listed.stdout
    team_id = db.scalar(select(Team.id).where(Team.name == "Eastern"))
    db.rollback()  # end the arranging transaction before the app writes
    assert run(database_url, "teams", "delete", str(team_id)).exit_code == 0
    db.rollback()  # a fresh snapshot: the command committed in its own transaction
    assert db.get(Team, team_id) is None
    entry = audit_of(db, "delete")[-1]
    assert entry.before is not None
    assert entry.actor.startswith("cli") and entry.before["name"] == "Eastern"


def test_the_cli_refuses_bad_input_with_a_message_and_a_non_zero_exit(database_url, cast) -> None:
    cases = [
        (["teams", "create", "north"], "already exists"),
        (["teams", "create", " "], "name"),
        (["teams", "create", "East", "--head", "owner@accord.test"], "role head or admin"),
        (["teams", "create", "East", "--head", "ghost@accord.test"], "no user"),
        (["teams", "rename", "Nowhere", "X"], "no team"),
        (["teams", "delete", "North"], "remove or move them first"),
        (["teams", "set-head", "North"], "--clear"),
        (["teams", "remove-member", "South", "owner@accord.test"], "not a member"),
        (["--as", "head@accord.test", "teams", "create", "Mine"], "admin"),
        (["--as", "owner@accord.test", "teams", "list"], "admin or head"),
    ]
    for args, message in cases:
        result = run(database_url, *args)
        assert result.exit_code != 0, args
        assert message in " ".join(result.stderr.split()), (args, result.stderr)
    own = run(database_url, "--as", "head@accord.test", "teams", "list")
    assert own.exit_code == 0 and "North" in own.stdout and "South" not in own.stdout


# ---------------------------------------------------------------- the pages


@pytest.mark.parametrize("who", ["head", "owner", "viewer"])
def test_only_admins_reach_team_administration(client, cast, db, who) -> None:
    token = sign_in(client, getattr(cast, who).email)
    north = db.get(User, cast.owner.id).team_id
    db.rollback()  # end the arranging transaction before the app writes
    assert client.get("/admin/teams").status_code == 403
    assert client.get(f"/admin/teams/{north}").status_code == 403
    response = client.post("/admin/teams", data={"csrf_token": token, "name": "Mine"})
    assert response.status_code == 403
    response = client.post(f"/admin/teams/{north}/delete", data={"csrf_token": token})
    assert response.status_code == 403


def test_the_admin_manages_a_team_on_the_pages(client, cast, db) -> None:
    token = sign_in(client, "admin@accord.test")
    listing = client.get("/admin/teams")
    assert listing.status_code == 200
    row = listing.text.split(">North</a>", 1)[1].split("</tr>", 1)[0]
    assert "Hannah Head" in row and ">2<" in row
    assert 'href="/admin/teams"' in client.get("/accounts").text  # in the navigation
    bad = client.post("/admin/teams", data={"csrf_token": token, "name": "NORTH", "head_id": ""})
    assert bad.status_code == 422
    assert 'id="t-name-error"' in bad.text and "already exists" in bad.text
    assert 'value="NORTH"' in bad.text and 'id="new-team" open' in bad.text
    bad = client.post(
        "/admin/teams", data={"csrf_token": token, "name": "East", "head_id": str(cast.owner.id)}
    )
    assert bad.status_code == 422 and 'id="t-head_id-error"' in bad.text
    made = client.post(
        "/admin/teams",
        data={"csrf_token": token, "name": "East", "head_id": str(cast.head.id)},
        follow_redirects=False,
    )
    assert made.status_code == 303
    url = made.headers["location"]
    page = client.get(url).text
    assert "<h1>East</h1>" in page and "Nobody is in this team yet" in page
    assert re.search(rf'<option value="{cast.owner.id}">Olivia Owner [^<]*now in North', page)
    add = client.post(
        f"{url}/members",
        data={"csrf_token": token, "user_id": str(cast.owner.id)},
        follow_redirects=False,
    )
    assert add.status_code == 303
    page = client.get(url).text
    assert "owner@accord.test" in page and "moved from North" in page
    empty = client.post(f"{url}/members", data={"csrf_token": token, "user_id": ""})
    assert empty.status_code == 422 and 'id="m-user_id-error"' in empty.text
    refused = client.post(f"{url}/delete", data={"csrf_token": token})
    assert refused.status_code == 409 and "remove or move them first" in refused.text
    renamed = client.post(
        url, data={"csrf_token": token, "name": "Eastern", "head_id": ""}, follow_redirects=False
    )
    assert renamed.status_code == 303
    bad = client.post(url, data={"csrf_token": token, "name": "", "head_id": ""})
    assert bad.status_code == 422 and 'id="e-name-error"' in bad.text
    remove = re.search(r'action="(/admin/teams/\d+/members/\d+/remove)"', client.get(url).text)
    assert remove is not None
    assert client.post(remove.group(1), data={"csrf_token": token}).status_code == 200
    gone = client.post(f"{url}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/admin/teams"
    assert "Eastern" not in client.get("/admin/teams").text
    actions = [e.action for e in audit_of(db, "create") + audit_of(db, "delete")]
    assert actions == ["create", "delete"]
