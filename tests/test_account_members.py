"""Account team members: set, audited, and a teammate may step off the team."""

from __future__ import annotations

from accord.accounts.service import list_members, set_members
from accord.core.models import AuditEntry


def test_a_teammate_can_remove_themself_from_the_account_team(sessions, cast) -> None:
    with sessions.begin() as s:
        assert set_members(s, cast.teammate, cast.acme_id, []) == []
    with sessions() as s:
        assert list_members(s, cast.owner, cast.acme_id) == []
        entry = s.query(AuditEntry).filter_by(entity="account_members").one()
        assert entry.before == {"user_ids": [cast.teammate.id]}
        assert entry.after == {"user_ids": []}


def test_the_owner_adds_a_colleague_to_the_team(sessions, cast) -> None:
    with sessions.begin() as s:
        members = set_members(s, cast.owner, cast.acme_id, [cast.teammate.id, cast.head.id])
        assert sorted(m.email for m in members) == ["head@accord.test", "teammate@accord.test"]
