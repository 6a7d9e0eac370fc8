"""Every write through the API lands in the audit log with its actor, before and after;
the audit log itself is append-only in both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from accord.core import audit
from accord.core.models import AuditEntry
from conftest import api_client


def entries(db, entity: str) -> list[AuditEntry]:
    db.expire_all()
    return list(
        db.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id))
    )


def _contact(client, cast) -> dict[str, Any]:
    made = client.post(
        f"/api/v1/accounts/{cast.acme_id}/contacts",
        json={"name": "Ann Buyer", "email": "ann@acme.test"},
    )
    assert made.status_code == 201
    return made.json()


# (name, who, write(client, cast) -> response, entity, action, expected before, expected after)
WRITES: list[
    tuple[str, str, Callable[..., Any], str, str, dict[str, Any] | None, dict[str, Any] | None]
] = [
    (
        "create account",
        "owner",
        lambda c, k: c.post(
            "/api/v1/accounts", json={"name": "Initech", "estimated_spend": "10.50"}
        ),
        "account",
        "create",
        None,
        {"name": "Initech", "estimated_spend_cents": 1050},
    ),
    (
        "update account",
        "teammate",
        lambda c, k: c.patch(
            f"/api/v1/accounts/{k.acme_id}", json={"status": "lapsed", "notes": "n"}
        ),
        "account",
        "update",
        {"status": "active", "notes": None},
        {"status": "lapsed", "notes": "n"},
    ),
    (
        "delete account",
        "admin",
        lambda c, k: c.delete(f"/api/v1/accounts/{k.globex_id}"),
        "account",
        "delete",
        {"name": "Globex Corporation"},
        None,
    ),
    (
        "set members",
        "owner",
        lambda c, k: c.put(f"/api/v1/accounts/{k.acme_id}/members", json={"user_ids": [k.head.id]}),
        "account_members",
        "update",
        {"user_ids": "teammate"},
        {"user_ids": "head"},
    ),
    (
        "add contact",
        "owner",
        lambda c, k: c.post(
            f"/api/v1/accounts/{k.acme_id}/contacts",
            json={"name": "Ann Buyer", "email": "ann@acme.test"},
        ),
        "contact",
        "create",
        None,
        {"name": "Ann Buyer", "email": "ann@acme.test"},
    ),
    (
        "update contact",
        "owner",
        lambda c, k: c.patch(
            f"/api/v1/accounts/{k.acme_id}/contacts/{_contact(c, k)['id']}",
            json={"phone": "+1 555"},
        ),
        "contact",
        "update",
        {"phone": None},
        {"phone": "+1 555"},
    ),
    (
        "unlink contact",
        "owner",
        lambda c, k: c.delete(f"/api/v1/accounts/{k.acme_id}/contacts/{_contact(c, k)['id']}"),
        "account_contact",
        "unlink",
        None,
        None,
    ),
    (
        "log interaction",
        "teammate",
        lambda c, k: c.post(
            f"/api/v1/accounts/{k.acme_id}/interactions",
            json={"kind": "call", "occurred_on": "2024-02-03", "summary": "Pricing call"},
        ),
        "interaction",
        "create",
        None,
        {"kind": "call", "summary": "Pricing call"},
    ),
    (
        "create user",
        "admin",
        lambda c, k: c.post("/api/v1/users", json={"email": "new@accord.test", "role": "viewer"}),
        "user",
        "create",
        None,
        {"email": "new@accord.test", "role": "viewer"},
    ),
    (
        "update user",
        "admin",
        lambda c, k: c.patch(
            f"/api/v1/users/{k.viewer.id}", json={"role": "billing", "password": "a new password"}
        ),
        "user",
        "update",
        {"role": "viewer"},
        {"role": "billing", "password": "changed"},
    ),
    (
        "create token",
        "owner",
        lambda c, k: c.post(f"/api/v1/users/{k.owner.id}/tokens", json={"name": "laptop"}),
        "api_token",
        "create",
        None,
        {"user": "owner@accord.test", "name": "laptop"},
    ),
    (
        "revoke token",
        "owner",
        lambda c, k: c.delete(f"/api/v1/tokens/{c.get('/api/v1/tokens').json()[0]['id']}"),
        "api_token",
        "revoke",
        {"revoked_at": None},
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "who", "write", "entity", "action", "before", "after"),
    WRITES,
    ids=[w[0] for w in WRITES],
)
def test_every_api_write_is_audited_with_actor_before_and_after(
    app, cast, sessions, db, name, who, write, entity, action, before, after
) -> None:
    client = api_client(app, cast.token(sessions, who))
    response = write(client, cast)
    assert response.status_code < 300, response.text
    found = [e for e in entries(db, entity) if e.action == action]
    assert found, f"no {action} {entity} in the audit log"
    entry = found[-1]
    actor = getattr(cast, who)
    assert (entry.actor, entry.actor_id) == (actor.email, actor.id)
    assert entry.at is not None and entry.at.tzinfo is not None
    names = {"teammate": [cast.teammate.id], "head": [cast.head.id]}
    for expected, recorded in ((before, entry.before), (after, entry.after)):
        if expected is None:
            continue
        assert recorded is not None
        for key, value in expected.items():
            assert recorded[key] == names.get(value, value), (key, recorded)
    if action == "revoke":
        assert entry.after and entry.after["revoked_at"]


def test_a_refused_write_leaves_no_audit_entry(app, cast, sessions, db) -> None:
    count = len(entries(db, "account"))
    viewer = api_client(app, cast.token(sessions, "viewer"))
    assert viewer.patch(f"/api/v1/accounts/{cast.acme_id}", json={"notes": "x"}).status_code == 403
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert (
        outsider.patch(f"/api/v1/accounts/{cast.acme_id}", json={"notes": "x"}).status_code == 404
    )
    assert len(entries(db, "account")) == count


def test_the_audit_log_refuses_update_and_delete(sessions, db) -> None:
    with sessions.begin() as s:
        audit.record(s, None, "create", "thing", 1, after={"a": 1})
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with sessions.begin() as s:
                s.execute(text(statement))
    assert [e.actor for e in entries(db, "thing")] == ["system"]
