"""L1: two people editing one record: the second save never silently wipes the first's.

Every editable resource has a version: the API gives it as an ``ETag`` and refuses a write
whose ``If-Match`` is stale (409, a problem body); a form carries it (and the values it
showed) in hidden fields, and a stale save comes back as the form (409) with the user's input
kept and what changed meanwhile shown with its stored value. On both databases.
"""

from __future__ import annotations

import html as html_lib
import json
import re

from fastapi.testclient import TestClient

from accord.accounts.models import Account, Contact
from accord.core.models import User
from accord.core.policy_store import KamSetting
from conftest import api_client
from page_helpers import sign_in


def stored(sessions, model, key, column):
    """A stored value, read in a transaction of its own (it must not hold the write lock)."""
    with sessions() as s:
        return getattr(s.get(model, key), column)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} field"
    return html_lib.unescape(match.group(1))


def form_fields(page: str) -> dict[str, str]:
    """The edit form's current values: the original the form started from, plus the hidden
    fields (what a browser would post unchanged)."""
    fields: dict[str, str] = json.loads(hidden(page, "original"))
    fields["version"] = hidden(page, "version")
    fields["original"] = hidden(page, "original")
    return fields


# ---------------------------------------------------------------- the API


def test_the_api_gives_an_etag_and_refuses_a_stale_if_match(app, cast, sessions):
    owner = api_client(app, cast.token(sessions, "owner"))
    teammate = api_client(app, cast.token(sessions, "teammate"))
    url = f"/api/v1/accounts/{cast.acme_id}"

    read = owner.get(url)
    assert read.status_code == 200
    etag = read.headers["ETag"]
    assert etag == f'"{read.json()["version"]}"'

    first = teammate.patch(
        url, json={"notes": "Renewal call on Monday"}, headers={"If-Match": etag}
    )
    assert first.status_code == 200
    assert first.headers["ETag"] != etag

    stale = owner.patch(url, json={"notes": "Prefers e-mail"}, headers={"If-Match": etag})
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert "changed" in stale.json()["detail"] and stale.json()["status"] == 409
    assert owner.get(url).json()["notes"] == "Renewal call on Monday"

    # with the current ETag the change goes through; without If-Match too (it is optional)
    fresh = owner.patch(
        url, json={"notes": "Prefers e-mail"}, headers={"If-Match": first.headers["ETag"]}
    )
    assert fresh.status_code == 200 and fresh.json()["notes"] == "Prefers e-mail"
    assert owner.patch(url, json={"segment": "Retail"}).status_code == 200
    nonsense = owner.patch(url, json={"segment": "Energy"}, headers={"If-Match": '"nonsense"'})
    assert nonsense.status_code == 409


def test_a_version_rises_once_per_change_and_not_for_nothing(app, cast, sessions):
    owner = api_client(app, cast.token(sessions, "owner"))
    url = f"/api/v1/accounts/{cast.acme_id}"
    start = owner.get(url).json()["version"]
    owner.patch(url, json={"notes": "a", "segment": "Retail"})
    assert owner.get(url).json()["version"] == start + 1
    owner.patch(url, json={"notes": "a"})  # no change
    assert owner.get(url).json()["version"] == start + 1
    owner.post(  # an interaction moves last_touch_on, not what people edit
        f"{url}/interactions", json={"kind": "call", "occurred_on": "2024-01-05", "summary": "x"}
    )
    assert stored(sessions, Account, cast.acme_id, "version") == start + 1


def test_contacts_users_and_settings_honour_if_match(app, cast, sessions):
    owner = api_client(app, cast.token(sessions, "owner"))
    added = owner.post(
        f"/api/v1/accounts/{cast.acme_id}/contacts",
        json={"name": "Grace Hopper", "email": "grace@acme.test", "title": "CTO"},
    )
    contact_id = added.json()["id"]
    url = f"/api/v1/accounts/{cast.acme_id}/contacts/{contact_id}"
    etag = owner.get(f"/api/v1/contacts/{contact_id}").headers["ETag"]
    assert owner.patch(url, json={"title": "CEO"}, headers={"If-Match": etag}).status_code == 200
    assert owner.patch(url, json={"phone": "1"}, headers={"If-Match": etag}).status_code == 409

    admin = api_client(app, cast.token(sessions, "admin"))
    user_url = f"/api/v1/users/{cast.viewer.id}"
    etag = admin.get(user_url).headers["ETag"]
    assert admin.patch(user_url, json={"name": "V."}, headers={"If-Match": etag}).status_code == 200
    assert admin.patch(user_url, json={"name": "W."}, headers={"If-Match": etag}).status_code == 409

    for path, body in (
        ("/api/v1/health/settings", {"green_from": 71}),
        ("/api/v1/selection/settings", {"window_months": 11}),
        ("/api/v1/stages/settings", {"contacts_for_2": 3}),
    ):
        etag = admin.get(path).headers["ETag"]
        saved = admin.put(path, json=body, headers={"If-Match": etag})
        assert saved.status_code == 200, (path, saved.text)
        assert saved.headers["ETag"] != etag
        assert admin.put(path, json=body, headers={"If-Match": etag}).status_code == 409, path


