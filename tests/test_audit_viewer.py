"""A2: the audit log viewer — one service behind the API, the page and the CLI.

Filters by actor, entity, entity id, account, action and date; newest first in keyset pages;
CSV export with formula-safe cells; admins read every entry, heads the entries about their
teams' accounts (with their contacts and interactions) and their teams' users, other roles
get 403. On both databases.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.audit import service
from accord.audit.schemas import AuditEntryOut
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()
TODAY = datetime.now(UTC).date()


def _story(app, cast, sessions):
    """Changes on both teams' accounts, a contact and interaction at Acme, two user edits."""
    owner = api_client(app, cast.token(sessions, "owner"))
    outsider = api_client(app, cast.token(sessions, "outsider"))
    admin = api_client(app, cast.token(sessions, "admin"))
    owner.patch(f"/api/v1/accounts/{cast.acme_id}", json={"notes": "Renewal in May"})
    owner.patch(f"/api/v1/accounts/{cast.acme_id}", json={"segment": "Food"})
    contact = owner.post(
        f"/api/v1/accounts/{cast.acme_id}/contacts", json={"name": "Ada", "email": "ada@a.test"}
    ).json()
    owner.post(
        f"/api/v1/accounts/{cast.acme_id}/interactions",
        json={"kind": "call", "occurred_on": "2024-03-01", "summary": "Intro"},
    )
    outsider.patch(f"/api/v1/accounts/{cast.globex_id}", json={"notes": "Globex secret"})
    admin.patch(f"/api/v1/users/{cast.teammate.id}", json={"name": "Tom T."})
    admin.patch(f"/api/v1/users/{cast.outsider.id}", json={"name": "Oscar O."})
    return contact


def _as(app, cast, sessions, who):
    return api_client(app, cast.token(sessions, who))


# ---------------------------------------------------------------- API


def test_admins_filter_by_entity_actor_action_and_date(app, cast, sessions):
    _story(app, cast, sessions)
    admin = _as(app, cast, sessions, "admin")

    page = admin.get(
        "/api/v1/audit",
        params={"entity": "account", "entity_id": str(cast.acme_id), "action": "update",
                "actor": "OWNER@accord.test", "since": TODAY.isoformat(),
                "until": TODAY.isoformat()},
    )
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [i["after"] for i in items] == [{"segment": "Food"}, {"notes": "Renewal in May"}]
    assert all(i["actor"] == "owner@accord.test" for i in items)
    assert items[0]["id"] > items[1]["id"]  # newest first

    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert admin.get("/api/v1/audit", params={"since": tomorrow}).json()["items"] == []
    everything_about_acme = admin.get(
        "/api/v1/audit", params={"account_id": cast.acme_id}
    ).json()["items"]
    kinds = {i["entity"] for i in everything_about_acme}
    assert {"account", "account_contact", "interaction"} <= kinds
    assert all(i["account_id"] == cast.acme_id for i in everything_about_acme)

    bad = admin.get("/api/v1/audit", params={"since": "2026-02-01", "until": "2026-01-01"})
    assert bad.status_code == 422
    assert admin.get("/api/v1/audit", params={"limit": 0}).status_code == 422


def test_keyset_pages_walk_the_whole_log_both_ways(app, cast, sessions):
    _story(app, cast, sessions)
    admin = _as(app, cast, sessions, "admin")
    log = admin.get("/api/v1/audit", params={"limit": 500}).json()["items"]
    everything = [i["id"] for i in log]
    seen, before, pages = [], None, []
    while True:
        params = {"limit": 3, **({"before": before} if before else {})}
        page = admin.get("/api/v1/audit", params=params).json()
        pages.append(page)
        seen += [i["id"] for i in page["items"]]
        before = page["older"]
        if before is None:
            break
    assert seen == everything and len(pages) > 2
    assert pages[0]["newer"] is None
    back = admin.get("/api/v1/audit", params={"limit": 3, "after": pages[1]["newer"]}).json()
    assert [i["id"] for i in back["items"]] == [i["id"] for i in pages[0]["items"]]


def test_heads_see_their_teams_accounts_and_users_others_are_refused(app, cast, sessions):
    contact = _story(app, cast, sessions)
    head = _as(app, cast, sessions, "head")
    items = head.get("/api/v1/audit", params={"limit": 500}).json()["items"]
    text = json.dumps(items)
    assert "Renewal in May" in text and "Globex secret" not in text
    assert {(i["entity"], i["entity_id"]) for i in items} >= {
        ("account_contact", f"{cast.acme_id}:{contact['id']}"),
        ("user", str(cast.teammate.id)),
    }
    assert ("user", str(cast.outsider.id)) not in {(i["entity"], i["entity_id"]) for i in items}
    assert all(i["account_id"] in (cast.acme_id, None) for i in items)
    # the other head sees Globex, not Acme
    other = _as(app, cast, sessions, "other_head").get("/api/v1/audit").json()["items"]
    assert "Globex secret" in json.dumps(other) and "Renewal in May" not in json.dumps(other)

    for who in ("owner", "viewer", "billing"):
        refused = _as(app, cast, sessions, who).get("/api/v1/audit")
        assert refused.status_code == 403, who
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert _as(app, cast, sessions, who).get("/api/v1/audit/export.csv").status_code == 403


