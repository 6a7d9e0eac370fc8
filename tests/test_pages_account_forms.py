"""Creating and editing accounts, contacts and interactions through the pages: inline errors."""

from __future__ import annotations

import re

from page_helpers import found, sign_in


def error_of(html: str, prefix_field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{prefix_field}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_the_new_account_form_has_labelled_fields_and_managers(client, cast):
    sign_in(client, "head@accord.test")
    html = client.get("/accounts/new").text
    assert '<label for="a-name" class="required">Name</label>' in html
    assert 'id="a-name" name="name"' in html and "autofocus" in html.split('id="a-name"')[1][:200]
    managers = html.split('id="a-manager_id"', 1)[1].split("</select>", 1)[0]
    assert "Olivia Owner" in managers and "Vera Viewer" not in managers


def test_creating_an_account_redirects_to_it_with_a_message(client, cast):
    token = sign_in(client, "owner@accord.test")
    response = client.post(
        "/accounts/new",
        data={
            "csrf_token": token,
            "name": "Initech",
            "kind": "company",
            "status": "prospect",
            "segment": "Software",
            "external_id": "INI-1",
            "estimated_spend": "125000.50",
            "manager_id": "",
            "notes": "Met at a fair",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "<h1>Initech</h1>" in page and "created" in page
    assert "125,000.50" in page and "Olivia Owner" in page  # a manager's new account is their own
    assert "created" not in client.get(response.headers["location"]).text.split("<main", 1)[1][:400]


def test_create_errors_are_shown_next_to_each_field_with_the_values_kept(client, cast):
    token = sign_in(client, "owner@accord.test")
    response = client.post(
        "/accounts/new",
        data={
            "csrf_token": token,
            "name": "",
            "kind": "company",
            "status": "active",
            "estimated_spend": "lots",
            "segment": "Kept segment",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert error_of(html, "a-name")
    assert error_of(html, "a-estimated_spend")
    assert 'value="Kept segment"' in html and 'value="lots"' in html
    assert 'aria-invalid="true" aria-describedby="a-name-error"' in html


def test_service_errors_are_shown_next_to_the_field(client, cast):
    token = sign_in(client, "admin@accord.test")
    response = client.post(
        "/accounts/new",
        data={
            "csrf_token": token,
            "name": "Copycat",
            "kind": "company",
            "status": "active",
            "external_id": "ACME",
        },
    )
    assert response.status_code == 422
    assert "already used" in error_of(response.text, "a-external_id")
    assert 'value="Copycat"' in response.text


def test_editing_an_account_saves_and_shows_the_change(client, cast):
    token = sign_in(client, "owner@accord.test")
    form = client.get(f"/accounts/{cast.acme_id}/edit").text
    assert 'value="Acme Industries"' in form and 'value="Manufacturing"' in form
    response = client.post(
        f"/accounts/{cast.acme_id}/edit",
        data={
            "csrf_token": token,
            "name": "Acme Worldwide",
            "kind": "company",
            "status": "lapsed",
            "segment": "Manufacturing",
            "external_id": "ACME",
            "manager_id": str(cast.owner.id),
            "country": "Germany",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(f"/accounts/{cast.acme_id}").text
    assert "<h1>Acme Worldwide</h1>" in page and "Germany" in page and "lapsed" in page
    assert "Account saved." in page


def test_edit_errors_keep_the_values_and_change_nothing(client, cast):
    token = sign_in(client, "owner@accord.test")
    response = client.post(
        f"/accounts/{cast.acme_id}/edit",
        data={
            "csrf_token": token,
            "name": "Acme Renamed",
            "kind": "company",
            "status": "active",
            "parent_id": str(cast.acme_id),
        },
    )
    assert response.status_code == 422
    assert "own parent" in error_of(response.text, "a-parent_id")
    assert 'value="Acme Renamed"' in response.text
    assert "<h1>Acme Industries</h1>" in client.get(f"/accounts/{cast.acme_id}").text


def test_a_manager_not_able_to_manage_is_refused(client, cast):
    token = sign_in(client, "admin@accord.test")
    response = client.post(
        f"/accounts/{cast.acme_id}/edit",
        data={
            "csrf_token": token,
            "name": "Acme Industries",
            "kind": "company",
            "status": "active",
            "manager_id": str(cast.viewer.id),
        },
    )
    assert response.status_code == 422
    assert "cannot manage" in error_of(response.text, "a-manager_id")


def test_adding_and_editing_a_contact(client, cast):
    token = sign_in(client, "teammate@accord.test")
    response = client.post(
        f"/accounts/{cast.acme_id}/contacts",
        data={
            "csrf_token": token,
            "name": "Road Runner",
            "email": "rr@acme.test",
            "function": "IT",
            "seniority": "director",
            "buying_role": "champion",
            "influence": "4",
            "title": "CIO",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(f"/accounts/{cast.acme_id}").text
    table = page.split('id="contacts-table"', 1)[1].split("</table>", 1)[0]
    assert "Road Runner" in table and "champion" in table and "CIO" in table
    edit_url = found(r'href="(/accounts/\d+/contacts/\d+/edit)"', table)
    form = client.get(edit_url).text
    assert 'value="Road Runner"' in form and 'value="champion" selected' in form
    response = client.post(
        edit_url,
        data={
            "csrf_token": token,
            "name": "Road Runner",
            "buying_role": "blocker",
            "influence": "2",
            "email": "rr@acme.test",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    table = client.get(f"/accounts/{cast.acme_id}").text.split('id="contacts-table"', 1)[1]
    assert "blocker" in table.split("</table>", 1)[0]


def test_contact_errors_reopen_the_form_next_to_the_field(client, cast):
    token = sign_in(client, "owner@accord.test")
    response = client.post(
        f"/accounts/{cast.acme_id}/contacts",
        data={"csrf_token": token, "name": "Bad Mail", "email": "not-an-address", "influence": "9"},
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="add-contact" open' in html
    assert error_of(html, "c-influence") or error_of(html, "c-email")
    assert 'value="Bad Mail"' in html
    response = client.post(
        f"/accounts/{cast.acme_id}/contacts",
        data={"csrf_token": token, "name": "Bad Mail", "email": "not-an-address"},
    )
    assert "not an e-mail address" in error_of(response.text, "c-email")


def test_logging_an_interaction_puts_it_on_the_timeline(client, cast):
    token = sign_in(client, "owner@accord.test")
    client.post(
        f"/accounts/{cast.acme_id}/contacts", data={"csrf_token": token, "name": "Pat Buyer"}
    )
    page = client.get(f"/accounts/{cast.acme_id}").text
    contact_id = found(r'name="contact_ids" value="(\d+)"', page)
    today_value = re.search(
        r'id="i-occurred_on" name="occurred_on" type="date" value="([\d-]+)"', page
    )
    assert today_value, "the date defaults to today"
    response = client.post(
        f"/accounts/{cast.acme_id}/interactions",
        data={
            "csrf_token": token,
            "kind": "business_review",
            "occurred_on": today_value.group(1),
            "summary": "Quarterly review of the roll-out",
            "outcome": "Agreed a pilot",
            "sentiment": "8",
            "contact_ids": contact_id,
            "user_ids": str(cast.teammate.id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    timeline = client.get(f"/accounts/{cast.acme_id}").text.split('id="timeline-list"', 1)[1]
    first = timeline.split("</li>", 1)[0]
    assert "Quarterly review of the roll-out" in first and "business review" in first
    assert "Agreed a pilot" in first and "Pat Buyer" in first and "Tom Teammate" in first
    assert "sentiment 8/10" in first


def test_interaction_errors_are_shown_with_the_values_kept(client, cast):
    token = sign_in(client, "owner@accord.test")
    response = client.post(
        f"/accounts/{cast.acme_id}/interactions",
        data={
            "csrf_token": token,
            "kind": "call",
            "occurred_on": "2999-01-01",
            "summary": "From the future",
            "sentiment": "5",
        },
    )
    assert response.status_code == 422
    assert "future" in error_of(response.text, "i-occurred_on")
    assert "From the future" in response.text and 'id="log-interaction" open' in response.text
    response = client.post(
        f"/accounts/{cast.acme_id}/interactions",
        data={
            "csrf_token": token,
            "kind": "call",
            "occurred_on": "2024-01-01",
            "summary": "",
            "sentiment": "11",
        },
    )
    assert error_of(response.text, "i-summary") and error_of(response.text, "i-sentiment")


def test_the_account_team_can_be_changed(client, cast):
    token = sign_in(client, "owner@accord.test")
    form = client.get(f"/accounts/{cast.acme_id}/members/edit").text
    assert f'value="{cast.teammate.id}" checked' in form
    response = client.post(
        f"/accounts/{cast.acme_id}/members",
        data={"csrf_token": token, "user_ids": [str(cast.outsider.id)]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    team = (
        client.get(f"/accounts/{cast.acme_id}").text.split('id="members"', 1)[1].split("</ul>")[0]
    )
    assert "Oscar Outsider" in team and "Tom Teammate" not in team