# ---------------------------------------------------------------- the forms


def _browser(app, email: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, sign_in(client, email)


def test_a_stale_account_form_shows_what_changed_and_keeps_the_input(app, cast, sessions):
    olivia, olivia_csrf = _browser(app, "owner@accord.test")
    tom, tom_csrf = _browser(app, "teammate@accord.test")
    edit = f"/accounts/{cast.acme_id}/edit"

    olivia_form = form_fields(olivia.get(edit).text)
    tom_form = form_fields(tom.get(edit).text)

    tom_form.update(csrf_token=tom_csrf, notes="Renewal call on Monday")
    assert tom.post(edit, data=tom_form, follow_redirects=False).status_code == 303

    olivia_form.update(csrf_token=olivia_csrf, notes="Prefers e-mail", segment="Food")
    stale = olivia.post(edit, data=olivia_form, follow_redirects=False)
    assert stale.status_code == 409
    page = stale.text
    assert "Someone else changed this meanwhile" in page
    conflict = page.split('id="conflict"', 1)[1].split("</div>", 1)[0]
    assert "Notes" in conflict and "Renewal call on Monday" in conflict
    assert "Segment" not in conflict  # nobody else changed it
    assert "Prefers e-mail</textarea>" in page and 'value="Food"' in page  # her input is kept
    assert stored(sessions, Account, cast.acme_id, "notes") == "Renewal call on Monday"

    # saving again from the conflict form is a deliberate overwrite
    again = form_fields(page)
    again.update(csrf_token=olivia_csrf, notes="Prefers e-mail", segment="Food")
    assert olivia.post(edit, data=again, follow_redirects=False).status_code == 303
    assert stored(sessions, Account, cast.acme_id, "notes") == "Prefers e-mail"


def test_a_change_meanwhile_to_what_the_user_typed_is_no_conflict(app, cast, sessions):
    olivia, csrf = _browser(app, "owner@accord.test")
    edit = f"/accounts/{cast.acme_id}/edit"
    form = form_fields(olivia.get(edit).text)
    with sessions.begin() as s:  # an import (any writer) changes the notes...
        s.get(Account, cast.acme_id).notes = "Imported note"
    form.update(csrf_token=csrf, notes="Imported note", country="France")  # ...she typed the same
    assert olivia.post(edit, data=form, follow_redirects=False).status_code == 303
    assert stored(sessions, Account, cast.acme_id, "country") == "France"
    assert stored(sessions, Account, cast.acme_id, "notes") == "Imported note"


def test_a_stale_contact_form_shows_what_changed(app, cast, sessions):
    owner = api_client(app, cast.token(sessions, "owner"))
    contact_id = owner.post(
        f"/api/v1/accounts/{cast.acme_id}/contacts",
        json={"name": "Grace Hopper", "email": "grace@acme.test", "title": "CTO"},
    ).json()["id"]
    olivia, csrf = _browser(app, "owner@accord.test")
    edit = f"/accounts/{cast.acme_id}/contacts/{contact_id}/edit"
    form = form_fields(olivia.get(edit).text)
    owner.patch(f"/api/v1/accounts/{cast.acme_id}/contacts/{contact_id}", json={"title": "CEO"})

    form.update(csrf_token=csrf, title="Chief Scientist", phone="+33 1 23")
    stale = olivia.post(edit, data=form, follow_redirects=False)
    assert stale.status_code == 409
    conflict = stale.text.split('id="conflict"', 1)[1].split("</div>", 1)[0]
    assert "Job title" in conflict and "CEO" in conflict and "Phone" not in conflict
    assert 'value="Chief Scientist"' in stale.text
    assert stored(sessions, Contact, contact_id, "phone") is None


def test_every_writer_raises_the_version(cast, sessions):
    with sessions.begin() as s:
        account = s.get(Account, cast.acme_id)
        user = s.get(User, cast.viewer.id)
        before = (account.version, user.version)
        account.name = "Acme Holdings"
        user.name = "Vera V."
        s.add(KamSetting(name="stages", value={"a": 1}))
    with sessions.begin() as s:
        assert s.get(Account, cast.acme_id).version == before[0] + 1
        assert s.get(User, cast.viewer.id).version == before[1] + 1
        setting = s.get(KamSetting, "stages")
        assert setting.version == 1
        setting.value = {"a": 2}
    with sessions.begin() as s:
        assert s.get(KamSetting, "stages").version == 2


def test_a_stale_user_form_shows_what_changed(app, cast, sessions):
    admin_api = api_client(app, cast.token(sessions, "admin"))
    ada, csrf = _browser(app, "admin@accord.test")
    edit = f"/admin/users/{cast.viewer.id}"
    page = ada.get(edit).text
    form = {
        "csrf_token": csrf,
        "version": hidden(page, "version"),
        "original": hidden(page, "original"),
        "name": "Vera Viewer",
        "role": "viewer",
        "team_id": "",
        "segment": "",
        "capacity": "80",
        "is_active": "on",
    }
    admin_api.patch(f"/api/v1/users/{cast.viewer.id}", json={"name": "Vera Renamed"})

    stale = ada.post(edit, data=form, follow_redirects=False)
    assert stale.status_code == 409
    conflict = stale.text.split('id="conflict"', 1)[1].split("</div>", 1)[0]
    assert "Name" in conflict and "Vera Renamed" in conflict and "Capacity" not in conflict
    assert 'value="80"' in stale.text  # the input is kept
    assert stored(sessions, User, cast.viewer.id, "capacity") == 100

    form.update(version=hidden(stale.text, "version"), original=hidden(stale.text, "original"))
    assert ada.post(edit, data=form, follow_redirects=False).status_code == 303
    assert stored(sessions, User, cast.viewer.id, "capacity") == 80


def test_two_saves_of_one_version_at_the_same_time_cannot_both_win(cast, sessions):
    """The second waits for the first's row lock (PostgreSQL) or write lock (SQLite), then
    finds the version moved on."""
    import threading

    from accord.accounts import service
    from accord.accounts.schemas import AccountPatch
    from accord.core.versions import Expected, Stale

    start = stored(sessions, Account, cast.acme_id, "version")
    first = sessions()
    service.update_account(
        first, first.merge(cast.owner), cast.acme_id, AccountPatch(notes="first"),
        expected=Expected(start),
    )
    outcome: list[object] = []

    def second() -> None:
        with sessions() as s:
            try:
                service.update_account(
                    s, s.merge(cast.teammate), cast.acme_id, AccountPatch(notes="second"),
                    expected=Expected(start),
                )
                s.commit()
                outcome.append("saved")
            except Stale as exc:
                outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # waiting for the first save's lock
    first.commit()
    first.close()
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], Stale)
    assert stored(sessions, Account, cast.acme_id, "notes") == "first"


