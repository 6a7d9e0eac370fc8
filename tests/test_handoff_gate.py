"""The gate: a company in onboarding becomes active only by accepting its hand-off — through
every door (service, API PATCH, the edit page, the import from the CLI, the API and the
service) a clear error names the hand-off; creating into active is for admins and heads."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from accord.accounts.models import Account, AccountKind, AccountStatus
from accord.accounts.schemas import AccountIn, AccountPatch
from accord.accounts.service import create_account, update_account
from accord.app.commands import app as cli_app
from accord.core.errors import ValidationFailed
from accord.exchange.importing import run_import
from accord.handoffs import service
from accord.handoffs.models import Handoff
from accord.handoffs.rules import AnswerKind
from accord.handoffs.schemas import ItemAnswer
from conftest import api_client
from page_helpers import sign_in

DAY = date(2026, 3, 2)


def onboarding_company(sessions, cast, name: str = "Initech", external_id: str = "INI"):
    """The owner's new company (onboarding, with the draft hand-off the owner writes)."""
    with sessions.begin() as s:
        owner = s.merge(cast.owner)
        account = create_account(s, owner, AccountIn(name=name, external_id=external_id))
        handoff = s.scalar(select(Handoff).where(Handoff.account_id == account.id))
        assert account.status == "onboarding" and handoff is not None
        assert (handoff.author_id, handoff.receiver_id) == (cast.owner.id, cast.owner.id)
        return account.id, handoff.id


def status_of(sessions, account_id: int) -> str:
    with sessions() as s:
        return str(s.scalar(select(Account.status).where(Account.id == account_id)))


def test_the_service_refuses_and_names_the_handoff(sessions, cast):
    account_id, handoff_id = onboarding_company(sessions, cast)
    with sessions.begin() as s:
        for who in ("owner", "head", "admin"):
            with pytest.raises(ValidationFailed) as refused:
                update_account(s, s.merge(getattr(cast, who)), account_id,
                               AccountPatch(status=AccountStatus("active")))
            assert refused.value.problems[0].field == "status"
            assert f"accept hand-off #{handoff_id}" in refused.value.problems[0].message
        # other moves stay free: back to prospect, then onboarding again keeps the one draft
        owner = s.merge(cast.owner)
        update_account(s, owner, account_id, AccountPatch(status=AccountStatus("prospect")))
        update_account(s, owner, account_id, AccountPatch(status=AccountStatus("onboarding")))
        assert len(list(s.scalars(select(Handoff).where(Handoff.account_id == account_id)))) == 1
        # accepting is the way
        for item in service.get_handoff(s, owner, handoff_id, today=DAY).items:
            service.answer_item(s, owner, handoff_id, item.key,
                                ItemAnswer(kind=AnswerKind("text"), text="x"))
        service.submit_handoff(s, owner, handoff_id, today=DAY)
        assert service.accept_handoff(s, owner, handoff_id, today=DAY).account_status == "active"


def test_the_way_round_through_prospect_is_closed(sessions, cast):
    """onboarding → prospect → active would walk round the gate: a prospect becomes a client
    through onboarding, except for an admin or a head (who may create into active)."""
    account_id, handoff_id = onboarding_company(sessions, cast)
    with sessions.begin() as s:
        owner = s.merge(cast.owner)
        update_account(s, owner, account_id, AccountPatch(status=AccountStatus("prospect")))
        with pytest.raises(ValidationFailed) as refused:
            update_account(s, owner, account_id, AccountPatch(status=AccountStatus("active")))
        assert refused.value.problems[0].field == "status"
        assert "through onboarding" in refused.value.problems[0].message
        assert status_of_in(s, account_id) == "prospect"
        head = s.merge(cast.head)
        update_account(s, head, account_id, AccountPatch(status=AccountStatus("active")))
        assert status_of_in(s, account_id) == "active"


def status_of_in(s, account_id: int) -> str:
    return str(s.scalar(select(Account.status).where(Account.id == account_id)))


def test_without_an_open_handoff_the_message_says_to_open_one(sessions, cast):
    with sessions.begin() as s:
        acme = s.get(Account, cast.acme_id)
        acme.status = "onboarding"  # as if an older row: no hand-off
        s.flush()
        with pytest.raises(ValidationFailed) as refused:
            update_account(s, s.merge(cast.admin), cast.acme_id,
                           AccountPatch(status=AccountStatus("active")))
        assert "open a hand-off" in refused.value.detail


def test_creating_into_active_is_for_admins_and_heads(sessions, cast):
    with sessions.begin() as s:
        owner, head, admin = s.merge(cast.owner), s.merge(cast.head), s.merge(cast.admin)
        with pytest.raises(ValidationFailed) as refused:
            create_account(s, owner, AccountIn(name="Straight in", status=AccountStatus("active")))
        assert refused.value.problems[0].field == "status"
        assert "admin or a head" in refused.value.problems[0].message
        made = create_account(s, head, AccountIn(name="Loaded", manager_id=cast.owner.id,
                                                 status=AccountStatus("active")))
        assert made.status == "active"
        assert create_account(s, admin, AccountIn(name="Default")).status == "active"
        # a person (B2C) needs no hand-off: active for anyone, no draft
        person = create_account(s, owner, AccountIn(name="Pat", kind=AccountKind("person"),
                                                    status=AccountStatus("active")))
        assert s.scalar(select(Handoff.id).where(Handoff.account_id == person.id)) is None
        # an admin's new company in onboarding gets a draft without an author
        onboard = create_account(s, admin, AccountIn(name="Onb", manager_id=cast.owner.id,
                                                     status=AccountStatus("onboarding")))
        draft = s.scalar(select(Handoff).where(Handoff.account_id == onboard.id))
        assert draft is not None and draft.author_id is None and draft.receiver_id == cast.owner.id


