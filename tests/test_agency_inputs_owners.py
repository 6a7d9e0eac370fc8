"""Who chases can act on it, on SQLite and PostgreSQL: a chase goes to the request's owner
only while they see the account and may change it (the rule a request's owner is chosen by,
``owners.may_own``), else to the account's manager, else to the head of the manager's team,
else to the first active admin; a user who manages accounts cannot be made a specialist (the
API and the admin page answer 422 on ``role``, nothing changed)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from accord.agency.inputs import chasing, owners, service
from accord.agency.inputs.schemas import InputIn
from accord.calendar.models import FollowUp
from accord.core.database import utcnow
from accord.core.errors import ValidationFailed
from accord.core.models import AuditEntry, User
from conftest import api_client
from page_helpers import sign_in

TODAY = date(2027, 3, 1)  # a Monday


def _user(db, who) -> User:
    return db.get(User, who.id)


def _request(db, cast, owner_id: int | None = None, by: str = "owner") -> int:
    data = {"account_id": cast.acme_id, "title": "Brand book", "due_on": "2027-03-12",
            "chase_days": 1}
    if owner_id is not None:
        data["owner_id"] = owner_id
    return service.request_input(db, _user(db, getattr(cast, by)), InputIn.model_validate(data),
                                 TODAY).id


def _chase_owner(db, input_id: int) -> int:
    chasing.run_chases(db, date(2027, 3, 2))
    [fu] = db.scalars(select(FollowUp).where(FollowUp.source_kind == "input_request",
                                             FollowUp.source_id == input_id)).all()
    return fu.owner_id


def test_may_own_is_the_owner_rule(db, cast) -> None:
    for who, may in (("owner", True), ("teammate", True), ("head", True), ("admin", True),
                     ("outsider", False), ("viewer", False), ("billing", False)):
        assert owners.may_own(db, _user(db, getattr(cast, who)), cast.acme_id) is may, who
    specialist = _user(db, cast.teammate)
    specialist.role = "specialist"
    assert owners.may_own(db, specialist, cast.acme_id) is False
    inactive = _user(db, cast.owner)
    inactive.is_active = False
    assert owners.may_own(db, inactive, cast.acme_id) is False
    assert owners.may_own(db, None, cast.acme_id) is False


def test_the_request_s_owner_gets_the_chase_while_they_may(db, cast) -> None:
    input_id = _request(db, cast, owner_id=cast.teammate.id)
    assert _chase_owner(db, input_id) == cast.teammate.id


@pytest.mark.parametrize("role", ["specialist", "viewer", "billing"])
def test_an_owner_who_can_no_longer_act_leaves_the_chase_to_the_manager(db, cast, role) -> None:
    input_id = _request(db, cast, owner_id=cast.teammate.id)
    _user(db, cast.teammate).role = role  # the owner's role changed since the request
    db.flush()
    assert _chase_owner(db, input_id) == cast.owner.id


def test_an_owner_off_the_account_team_leaves_the_chase_to_the_manager(db, cast) -> None:
    from accord.accounts.models import AccountMember

    input_id = _request(db, cast, owner_id=cast.teammate.id)
    db.delete(db.scalars(select(AccountMember).where(
        AccountMember.user_id == cast.teammate.id)).one())
    db.flush()
    assert _chase_owner(db, input_id) == cast.owner.id


def test_without_an_able_owner_or_manager_the_head_then_the_admin(db, cast) -> None:
    input_id = _request(db, cast)  # owned by Acme's manager
    manager = _user(db, cast.owner)
    manager.role = "specialist"  # stored directly: the service would refuse it
    db.flush()
    assert _chase_owner(db, input_id) == cast.head.id  # the head of the manager's team
    second = _request(db, cast, owner_id=cast.teammate.id, by="admin")
    _user(db, cast.teammate).is_active = False
    _user(db, cast.head).is_active = False
    db.flush()
    chasing.run_chases(db, date(2027, 3, 3))
    fu = db.scalars(select(FollowUp).where(FollowUp.source_id == second)
                    .order_by(FollowUp.id.desc()).limit(1)).one()
    assert fu.owner_id == cast.admin.id


def test_a_specialist_cannot_be_named_owner(db, cast) -> None:
    spec = User(email="spec@accord.test", role="specialist", name="Spec", capacity=100,
                is_active=True, created_at=utcnow())
    db.add(spec)
    db.flush()
    with pytest.raises(ValidationFailed) as caught:
        _request(db, cast, owner_id=spec.id)
    assert [p.field for p in caught.value.problems] == ["owner_id"]


# ---------------------------------------------------------------- role change


def test_the_api_refuses_making_a_manager_of_accounts_a_specialist(app, cast, sessions,
                                                                   db) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    refused = admin.patch(f"/api/v1/users/{cast.owner.id}", json={"role": "specialist"})
    assert refused.status_code == 422, refused.text
    assert '"role"' in refused.text and "manages 1 account" in refused.text
    assert "hand them over" in refused.text
    assert db.get(User, cast.owner.id).role == "manager"
    assert db.scalars(select(AuditEntry).where(AuditEntry.entity == "user",
                                               AuditEntry.action == "update")).all() == []
    # other roles see every account: allowed; one who manages nothing may become a specialist
    assert admin.patch(f"/api/v1/users/{cast.teammate.id}",
                       json={"role": "specialist"}).status_code == 200
    assert admin.patch(f"/api/v1/users/{cast.outsider.id}",
                       json={"role": "viewer"}).status_code == 200


def test_the_admin_page_shows_the_refusal_on_the_role(client, cast, db) -> None:
    token = sign_in(client, "admin@accord.test")
    response = client.post(f"/admin/users/{cast.owner.id}", data={
        "csrf_token": token, "name": "Olivia Owner", "role": "specialist", "team_id": "",
        "segment": "", "capacity": "100", "is_active": "on"}, follow_redirects=False)
    assert response.status_code == 422
    assert "manages 1 account" in response.text and "hand them over" in response.text
    db.expire_all()
    assert db.get(User, cast.owner.id).role == "manager"
