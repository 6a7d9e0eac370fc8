"""The hand-off settings (the deadline in working days) on the "Plans and hand-offs settings"
page and ``accord handoffs settings``, on both databases: changed by admins and heads,
refused inline when not a whole number in range (nothing written), 409 when stale; the
saved deadline is the one the API reads."""

from __future__ import annotations

from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.handoffs import service
from conftest import api_client
from page_helpers import sign_in
from test_plan_settings_pages import PAGE, original_of, version_of

runner = CliRunner()


def deadline(sessions) -> int:
    with sessions.begin() as s:
        return service.settings(s).deadline_working_days


def test_an_admin_changes_the_deadline_and_the_api_reads_it(app, client, sessions, cast):
    token = sign_in(client, "admin@accord.test")
    html = client.get(PAGE).text
    assert 'id="h-deadline_working_days"' in html and "Hand-off deadline" in html
    assert version_of(html, "handoffs") == "0"  # the defaults apply
    response = client.post(f"{PAGE}/handoffs", follow_redirects=False, data={
        "csrf_token": token, "version": "0", "original": original_of(html, "handoffs"),
        "deadline_working_days": "15",
    })
    assert response.status_code == 303 and response.headers["location"].endswith("#handoffs")
    assert deadline(sessions) == 15
    api = api_client(app, cast.token(sessions, "viewer")).get("/api/v1/handoff-settings")
    assert api.json()["deadline_working_days"] == 15
    page = client.get(PAGE).text
    assert version_of(page, "handoffs") == api.headers["etag"].strip('W/"')


def test_a_bad_deadline_is_refused_inline_naming_the_field(client, sessions, cast):
    token = sign_in(client, "head@accord.test")
    html = client.get(PAGE).text
    form = {"csrf_token": token, "version": "0", "original": original_of(html, "handoffs")}
    for bad, message in (("", "a whole number from 0 to 250"), ("-3", "a whole number"),
                         ("2.5", "a whole number"), ("251", "less than or equal to 250")):
        refused = client.post(f"{PAGE}/handoffs", data={**form, "deadline_working_days": bad})
        assert refused.status_code == 422, bad
        error = refused.text.split('id="h-deadline_working_days-error">', 1)[1].split("<")[0]
        assert message in error, (bad, error)
    assert deadline(sessions) == 10


def test_a_stale_deadline_is_a_409_and_the_other_form_is_untouched(client, sessions, cast):
    token = sign_in(client, "admin@accord.test")
    html = client.get(PAGE).text
    with sessions.begin() as s:
        service.save_settings(s, s.merge(cast.head), {"deadline_working_days": 5})
    stale = client.post(f"{PAGE}/handoffs", data={
        "csrf_token": token, "version": version_of(html, "handoffs"),
        "original": original_of(html, "handoffs"), "deadline_working_days": "20",
    })
    assert stale.status_code == 409 and 'id="conflict"' in stale.text
    assert 'value="20"' in stale.text
    assert deadline(sessions) == 5
    assert version_of(stale.text, "plans") == "0"  # the plans form still as stored


def test_the_cli_shows_and_changes_the_deadline(database_url, sessions, cast):
    def accord(*args: str, who: str = "head@accord.test"):
        return runner.invoke(cli_app, ["--database-url", database_url, "--as", who,
                                       "handoffs", "settings", *args])

    shown = accord()
    assert shown.exit_code == 0 and "deadline_working_days: 10" in shown.output
    changed = accord("--deadline-working-days", "12")
    assert changed.exit_code == 0 and "deadline_working_days: 12" in changed.output
    too_many = accord("--deadline-working-days", "400")
    assert too_many.exit_code != 0 and "deadline_working_days" in too_many.output
    refused = accord("--deadline-working-days", "3", who="viewer@accord.test")
    assert refused.exit_code != 0
    assert "deadline_working_days: 12" in accord().output
