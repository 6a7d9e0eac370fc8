"""The hand-off pages: the lists, one hand-off's checklist form (answer, submit, accept,
return), starting one from an account, the admin's checklist templates; on both databases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from page_helpers import found, sign_in

HTMX = {"HX-Request": "true"}
SALES = "sales@accord.test"
OWNER = "owner@accord.test"


@pytest.fixture(autouse=True)
def _see_redirects(client):
    client.follow_redirects = False  # a saved form answers 303; its page is asked for apart


@dataclass
class World:
    account_id: int  # Initech, a company in onboarding managed by the owner
    handoff_id: int  # its draft hand-off, written by the sales user
    contact_id: int
    interaction_id: int
    other_id: int  # Umbrella, another company in onboarding, without a hand-off yet


@pytest.fixture
def world(sessions, cast, password_hash) -> World:
    from accord.accounts import contacts as contact_service
    from accord.accounts.models import Account, AccountMember, InteractionKind
    from accord.accounts.schemas import ContactIn, InteractionIn
    from accord.core.database import utcnow
    from accord.core.models import User
    from accord.handoffs import service
    from accord.handoffs.schemas import HandoffCreate

    today = utcnow().date()
    with sessions.begin() as s:
        now = utcnow()
        north = s.get(User, cast.owner.id).team_id
        sales = User(email=SALES, role="sales", name="Sam Sales", password_hash=password_hash,
                     capacity=100, is_active=True, created_at=now, team_id=north)
        s.add(sales)
        made = {}
        for name in ("Initech", "Umbrella"):
            account = Account(name=name, name_key=name.lower(), kind="company",
                              status="onboarding", manager_id=cast.owner.id, created_at=now,
                              updated_at=now)
            s.add(account)
            s.flush()
            s.add(AccountMember(account_id=account.id, user_id=sales.id, role="member"))
            made[name] = account.id
        s.flush()
        contact = contact_service.add_contact(s, sales, made["Initech"],
                                              ContactIn(name="Ivy Initech", title="CFO"))
        interaction = contact_service.log_interaction(
            s, sales, made["Initech"],
            InteractionIn(kind=InteractionKind.MEETING, occurred_on=today,
                          summary="Signed the contract"),
            today=today,
        )
        handoff = service.create_handoff(s, sales, made["Initech"], HandoffCreate(), today=today)
    return World(made["Initech"], handoff.id, contact.id, interaction.id, made["Umbrella"])


def _items(sessions, handoff_id: int) -> list:
    from accord.handoffs.models import HandoffItem

    with sessions() as s:
        return list(s.scalars(select(HandoffItem).where(HandoffItem.handoff_id == handoff_id)
                              .order_by(HandoffItem.position)))


def _answer_all(client, csrf: str, world: World, sessions, *, skip: str | None = None) -> None:
    """Answer every item with text, except ``skip``."""
    for item in _items(sessions, world.handoff_id):
        if item.key == skip:
            continue
        data = {"kind": "text", "text": f"answer to {item.key}"}
        response = client.post(f"/handoffs/{world.handoff_id}/items/{item.key}",
                               data={**data, "csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == 303, response.text


def _status(sessions, account_id: int) -> str:
    from accord.accounts.models import Account

    with sessions() as s:
        return s.get(Account, account_id).status


# ---------------------------------------------------------------- the pages render


def test_the_author_sees_the_checklist_form_with_the_account_s_evidence(client, cast, world):
    sign_in(client, SALES)
    page = client.get(f"/handoffs/{world.handoff_id}")
    assert page.status_code == 200
    html = page.text
    assert f"Hand-off #{world.handoff_id}: Initech" in html
    assert 'id="item-decision_makers"' in html and "Decision makers and their roles" in html
    assert f'<option value="{world.contact_id}"' in html and "Ivy Initech" in html
    assert f'<option value="{world.interaction_id}"' in html and "Signed the contract" in html
    assert "Submit hand-off" in html and "Accept hand-off" not in html
    assert 'data-testid="completeness">0 %' in html
    assert 'href="/handoffs"' in html  # the navigation


def test_the_lists_show_each_box_with_its_empty_state(client, cast, world):
    sign_in(client, SALES)
    mine = client.get("/handoffs").text  # a sales user starts on the hand-offs they wrote
    assert 'aria-current="page">Written by me' in mine
    assert f'href="/handoffs/{world.handoff_id}"' in mine and "Initech" in mine
    returned = client.get("/handoffs?box=returned").text
    assert "Nothing returned" in returned and f"/handoffs/{world.handoff_id}" not in returned
    odd = client.get("/handoffs?box=nonsense&sort=sideways&page=7")
    assert odd.status_code == 200 and "Nothing on this page" in odd.text

    sign_in(client, OWNER)
    waiting = client.get("/handoffs").text  # a manager starts on what waits for them
    assert 'aria-current="page">Waiting for me' in waiting and "Nothing waiting for you" in waiting
    assert f"/handoffs/{world.handoff_id}" in client.get("/handoffs?box=all").text


def test_an_outsider_gets_a_404_that_names_nothing(client, cast, world):
    sign_in(client, "outsider@accord.test")
    page = client.get(f"/handoffs/{world.handoff_id}")
    assert page.status_code == 404 and "Initech" not in page.text
    assert "Initech" not in client.get("/handoffs?box=all").text
    assert client.get(f"/accounts/{world.account_id}/handoffs/new").status_code == 404


def test_read_only_roles_see_no_form_and_are_refused(client, cast, world, sessions):
    csrf = sign_in(client, "viewer@accord.test")
    page = client.get(f"/handoffs/{world.handoff_id}")  # a viewer sees every account
    assert page.status_code == 200 and "Decision makers and their roles" in page.text
    assert "Save answer" not in page.text and "Submit hand-off" not in page.text
    assert 'id="no-action"' in page.text
    response = client.post(f"/handoffs/{world.handoff_id}/items/open_issues",
                           data={"kind": "text", "text": "x", "csrf_token": csrf})
    assert response.status_code == 403
    assert all(i.answer_kind is None for i in _items(sessions, world.handoff_id))


def test_the_account_page_names_its_hand_off(client, cast, world):
    sign_in(client, OWNER)
    html = client.get(f"/accounts/{world.account_id}").text
    panel = html.split('id="handoffs-panel"', 1)[1]
    assert f'href="/handoffs/{world.handoff_id}">Hand-off #{world.handoff_id}</a>' in panel
    assert "draft" in panel
    other = client.get(f"/accounts/{world.other_id}").text
    assert f'href="/accounts/{world.other_id}/handoffs/new"' in other  # "Start hand-off"


# ---------------------------------------------------------------- answering


def test_answers_of_each_kind_are_saved_and_the_bar_follows(client, cast, world, sessions):
    csrf = sign_in(client, SALES)
    url = f"/handoffs/{world.handoff_id}/items"
    cases = {
        "decision_makers": {"kind": "contact", "contact_id": str(world.contact_id),
                            "text": "signs", "reason": "ignored: not this kind's field"},
        "sold_and_promised": {"kind": "interaction", "interaction_id": str(world.interaction_id)},
        "contract_term": {"kind": "file", "text": "contract-2026.pdf"},
        "success_criteria": {"kind": "link", "text": "https://wiki.example.com/initech"},
        "open_issues": {"kind": "not_applicable", "reason": "nothing open at signature"},
    }
    for key, data in cases.items():
        response = client.post(f"{url}/{key}", data={**data, "csrf_token": csrf},
                               headers=HTMX)
        assert response.status_code == 200, response.text
        assert response.text.lstrip().startswith("<section")  # only the checklist, for htmx
    assert 'data-testid="completeness">71 %' in response.text  # 5 of 7 required
    stored = {i.key: i for i in _items(sessions, world.handoff_id)}
    assert stored["decision_makers"].contact_id == world.contact_id
    assert stored["decision_makers"].na_reason is None
    assert stored["sold_and_promised"].interaction_id == world.interaction_id
    assert stored["contract_term"].answer == "contract-2026.pdf"
    assert stored["open_issues"].answer_kind == "not_applicable"
    page = client.get(f"/handoffs/{world.handoff_id}").text
    assert "Ivy Initech" in page and "nothing open at signature" in page


@pytest.mark.parametrize("data, field", [
    ({"kind": "not_applicable"}, "reason"),
    ({"kind": "link", "text": "javascript:alert(1)"}, "text"),
    ({"kind": "contact", "contact_id": "999999"}, "contact_id"),
    ({"kind": "sideways", "text": "x"}, "kind"),
])
def test_a_bad_answer_is_an_inline_error_and_nothing_is_saved(
    client, cast, world, sessions, data, field
):
    csrf = sign_in(client, SALES)
    response = client.post(f"/handoffs/{world.handoff_id}/items/open_issues",
                           data={**data, "csrf_token": csrf})
    assert response.status_code == 422
    box = response.text.split('id="i-open_issues-errors"', 1)[1][:400]
    assert field.removesuffix("_id").replace("_", " ") in box
    assert all(i.answer_kind is None for i in _items(sessions, world.handoff_id))


def test_an_answer_from_a_stale_page_is_refused_with_409(client, cast, world, sessions):
    csrf = sign_in(client, SALES)
    url = f"/handoffs/{world.handoff_id}/items"
    first = client.post(f"{url}/open_issues", data={"kind": "text", "text": "a",
                                                     "version": "1", "csrf_token": csrf})
    assert first.status_code == 303
    stale = client.post(f"{url}/first_review", data={"kind": "text", "text": "b",
                                                      "version": "1", "csrf_token": csrf})
    assert stale.status_code == 409 and "changed meanwhile" in stale.text
    assert 'value="b"' in stale.text  # the answer typed is kept
    swapped = client.post(f"{url}/first_review", headers=HTMX,
                          data={"kind": "text", "text": "b", "version": "1", "csrf_token": csrf})
    assert swapped.status_code == 409 and swapped.headers["HX-Refresh"] == "true"
    assert "changed meanwhile" in client.get(f"/handoffs/{world.handoff_id}").text  # flashed
    assert {i.key for i in _items(sessions, world.handoff_id) if i.answer_kind} == {"open_issues"}


def test_posting_without_the_csrf_token_is_refused(client, cast, world, sessions):
    sign_in(client, SALES)
    response = client.post(f"/handoffs/{world.handoff_id}/items/open_issues",
                           data={"kind": "text", "text": "x"})
    assert response.status_code == 403
    response = client.post(f"/handoffs/{world.handoff_id}/submit", data={})
    assert response.status_code == 403
    assert all(i.answer_kind is None for i in _items(sessions, world.handoff_id))


# ---------------------------------------------------------------- the flow


def test_an_incomplete_hand_off_is_not_submitted_and_the_missing_item_is_named(
    client, cast, world, sessions
):
    csrf = sign_in(client, SALES)
    _answer_all(client, csrf, world, sessions, skip="billing_contact")
    response = client.post(f"/handoffs/{world.handoff_id}/submit", data={"csrf_token": csrf})
    assert response.status_code == 422
    errors = response.text.split('id="action-errors"', 1)[1].split("</div>", 1)[0]
    assert "Billing contact" in errors and "Decision makers" not in errors
    assert 'id="item-billing_contact-missing"' in response.text
    from accord.handoffs.models import Handoff

    with sessions() as s:
        assert s.get(Handoff, world.handoff_id).state == "draft"


def test_return_needs_a_reason_then_resubmit_and_accept_makes_the_account_active(
    client, cast, world, sessions
):
    csrf = sign_in(client, SALES)
    _answer_all(client, csrf, world, sessions)
    submitted = client.post(f"/handoffs/{world.handoff_id}/submit", data={"csrf_token": csrf})
    assert submitted.status_code == 303

    late = client.post(f"/handoffs/{world.handoff_id}/items/open_issues",
                       data={"kind": "text", "text": "late", "csrf_token": csrf})
    assert late.status_code == 409 and "only a draft or a returned hand-off" in late.text

    csrf = sign_in(client, OWNER)
    waiting = client.get("/handoffs").text
    assert f'href="/handoffs/{world.handoff_id}"' in waiting and "Initech" in waiting
    page = client.get(f"/handoffs/{world.handoff_id}").text
    assert "Accept hand-off" in page and "Save answer" not in page
    no_reason = client.post(f"/handoffs/{world.handoff_id}/return",
                            data={"reason": "  ", "csrf_token": csrf})
    assert no_reason.status_code == 422
    assert 'id="r-reason-error"' in no_reason.text and "say why" in no_reason.text
    returned = client.post(f"/handoffs/{world.handoff_id}/return",
                           data={"reason": "Renewal date missing", "csrf_token": csrf})
    assert returned.status_code == 303

    csrf = sign_in(client, SALES)
    box = client.get("/handoffs?box=returned").text
    assert f'href="/handoffs/{world.handoff_id}"' in box and "Renewal date missing" in box
    page = client.get(f"/handoffs/{world.handoff_id}").text
    assert 'id="return-reason"' in page and "Renewal date missing" in page
    assert "Submit again" in page
    edited = client.post(f"/handoffs/{world.handoff_id}/items/contract_term",
                         data={"kind": "text", "text": "renews 2027-12-31", "csrf_token": csrf})
    assert edited.status_code == 303
    assert client.post(f"/handoffs/{world.handoff_id}/submit",
                       data={"csrf_token": csrf}).status_code == 303
    assert _status(sessions, world.account_id) == "onboarding"

    csrf = sign_in(client, OWNER)
    accepted = client.post(f"/handoffs/{world.handoff_id}/accept", data={"csrf_token": csrf})
    assert accepted.status_code == 303
    assert _status(sessions, world.account_id) == "active"
    page = client.get(f"/handoffs/{world.handoff_id}").text
    assert 'id="handoff-quality">100 %' in page and "Save answer" not in page
    assert "Accept hand-off" not in page
    history = page.split('id="handoff-events"', 1)[1]
    assert history.count("timeline-item") == 5  # draft, submitted, returned, submitted, accepted
    assert "Renewal date missing" in history

    csrf = sign_in(client, SALES)  # the author keeps reading their hand-off, read-only
    page = client.get(f"/handoffs/{world.handoff_id}")
    assert page.status_code == 200 and "Save answer" not in page.text


def test_the_author_cannot_accept_their_own_hand_off(client, cast, world, sessions):
    csrf = sign_in(client, SALES)
    _answer_all(client, csrf, world, sessions)
    client.post(f"/handoffs/{world.handoff_id}/submit", data={"csrf_token": csrf})
    response = client.post(f"/handoffs/{world.handoff_id}/accept", data={"csrf_token": csrf})
    assert response.status_code == 403
    assert _status(sessions, world.account_id) == "onboarding"


# ---------------------------------------------------------------- starting one


def test_a_hand_off_is_started_from_the_account(client, cast, world, sessions):
    csrf = sign_in(client, SALES)
    form = client.get(f"/accounts/{world.other_id}/handoffs/new")
    assert form.status_code == 200 and "Olivia Owner" in form.text
    created = client.post(f"/accounts/{world.other_id}/handoffs/new",
                          data={"kind": "sales", "csrf_token": csrf}, follow_redirects=False)
    assert created.status_code == 303
    handoff_id = int(found(r"^/handoffs/(\d+)$", created.headers["location"]))
    assert len(_items(sessions, handoff_id)) == 7
    again = client.post(f"/accounts/{world.other_id}/handoffs/new",
                        data={"kind": "sales", "csrf_token": csrf})
    assert again.status_code == 409 and f"hand-off #{handoff_id}" in again.text
    bad = client.post(f"/accounts/{world.other_id}/handoffs/new",
                      data={"kind": "sideways", "csrf_token": csrf})
    assert bad.status_code == 422 and 'id="n-kind-error"' in bad.text


def test_a_person_gets_no_hand_off(client, cast, world, sessions):
    from accord.accounts.models import Account
    from accord.core.database import utcnow

    with sessions.begin() as s:
        now = utcnow()
        person = Account(name="Pat Person", name_key="pat person", kind="person",
                         status="active", manager_id=cast.owner.id, created_at=now,
                         updated_at=now)
        s.add(person)
        s.flush()
        person_id = person.id
    csrf = sign_in(client, OWNER)
    response = client.post(f"/accounts/{person_id}/handoffs/new",
                           data={"kind": "sales", "csrf_token": csrf})
    assert response.status_code == 422 and "persons need no hand-off" in response.text


# ---------------------------------------------------------------- checklist templates


def test_only_an_admin_edits_the_checklist_templates(client, cast, world):
    csrf = sign_in(client, OWNER)
    assert client.get("/admin/handoff-checklists/sales").status_code == 403
    refused = client.post("/admin/handoff-checklists/sales",
                          data={"key_0": "x", "label_0": "X", "csrf_token": csrf})
    assert refused.status_code == 403
    sign_in(client, "admin@accord.test")
    assert client.get("/admin/handoff-checklists/unknown").status_code == 422


def test_the_admin_adds_removes_and_reorders_items(client, cast, world, sessions):
    csrf = sign_in(client, "admin@accord.test")
    page = client.get("/admin/handoff-checklists/manager")
    assert page.status_code == 200 and "Key people and their mood" in page.text
    version = found(r'name="version" value="(\d+)"', page.text)
    data = {"csrf_token": csrf, "version": version,
            # open_issues moves last, commitments is removed, next_dates loses "required"
            "key_0": "open_issues", "label_0": "Open issues", "required_0": "on",
            "position_0": "9",
            "key_1": "commitments", "label_1": "Commitments", "required_1": "on",
            "remove_1": "on",
            "key_2": "key_people", "label_2": "Key people", "required_2": "on",
            "key_3": "next_dates", "label_3": "Next dates",
            "key_4": "budget", "label_4": "Budget left this year", "required_4": "on",
            "hint_4": "From the finance contact."}
    saved = client.post("/admin/handoff-checklists/manager", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    from accord.handoffs import service

    with sessions() as s:
        items = service.checklist(s, "manager").items
    assert [(i.key, i.required) for i in items] == [
        ("key_people", True), ("next_dates", False), ("budget", True), ("open_issues", True)]
    stale = client.post("/admin/handoff-checklists/manager", data=data)
    assert stale.status_code == 409 and 'id="conflict"' in stale.text
    assert 'value="Budget left this year"' in stale.text  # the admin's rows are kept


def test_a_bad_checklist_row_is_named_and_nothing_is_saved(client, cast, world, sessions):
    csrf = sign_in(client, "admin@accord.test")
    data = {"csrf_token": csrf, "key_0": "Not A Key", "label_0": "Something", "required_0": "on",
            "key_1": "fine", "label_1": "", "hint_1": "no label"}
    response = client.post("/admin/handoff-checklists/sales", data=data)
    assert response.status_code == 422
    cells = response.text.split('id="checklist-items"', 1)[1]
    assert cells.count('aria-invalid="true"') == 2
    from accord.handoffs import service

    with sessions() as s:
        assert len(service.checklist(s, "sales").items) == 7
    odd = client.post("/admin/handoff-checklists/sales",
                      data={**data, "key_0": "fine_too", "label_1": "ok", "position_0": "x"})
    assert odd.status_code == 422 and "a whole number" in odd.text
