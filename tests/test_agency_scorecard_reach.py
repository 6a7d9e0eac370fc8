"""Who learns which account on the scorecard, on both databases: a manager of another team
who is a member of a department sees the department's briefs of accounts they do not see —
counted, with the account's name, but never its id (per-account rows, late briefs, effort;
the API, the page's row ids and links); the effort report's ``account_id`` filter answers
404 for an account out of reach, exactly like a missing one, and writes nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accord.agency.models import Brief, DepartmentMember
from accord.agency.scorecard import service
from accord.core.errors import NotFound
from accord.core.models import User
from conftest import api_client
from page_helpers import sign_in
from test_agency_scorecard_sql import add_brief, add_department

NOV = "period=2026-11"
START, END = date(2026, 11, 1), date(2026, 11, 30)


def _arrange(sessions, cast) -> dict[str, int]:
    """Creative delivers for Acme (late, with hours) and Globex; the outsider (Globex's
    manager, who does not see Acme) is a member of Creative."""
    with sessions.begin() as db:
        creative = add_department(db, "Creative")
        add_brief(db, cast.acme_id, creative.id, delivered=date(2026, 11, 10),
                  due=date(2026, 11, 6), turnaround=8, estimated="5", actual="7",
                  title="Acme late")
        add_brief(db, cast.globex_id, creative.id, delivered=date(2026, 11, 12),
                  due=date(2026, 11, 11), turnaround=3, estimated="2", actual="2",
                  title="Globex late")
        db.add(DepartmentMember(department_id=creative.id, user_id=cast.outsider.id))
        return {"creative": creative.id}


def _briefs(db) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(Brief)) or 0)


def test_a_department_member_gets_names_not_ids_of_accounts_they_do_not_see(
        sessions, cast, db) -> None:
    ids = _arrange(sessions, cast)
    outsider = db.get(User, cast.outsider.id)
    card = service.department_scorecard(db, outsider, ids["creative"], start=START, end=END,
                                        today=END)
    assert card.figures.delivered == 2  # the department's briefs are counted
    assert {(r.name, r.id) for r in card.accounts.items} == {
        ("Acme Industries", None), ("Globex Corporation", cast.globex_id)}
    assert {(b.account_name, b.account_id) for b in card.late} == {
        ("Acme Industries", None), ("Globex Corporation", cast.globex_id)}
    assert {(e.account_name, e.account_id) for e in card.effort.items} == {
        ("Acme Industries", None), ("Globex Corporation", cast.globex_id)}
    by_account = service.on_time(db, outsider, start=START, end=END, by="account")
    assert {(r.name, r.id) for r in by_account.items} == {
        ("Acme Industries", None), ("Globex Corporation", cast.globex_id)}
    effort = service.effort(db, outsider, start=START, end=END)
    assert {(e.account_name, e.account_id) for e in effort.items} == {
        ("Acme Industries", None), ("Globex Corporation", cast.globex_id)}
    # the admin sees every account: every id is given
    admin = db.get(User, cast.admin.id)
    full = service.department_scorecard(db, admin, ids["creative"], start=START, end=END,
                                        today=END)
    assert {r.id for r in full.accounts.items} == {cast.acme_id, cast.globex_id}
    assert {b.account_id for b in full.late} == {cast.acme_id, cast.globex_id}


def test_the_doors_leave_out_the_ids_of_accounts_out_of_reach(app, sessions, cast, db) -> None:
    ids = _arrange(sessions, cast)
    before = _briefs(db)
    outsider = api_client(app, cast.token(sessions, "outsider"))
    card = outsider.get(f"/api/v1/departments/{ids['creative']}/scorecard?{NOV}")
    assert card.status_code == 200, card.text
    body = card.json()
    rows = {r["name"]: r["id"] for r in body["accounts"]["items"]}
    assert rows == {"Acme Industries": None, "Globex Corporation": cast.globex_id}
    assert {b["account_name"]: b["account_id"] for b in body["late"]} == rows
    assert {e["account_name"]: e["account_id"] for e in body["effort"]["items"]} == rows
    effort = outsider.get(f"/api/v1/agency/effort?{NOV}").json()
    assert {e["account_name"]: e["account_id"] for e in effort["items"]} == rows
    on_time = outsider.get(f"/api/v1/agency/on-time?by=account&{NOV}").json()
    assert {r["name"]: r["id"] for r in on_time["items"]} == rows
    # the page: no row id, no link built from Acme's id
    client = TestClient(app)
    sign_in(client, "outsider@accord.test")
    page = client.get(f"/departments/{ids['creative']}/scorecard?{NOV}")
    assert page.status_code == 200, page.text
    assert "Acme Industries" in page.text
    assert f'id="account-{cast.globex_id}"' in page.text
    acme = str(cast.acme_id)
    assert f'id="account-{acme}"' not in page.text
    assert not re.search(rf"/accounts/{acme}\b", page.text)
    assert _briefs(db) == before


def test_the_effort_filter_answers_404_for_an_account_out_of_reach(
        app, sessions, cast, db) -> None:
    _arrange(sessions, cast)
    before = _briefs(db)
    outsider = api_client(app, cast.token(sessions, "outsider"))
    hidden = outsider.get(f"/api/v1/agency/effort?{NOV}&account_id={cast.acme_id}")
    missing = outsider.get(f"/api/v1/agency/effort?{NOV}&account_id=999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == f"no account {cast.acme_id}"
    assert missing.json()["detail"] == "no account 999999"
    assert "items" not in hidden.json() and "Acme" not in hidden.text
    own = outsider.get(f"/api/v1/agency/effort?{NOV}&account_id={cast.globex_id}")
    assert own.status_code == 200 and own.json()["account_id"] == cast.globex_id
    assert own.json()["overall"]["briefs"] == 1
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.get(f"/api/v1/agency/effort?{NOV}&account_id=999999").status_code == 404
    assert admin.get(
        f"/api/v1/agency/effort?{NOV}&account_id={cast.acme_id}").status_code == 200
    assert _briefs(db) == before


def test_the_effort_service_refuses_accounts_out_of_reach(sessions, cast, db) -> None:
    _arrange(sessions, cast)
    outsider = db.get(User, cast.outsider.id)
    for account_id in (cast.acme_id, 999_999):
        with pytest.raises(NotFound, match=f"^no account {account_id}$"):
            service.effort(db, outsider, start=START, end=END, account_id=account_id)
    specialist = User(email="spec@accord.test", role="specialist", name="Sam Specialist",
                      password_hash="x", capacity=0, is_active=True,
                      created_at=db.get(User, cast.admin.id).created_at)
    db.add(specialist)
    db.flush()
    with pytest.raises(NotFound, match=f"no account {cast.globex_id}"):
        service.effort(db, specialist, start=START, end=END, account_id=cast.globex_id)
    assert service.effort(db, outsider, start=START, end=END,
                          account_id=cast.globex_id).overall.briefs == 1
