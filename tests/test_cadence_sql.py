"""The cadence's SQL twins (``calendar.cadence.queries``) equal the pure rules, on SQLite and
PostgreSQL: each rule on drawn inputs, and ``cadence_select`` over real accounts against
``service.account_cadence`` one by one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Date, Engine, Integer, String, cast, literal, null, select, true
from sqlalchemy.orm import Session

from accord.calendar.cadence import queries, rules, service
from accord.calendar.cadence.rules import STAGES, TIERS, CadencePolicy
from accord.calendar.models import CadenceOverride
from accord.core.database import utcnow
from accord.core.models import User
from accord.relationships.models import StageAssessment
from accord.selection import service as selection
from kam_helpers import TODAY, make_account, scoring

PAIRS = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])
interval = st.none() | st.integers(1, 400)


@st.composite
def policies(draw: st.DrawFn) -> CadencePolicy:
    tiers = {t: {"touch_days": draw(interval), "review_days": draw(interval)}
             for t in draw(st.lists(st.sampled_from(TIERS), unique=True))}
    stages: dict[str, Any] = {}
    for t in draw(st.lists(st.sampled_from(TIERS), unique=True, max_size=3)):
        stages[t] = {s: {"touch_days": draw(interval), "review_days": draw(interval)}
                     for s in draw(st.lists(st.sampled_from(STAGES), unique=True, min_size=1))}
    return CadencePolicy.from_dict({
        "tiers": tiers, "stages": stages,
        "due_ratio": draw(st.sampled_from(["0.5", "0.8", "0.75", "0.9", "0.33"])),
        "neglected_ratio": draw(st.sampled_from(["1.5", "2", "2.25", "3", "10"])),
    })


class _Own:
    def __init__(self, touch: int | None, review: int | None) -> None:
        self.touch_days, self.review_days = touch, review


def _int(value: int | None) -> Any:
    return literal(value, Integer) if value is not None else cast(null(), Integer)


@PAIRS
@given(policy=policies(), tier=st.sampled_from(TIERS), stage=st.none() | st.sampled_from(STAGES),
       person=st.booleans(), own=st.none() | st.tuples(interval, interval),
       elapsed=st.none() | st.integers(-5, 1500), today=st.dates(date(2020, 1, 1),
                                                                 date(2030, 12, 31)))
def test_resolve_and_state_equal_their_sql(engine: Engine, policy, tier, stage, person, own,
                                           elapsed, today) -> None:
    override = _Own(*own) if own else None
    pure = rules.resolve(policy, tier, stage, override, person=person)
    last = None if elapsed is None else today - timedelta(days=elapsed)
    pure_state = rules.state(last, pure.touch_days, today, due_ratio=policy.due_ratio,
                             neglected_ratio=policy.neglected_ratio)
    touch, review, source = queries.resolve_sql(
        policy, literal(tier, String), literal(stage, String) if stage else null(),
        literal(person, Boolean), literal(own is not None, Boolean),
        _int(own[0] if own else None), _int(own[1] if own else None))

    with Session(engine) as session:
        t, r, s = session.execute(select(touch, review, source)).one()
        last_sql = literal(last, Date) if last else cast(null(), Date)
        elapsed_sql = queries.days_since_sql(session, today, last_sql)
        got_state, got_next, got_covered = session.execute(select(
            queries.state_sql(elapsed_sql, last_sql, _int(t), policy),
            queries.add_days_sql(session, last_sql, _int(t)),
            queries.covered_sql(elapsed_sql, _int(t)),
        )).one()
    assert (t, r, s) == (pure.touch_days, pure.review_days, pure.source)
    assert got_state == pure_state
    assert got_next == rules.next_touch_on(last, pure.touch_days)
    expected = rules.covered(last, pure.touch_days, today)
    assert got_covered == (None if expected is None else int(expected))


def test_cadence_select_equals_each_accounts_cadence(sessions, cast) -> None:
    with sessions.begin() as s:
        admin = s.get(User, cast.admin.id)
        s.expunge(admin)
    with sessions.begin() as s:
        service.update_policy(s, admin, {"stages": {"Star": {"Cooperative": {
            "touch_days": 9, "review_days": 45}}}, "due_ratio": "0.75"})
        ids = []
        grades = [("8", "8"), ("8", "3"), ("3", "8"), ("3", "3"), ("9", "9"), ("6", "7")]
        for i in range(18):
            kind = "person" if i % 7 == 3 else "company"
            last = TODAY - timedelta(days=(i * 7) % 60) if i % 5 else None
            a = make_account(s, f"Cadence {i}", cast.owner.id, kind=kind, last_touch=last)
            ids.append(a)
            if i % 3 != 2:
                attractiveness, us = grades[i % len(grades)]
                selection.score_account(
                    s, admin, a, scoring(s, admin, attractiveness=attractiveness, us=us),
                    today=TODAY)
            if i % 4 == 1:
                s.add(StageAssessment(account_id=a, assessed_on=TODAY, assessed_by="t",
                                      recorded_stage=STAGES[i % 4], suggested_stage="Tactical",
                                      suggested_total=10, detail=[], created_at=utcnow()))
            if i % 6 == 5:
                s.add(CadenceOverride(account_id=a, touch_days=None if i % 12 == 5 else 3,
                                      review_days=30, reason="asked", set_at=utcnow()))
        s.flush()
    with sessions.begin() as s:
        rows = {r.account_id: r for r in s.execute(
            queries.cadence_select(s, TODAY, true())).all()}
        sources, states = set(), set()
        for a in ids:
            one = service.account_cadence(s, admin, a, TODAY)
            row = rows[a]
            assert (row.touch_days, row.review_days, row.last_touch_on, row.next_touch_on,
                    row.state, row.source, row.tier, row.stage) == (
                one.touch_days, one.review_days, one.last_touch_on, one.next_touch_on,
                one.state, one.source, one.tier, one.stage), a
            sources.add(one.source)
            states.add(one.state)
    assert {"override", "person", "tier"} <= sources
    assert len(states) >= 3
