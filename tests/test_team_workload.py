"""Workload per manager (``team.workload``), on SQLite and PostgreSQL: the SQL twin of the
points equals ``rules.account_points``; every load equals a recomputation from the accounts
(points, key accounts, open items, coverage — the cadence's own figure —, warnings); who sees
which loads; the what-if writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Integer, String, cast, func, literal, null, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.agency.models import Brief, Department
from accord.calendar.cadence import rules as cadence_rules
from accord.calendar.cadence import service as cadence
from accord.calendar.followups.rules import is_overdue
from accord.calendar.models import CadenceOverride, FollowUp
from accord.core import policy_store
from accord.core.database import utcnow
from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.handoffs.models import Handoff
from accord.selection import rules as selection_rules
from accord.selection.models import Scoring, SelectionCurrent
from accord.team import rules, workload
from accord.team.rules import Load, TeamPolicy

PAIRS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])
#: each example of the sums arranges a small portfolio: fewer of them
SUMS = settings(max_examples=20, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TODAY = date(2026, 3, 16)
#: (attractiveness ‰, our weighted score against the competitor's 500) of each quadrant
QUADRANTS = {"Strategic": (8000, 800), "Star": (8000, 300), "Status": (3000, 800),
             "Streamline": (3000, 300)}
TIERS = (*QUADRANTS, "not key")
points = st.decimals(min_value=0, max_value=40, places=2)


@st.composite
def policies(draw: st.DrawFn) -> TeamPolicy:
    return TeamPolicy(
        strategic=draw(points), star=draw(points), status=draw(points),
        streamline=draw(points), not_key=draw(points), person=draw(points),
        handoff_points=draw(points), brief_points=draw(points),
        override_cap=draw(st.decimals(min_value=1, max_value=5, places=2)),
        key_accounts_limit=draw(st.integers(1, 4)),
        coverage_below=draw(st.decimals(min_value=0, max_value=1, places=2)))


def _int(value: int | None) -> Any:
    return literal(value, Integer) if value is not None else cast(null(), Integer)


def _user(sessions: Any, cast_member: Any) -> User:
    with sessions.begin() as s:
        user = s.get(User, cast_member.id)
        s.expunge(user)
    return user


@PAIRS
@given(policy=policies(), tier=st.none() | st.sampled_from(TIERS), person=st.booleans(),
       default=st.none() | st.integers(1, 3660), override=st.none() | st.integers(1, 3660))
def test_points_in_sql_equal_the_rule(engine, policy, tier, person, default, override) -> None:
    expression = workload.points_sql(
        policy, literal(tier, String) if tier else cast(null(), String),
        literal(person, Boolean), _int(default), _int(override))
    with Session(engine) as session:
        got = int(session.execute(select(expression)).scalar_one())
    assert Decimal(got).scaleb(-2) == rules.account_points(tier, person, default, override,
                                                           policy)


# ---------------------------------------------------------------- sums against recomputation

accounts = st.lists(st.fixed_dictionaries({
    "manager": st.sampled_from(("owner", "teammate", "outsider")),
    "tier": st.sampled_from(TIERS),
    "person": st.booleans(),
    "own": st.none() | st.none() | st.integers(1, 200),  # None twice: often no override
    "reports_only": st.booleans(),  # an override without a touch interval
    "touched": st.none() | st.integers(0, 120),
    "segment": st.sampled_from((None, "Manufacturing", "Retail", "Consumer")),
    "handoff": st.none() | st.sampled_from(("draft", "submitted", "returned", "accepted")),
    "brief": st.none() | st.sampled_from(("draft", "sent", "in_progress", "delivered",
                                          "approved", "cancelled")),
    "follow_up": st.none() | st.tuples(st.sampled_from(("open", "snoozed", "done")),
                                       st.integers(-10, 10)),
}), max_size=9)


def _arrange(s: Session, cast_: Any, drawn: list[dict[str, Any]], segments: dict[str, str]
             ) -> list[dict[str, Any]]:
    people = {"owner": cast_.owner.id, "teammate": cast_.teammate.id,
              "outsider": cast_.outsider.id}
    for who, segment in segments.items():
        manager = s.get(User, people[who])
        assert manager is not None
        manager.segment = segment
    department = Department(name="Workload Creative")
    s.add(department)
    s.flush()
    now = utcnow()
    # the cast's Acme: the owner's, not key, never touched
    made = [{"manager": "owner", "tier": "not key", "person": False, "own": None,
             "touched": None, "segment": "Manufacturing", "handoff": None, "brief": None,
             "follow_up": None, "id": cast_.acme_id, "last": None, "own_days": None}]
    for n, a in enumerate(drawn):
        last = None if a["touched"] is None else TODAY - timedelta(days=a["touched"])
        account = Account(name=f"Load {n}", name_key=f"load {n}", status="active",
                          kind="person" if a["person"] else "company", segment=a["segment"],
                          manager_id=people[a["manager"]], created_at=now, updated_at=now,
                          last_qualifying_touch_on=last)
        s.add(account)
        s.flush()
        if a["tier"] in QUADRANTS:
            attractiveness, us = QUADRANTS[a["tier"]]
            scoring = Scoring(account_id=account.id, scored_on=TODAY, scored_by="t",
                              competitor_name="Rival", attractiveness_milli=attractiveness,
                              us_weighted=us, competitor_weighted=500, detail={})
            s.add(scoring)
            s.flush()
            s.add(SelectionCurrent(account_id=account.id, scoring_id=scoring.id))
        own = None if a["own"] is None else (None if a["reports_only"] else a["own"])
        if a["own"] is not None:
            s.add(CadenceOverride(account_id=account.id, touch_days=own, review_days=None,
                                  reason="asked", set_at=now))
        if a["handoff"]:
            s.add(Handoff(account_id=account.id, kind="sales", state=a["handoff"],
                          receiver_id=account.manager_id, created_at=now))
        if a["brief"]:
            s.add(Brief(account_id=account.id, department_id=department.id, title="Brief",
                        status=a["brief"], original_due_on=TODAY, due_on=TODAY))
        if a["follow_up"]:
            status, offset = a["follow_up"]
            s.add(FollowUp(account_id=account.id, title="Call", due_on=TODAY + timedelta(
                days=offset), status=status, snoozed_until=None, created_at=now,
                updated_at=now))
        made.append({**a, "id": account.id, "last": last, "own_days": own})
    s.flush()
    return made


def _expected(made: list[dict[str, Any]], who: str, policy: TeamPolicy,
              segment: str | None) -> dict[str, Any]:
    mine = [a for a in made if a["manager"] == who]
    default_policy = cadence_rules.CadencePolicy()
    total, key, counted, covered, wrong = Decimal(0), 0, 0, 0, 0
    for a in mine:
        tier = a["tier"]
        default = cadence_rules.resolve(default_policy, tier, None, None,
                                        person=a["person"]).touch_days
        total += rules.account_points(tier, a["person"], default, a["own_days"], policy)
        key += selection_rules.is_key(tier)
        touch = a["own_days"] if a["own"] is not None else default
        if tier != "not key" and not a["person"] and touch is not None:
            counted += 1
            covered += bool(cadence_rules.covered(a["last"], touch, TODAY))
        wrong += not rules.serves(segment, a["segment"])
    handoffs = sum(a["handoff"] in ("draft", "submitted", "returned") for a in mine)
    briefs = sum(a["brief"] in ("sent", "in_progress", "delivered") for a in mine)
    overdue = sum(bool(a["follow_up"]) and is_overdue(
        a["follow_up"][0], TODAY + timedelta(days=a["follow_up"][1]), None, TODAY) for a in mine)
    total += handoffs * policy.handoff_points + briefs * policy.brief_points
    return {"points": total, "accounts": len(mine), "key_accounts": key, "handoffs": handoffs,
            "briefs": briefs, "overdue": overdue, "coverage_accounts": counted,
            "covered": covered, "wrong_segment": wrong,
            "coverage": cadence.share(covered, counted)}


@SUMS
@given(policy=policies(), drawn=accounts,
       segments=st.fixed_dictionaries({"owner": st.sampled_from(("", "Manufacturing")),
                                       "teammate": st.sampled_from(("", "Consumer"))}))
def test_the_loads_equal_a_recomputation_from_the_accounts(
        sessions, cast, policy, drawn, segments) -> None:
    head, admin = _user(sessions, cast.head), _user(sessions, cast.admin)
    with sessions() as s:
        try:
            policy_store.save(s, admin, "team", policy.to_dict(), TeamPolicy.from_dict)
            made = _arrange(s, cast, drawn, segments)
            found = {load.manager_id: load for load in workload.loads(s, head, TODAY)}
            assert set(found) == {cast.owner.id, cast.teammate.id}  # not the other team's
            by_manager = {g.key: g for g in cadence.coverage(s, admin, TODAY, "manager").groups}
            for who in ("owner", "teammate"):
                load = found[getattr(cast, who).id]
                expected = _expected(made, who, policy, segments[who] or None)
                assert {k: getattr(load, k) for k in expected} == expected
                assert load.warnings == rules.warnings_for(load, policy, expected["wrong_segment"])
                coverage = by_manager.get(str(load.manager_id))  # the cadence's own figure
                assert load.coverage == (coverage.share if coverage else None)
                listed = workload.account_loads(s, head, TODAY, load.manager_id, page_size=200)
                assert listed.total == load.accounts
                items = sum((i.points for i in listed.items), Decimal(0))
                assert items == expected["points"] - load.handoffs * policy.handoff_points \
                    - load.briefs * policy.brief_points
        finally:
            s.rollback()


# ---------------------------------------------------------------- warnings


def _load(**figures: Any) -> Load:
    base: dict[str, Any] = dict(manager_id=1, name="M", email="m@x.test", team_id=None,
                                segment=None, capacity=100, points=Decimal("100"), accounts=1,
                                key_accounts=4, handoffs=0, briefs=0, coverage=Decimal("0.8"),
                                overdue=0, warnings=())
    return Load(**{**base, **figures})


def test_the_warnings_and_their_edges() -> None:
    policy = TeamPolicy()
    assert rules.warnings_for(_load(), policy, 0) == ()  # at capacity, 4 keys, at the line
    assert rules.warnings_for(_load(points=Decimal("100.01")), policy, 0) == ("over_capacity",)
    assert rules.warnings_for(_load(key_accounts=5), policy, 0) == ("too_many_key_accounts",)
    assert rules.warnings_for(_load(coverage=Decimal("0.7999")), policy, 0) == ("low_coverage",)
    assert rules.warnings_for(_load(coverage=None), policy, 0) == ()
    assert rules.warnings_for(_load(), policy, 2) == ("wrong_segment",)
    assert rules.warnings_for(_load(capacity=0, points=Decimal("0.05")), policy, 0) == (
        "over_capacity",)
    assert rules.serves("Consumer", "consumer ") and rules.serves(None, "Retail")
    assert not rules.serves("Consumer", "Retail") and rules.serves("Retail", None)


def test_an_account_with_its_own_cadence_weighs_more_up_to_the_cap() -> None:
    policy = TeamPolicy()
    assert rules.account_points("Strategic", False, 14, 7, policy) == Decimal("20.00")
    assert rules.account_points("Strategic", False, 14, 1, policy) == Decimal("30.00")  # capped
    assert rules.account_points("Status", False, 30, 60, policy) == Decimal("2.00")
    assert rules.account_points("Star", False, 21, None, policy) == Decimal("8.00")
    assert rules.account_points(None, True, None, 3, policy) == Decimal("0.05")
    assert rules.account_points("not key", False, 90, 7, policy) == Decimal("3.00")


# ---------------------------------------------------------------- who sees which loads


def test_a_head_sees_their_teams_a_manager_themself_an_admin_everyone(sessions, cast) -> None:
    head, owner, admin = (_user(sessions, p) for p in (cast.head, cast.owner, cast.admin))
    viewer = _user(sessions, cast.viewer)
    with sessions() as s:
        north = s.get(User, cast.owner.id).team_id
        south = s.get(User, cast.outsider.id).team_id
        assert [x.manager_id for x in workload.loads(s, owner, TODAY)] == [cast.owner.id]
        assert {x.manager_id for x in workload.loads(s, head, TODAY, team_id=north)} == {
            cast.owner.id, cast.teammate.id}
        everyone = {x.manager_id for x in workload.loads(s, admin, TODAY)}
        assert {cast.outsider.id, cast.owner.id, cast.head.id} <= everyone
        with pytest.raises(NotFound):
            workload.loads(s, head, TODAY, team_id=south)
        with pytest.raises(NotFound):
            workload.loads(s, owner, TODAY, team_id=south)
        with pytest.raises(NotFound):
            workload.account_loads(s, head, TODAY, cast.outsider.id)
        with pytest.raises(NotFound):
            workload.account_loads(s, owner, TODAY, cast.teammate.id)
        with pytest.raises(Forbidden):
            workload.loads(s, viewer, TODAY)
        with pytest.raises(ValidationFailed):
            workload.account_loads(s, head, TODAY, cast.owner.id, figure="everything")
        # the teammate is on Acme's account team: Acme stays the owner's, in no other load
        teammate = workload.account_loads(s, head, TODAY, cast.teammate.id)
        assert teammate.total == 0
        assert [i.name for i in workload.account_loads(s, head, TODAY, cast.owner.id).items] \
            == ["Acme Industries"]


# ---------------------------------------------------------------- the what-if


def _counts(s: Session) -> tuple[int, ...]:
    return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)
                 for m in (AuditEntry, Handoff))


def test_the_what_if_shows_both_loads_and_writes_nothing(sessions, cast) -> None:
    head, owner = _user(sessions, cast.head), _user(sessions, cast.owner)
    with sessions() as s:
        before_counts = _counts(s)
        out = workload.simulate(s, head, TODAY, [(cast.acme_id, cast.teammate.id)])
        before = {x.manager_id: x for x in out.before}
        after = {x.manager_id: x for x in out.after}
        acme = out.moves[0].points
        assert acme == Decimal("1.00")  # not key
        assert after[cast.owner.id].points == before[cast.owner.id].points - acme
        # the move opens a hand-over to the new manager (Acme has none open)
        assert after[cast.teammate.id].points == before[cast.teammate.id].points + acme + 2
        assert after[cast.teammate.id].accounts == 1 and after[cast.owner.id].accounts == 0
        assert [x.manager_id for x in workload.what_if(
            s, head, TODAY, [(cast.acme_id, cast.teammate.id)])] == list(after)
        s.flush()
        assert _counts(s) == before_counts
        assert s.get(Account, cast.acme_id).manager_id == cast.owner.id

        def refused(moves: list[tuple[int, int]]) -> list[str]:
            with pytest.raises(ValidationFailed) as caught:
                workload.simulate(s, head, TODAY, moves)
            return [p.field for p in caught.value.problems]

        assert refused([(cast.globex_id, cast.teammate.id)]) == ["moves.0.account_id"]
        assert refused([(987654, cast.teammate.id)]) == ["moves.0.account_id"]
        assert refused([(cast.acme_id, cast.outsider.id)]) == ["moves.0.to_manager_id"]
        assert refused([(cast.acme_id, cast.owner.id)]) == ["moves.0.to_manager_id"]
        assert refused([(cast.acme_id, cast.teammate.id), (cast.acme_id, cast.teammate.id)]
                       ) == ["moves.1.account_id"]
        assert refused([]) == ["moves"]
        with pytest.raises(Forbidden):
            workload.simulate(s, owner, TODAY, [(cast.acme_id, cast.teammate.id)])
        assert _counts(s) == before_counts


# ---------------------------------------------------------------- the demo's part


def test_the_demo_makes_each_teams_heaviest_part_time_and_its_lightest_senior(
        sessions, cast) -> None:
    from accord.team.demo import PART_TIME, SENIOR, seed_demo
    from kam_helpers import make_account

    with sessions.begin() as s:
        for n in range(3):
            make_account(s, f"Teammate {n}", cast.teammate.id)
        assert seed_demo(s, seed=1, today=TODAY) == {"part_time": 1, "senior": 1}
    with sessions.begin() as s:
        capacity = {u: s.get(User, getattr(cast, u).id).capacity
                    for u in ("owner", "teammate", "outsider")}
    # North: the teammate (3 accounts) is the heaviest, the owner (Acme) the lightest; South
    # has one manager holding accounts: left as it was
    assert capacity == {"owner": SENIOR, "teammate": PART_TIME, "outsider": 100}
