"""Login throttling and login auditing (issue 9, S2) and the same work for every e-mail (S3)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from accord.core import logins, security
from accord.core.database import utcnow
from accord.core.errors import NotAuthenticated
from accord.core.models import AuditEntry
from conftest import PASSWORD
from page_helpers import csrf_from


def _log_in(session, email: str, password: str, *, address: str | None, now):
    """A login as the login page makes it: the password checked, then the attempt recorded
    (the page does the two in separate sessions; one is enough here)."""
    checked = logins.check(session, email, password, address=address, now=now)
    return logins.record(session, email, checked, address=address, now=now)


def _attempt(client, email: str, password: str):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_repeated_failures_delay_the_next_attempt_with_a_clear_message(client, cast):
    for _ in range(logins.PER_ACCOUNT.free):
        assert _attempt(client, "owner@accord.test", "wrong password").status_code == 400
    refused = _attempt(client, "owner@accord.test", PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert "Too many attempts; try again in 1 second." in refused.text
    assert refused.headers["retry-after"] == "1"
    assert client.get("/accounts", follow_redirects=False).status_code == 303


def test_the_delay_grows_per_account_is_capped_and_ends(sessions, cast):
    now = utcnow()
    with sessions.begin() as s:
        for i in range(12):
            now += timedelta(minutes=2)  # past every delay: each attempt is checked
            with pytest.raises(NotAuthenticated):
                _log_in(s, "owner@accord.test", "nope", address=f"10.0.0.{i}", now=now)
    with sessions.begin() as s:
        with pytest.raises(logins.TooManyAttempts) as refused:
            _log_in(s, "owner@accord.test", PASSWORD, address="10.9.9.9", now=now)
        # 12 failures: 2^(12-5) = 128 s, capped at a minute (no lockout of a known user)
        assert refused.value.retry_after == logins.PER_ACCOUNT.cap_seconds
        assert refused.value.status == 429
    later = now + timedelta(seconds=logins.PER_ACCOUNT.cap_seconds + 1)
    with sessions.begin() as s:
        user = _log_in(s, "owner@accord.test", PASSWORD, address="10.9.9.9", now=later)
        assert user.email == "owner@accord.test"
    with sessions.begin() as s:  # the success cleared the account's counter
        with pytest.raises(NotAuthenticated):
            _log_in(s, "owner@accord.test", "nope", address="10.9.9.9", now=later)


def test_one_address_trying_many_accounts_is_delayed(sessions, cast):
    now = utcnow()
    with sessions.begin() as s:
        for i in range(logins.PER_ADDRESS.free):
            with pytest.raises(NotAuthenticated):
                _log_in(s, f"nobody{i}@accord.test", "x", address="203.0.113.7", now=now)
    with sessions.begin() as s:
        with pytest.raises(logins.TooManyAttempts):
            _log_in(s, "viewer@accord.test", PASSWORD, address="203.0.113.7", now=now)
        assert _log_in(s, "viewer@accord.test", PASSWORD, address="198.51.100.1", now=now)


def test_old_counters_are_forgotten(sessions, cast, db):
    from accord.core.models import LoginThrottle

    then = utcnow() - logins.FORGET_AFTER - timedelta(minutes=1)
    with sessions.begin() as s:
        with pytest.raises(NotAuthenticated):
            _log_in(s, "ghost@accord.test", "x", address="192.0.2.1", now=then)
    with sessions.begin() as s:
        with pytest.raises(NotAuthenticated):
            _log_in(s, "owner@accord.test", "x", address="192.0.2.2", now=utcnow())
    assert len(db.scalars(select(LoginThrottle.key)).all()) == 2  # only the new ones


def test_unknown_addresses_are_throttled_like_known_ones(client, cast):
    for _ in range(logins.PER_ACCOUNT.free):
        assert _attempt(client, "ghost@accord.test", "wrong password").status_code == 400
    assert _attempt(client, "ghost@accord.test", "wrong password").status_code == 429


def test_logins_successful_and_failed_are_audited(client, cast, db):
    assert _attempt(client, "owner@accord.test", "wrong password").status_code == 400
    assert _attempt(client, "ghost@accord.test", "wrong password").status_code == 400
    assert _attempt(client, "my secret password", "x").status_code == 400
    assert _attempt(client, "owner@accord.test", PASSWORD).status_code == 303
    rows = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(["login", "login_failed"]))
        .order_by(AuditEntry.id)
    ).all()
    seen = [(r.action, r.entity_id, (r.after or {}).get("email")) for r in rows]
    owner = str(cast.owner.id)
    assert seen == [
        ("login_failed", owner, "owner@accord.test"),
        ("login_failed", None, "ghost@accord.test"),
        ("login_failed", None, "(not an e-mail address)"),
        ("login", owner, None),
    ]
    assert rows[-1].actor == "owner@accord.test" and rows[0].actor == "system"
    assert all(r.after and r.after["address"] == "testclient" for r in rows)


@pytest.mark.parametrize("who", ["ghost@accord.test", "nopassword", "deactivated"])
def test_every_failed_login_costs_one_password_verification(sessions, cast, monkeypatch, who):
    """S3: unknown e-mails, users without a password and deactivated users are verified
    against a dummy hash, so the answer takes as long as for a known user."""
    from accord.core.models import User

    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        if who == "nopassword":
            owner.password_hash = None
        if who == "deactivated":
            owner.is_active = False
    email = who if "@" in who else "owner@accord.test"
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
            calls.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(security, "_hasher", Counting())
    with sessions.begin() as s:
        with pytest.raises(NotAuthenticated):
            _log_in(s, email, PASSWORD, address=None, now=utcnow())
    assert len(calls) == 1 and calls[0].startswith("$argon2")


def test_the_password_is_verified_before_the_login_takes_its_turn_to_write(
    app, client, cast, engine, monkeypatch
):
    """A login's argon2 verification (tens of milliseconds) holds neither the SQLite write
    lock nor the process's write turn, so logins do not hold up other writes."""
    seen: list[bool] = []

    class Probing(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
            gate = getattr(app.state, "write_gate", None)
            sqlite = engine.dialect.name == "sqlite"
            with engine.connect() as conn:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout=0")
                    conn.commit()
                try:  # fails at once if someone holds the write lock
                    conn.exec_driver_sql("UPDATE users SET capacity = capacity WHERE id = -1")
                    conn.commit()
                finally:
                    if sqlite:
                        conn.exec_driver_sql("PRAGMA busy_timeout=10000")
                        conn.commit()
            seen.append(gate is None or not gate.locked())
            return super().verify(hash, password)

    monkeypatch.setattr(security, "_hasher", Probing())
    assert _attempt(client, "owner@accord.test", PASSWORD).status_code == 303
    assert _attempt(client, "ghost@accord.test", PASSWORD).status_code == 400
    assert seen == [True, True]