def test_the_api_patch_and_create_are_refused(app, sessions, cast):
    account_id, handoff_id = onboarding_company(sessions, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    patched = owner.patch(f"/api/v1/accounts/{account_id}", json={"status": "active"})
    assert patched.status_code == 422
    body = patched.json()
    assert body["errors"][0]["field"] == "status"
    assert f"hand-off #{handoff_id}" in body["errors"][0]["message"]
    assert status_of(sessions, account_id) == "onboarding"
    created = owner.post("/api/v1/accounts", json={"name": "Api Co", "status": "active"})
    assert created.status_code == 422 and created.json()["errors"][0]["field"] == "status"
    default = owner.post("/api/v1/accounts", json={"name": "Api Default"})
    assert default.status_code == 201 and default.json()["status"] == "onboarding"
    admin = api_client(app, cast.token(sessions, "admin"))
    loaded = admin.post("/api/v1/accounts", json={"name": "Api Admin", "status": "active",
                                                  "manager_id": cast.owner.id})
    assert loaded.status_code == 201 and loaded.json()["status"] == "active"


def test_the_edit_page_shows_the_error_beside_status(client, sessions, cast):
    account_id, handoff_id = onboarding_company(sessions, cast)
    token = sign_in(client, "owner@accord.test")
    response = client.post(
        f"/accounts/{account_id}/edit",
        data={"csrf_token": token, "name": "Initech", "kind": "company", "status": "active",
              "external_id": "INI", "manager_id": str(cast.owner.id)},
    )
    assert response.status_code == 422
    error = re.search(r'<p class="field-error" id="a-status-error">([^<]*)</p>', response.text)
    assert error and f"hand-off #{handoff_id}" in error.group(1)
    assert status_of(sessions, account_id) == "onboarding"


ACTIVATE = "external_id,name,kind,status\nINI,Initech,company,active\n"


def test_the_cli_import_reports_the_row(database_url, sessions, cast, tmp_path):
    account_id, handoff_id = onboarding_company(sessions, cast)
    path = tmp_path / "accounts.csv"
    path.write_text(ACTIVATE)
    result = CliRunner().invoke(cli_app, ["--database-url", database_url, "import", "accounts",
                                          str(path)])
    assert result.exit_code == 2, result.output
    assert "status" in result.output and f"hand-off #{handoff_id}" in result.output
    assert status_of(sessions, account_id) == "onboarding"


def test_the_api_and_service_imports_report_row_column_reason(app, sessions, cast):
    account_id, handoff_id = onboarding_company(sessions, cast)
    admin = api_client(app, cast.token(sessions, "admin"))
    response = admin.post("/api/v1/imports/accounts",
                          files={"file": ("a.csv", ACTIVATE.encode(), "text/csv")})
    assert response.status_code == 422, response.text
    assert f"hand-off #{handoff_id}" in response.text
    with sessions.begin() as s:
        report = run_import(s, s.merge(cast.admin), "accounts", io.BytesIO(ACTIVATE.encode()),
                            filename="a.csv", skip_invalid=True)
        problem = report.problems[0]
        assert (problem.row, problem.column) == (2, "status")
        assert f"hand-off #{handoff_id}" in problem.reason
    assert status_of(sessions, account_id) == "onboarding"


def test_an_import_opens_drafts_and_manager_handovers(sessions, cast):
    body = ("external_id,name,kind,status,manager_email\n"
            "NEWCO,New Co,company,onboarding,owner@accord.test\n"
            "ACME,Acme Industries,company,active,teammate@accord.test\n"
            "PAT,Pat,person,onboarding,owner@accord.test\n")
    with sessions.begin() as s:
        report = run_import(s, s.merge(cast.admin), "accounts", io.BytesIO(body.encode()),
                            filename="a.csv")
        assert not report.problems
        newco = s.scalar(select(Account.id).where(Account.external_id == "NEWCO"))
        draft = s.scalar(select(Handoff).where(Handoff.account_id == newco))
        assert draft is not None and (draft.kind, draft.author_id, draft.receiver_id) == (
            "sales", None, cast.owner.id)
        handover = s.scalar(select(Handoff).where(Handoff.account_id == cast.acme_id))
        assert handover is not None and (handover.kind, handover.author_id,
                                         handover.receiver_id) == (
            "manager", cast.owner.id, cast.teammate.id)
        pat = s.scalar(select(Account.id).where(Account.external_id == "PAT"))
        assert s.scalar(select(Handoff.id).where(Handoff.account_id == pat)) is None
