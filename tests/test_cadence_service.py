"""The cadence's use cases: the qualifying touch kept by the interactions, the override
(writers who may change the account, audited, 0 refused with nothing written), the policy
(admins; the legacy health intervals), coverage against an independent Python count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accord.accounts import contacts
from accord.accounts.models import Account
from accord.accounts.schemas import InteractionIn
from accord.accounts.touches import is_qualifying
from accord.accounts.visibility import visible_accounts
from accord.calendar.cadence import rules, service
from accord.calendar.cadence.schemas import OverrideIn
from accord.calendar.models import CadenceOverride
from accord.core import policy_store
from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.policy_store import KamSetting
from accord.relationships.models import StageAssessment
from accord.selection import service as selection
from kam_helpers import TODAY, add_contacts, make_account, scoring


def _user(sessions, who) -> User:
    with sessions.begin() as s:
        u = s.get(User, who.id)
        s.expunge(u)
    return u


def test_only_a_qualifying_touch_moves_last_qualifying_touch_on(sessions, cast) -> None:
    owner = _user(sessions, cast.owner)
    with sessions.begin() as s:
        [contact] = add_contacts(s, cast.acme_id, [("Cy Client", "it", "staff")])

        def log(kind, days_ago, with_client):
            contacts.log_interaction(s, owner, cast.acme_id, InteractionIn(
                kind=kind, occurred_on=TODAY - timedelta(days=days_ago), summary="x",
                contact_ids=[contact] if with_client else []), today=TODAY)
            return s.get(Account, cast.acme_id)

        a = log("call", 10, True)
        assert (a.last_touch_on, a.last_qualifying_touch_on) == (TODAY - timedelta(days=10),) * 2
        a = log("note", 2, True)  # a note does not count
        a = log("meeting", 1, False)  # internal: no client contact
        assert a.last_touch_on == TODAY - timedelta(days=1)
        assert a.last_qualifying_touch_on == TODAY - timedelta(days=10)
        a = log("email", 20, True)  # an older one does not move it back
        assert a.last_qualifying_touch_on == TODAY - timedelta(days=10)
        a = log("business_review", 0, True)
        assert a.last_qualifying_touch_on == TODAY


def test_an_override_wins_is_audited_and_cleared(sessions, cast) -> None:
    owner = _user(sessions, cast.owner)
    with sessions.begin() as s:
        before = service.account_cadence(s, owner, cast.acme_id, TODAY)
        assert (before.source, before.touch_days) == ("tier", 90)  # unscored: not key
        out = service.set_override(s, owner, cast.acme_id, OverrideIn(
            touch_days=1, review_days=30, reason="wants a call every day"), TODAY)
        assert (out.source, out.touch_days, out.review_days) == ("override", 1, 30)
        assert out.override is not None and out.override.set_by == "owner@accord.test"
        out = service.set_override(s, owner, cast.acme_id, OverrideIn(
            touch_days=None, reason="reports only"), TODAY)
        assert (out.touch_days, out.state) == (None, "none")
        out = service.clear_override(s, owner, cast.acme_id, TODAY)
        assert (out.source, out.override) == ("tier", None)
        actions = s.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "cadence_override").order_by(AuditEntry.id)).scalars().all()
    assert actions == ["create", "update", "delete"]


@pytest.mark.parametrize("data, field", [
    ({"touch_days": 0, "reason": "x"}, "touch_days"),
    ({"touch_days": 5, "review_days": 0, "reason": "x"}, "review_days"),
    ({"touch_days": 5, "reason": "   "}, "reason"),
    ({"touch_days": 4000, "reason": "x"}, "touch_days"),
])
def test_a_bad_override_is_refused_and_nothing_is_written(sessions, cast, data, field) -> None:
    owner = _user(sessions, cast.owner)
    with sessions.begin() as s:
        with pytest.raises(ValidationFailed) as caught:
            service.set_override(s, owner, cast.acme_id, OverrideIn(**data), TODAY)
        assert field in [p.field for p in caught.value.problems]
        if data.get("touch_days") == 0:
            assert "0 is not an interval" in caught.value.problems[0].message
        assert s.scalar(select(func.count()).select_from(CadenceOverride)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "cadence_override")) == 0


def test_another_managers_account_is_not_found_and_readers_may_not_override(
        sessions, cast) -> None:
    owner, outsider, viewer = (_user(sessions, w) for w in (cast.owner, cast.outsider,
                                                            cast.viewer))
    data = OverrideIn(touch_days=3, reason="x")
    with sessions.begin() as s:
        with pytest.raises(NotFound):
            service.account_cadence(s, owner, cast.globex_id, TODAY)
        with pytest.raises(NotFound):
            service.set_override(s, owner, cast.globex_id, data, TODAY)
        with pytest.raises(NotFound):
            service.clear_override(s, outsider, cast.acme_id, TODAY)
        assert service.account_cadence(s, viewer, cast.acme_id, TODAY).account_id == cast.acme_id
        with pytest.raises(Forbidden):
            service.set_override(s, viewer, cast.acme_id, data, TODAY)
        assert s.scalar(select(func.count()).select_from(CadenceOverride)) == 0


def test_the_policy_is_for_admins_and_reads_the_legacy_health_intervals(sessions, cast) -> None:
    admin, head = _user(sessions, cast.admin), _user(sessions, cast.head)
    with sessions.begin() as s:  # a health policy stored before the cadence moved
        s.add(KamSetting(name="health", value={"green_from": 70, "cadence_days": {
            "Strategic": 10, "not key": 60}}))
    with sessions.begin() as s:
        p = service.policy(s)
        assert (p.tiers["Strategic"].touch_days, p.tiers["not key"].touch_days) == (10, 60)
        assert p.tiers["Star"].touch_days == 21
        assert service.account_cadence(s, admin, cast.acme_id, TODAY).touch_days == 60
        from accord.health import service as health
        assert health.default_policy(s).green_from == 70  # the old document still loads
        with pytest.raises(Forbidden):
            service.update_policy(s, head, {"due_ratio": "0.7"})
        with pytest.raises(ValidationFailed):
            service.update_policy(s, admin, {"tiers": {"Star": {"touch_days": 0}}})
        assert policy_store.stored(s, "cadence") is None  # nothing written
        service.update_policy(s, admin, {"tiers": {"Star": {"touch_days": 7}}})
    with sessions.begin() as s:
        p = service.policy(s)  # saved once: the legacy intervals came along
        assert (p.tiers["Star"].touch_days, p.tiers["Strategic"].touch_days) == (7, 10)
        service.update_policy(s, admin, {"stages": {"Star": {"Strategic": {"touch_days": 5}}}})
        service.update_policy(s, admin, {"stages": {"Star": {"Tactical": {"touch_days": 6}}}})
        assert set(service.policy(s).stages["Star"]) == {"Strategic", "Tactical"}
        service.update_policy(s, admin, {"stages": {"Star": {"Strategic": None}}})
        assert set(service.policy(s).stages["Star"]) == {"Tactical"}


def _reference(s, user, today) -> dict[str, tuple[int, int, int]]:
    """Coverage per manager by the pure rules, account by account."""
    policy = service.policy(s)
    out: dict[str, list[int]] = {}
    for account in s.scalars(select(Account).where(visible_accounts(user))):
        tier = selection.tier_case_one(s, account.id)
        if tier == rules.NOT_KEY or account.kind == "person":
            continue
        interval = rules.resolve(policy, tier, service.latest_stage(s, account.id),
                                 s.get(CadenceOverride, account.id))
        row = out.setdefault(str(account.manager_id), [0, 0, 0])
        if interval.touch_days is None:
            row[2] += 1
            continue
        last = account.last_qualifying_touch_on
        row[0] += 1
        row[1] += int(last is not None and (today - last).days <= interval.touch_days)
    return {k: (a, c, r) for k, (a, c, r) in out.items()}


def test_coverage_equals_a_python_count_per_manager_and_in_total(sessions, cast) -> None:
    admin, head = _user(sessions, cast.admin), _user(sessions, cast.head)
    with sessions.begin() as s:
        grades = [("8", "8"), ("8", "3"), ("3", "8"), ("9", "9"), ("6", "7"), ("3", "3")]
        for i in range(20):
            manager = (cast.owner.id, cast.teammate.id, cast.outsider.id)[i % 3]
            last = TODAY - timedelta(days=(i * 9) % 50) if i % 4 else None
            a = make_account(s, f"Key {i}", manager, kind="person" if i == 7 else "company",
                             last_touch=last, segment=("Retail", "Energy")[i % 2])
            attractiveness, us = grades[i % len(grades)]
            selection.score_account(s, admin, a, scoring(
                s, admin, attractiveness=attractiveness, us=us), today=TODAY)
            if i % 5 == 2:
                s.add(StageAssessment(account_id=a, assessed_on=TODAY, assessed_by="t",
                                      recorded_stage="Strategic", suggested_stage="Tactical",
                                      suggested_total=10, detail=[]))
            if i % 6 == 1:
                s.add(CadenceOverride(account_id=a, touch_days=None if i == 1 else 2,
                                      reason="r"))
        service.update_policy(s, admin, {"stages": {t: {"Strategic": {"touch_days": 3}}
                                                    for t in rules.TIERS}})
    for user in (admin, head):
        with sessions.begin() as s:
            expected = _reference(s, user, TODAY)
            out = service.coverage(s, user, TODAY, "manager")
            got = {g.key: (g.accounts, g.covered, g.reports_only) for g in out.groups}
            assert got == expected
            total = [sum(v[i] for v in expected.values()) for i in range(3)]
            assert (out.total.accounts, out.total.covered, out.total.reports_only) == tuple(total)
            assert out.total.share == service.share(total[1], total[0])
            assert service.coverage(s, user, TODAY).total == out.total
            for by in ("segment", "tier"):
                grouped = service.coverage(s, user, TODAY, by)
                assert sum(g.accounts for g in grouped.groups) == total[0]
                assert sum(g.covered for g in grouped.groups) == total[1]
    assert expected and total[0] > 0 and 0 < total[1] < total[0]


def test_coverage_by_something_else_is_refused(sessions, cast) -> None:
    with sessions.begin() as s, pytest.raises(ValidationFailed):
        service.coverage(s, _user(sessions, cast.admin), TODAY, "colour")


def test_is_qualifying_is_the_rule_the_migration_filled_the_column_with() -> None:
    assert is_qualifying("business_review", True) and not is_qualifying("note", True)
