"""My day's sections (both databases): a manager's own, a head's teams' and one manager's,
an admin's; the order; visibility (nothing of an unseen account); a manager filter out of
reach refused."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from accord.calendar.myday import service
from accord.core.errors import ValidationFailed
from accord.core.models import User
from myday_world import TODAY, arrange


@pytest.fixture
def world(sessions, cast) -> dict[str, int]:
    with sessions.begin() as s:
        return arrange(s, cast)


def _user(db: Session, who: object) -> User:
    user = db.get(User, who.id)  # type: ignore[attr-defined]
    assert user is not None
    return user


def titles(section) -> list[str]:
    return [i.title for i in section.items]


def test_a_managers_day(db, cast, world) -> None:
    day = service.my_day(db, _user(db, cast.owner), TODAY)
    assert titles(day.overdue) == ["Oldest overdue", "Newer overdue"]  # oldest first
    assert titles(day.due_today) == ["Due today at nine", "Due today, no time",
                                     "Snoozed back today"]
    assert day.due_today.total == 3 and day.overdue.total == 2
    assert [i.note for i in day.due_today.items] == ["", "", "snoozed"]
    assert titles(day.plan_actions_waiting) == ["acme action"]  # the later one is not due
    assert day.plan_actions_waiting.items[0].note == "overdue"
    assert [i.account_id for i in day.handoffs_waiting.items] == [cast.acme_id]
    assert [i.account_id for i in day.at_risk.items] == [cast.acme_id]
    assert day.at_risk.items[0].title.startswith("Red health")
    assert day.count() == 2 + 3 + 1 + 1 + 1 + day.reviews_this_week.total + day.renewals.total
    done = day.overdue.items[0].actions[0]
    assert done.label == "Done" and done.url.endswith("/done")
    snooze = day.overdue.items[0].actions[1]
    assert snooze.fields == {"until": "2026-03-19"}
    assert day.overdue.items[0].actions[2].fields == {"until": "2026-03-23"}  # next Monday
    action = day.plan_actions_waiting.items[0].actions[0]
    assert action.url == (f"/accounts/{cast.acme_id}/plan/actions/{world['acme_action']}"
                          "/status") and action.fields == {"status": "done"}


def test_a_due_time_is_shown_in_the_users_time_zone(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    owner.time_zone = "Europe/Berlin"
    day = service.my_day(db, owner, TODAY)
    assert day.due_today.items[0].time == "09:00"  # 08:00 UTC, CET
    owner.time_zone = "America/New_York"
    assert service.my_day(db, owner, TODAY).due_today.items[0].time == "04:00"  # EDT
    db.rollback()


def test_nothing_of_an_unseen_account_anywhere(db, cast, world) -> None:
    for who in (cast.owner, cast.head):  # (the teammate is on Globex's team: sees it)
        body = service.my_day(db, _user(db, who), TODAY).model_dump_json()
        assert "Globex" not in body, who
        assert f'"account_id":{cast.globex_id}' not in body.replace(" ", "")


def test_a_heads_day_and_one_managers(db, cast, world) -> None:
    head = _user(db, cast.head)
    team = service.my_day(db, head, TODAY)
    assert titles(team.overdue) == ["Oldest overdue", "Newer overdue"]  # not the teammate's
    assert [i.account_id for i in team.at_risk.items] == [cast.acme_id]
    assert team.manager is None
    owner = service.my_day(db, head, TODAY, manager_id=cast.owner.id)
    assert owner.manager is not None and owner.manager.name == "Olivia Owner"
    assert titles(owner.overdue) == ["Oldest overdue", "Newer overdue"]
    teammate = service.my_day(db, head, TODAY, manager_id=cast.teammate.id)
    assert teammate.count() == 0  # their Globex follow-up is out of the head's reach
    assert "Globex" not in teammate.model_dump_json()


def test_another_teams_manager_is_refused(db, cast, world) -> None:
    for who, chosen in ((cast.head, cast.outsider), (cast.owner, cast.teammate),
                        (cast.head, cast.viewer)):
        with pytest.raises(ValidationFailed) as caught:
            service.my_day(db, _user(db, who), TODAY, manager_id=chosen.id)
        assert caught.value.errors[0]["field"] == "manager_id"


def test_an_admins_day_is_everyones_and_filters(db, cast, world) -> None:
    admin = _user(db, cast.admin)
    everyone = service.my_day(db, admin, TODAY)
    assert titles(everyone.overdue) == ["Globex teammate overdue", "Globex overdue",
                                        "Oldest overdue", "Newer overdue"]
    assert everyone.at_risk.total == 2
    south = service.my_day(db, admin, TODAY, manager_id=cast.outsider.id)
    assert titles(south.overdue) == ["Globex overdue"]
    assert "Acme" not in south.model_dump_json()


def test_sections_are_bounded_with_a_link_to_the_rest(db, cast, world) -> None:
    from datetime import timedelta

    from myday_world import follow_up

    db.add_all([follow_up(cast.acme_id, cast.owner.id, f"Bulk {i}", TODAY - timedelta(
        days=100 + i)) for i in range(60)])
    db.flush()
    day = service.my_day(db, _user(db, cast.owner), TODAY)
    assert len(day.overdue.items) == 50 and day.overdue.total == 62
    assert day.overdue.more_url == "/overdue?kind=follow_up"
    assert day.overdue.items[0].title == "Bulk 59"
    db.rollback()


def test_the_overdue_list_every_kind_oldest_first(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    page = service.overdue_list(db, owner, TODAY)
    assert [(i.kind, i.title) for i in page.items] == [
        ("follow_up", "Oldest overdue"), ("handoff", "Hand-off"), ("follow_up", "Newer overdue"),
        ("plan_action", "acme action")]
    assert page.items[0].note == "20 days overdue"
    assert service.overdue_list(db, owner, TODAY, kind="plan_action").total == 1
    second = service.overdue_list(db, owner, TODAY, page=2, page_size=3)
    assert [i.title for i in second.items] == ["acme action"] and second.pages == 2
    with pytest.raises(ValidationFailed):
        service.overdue_list(db, owner, TODAY, kind="opportunity")
    head = service.overdue_list(db, _user(db, cast.head), TODAY)
    assert "Globex" not in head.model_dump_json() and head.total == 4


def _statements(db: Session, call) -> int:
    from sqlalchemy import event

    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_my_day_runs_a_few_statements_however_many_items(db, cast, world) -> None:
    """One statement per section (two for the follow-ups' both), no query per row."""
    from datetime import timedelta

    from accord.accounts.models import Account
    from myday_world import follow_up

    def counts() -> list[int]:
        db.expire_all()
        return [_statements(db, lambda u=u, m=m: service.my_day(db, _user(db, u), TODAY,
                                                               manager_id=m))
                for u, m in ((cast.owner, None), (cast.head, None),
                             (cast.head, cast.owner.id), (cast.admin, None))]

    counts()  # warm: what a first call reads once
    before = counts()
    for i in range(30):
        account = Account(name=f"Bulk {i}", name_key=f"bulk {i}", kind="company",
                          status="active", manager_id=cast.owner.id)
        db.add(account)
        db.flush()
        db.add(follow_up(account.id, cast.owner.id, f"Bulk {i}", TODAY - timedelta(days=i)))
    db.flush()
    counts()  # warm again: the write made the session read the settings again
    assert counts() == before
    assert max(before) <= 12, before
    db.rollback()
