"""Issue 9, section 2: the visibility and role defects V1-V7, each through its front doors.

The cast (tests/conftest.py): head heads North (owner, teammate); other_head heads South
(outsider, who manages Globex). Acme is owner's; Globex is out of reach of North.
"""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from accord.cli.main import app as cli
from accord.core.models import ApiToken, AuditEntry, User
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()


# ---------------------------------------------------------------- V7: tokens stay revoked


def _revoked(db, user_id: int) -> list[bool]:  # type: ignore[no-untyped-def]
    db.expire_all()
    rows = db.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    return [r.revoked_at is not None for r in rows]


def test_v7_reactivating_a_user_over_the_api_does_not_revive_their_tokens(
    app, cast, sessions, db
) -> None:  # type: ignore[no-untyped-def]
    secret = cast.token(sessions, "owner")
    owner = api_client(app, secret)
    admin = api_client(app, cast.token(sessions, "admin"))
    assert owner.get("/api/v1/me").status_code == 200
    assert admin.patch(f"/api/v1/users/{cast.owner.id}", json={"is_active": False}).is_success
    assert _revoked(db, cast.owner.id) == [True]
    assert owner.get("/api/v1/me").status_code == 401
    assert admin.patch(f"/api/v1/users/{cast.owner.id}", json={"is_active": True}).is_success
    assert owner.get("/api/v1/me").status_code == 401
    assert _revoked(db, cast.owner.id) == [True]
    revoked = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "api_token", AuditEntry.action == "revoke")
    ).all()
    assert len(revoked) == 1


def test_v7_reactivating_a_user_on_the_admin_page_does_not_revive_their_tokens(
    app, cast, sessions, client, db
) -> None:  # type: ignore[no-untyped-def]
    secret = cast.token(sessions, "owner")
    csrf = sign_in(client, "admin@accord.test")
    fields = {"csrf_token": csrf, "name": "Olivia Owner", "role": "manager", "capacity": "100"}
    off = client.post(f"/admin/users/{cast.owner.id}", data=fields, follow_redirects=False)
    assert off.status_code == 303
    on = client.post(
        f"/admin/users/{cast.owner.id}", data={**fields, "is_active": "on"}, follow_redirects=False
    )
    assert on.status_code == 303
    db.expire_all()
    assert db.get(User, cast.owner.id).is_active
    assert api_client(app, secret).get("/api/v1/me").status_code == 401
    assert _revoked(db, cast.owner.id) == [True]


def test_v7_no_door_issues_a_token_to_a_deactivated_user(
    app, cast, sessions, database_url, db
) -> None:  # type: ignore[no-untyped-def]
    admin = api_client(app, cast.token(sessions, "admin"))
    assert admin.patch(f"/api/v1/users/{cast.owner.id}", json={"is_active": False}).is_success
    made = admin.post(f"/api/v1/users/{cast.owner.id}/tokens", json={"name": "late"})
    assert made.status_code == 422, made.text
    result = runner.invoke(cli, ["--database-url", database_url, "users", "token",
                                 "owner@accord.test"])
    assert result.exit_code != 0 and "deactivated" in result.output
    assert _revoked(db, cast.owner.id) == []
