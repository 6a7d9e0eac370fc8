"""The request guard's refusals (B2, B9) answer a browser on a page URL with the error page,
and the API (or any client not asking for HTML) with a problem body."""

from __future__ import annotations

from page_helpers import sign_in

HTML = {"accept": "text/html,application/xhtml+xml"}


def test_a_browser_posting_a_control_character_gets_the_error_page(client, cast) -> None:
    csrf = sign_in(client, "admin@accord.test")
    page = client.post("/accounts/new", data={"name": "Initech\x00", "csrf_token": csrf},
                       headers=HTML, follow_redirects=False)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "Validation failed" in page.text and "name" in page.text
    assert "<html" in page.text.lower()


def test_a_browser_following_a_bad_link_gets_the_error_page(client, cast) -> None:
    sign_in(client, "admin@accord.test")
    page = client.get("/accounts?q=a%01b", headers=HTML)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")


def test_the_api_keeps_its_problem_body_even_when_html_is_accepted(client, cast) -> None:
    response = client.get("/api/v1/accounts?q=a%01b", headers=HTML)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "q"
