"""Account owners from CRM exports (issue 9: B12): by e-mail, by an unambiguous user name, or
through the CRM user map; an owner matching nobody is a row problem, or — when asked — the
account is imported without a manager and counted. Never dropped silently."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from conftest import api_client
from import_helpers import FIXTURES, audit_entries
from page_helpers import sign_in

runner = CliRunner()
OWNER_IDS = FIXTURES / "salesforce_accounts_owner_ids.csv"
OWNER_NAMES = FIXTURES / "hubspot_companies_owner_names.csv"
USERS = FIXTURES / "salesforce_users.csv"


def accord(database_url: str, *args: str):
    return runner.invoke(cli_app, ["--database-url", database_url, *args])


def managers(db, source: str) -> dict[str, int | None]:
    from accord.accounts.models import Account, AccountExternalId

    db.expire_all()
    return dict(db.execute(
        select(AccountExternalId.value, Account.manager_id)
        .join(Account, Account.id == AccountExternalId.account_id)
        .where(AccountExternalId.source == source)).all())


def imp(db, user, path, source, **options):
    from accord.exchange.importing import run_import

    return run_import(db, db.merge(user), "accounts", path, source=source, **options)


def test_owners_named_by_display_name_are_matched_case_and_spacing_aside(db, cast):
    report = imp(db, cast.admin, OWNER_NAMES, "hubspot", skip_invalid=True)
    assert (report.status, report.inserted, report.skipped) == ("imported", 2, 1)
    assert managers(db, "hubspot") == {"9101": cast.owner.id, "9102": cast.head.id}
    (problem,) = report.problems
    assert (problem.row, problem.column) == (4, "Company owner")
    assert problem.reason.startswith("unknown owner 'Nobody Known'")


def test_an_unknown_owner_rejects_the_file_unless_asked_to_leave_it_unassigned(db, cast):
    rejected = imp(db, cast.admin, OWNER_NAMES, "hubspot")
    assert (rejected.status, rejected.invalid_rows) == ("rejected", 1)
    db.rollback()
    report = imp(db, cast.admin, OWNER_NAMES, "hubspot", unassign_unknown_owners=True)
    assert (report.status, report.inserted, report.owners_unassigned) == ("imported", 3, 1)
    assert managers(db, "hubspot") == {"9101": cast.owner.id, "9102": cast.head.id,
                                       "9103": None}
    assert report.summary()["owners_unassigned"] == 1  # in the audit entry


def test_a_name_two_users_share_is_ambiguous(db, cast, password_hash):
    from accord.core.database import utcnow
    from accord.core.models import User

    db.add(User(email="olivia2@accord.test", name="olivia OWNER", role="manager",
                password_hash=password_hash, capacity=100, is_active=True, created_at=utcnow()))
    db.flush()
    report = imp(db, cast.admin, OWNER_NAMES, "hubspot", unassign_unknown_owners=True)
    assert report.status == "rejected"
    (problem,) = report.problems
    assert problem.row == 2 and "ambiguous owner 'Olivia Owner'" in problem.reason
    assert "olivia2@accord.test" in problem.reason and "owner@accord.test" in problem.reason


def test_salesforce_owner_ids_are_not_dropped_but_mapped(database_url, sessions, cast):
    before = accord(database_url, "import", "accounts", str(OWNER_IDS), "--source", "salesforce")
    assert before.exit_code == 2, before.output  # not silently imported without managers
    assert "unknown owner '005A0000001'" in before.output
    mapped = accord(database_url, "import", "user-map", str(USERS), "--source", "salesforce")
    assert mapped.exit_code == 0, mapped.output
    result = accord(database_url, "import", "accounts", str(OWNER_IDS), "--source", "salesforce")
    assert result.exit_code == 0, result.output
    with sessions() as db:
        assert managers(db, "salesforce") == {"001B000001": cast.owner.id,
                                              "001B000002": cast.head.id}
        assert [a for a, _ in audit_entries(db, "crm_user_map")] == ["create", "create"]
    again = accord(database_url, "import", "user-map", str(USERS), "--source", "salesforce")
    assert again.exit_code == 0 and "unchanged" in again.output


def test_a_bad_user_map_is_rejected_whole(database_url, cast, tmp_path):
    bad = tmp_path / "users.csv"
    bad.write_text("Id,Email\n005X,nobody@nowhere.test\n005Y,owner@accord.test\n005Y,head@accord.test\n")
    result = accord(database_url, "import", "user-map", str(bad), "--source", "salesforce")
    assert result.exit_code == 2
    assert "unknown user e-mail 'nobody@nowhere.test'" in result.output
    assert "duplicate of row 3" in result.output


def test_the_api_imports_a_user_map_and_takes_the_unassign_option(app, sessions, cast):
    client = api_client(app, cast.token(sessions, "admin"))
    response = client.post("/api/v1/imports/user-map", data={"source": "salesforce"},
                           files={"file": ("users.csv", USERS.read_bytes(), "text/csv")})
    assert response.status_code == 200, response.text
    assert (response.json()["kind"], response.json()["inserted"]) == ("user-map", 2)
    files = {"file": ("companies.csv", OWNER_NAMES.read_bytes(), "text/csv")}
    refused = client.post("/api/v1/imports/accounts", data={"source": "hubspot"}, files=files)
    assert refused.status_code == 422
    done = client.post("/api/v1/imports/accounts", files=files,
                       data={"source": "hubspot", "unassign_unknown_owners": "true"})
    assert done.status_code == 200, done.text
    assert (done.json()["inserted"], done.json()["owners_unassigned"]) == (3, 1)


def test_the_import_page_offers_the_user_map_and_the_unassign_option(client, cast):
    token = sign_in(client, "admin@accord.test")
    page = client.get("/import").text
    assert 'value="user-map"' in page and 'name="unassign_unknown_owners"' in page
    mapped = client.post("/import", data={"kind": "user-map", "source": "salesforce",
                                          "csrf_token": token},
                         files={"file": ("users.csv", USERS.read_bytes())})
    assert mapped.status_code == 200, mapped.text
    done = client.post("/import", data={"kind": "accounts", "source": "hubspot",
                                        "unassign_unknown_owners": "true", "csrf_token": token},
                       files={"file": ("companies.csv", OWNER_NAMES.read_bytes())})
    assert done.status_code == 200
    assert 'data-count="without_manager">1<' in done.text
