"""The plans settings on the "Plans and hand-offs settings" page (``/admin/plans-handoffs``)
and ``accord plans settings``, on both databases: admins and heads read and change them,
others are refused; a bad number is refused inline naming the field and writes nothing; a
save that started from an older version is a 409 keeping the input and showing the stored
values."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.core.models import AuditEntry
from accord.plans import settings
from page_helpers import sign_in

runner = CliRunner()
PAGE = "/admin/plans-handoffs"


def stored(sessions) -> dict[str, int]:
    with sessions.begin() as s:
        return settings.plans_policy(s).to_dict()


def version_of(html: str, form: str) -> str:
    part = html.split(f'action="{PAGE}/{form}"', 1)[1]
    match = re.search(r'name="version" value="(\d+)"', part)
    assert match, "the form carries no version"
    return match.group(1)


def original_of(html: str, form: str) -> str:
    part = html.split(f'action="{PAGE}/{form}"', 1)[1]
    match = re.search(r'name="original" value="([^"]*)"', part)
    assert match
    return match.group(1).replace("&#34;", '"').replace("&quot;", '"')


def test_a_head_reads_and_changes_the_plans_settings(client, sessions, cast):
    token = sign_in(client, "head@accord.test")
    html = client.get(PAGE).text
    assert "Plans and hand-offs settings" in html
    assert 'href="/admin/plans-handoffs"' in html  # in the navigation
    assert re.search(r'id="p-review_interval_days"[^>]*value="90"', html)
    response = client.post(f"{PAGE}/plans", follow_redirects=False, data={
        "csrf_token": token, "version": version_of(html, "plans"),
        "original": original_of(html, "plans"),
        "review_interval_days": "60", "share_link_days": "14",
    })
    assert response.status_code == 303
    assert stored(sessions) == {"review_interval_days": 60, "share_link_days": 14}
    with sessions.begin() as s:
        entry = s.query(AuditEntry).filter_by(entity="kam_setting", entity_id="plans").one()
        assert entry.actor == "head@accord.test"
    assert 'value="60"' in client.get(PAGE).text


def test_bad_numbers_are_refused_inline_and_nothing_is_written(client, sessions, cast):
    token = sign_in(client, "admin@accord.test")
    html = client.get(PAGE).text
    form = {"csrf_token": token, "version": version_of(html, "plans"),
            "original": original_of(html, "plans")}
    word = client.post(f"{PAGE}/plans", data={
        **form, "review_interval_days": "soon", "share_link_days": "30"})
    assert word.status_code == 422
    assert 'id="p-review_interval_days-error"' in word.text
    assert "a whole number from 7 to 730" in word.text
    assert 'value="soon"' in word.text  # the input is kept
    too_long = client.post(f"{PAGE}/plans", data={
        **form, "review_interval_days": "90", "share_link_days": "9999"})
    assert too_long.status_code == 422
    assert 'id="p-share_link_days-error"' in too_long.text
    assert stored(sessions) == {"review_interval_days": 90, "share_link_days": 30}


def test_a_stale_save_is_a_409_showing_the_stored_values(client, sessions, cast):
    token = sign_in(client, "admin@accord.test")
    html = client.get(PAGE).text
    with sessions.begin() as s:  # someone else changes the interval meanwhile
        settings.save_plans_policy(s, s.merge(cast.head), {"review_interval_days": 120})
    stale = client.post(f"{PAGE}/plans", data={
        "csrf_token": token, "version": version_of(html, "plans"),
        "original": original_of(html, "plans"),
        "review_interval_days": "45", "share_link_days": "30",
    })
    assert stale.status_code == 409
    assert 'id="conflict"' in stale.text and "120" in stale.text
    assert 'value="45"' in stale.text
    assert stored(sessions)["review_interval_days"] == 120
    again = client.post(f"{PAGE}/plans", follow_redirects=False, data={
        "csrf_token": token, "version": version_of(stale.text, "plans"),
        "original": original_of(stale.text, "plans"),
        "review_interval_days": "45", "share_link_days": "30",
    })
    assert again.status_code == 303
    assert stored(sessions)["review_interval_days"] == 45


def test_managers_and_viewers_are_refused(client, cast):
    token = sign_in(client, "owner@accord.test")
    assert client.get(PAGE).status_code == 403
    assert 'href="/admin/plans-handoffs"' not in client.get("/accounts").text
    refused = client.post(f"{PAGE}/plans", data={
        "csrf_token": token, "review_interval_days": "60", "share_link_days": "30"})
    assert refused.status_code == 403


def test_the_cli_shows_and_changes_the_plans_settings(database_url, sessions, cast):
    def accord(*args: str, who: str = "admin@accord.test"):
        return runner.invoke(cli_app, ["--database-url", database_url, "--as", who,
                                       "plans", "settings", *args])

    shown = accord()
    assert shown.exit_code == 0, shown.output
    assert "review_interval_days: 90" in shown.output and "share_link_days: 30" in shown.output
    changed = accord("--review-interval-days", "30")
    assert changed.exit_code == 0, changed.output
    assert "review_interval_days: 30" in changed.output and "share_link_days: 30" in changed.output
    bad = accord("--share-link-days", "0")
    assert bad.exit_code != 0 and "share_link_days" in bad.output
    refused = accord("--review-interval-days", "60", who="owner@accord.test")
    assert refused.exit_code != 0
    assert "review_interval_days: 30" in accord().output
