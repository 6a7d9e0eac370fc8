"""Logging in and out, the home redirect, CSRF on every form, the error pages."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from page_helpers import csrf_from


def sign_in(client, email: str, password: str = PASSWORD, next_url: str = ""):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": next_url, "csrf_token": token},
        follow_redirects=False,
    )


def test_it_sends_a_visitor_to_the_login_page_with_the_page_they_wanted(client, cast):
    response = client.get("/accounts?q=acme", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faccounts%3Fq%3Dacme"


def test_the_login_page_has_labelled_fields_and_focuses_the_email(client):
    html = client.get("/login").text
    assert '<label for="email">' in html and 'id="email" name="email"' in html
    assert '<label for="password">' in html and 'name="password" type="password"' in html
    assert "autofocus" in html.split('id="email"')[1].split(">")[0]
    assert '<button type="submit"' in html


def test_it_logs_in_and_goes_to_the_accounts(client, cast):
    response = sign_in(client, "viewer@accord.test")
    assert response.status_code == 303
    assert response.headers["location"] == "/accounts"
    page = client.get("/accounts")
    assert page.status_code == 200
    assert "Vera Viewer" in page.text and "viewer" in page.text


def test_a_manager_logs_in_to_my_day(client, cast):
    response = sign_in(client, "owner@accord.test")
    assert response.status_code == 303
    assert response.headers["location"] == "/today"
    page = client.get("/accounts")
    assert page.status_code == 200
    assert "Olivia Owner" in page.text and "manager" in page.text


def test_it_follows_a_local_next_after_login(client, cast):
    response = sign_in(client, "owner@accord.test", next_url=f"/accounts/{cast.acme_id}")
    assert response.headers["location"] == f"/accounts/{cast.acme_id}"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_it_refuses_to_redirect_off_site_after_login(client, cast, target):
    response = sign_in(client, "owner@accord.test", next_url=target)
    assert response.headers["location"] == "/today"  # a manager's own home, not the target


def test_a_wrong_password_shows_the_form_again_with_an_error(client, cast):
    response = sign_in(client, "owner@accord.test", password="wrong password")
    assert response.status_code == 400
    assert "Wrong e-mail or password" in response.text
    assert 'value="owner@accord.test"' in response.text
    assert client.get("/accounts", follow_redirects=False).status_code == 303


def test_a_deactivated_user_cannot_log_in(client, cast, sessions):
    from accord.core.models import User

    with sessions.begin() as s:
        s.get(User, cast.owner.id).is_active = False
    assert sign_in(client, "owner@accord.test").status_code == 400


def test_it_refuses_a_login_post_without_the_csrf_token(client, cast):
    client.get("/login")
    response = client.post("/login", data={"email": "owner@accord.test", "password": PASSWORD})
    assert response.status_code == 403


def test_it_refuses_a_form_post_without_the_csrf_token(client, cast):
    sign_in(client, "owner@accord.test")
    response = client.post(f"/accounts/{cast.acme_id}/edit", data={"name": "Hijacked"})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert "Acme Industries" in client.get(f"/accounts/{cast.acme_id}").text


def test_it_refuses_a_form_post_with_a_token_of_another_session(client, app, cast):
    from fastapi.testclient import TestClient

    with TestClient(app) as other:
        sign_in(other, "admin@accord.test")
        foreign = csrf_from(other.get("/accounts").text)
    sign_in(client, "owner@accord.test")
    response = client.post(
        f"/accounts/{cast.acme_id}/edit", data={"name": "Hijacked", "csrf_token": foreign}
    )
    assert response.status_code == 403


def test_htmx_requests_send_the_token_as_a_header(client, cast):
    sign_in(client, "owner@accord.test")
    token = csrf_from(client.get("/accounts").text)
    response = client.post(
        f"/accounts/{cast.acme_id}/interactions",
        headers={"X-CSRF-Token": token},
        data={"kind": "call", "occurred_on": "2024-01-05", "summary": "Checked in"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_logout_ends_the_session(client, cast):
    sign_in(client, "owner@accord.test")
    token = csrf_from(client.get("/accounts").text)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/accounts", follow_redirects=False).status_code == 303


def test_logout_needs_the_csrf_token(client, cast):
    sign_in(client, "owner@accord.test")
    assert client.post("/logout").status_code == 403
    assert client.get("/accounts", follow_redirects=False).status_code == 200


def test_home_goes_to_the_accounts(client, cast):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/accounts"


def test_an_unknown_page_is_the_404_page(client, cast):
    sign_in(client, "owner@accord.test")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.text and "<html" in response.text
    assert 'aria-label="Main"' in response.text and "Olivia Owner" in response.text  # the nav


def test_a_record_out_of_reach_is_the_404_page_with_the_navigation(client, cast):
    sign_in(client, "outsider@accord.test")
    response = client.get(f"/accounts/{cast.acme_id}")
    assert response.status_code == 404
    assert 'aria-label="Main"' in response.text and 'href="/dashboard"' in response.text


def test_signed_out_the_404_page_has_no_navigation(client, cast):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and 'aria-label="Main"' not in response.text


def test_an_expired_session_sends_htmx_to_the_login_page(client, cast):
    response = client.get("/accounts?q=a", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_the_navigation_shows_users_only_to_admins(client, cast):
    sign_in(client, "owner@accord.test")
    html = client.get("/accounts").text
    assert 'href="/dashboard"' in html and 'href="/admin/users"' not in html
    client.cookies.clear()
    sign_in(client, "admin@accord.test")
    assert 'href="/admin/users"' in client.get("/accounts").text


def test_pages_load_no_resource_from_the_network(client, cast):
    sign_in(client, "owner@accord.test")
    html = client.get(f"/accounts/{cast.acme_id}").text
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []
    assert client.get("/static/htmx.min.js").status_code == 200
    assert client.get("/static/accord.css").status_code == 200
