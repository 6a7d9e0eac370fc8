"""The e-mail rule, for logins, users and contacts alike (standard library only)."""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: the longest address the users table holds (B5)
MAX_EMAIL = 254


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why ``email`` (normalised) is not an address Accord keeps; None when it is one."""
    if len(email) > MAX_EMAIL:
        return f"at most {MAX_EMAIL} characters"
    if not EMAIL_RE.match(email):
        return f"not an e-mail address: {email!r}"
    return None

