"""Who sees a brief and when one is late, in their forms side by side, on SQLite and
PostgreSQL: ``agency.access.brief_filter`` (and ``brief_filter_set``, ``get_visible_brief``)
against the pure ``rules.sees_brief`` for every (user, brief) of generated worlds, and
``access.late_brief_sql`` against ``rules.is_late``; who may open a department's board; an
account filter never tells a caller which briefs belong to an account they do not see; the
board judges late on the department's today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accord.accounts.models import Account
from accord.agency import access
from accord.agency import rules as agency_rules
from accord.agency.briefs import rules, service
from accord.agency.briefs.schemas import Filters
from accord.agency.models import Brief, Department
from accord.core.database import utcnow
from accord.core.errors import NotFound
from accord.core.models import User
from test_agency_briefs_service import TODAY, _in, _sent, _user, make_world

HYPOTHESIS = settings(max_examples=12, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])
WHO = ("admin", "head", "owner", "teammate", "outsider", "other_head", "viewer", "billing")

briefs_st = st.lists(st.tuples(
    st.sampled_from(("acme", "globex")), st.integers(0, 2), st.sampled_from(rules.STATES),
    st.booleans(), st.integers(-3, 3)), min_size=1, max_size=8)


def _users(db, cast, world) -> list[User]:
    people = [_user(db, getattr(cast, who)) for who in WHO]
    return [*people, _user(db, world.specialist), _user(db, world.media_specialist)]


def _add(db, cast, world, specs) -> list[Brief]:
    departments = (world.creative, world.media, world.tokyo)
    now = utcnow()
    made = []
    for account, dept, status, sent, shift in specs:
        # a cancelled brief may have been sent or not; the others as their state says
        sent_on = TODAY if status in rules.SENT_STATES or (status == "cancelled" and sent) \
            else None
        due = TODAY + timedelta(days=shift)
        b = Brief(account_id=cast.acme_id if account == "acme" else cast.globex_id,
                  department_id=departments[dept], title="t", status=status,
                  original_due_on=due, due_on=due, sent_on=sent_on, created_at=now,
                  updated_at=now)
        db.add(b)
        made.append(b)
    db.flush()
    return made


@given(specs=briefs_st)
@HYPOTHESIS
def test_the_sql_filter_is_the_pure_rule_for_every_user_and_brief(db, cast, world,
                                                                    specs) -> None:
    try:
        made = _add(db, cast, world, specs)
        ids = [b.id for b in made]
        for user in _users(db, cast, world):
            mine = set(access.department_ids(db, user))
            expected = {b.id for b in made if agency_rules.sees_brief(
                sees_account=access.sees_account(db, user, b.account_id),
                in_department=b.department_id in mine,
                was_sent=agency_rules.was_sent(b.status, b.sent_on))}
            condition = access.brief_filter_set(db, user)
            joined = set(db.scalars(select(Brief.id).join(Account, Account.id == Brief.account_id)
                                    .where(Brief.id.in_(ids), condition)))
            assert joined == expected, user.email
            assert set(db.scalars(select(Brief.id).join(Account, Account.id == Brief.account_id)
                                  .where(Brief.id.in_(ids), access.brief_filter(db, user)))
                       ) == expected
            # the condition reads no joined account (the accounts in reach are a set of
            # ids): a count needs no join, for every user
            alone = set(db.scalars(select(Brief.id).where(Brief.id.in_(ids), condition)))
            assert alone == expected, user.email
            for b in made:
                try:
                    access.get_visible_brief(db, user, b.id)
                    seen = True
                except NotFound:
                    seen = False
                assert seen is (b.id in expected)
    finally:
        db.rollback()


@given(specs=briefs_st, shift=st.integers(-4, 4))
@HYPOTHESIS
def test_late_in_sql_is_the_pure_rule(db, cast, world, specs, shift) -> None:
    try:
        made = _add(db, cast, world, specs)
        today = TODAY + timedelta(days=shift)
        late = set(db.scalars(select(Brief.id).where(Brief.id.in_([b.id for b in made]),
                                                     access.late_brief_sql(today))))
        assert late == {b.id for b in made if agency_rules.is_late(b.status, b.due_on, today)}
    finally:
        db.rollback()


def test_the_states_are_one_definition() -> None:
    assert rules.STATES is agency_rules.STATES
    assert rules.OPEN_STATES is agency_rules.OPEN_STATES
    assert rules.LATE_STATES is agency_rules.LATE_STATES
    assert rules.CLOSED_STATES is agency_rules.CLOSED_STATES
    assert rules.is_late is agency_rules.is_late
    assert access.sees_brief is agency_rules.sees_brief
    assert set(agency_rules.OPEN_STATES) | set(agency_rules.CLOSED_STATES) \
        == set(agency_rules.STATES)
    assert set(agency_rules.LATE_STATES) < set(agency_rules.OPEN_STATES)


@pytest.fixture
def world(db, cast):
    return make_world(db, cast)


def test_a_draft_is_the_account_sides_alone(db, cast, world) -> None:
    owner, spec = _user(db, cast.owner), _user(db, world.specialist)
    draft = service.create_brief(db, owner, _in(cast.acme_id, world.creative), TODAY)
    db.commit()
    with pytest.raises(NotFound, match=f"no brief {draft.id}"):
        service.get_brief(db, spec, draft.id, TODAY)
    listed = service.list_briefs(db, spec, Filters(today=TODAY))
    assert draft.id not in [b.id for b in listed.items]
    service.send(db, owner, draft.id, TODAY)
    db.commit()
    assert service.get_brief(db, spec, draft.id, TODAY).id == draft.id


def test_an_account_filter_answers_404_for_an_account_out_of_reach(db, cast, world) -> None:
    sent = _sent(db, cast, world)
    db.commit()
    spec, outsider = _user(db, world.specialist), _user(db, cast.outsider)
    for user in (spec, outsider):
        with pytest.raises(NotFound, match=f"no account {cast.acme_id}"):
            service.list_briefs(db, user, Filters(today=TODAY, account_id=cast.acme_id))
        with pytest.raises(NotFound, match=f"no account {cast.acme_id}"):
            service.board(db, user, None, Filters(today=TODAY, account_id=cast.acme_id),
                          TODAY)
    # a missing account answers the same
    with pytest.raises(NotFound, match="no account 999999"):
        service.list_briefs(db, spec, Filters(today=TODAY, account_id=999999))
    owner = _user(db, cast.owner)
    listed = service.list_briefs(db, owner, Filters(today=TODAY, account_id=cast.acme_id))
    assert [b.id for b in listed.items] == [sent.id]


def test_a_department_board_out_of_reach_is_404(db, cast, world) -> None:
    _sent(db, cast, world)
    db.commit()
    spec = _user(db, world.specialist)  # in Creative and Tokyo, not in Media
    with pytest.raises(NotFound, match=f"no department {world.media}"):
        service.board(db, spec, world.media, Filters(today=TODAY), TODAY)
    with pytest.raises(NotFound, match="no department 999999"):
        service.board(db, spec, 999999, Filters(today=TODAY), TODAY)
    assert service.board(db, spec, world.creative, Filters(today=TODAY), TODAY
                         ).department_name == "Creative"
    # anyone who sees accounts opens any department's board (only their accounts' briefs)
    outsider = _user(db, cast.outsider)
    board = service.board(db, outsider, world.creative, Filters(today=TODAY), TODAY)
    assert board.department_name == "Creative"
    assert sum(c.total for c in board.columns) == 0


def test_the_board_judges_late_on_the_departments_today(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    out = service.create_brief(db, owner, _in(cast.acme_id, world.tokyo, due_on=TODAY), TODAY)
    service.send(db, owner, out.id, TODAY)
    db.commit()
    # 20:00 UTC on TODAY is already the next day in Tokyo: due yesterday there, so late
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    board = service.board(db, owner, world.tokyo, Filters(today=TODAY), TODAY, now)
    assert board.today == TODAY + timedelta(days=1)
    cards = [c for col in board.columns for c in col.cards if c.id == out.id]
    assert cards and cards[0].late
    # without a department: the caller's today (UTC here), not late yet
    board = service.board(db, _user(db, cast.admin), None, Filters(today=TODAY), TODAY, now)
    assert board.today == TODAY
    assert not [c for col in board.columns for c in col.cards if c.id == out.id][0].late


def test_department_today_follows_a_fixed_today() -> None:
    tokyo = Department(name="T", time_zone="Asia/Tokyo")
    now = datetime(2030, 6, 1, 20, 0, tzinfo=UTC)
    assert access.department_today(tokyo, date(2027, 3, 1), "UTC", now) == date(2027, 3, 2)
    assert access.department_today(tokyo, date(2027, 3, 2), "Asia/Tokyo", now) \
        == date(2027, 3, 2)


def test_the_work_tab_counts_every_brief(db, cast, world, monkeypatch) -> None:
    from accord.agency.briefs import reading

    owner = _user(db, cast.owner)
    for _ in range(3):
        service.create_brief(db, owner, _in(cast.acme_id, world.creative), TODAY)
    db.commit()
    monkeypatch.setattr(reading, "WORK_LIMIT", 2)
    work = service.account_work(db, owner, cast.acme_id, TODAY)
    assert (len(work.items), work.total, work.limit) == (2, 3, 2)
    assert int(db.scalar(select(func.count()).select_from(Brief)) or 0) == 3
