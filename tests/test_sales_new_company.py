"""A sales user's new company goes to the manager who receives it and its hand-off, chosen in
the new-account form (every active manager and head is offered), the API or the service; no
manager, or one who is not a manager or a head, is refused inline naming ``manager_id``.
Other roles keep their choices (a manager: themself; a head: themself and their teams')."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from accord.accounts.models import Account
from accord.accounts.service import assignable_managers
from accord.core.database import utcnow
from accord.core.models import User
from accord.handoffs.models import Handoff
from page_helpers import sign_in

SALES = "sam@accord.test"


def add_sales(sessions, password_hash: str) -> int:
    with sessions.begin() as s:
        sales = User(email=SALES, role="sales", name="Sam Sales", password_hash=password_hash,
                     capacity=100, is_active=True, created_at=utcnow())
        s.add(sales)
        s.flush()
        return sales.id


def offered(html: str) -> set[int]:
    select_html = html.split('id="a-manager_id"', 1)[1].split("</select>", 1)[0]
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select_html)}


def test_sales_is_offered_every_active_manager_and_head(sessions, cast, password_hash):
    sales_id = add_sales(sessions, password_hash)
    with sessions.begin() as s:
        s.get(User, cast.outsider.id).is_active = False
    with sessions.begin() as s:
        ids = {u.id for u in assignable_managers(s, s.get(User, sales_id))}
        owner_offers = {u.id for u in assignable_managers(s, s.get(User, cast.owner.id))}
    managers_and_heads = {cast.head.id, cast.other_head.id, cast.owner.id, cast.teammate.id}
    assert ids == managers_and_heads | {sales_id}  # themself: for a person (B2C)
    assert cast.admin.id not in ids and cast.outsider.id not in ids  # no admin, none inactive
    assert owner_offers == {cast.owner.id}  # a manager's new account stays their own


def test_the_form_offers_sales_the_managers_and_starts_in_onboarding(
    client, sessions, cast, password_hash
):
    add_sales(sessions, password_hash)
    sign_in(client, SALES)
    html = client.get("/accounts/new").text
    assert {cast.head.id, cast.owner.id, cast.teammate.id, cast.outsider.id} <= offered(html)
    assert "receive its hand-off" in html
    assert re.search(r'<option value="onboarding"[^>]*selected', html)
    assert not re.search(r'<option value="\d+"[^>]*selected', html.split('id="a-manager_id"')[1]
                         .split("</select>")[0])  # nobody chosen for them


def test_a_head_is_still_offered_only_their_teams(client, cast):
    sign_in(client, "head@accord.test")
    html = client.get("/accounts/new").text
    assert offered(html) == {cast.head.id, cast.owner.id, cast.teammate.id}
    assert re.search(r'<option value="active"[^>]*selected', html)


def _count(sessions, model) -> int:
    with sessions.begin() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_sales_without_a_manager_is_refused_inline_and_nothing_is_written(
    client, sessions, cast, password_hash
):
    add_sales(sessions, password_hash)
    token = sign_in(client, SALES)
    before = _count(sessions, Account)
    form = {"csrf_token": token, "name": "Initech", "kind": "company", "status": "onboarding"}
    response = client.post("/accounts/new", data={**form, "manager_id": ""})
    assert response.status_code == 422
    assert 'id="a-manager_id-error"' in response.text
    assert "choose the manager who will receive the account" in response.text
    response = client.post("/accounts/new", data={**form, "manager_id": str(cast.admin.id)})
    assert response.status_code == 422
    assert "is not a manager or a head" in response.text
    assert _count(sessions, Account) == before


def test_sales_chooses_the_receiving_manager_in_the_form(client, sessions, cast, password_hash):
    sales_id = add_sales(sessions, password_hash)
    token = sign_in(client, SALES)
    response = client.post("/accounts/new", follow_redirects=False, data={
        "csrf_token": token, "name": "Initech", "kind": "company", "status": "onboarding",
        "manager_id": str(cast.outsider.id),  # another team's manager: sales may choose them
    })
    assert response.status_code == 303
    account_id = int(response.headers["location"].rsplit("/", 1)[1])
    with sessions.begin() as s:
        account = s.get(Account, account_id)
        assert account is not None
        assert (account.manager_id, account.status) == (cast.outsider.id, "onboarding")
        handoff = s.scalar(select(Handoff).where(Handoff.account_id == account_id))
        assert handoff is not None
        assert (handoff.author_id, handoff.receiver_id) == (sales_id, cast.outsider.id)
    assert client.get(f"/accounts/{account_id}").status_code == 200  # the author sees it


def test_the_api_takes_the_receiving_manager_and_names_a_missing_one(
    client, sessions, cast, password_hash
):
    from accord.users.service import issue_token

    sales_id = add_sales(sessions, password_hash)
    with sessions.begin() as s:
        token = issue_token(s, None, sales_id, "test-sales").token
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post("/api/v1/accounts", json={"name": "Initech"}, headers=headers)
    assert refused.status_code == 422
    assert "manager_id" in refused.text
    created = client.post(
        "/api/v1/accounts", json={"name": "Initech", "manager_id": cast.head.id}, headers=headers
    )
    assert created.status_code == 201, created.text
    assert (created.json()["manager_id"], created.json()["status"]) == (cast.head.id, "onboarding")
