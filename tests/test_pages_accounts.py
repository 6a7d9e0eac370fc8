"""The accounts list and the account page: search, filters, sort, pages, contacts, timeline."""

from __future__ import annotations

import re
from datetime import date

import pytest

from page_helpers import sign_in


def row_names(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<td class="row-title"><a href="/accounts/\d+">([^<]+)</a>', body)


def add_accounts(sessions, manager_id: int, n: int, **extra):
    from accord.accounts.models import Account
    from accord.core.database import utcnow

    now = utcnow()
    with sessions.begin() as s:
        s.add_all(
            [
                Account(
                    name=f"Bulk {i:03d}",
                    name_key=f"bulk {i:03d}",
                    external_id=f"B{i:03d}",
                    kind="company",
                    status="active",
                    segment="Retail",
                    manager_id=manager_id,
                    created_at=now,
                    updated_at=now,
                    **extra,
                )
                for i in range(n)
            ]
        )


# ------------------------------------------------------------------ the list


def test_the_list_shows_only_the_accounts_the_user_may_see(client, cast):
    sign_in(client, "owner@accord.test")
    html = client.get("/accounts").text
    assert row_names(html) == ["Acme Industries"]
    assert "Globex" not in html


def test_a_head_sees_the_accounts_of_their_team(client, cast):
    sign_in(client, "head@accord.test")
    assert row_names(client.get("/accounts").text) == ["Acme Industries"]
    client.cookies.clear()
    sign_in(client, "otherhead@accord.test")
    assert row_names(client.get("/accounts").text) == ["Globex Corporation"]


def test_an_admin_sees_every_account(client, cast):
    sign_in(client, "admin@accord.test")
    assert row_names(client.get("/accounts").text) == ["Acme Industries", "Globex Corporation"]


def test_search_matches_the_name_or_the_external_id(client, cast):
    sign_in(client, "admin@accord.test")
    assert row_names(client.get("/accounts?q=glob").text) == ["Globex Corporation"]
    assert row_names(client.get("/accounts?q=ACME").text) == ["Acme Industries"]
    html = client.get("/accounts?q=nothing-like-this").text
    assert row_names(html) == [] and "No accounts match" in html


def test_search_does_not_reveal_accounts_out_of_sight(client, cast):
    sign_in(client, "owner@accord.test")
    html = client.get("/accounts?q=GLOBEX").text
    assert row_names(html) == [] and "Globex" not in html.split("<main", 1)[1].replace(
        'value="GLOBEX"', ""
    )


def test_filters_narrow_the_list(client, cast):
    sign_in(client, "admin@accord.test")
    assert row_names(client.get("/accounts?segment=Energy").text) == ["Globex Corporation"]
    assert row_names(client.get(f"/accounts?manager={cast.owner.id}").text) == ["Acme Industries"]
    assert row_names(client.get("/accounts?status=churned").text) == []
    assert row_names(client.get("/accounts?kind=person").text) == []
    html = client.get("/accounts").text
    assert '<option value="Energy">' in html and '<option value="Manufacturing">' in html


def test_sort_by_name_both_ways_with_the_header_marked(client, cast):
    sign_in(client, "admin@accord.test")
    html = client.get("/accounts?sort=-name").text
    assert row_names(html) == ["Globex Corporation", "Acme Industries"]
    assert 'aria-sort="descending"' in html
    assert 'href="/accounts?sort=name"' not in html  # the name header now sorts ascending
    assert row_names(client.get("/accounts?sort=name").text) == [
        "Acme Industries",
        "Globex Corporation",
    ]


def test_an_unknown_sort_or_page_size_falls_back_to_the_defaults(client, cast):
    sign_in(client, "admin@accord.test")
    response = client.get("/accounts?sort=drop&page_size=7&page=abc")
    assert response.status_code == 200
    assert row_names(response.text) == ["Acme Industries", "Globex Corporation"]


def test_pagination_shows_counts_and_page_links(client, cast, sessions):
    add_accounts(sessions, cast.owner.id, 120)
    sign_in(client, "owner@accord.test")
    html = client.get("/accounts?page_size=25&page=2").text
    names = row_names(html)
    assert len(names) == 25 and names[0] == "Bulk 024"
    assert "26–50 of 121" in html
    assert 'aria-current="page">2<' in html
    assert 'href="/accounts?page_size=25&amp;page=5"' in html
    last = client.get("/accounts?page_size=25&page=5").text
    assert len(row_names(last)) == 21 and "101–121 of 121" in last
    beyond = client.get("/accounts?page_size=25&page=9").text
    assert "Nothing on this page" in beyond


def test_the_segment_choices_are_those_of_the_accounts_one_sees(client, cast):
    def choices(html: str) -> list[str]:
        select = html.split('id="f-segment"', 1)[1].split("</select>", 1)[0]
        return re.findall(r'<option value="([^"]+)"', select)

    sign_in(client, "owner@accord.test")
    assert choices(client.get("/accounts").text) == ["Manufacturing"]
    client.cookies.clear()
    sign_in(client, "admin@accord.test")
    assert choices(client.get("/accounts").text) == ["Energy", "Manufacturing"]


def test_a_search_with_wildcards_matches_them_literally(client, cast, sessions):
    add_accounts(sessions, cast.owner.id, 3)
    sign_in(client, "admin@accord.test")
    html = client.get("/accounts", params={"q": "%"}).text
    assert row_names(html) == [] and "No accounts match" in html
    html = client.get("/accounts", params={"q": "BULK 00"}).text
    assert row_names(html) == ["Bulk 000", "Bulk 001", "Bulk 002"] and "1–3 of 3" in html


def test_htmx_gets_only_the_table_fragment(client, cast):
    sign_in(client, "admin@accord.test")
    response = client.get("/accounts?q=acme", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and '<nav class="pagination"' in response.text
    assert row_names(response.text) == ["Acme Industries"]
    restored = client.get(
        "/accounts?q=acme", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restored.text


def test_the_search_box_updates_the_table_as_you_type(client, cast):
    sign_in(client, "admin@accord.test")
    html = client.get("/accounts").text
    box = html.split('id="q"', 1)[1].split(">", 1)[0]
    assert 'hx-trigger="input changed delay:300ms' in box and 'hx-push-url="true"' in box
    assert 'method="get" action="/accounts"' in html  # works without JavaScript too


def test_a_viewer_sees_no_create_button(client, cast):
    sign_in(client, "viewer@accord.test")
    html = client.get("/accounts").text
    assert "Globex Corporation" in html and 'href="/accounts/new"' not in html


# ------------------------------------------------------------------ the account page


@pytest.fixture
def acme_with_history(sessions, cast):
    from accord.accounts import contacts as contact_service
    from accord.accounts.models import BuyingRole, InteractionKind, Seniority
    from accord.accounts.schemas import ContactIn, InteractionIn
    from accord.core.models import User
    from accord.core.periods import month_index
    from accord.revenue.models import MonthlyRevenue
    from accord.web.deps import today

    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        boss = contact_service.add_contact(
            s,
            owner,
            cast.acme_id,
            ContactIn(
                name="Wile E. Coyote",
                email="wile@acme.test",
                function="Procurement",
                seniority=Seniority.EXECUTIVE,
                buying_role=BuyingRole.DECISION_MAKER,
                influence=5,
            ),
        )
        for k in range(25):
            contact_service.log_interaction(
                s,
                owner,
                cast.acme_id,
                InteractionIn(
                    kind=InteractionKind.CALL,
                    occurred_on=date(2024, 1, 1 + k),
                    summary=f"Call number {k + 1}",
                    contact_ids=[boss.id],
                ),
                today=date(2024, 12, 31),
            )
        now = month_index(today())
        for back, cents in ((0, 150_000), (1, 250_000), (13, 100_000)):
            s.add(
                MonthlyRevenue(
                    account_id=cast.acme_id,
                    month=now - back,
                    amount_cents=cents,
                    cumulative_cents=0,
                    line_count=1,
                )
            )
    return boss


def _revenue_model_fields() -> set[str]:
    from accord.revenue.models import MonthlyRevenue

    return set(MonthlyRevenue.__table__.columns.keys())


def test_the_account_page_shows_profile_contacts_timeline_and_chart(
    client, cast, acme_with_history
):
    sign_in(client, "owner@accord.test")
    html = client.get(f"/accounts/{cast.acme_id}").text
    assert "<h1>Acme Industries</h1>" in html
    assert "Manufacturing" in html and "Olivia Owner" in html and "Tom Teammate" in html
    contacts = html.split('id="contacts-table"', 1)[1].split("</table>", 1)[0]
    assert "Wile E. Coyote" in contacts and "decision maker" in contacts
    assert "Procurement" in contacts and "executive" in contacts and "2024-01-25" in contacts
    timeline = html.split('id="timeline-list"', 1)[1]
    shown = re.findall(r"Call number (\d+)", timeline)
    assert shown[:2] == ["25", "24"] and len(shown) == 20  # newest first, one page
    assert "Load more (5 older)" in timeline
    chart = html.split('id="revenue-chart"', 1)[1]
    assert 'role="img"' in chart and chart.count('<rect class="bar') == 36
    # the 12 complete months before this one: 2,500 (last month); this month's 1,500 is not
    # complete yet, and the 1,000 of 13 months ago belongs to the 12 months before
    assert "2,500.00" in html.split('id="trailing-12"', 1)[1][:80]


def test_load_more_returns_the_older_interactions(client, cast, acme_with_history):
    sign_in(client, "owner@accord.test")
    html = client.get(
        f"/accounts/{cast.acme_id}/timeline?offset=20", headers={"HX-Request": "true"}
    ).text
    assert re.findall(r"Call number (\d+)", html) == ["5", "4", "3", "2", "1"]
    assert "Load more" not in html
    full = client.get(f"/accounts/{cast.acme_id}?shown=40").text
    assert len(re.findall(r"Call number (\d+)", full)) == 25


def test_an_outsider_gets_the_404_page_and_learns_nothing(client, cast, acme_with_history):
    sign_in(client, "outsider@accord.test")
    for url in (
        f"/accounts/{cast.acme_id}",
        f"/accounts/{cast.acme_id}/edit",
        f"/accounts/{cast.acme_id}/timeline",
        f"/accounts/{cast.acme_id}/members/edit",
        f"/accounts/{cast.acme_id}/contacts/{acme_with_history.id}/edit",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Acme" not in response.text and "Coyote" not in response.text


def test_an_outsider_cannot_post_to_an_account_they_cannot_see(client, cast, acme_with_history):
    token = sign_in(client, "outsider@accord.test")
    for url, data in (
        (f"/accounts/{cast.acme_id}/edit", {"name": "Mine now"}),
        (f"/accounts/{cast.acme_id}/contacts", {"name": "Spy"}),
        (
            f"/accounts/{cast.acme_id}/interactions",
            {"kind": "call", "occurred_on": "2024-02-01", "summary": "x"},
        ),
        (f"/accounts/{cast.acme_id}/members", {"user_ids": str(cast.outsider.id)}),
        (f"/accounts/{cast.acme_id}/contacts/{acme_with_history.id}/unlink", {}),
    ):
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 404, url
        assert "Acme" not in response.text


def test_a_teammate_and_the_head_can_open_the_account(client, cast):
    for email in ("teammate@accord.test", "head@accord.test"):
        client.cookies.clear()
        sign_in(client, email)
        assert client.get(f"/accounts/{cast.acme_id}").status_code == 200
        assert client.get(f"/accounts/{cast.globex_id}").status_code == 404


def test_a_viewer_reads_but_sees_no_edit_buttons_and_gets_403_on_post(
    client, cast, acme_with_history
):
    token = sign_in(client, "viewer@accord.test")
    html = client.get(f"/accounts/{cast.acme_id}").text
    assert "Wile E. Coyote" in html
    assert "/edit" not in html and "Log interaction" not in html and "Add contact" not in html
    assert client.get(f"/accounts/{cast.acme_id}/edit").status_code == 403
    assert client.get("/accounts/new").status_code == 403
    for url, data in (
        ("/accounts/new", {"name": "New"}),
        (f"/accounts/{cast.acme_id}/edit", {"name": "Changed"}),
        (f"/accounts/{cast.acme_id}/contacts", {"name": "Someone"}),
        (f"/accounts/{cast.acme_id}/contacts/{acme_with_history.id}/edit", {"name": "X"}),
        (
            f"/accounts/{cast.acme_id}/interactions",
            {"kind": "call", "occurred_on": "2024-02-01", "summary": "x"},
        ),
        (f"/accounts/{cast.acme_id}/members", {}),
    ):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url


def test_billing_is_read_only_too(client, cast):
    token = sign_in(client, "billing@accord.test")
    assert client.get(f"/accounts/{cast.globex_id}").status_code == 200
    response = client.post(
        f"/accounts/{cast.globex_id}/edit", data={"name": "X", "csrf_token": token}
    )
    assert response.status_code == 403
