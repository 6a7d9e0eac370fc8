"""Signing in through the login form, shared by the page tests."""

from __future__ import annotations

import re

from conftest import PASSWORD


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def found(pattern: str, html: str) -> str:
    """The first group of the pattern in the page, which must be there."""
    match = re.search(pattern, html)
    assert match, f"no {pattern} in the page"
    return match.group(1)


def sign_in(client, email: str) -> str:
    """Log in with the cast's password; return the session's CSRF token."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return csrf_from(client.get("/accounts").text)
