"""Links that show the client a plan's shareable sections: random token stored hashed,
expiring, revocable, audited; the view holds only the shared sections; an unknown, expired
or revoked token is the same 404 and writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from accord.core.database import utcnow
from accord.core.errors import Forbidden, NotFound
from accord.core.models import AuditEntry
from accord.plans import service, sharing
from accord.plans.models import PlanShareLink
from accord.plans.schemas import PlanPatch, PlanStart
from accord.plans.settings import save_plans_policy
from plan_helpers import TODAY, audit_count, full_plan, person


def test_a_link_shows_only_the_shared_sections(db, cast) -> None:
    owner = person(db, cast, "owner")
    plan_id, _ = full_plan(db, cast)
    link = sharing.create_share_link(db, owner, plan_id)
    stored = db.scalar(select(PlanShareLink).where(PlanShareLink.id == link.id))
    assert stored.token_hash != link.token and link.token not in stored.token_hash
    assert link.path == f"/shared/plans/{link.token}" and link.active
    assert (link.expires_at - link.created_at) == timedelta(days=30)
    view = sharing.shared_view(db, link.token, now=utcnow())
    assert view.sections == ["business", "goals", "objectives"]
    assert view.business == "Pumps for breweries" and view.goals == ["Open a second plant"]
    assert [o.title for o in view.objectives or []] == ["Second plant on contract"]
    assert view.pain_points is None and view.risks is None and view.key_people is None
    assert view.strengths is None and view.value_to_us is None
    text = json.dumps(view.model_dump(mode="json"))
    for secret in ("Downtime", "Budget freeze", "Carla", "Rival Ltd", "Olivia", '"id"',
                   "owner"):
        assert secret not in text
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity == "plan_share_link"))
    assert entry is not None and entry.account_id == cast.acme_id


def test_marking_a_section_unshared_hides_it_at_once(db, cast) -> None:
    owner = person(db, cast, "owner")
    plan_id, _ = full_plan(db, cast)
    link = sharing.create_share_link(db, owner, plan_id)
    service.update_plan(db, owner, plan_id, PlanPatch(shared_sections=["key_people"]),
                        today=TODAY)
    view = sharing.shared_view(db, link.token, now=utcnow())
    assert view.sections == ["key_people"] and view.business is None and view.goals is None
    assert [(p.name, p.buying_role) for p in view.key_people or []] == [
        ("Carla Acme", "decision_maker")]


def test_expired_revoked_unknown_and_archived_links_are_one_404_writing_nothing(
    db, cast
) -> None:
    owner = person(db, cast, "owner")
    plan_id, _ = full_plan(db, cast)
    now = utcnow()
    old = sharing.create_share_link(db, owner, plan_id, now=now - timedelta(days=31))
    revoked = sharing.create_share_link(db, owner, plan_id)
    out = sharing.revoke_share_link(db, owner, revoked.id)
    assert out.revoked_at is not None and not out.active
    before = audit_count(db)
    answers = set()
    for token in (old.token, revoked.token, "no-such-token", "", "x" * 500):
        with pytest.raises(NotFound) as gone:
            sharing.shared_view(db, token, now=now)
        answers.add(gone.value.detail)
    assert answers == {sharing.GONE}
    assert audit_count(db) == before
    live = sharing.create_share_link(db, owner, plan_id)
    service.start_plan(db, owner, cast.acme_id, PlanStart(), today=TODAY + timedelta(days=1))
    with pytest.raises(NotFound):
        sharing.shared_view(db, live.token, now=utcnow())


def test_links_expire_after_the_policy_days_and_only_writers_make_them(db, cast) -> None:
    owner, admin = person(db, cast, "owner"), person(db, cast, "admin")
    plan_id, _ = full_plan(db, cast)
    save_plans_policy(db, admin, {"share_link_days": 7})
    link = sharing.create_share_link(db, owner, plan_id)
    assert link.expires_at - link.created_at == timedelta(days=7)
    with pytest.raises(Forbidden):
        sharing.create_share_link(db, person(db, cast, "viewer"), plan_id)
    with pytest.raises(NotFound):
        sharing.create_share_link(db, person(db, cast, "outsider"), plan_id)
    with pytest.raises(NotFound):
        sharing.revoke_share_link(db, person(db, cast, "outsider"), link.id)
    listed = sharing.list_share_links(db, person(db, cast, "viewer"), plan_id)
    assert [item.id for item in listed] == [link.id]
    assert "token" not in listed[0].model_dump()