def test_a_criteria_set_replaced_meanwhile_is_a_conflict(app, cast, sessions):
    admin_api = api_client(app, cast.token(sessions, "admin"))
    hannah, csrf = _browser(app, "head@accord.test")
    page = hannah.get("/selection/criteria").text
    version = re.search(
        r'action="/selection/criteria/attractiveness">\s*<input[^>]*>\s*'
        r'<input type="hidden" name="version" value="(\d+)"',
        page,
    )
    assert version, "the form carries the set's version"

    ours = [{"name": f"Ours {i}", "weight": 25} for i in range(4)]
    current = admin_api.get("/api/v1/selection/criteria").json()["attractiveness"]
    etag = f'"{max(c["id"] for c in current)}"'
    assert etag == f'"{version.group(1)}"'
    saved = admin_api.put(
        "/api/v1/selection/criteria/attractiveness",
        json={"criteria": ours},
        headers={"If-Match": etag},
    )
    assert saved.status_code == 200 and saved.headers["ETag"] != etag
    again = admin_api.put(
        "/api/v1/selection/criteria/attractiveness",
        json={"criteria": ours},
        headers={"If-Match": etag},
    )
    assert again.status_code == 409

    form = {"csrf_token": csrf, "version": version.group(1)}
    for i in range(4):
        form.update({f"name_{i}": f"Hers {i}", f"weight_{i}": "25"})
    stale = hannah.post("/selection/criteria/attractiveness", data=form, follow_redirects=False)
    assert stale.status_code == 409
    conflict = stale.text.split('id="conflict"', 1)[1].split("</div>", 1)[0]
    assert "Ours 0 (25)" in conflict
    assert 'value="Hers 0"' in stale.text  # what she typed is kept
    stored_set = admin_api.get("/api/v1/selection/criteria").json()["attractiveness"]
    assert [c["name"] for c in stored_set] == [f"Ours {i}" for i in range(4)]