def test_the_csv_export_has_every_matching_entry_and_no_live_formula(app, cast, sessions):
    _story(app, cast, sessions)
    admin = _as(app, cast, sessions, "admin")
    response = admin.get("/api/v1/audit/export.csv", params={"entity": "account"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == list(service.CSV_COLUMNS)
    assert len(rows) == 1 + 3 and {r[4] for r in rows[1:]} == {"account"}
    assert json.loads(rows[1][8]) == {"notes": "Globex secret"}  # newest first

    entry = AuditEntryOut(
        id=1, at=datetime.now(UTC), actor="-x@evil.test", actor_id=None, action="=cmd",
        entity="@sum", entity_id="+1", account_id=None, before=None, after=None,
        note="\tnote",
    )
    cells = service.csv_row(entry)
    assert cells[2:6] == ["'-x@evil.test", "'=cmd", "'@sum", "'+1"] and cells[9] == "'\tnote"
    assert cells[0] == 1  # numbers stay numbers


# ---------------------------------------------------------------- CLI


def test_the_cli_lists_filters_and_exports(cast, database_url, app, sessions):
    _story(app, cast, sessions)

    def run(*args: str):
        return runner.invoke(cli, ["--database-url", database_url, *args])

    result = run(
        "audit", "list", "--entity", "account", "--id", str(cast.acme_id), "--since",
        TODAY.isoformat(), "--actor", "owner@accord.test", "--action", "update",
        "--format", "json",
    )
    assert result.exit_code == 0, result.output
    assert [e["after"] for e in json.loads(result.output)] == [
        {"segment": "Food"}, {"notes": "Renewal in May"}
    ]

    table = run("audit", "list", "--entity", "account", "--format", "table")
    assert table.exit_code == 0 and "Renewal in May" in table.output

    exported = run("audit", "list", "--all", "--format", "csv")
    assert exported.exit_code == 0
    assert exported.output.splitlines()[0] == ",".join(service.CSV_COLUMNS)

    as_head = run("--as", "head@accord.test", "audit", "list", "--format", "json", "--all")
    assert as_head.exit_code == 0
    assert "Renewal in May" in as_head.output and "Globex secret" not in as_head.output

    refused = run("--as", "owner@accord.test", "audit", "list")
    assert refused.exit_code == 1 and "admins and heads" in refused.output

    bad = run("audit", "list", "--since", "yesterday")
    assert bad.exit_code == 2


# ---------------------------------------------------------------- page


def test_the_page_shows_filters_changes_pages_and_an_export_link(app, client, cast, sessions):
    _story(app, cast, sessions)
    sign_in(client, "admin@accord.test")
    page = client.get("/audit", params={"limit": 25})
    assert page.status_code == 200
    html = page.text
    assert 'href="/audit"' in html and "Audit log" in html  # the menu link
    assert '<form id="audit-filter"' in html and 'name="actor"' in html
    assert "<ins>Renewal in May</ins>" in html and "Export CSV" in html

    filtered = client.get(
        "/audit", params={"entity": "account", "entity_id": str(cast.acme_id), "limit": 25}
    ).text
    assert "<ins>Food</ins>" in filtered and "Globex secret" not in filtered
    assert f'href="/audit/export.csv?entity=account&amp;entity_id={cast.acme_id}' in filtered
    csv_text = client.get(f"/audit/export.csv?entity=account&entity_id={cast.acme_id}").text
    assert "Renewal in May" in csv_text and "Globex secret" not in csv_text

    empty = client.get("/audit", params={"actor": "nobody@accord.test"}).text
    assert "No entries match" in empty

    invalid = client.get("/audit", params={"since": "not a day"})
    assert invalid.status_code == 200 and 'id="f-since-error"' in invalid.text

    with api_client(app, cast.token(sessions, "admin")) as admin:  # more than one page
        for n in range(26):
            assert admin.patch(f"/api/v1/accounts/{cast.acme_id}",
                               json={"notes": f"note {n}"}).status_code == 200
    paged = client.get("/audit", params={"limit": 25})
    assert 'rel="next">Older' in paged.text
    assert paged.text.count('<tr id="entry-') == 25
    older = client.get("/audit", params={"limit": 25, "before": _older_cursor(paged.text)})
    assert older.status_code == 200 and "<ins>note 0</ins>" in older.text


def _older_cursor(html: str) -> str:
    import re

    found = re.search(r'before=(\d+)[^"]*" rel="next"', html)
    assert found, "no link to older entries"
    return found.group(1)


def test_the_page_is_for_admins_and_heads(app, client, cast, sessions):
    _story(app, cast, sessions)
    sign_in(client, "owner@accord.test")
    assert client.get("/audit").status_code == 403
    assert 'href="/audit"' not in client.get("/accounts").text
    client.post("/logout", data={"csrf_token": sign_in(client, "owner@accord.test")})
    client.cookies.clear()
    sign_in(client, "head@accord.test")
    page = client.get("/audit")
    assert page.status_code == 200
    assert "Renewal in May" in page.text and "Globex secret" not in page.text
