"""Opportunities (issue 12): the stage rules, creating, editing and moving them, bad input
(a probability of 140 %, an account out of reach, lost without a reason) refused with nothing
written, and the stages setting; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.versions import Expected, Stale
from accord.growth.models import ProductLine
from accord.growth.opportunities import rules, service
from accord.growth.opportunities.models import Opportunity, OpportunityProductLine
from accord.growth.opportunities.schemas import (
    OpportunityIn,
    OpportunityPatch,
    opportunity_in,
)

TODAY = date(2026, 11, 20)


def _user(db, who) -> User:
    return db.get(User, who.id)


def _line(db, name: str = "Pumps") -> int:
    row = ProductLine(name=name, description="", position=0)
    db.add(row)
    db.flush()
    return row.id


def _count(db, model=Opportunity) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _in(**kw) -> OpportunityIn:
    return OpportunityIn.model_validate({"title": "Second plant", "kind": "cross_sell",
                                         "value": "40000", **kw})


# ---------------------------------------------------------------- pure rules


def test_the_stage_moves() -> None:
    assert rules.allowed_moves("identified") == ("qualified", "proposed", "negotiation", "lost")
    assert rules.allowed_moves("proposed") == ("identified", "qualified", "negotiation", "won",
                                               "lost")
    assert rules.allowed_moves("won") == () and rules.allowed_moves("lost") == ()
    rules.check_move("negotiation", "won", None)
    rules.check_move("identified", "lost", "budget cut")
    for stage, to, reason, field in (("identified", "won", None, "stage"),
                                     ("won", "lost", "x", "stage"),
                                     ("lost", "identified", None, "stage"),
                                     ("qualified", "qualified", None, "stage"),
                                     ("qualified", "bogus", None, "stage"),
                                     ("qualified", "lost", "  ", "reason")):
        with pytest.raises(rules.RuleError) as caught:
            rules.check_move(stage, to, reason)
        assert caught.value.field == field


def test_probability_and_value_bounds() -> None:
    assert rules.parse_probability("") is None and rules.parse_probability("40 %") == 40
    for bad in ("140", -1, "12.5", "x", True):
        with pytest.raises(rules.RuleError) as caught:
            rules.parse_probability(bad)
        assert caught.value.field == "probability"
    assert rules.parse_value("1,250.5") == Decimal("1250.50")
    for bad in ("-1", "1.234", "nan", "", "1e13"):
        with pytest.raises(rules.RuleError):
            rules.parse_value(bad)
    policy = rules.StagesPolicy()
    assert [policy.probability(s) for s in rules.STAGES] == [10, 25, 50, 75, 100, 0]
    assert rules.probability_for(policy, "won", 30) == 100
    assert rules.probability_for(policy, "proposed", None) == 50
    assert rules.probability_for(policy, "proposed", 60) == 60
    assert rules.weighted(Decimal("100.01"), 50) == Decimal("50.00")  # half-even
    with pytest.raises(ValidationFailed) as refused:
        rules.StagesPolicy.from_dict({"identified": 140})
    assert refused.value.problems[0].field == "identified"
    with pytest.raises(ValidationFailed):
        rules.StagesPolicy.from_dict({"qualified": 80})  # above proposed


# ---------------------------------------------------------------- the service


def test_create_edit_move_and_win(db, cast) -> None:
    owner = _user(db, cast.owner)
    pumps = _line(db)
    out = service.create_opportunity(db, owner, cast.acme_id,
                                     _in(product_line_ids=[pumps], expected_close_on="2027-02-10"),
                                     today=TODAY)
    assert (out.stage, out.probability, out.weighted_value) == ("identified", 10,
                                                                Decimal("4000.00"))
    assert [line.name for line in out.product_lines] == ["Pumps"]
    assert out.owner is not None and out.owner.id == cast.owner.id and out.currency
    edited = service.update_opportunity(
        db, owner, out.id, OpportunityPatch.model_validate({"value": "50000", "probability": 20}),
        expected=Expected(out.version), today=TODAY)
    assert edited.value == Decimal("50000") and edited.probability == 20
    assert edited.version == out.version + 1
    with pytest.raises(Stale):
        service.update_opportunity(db, owner, out.id,
                                   OpportunityPatch.model_validate({"title": "x"}),
                                   expected=Expected(out.version), today=TODAY)
    moved = service.move_opportunity(db, owner, out.id, "proposed", today=TODAY)
    assert (moved.stage, moved.probability) == ("proposed", 50)
    won = service.mark_won(db, owner, out.id, today=TODAY)
    assert (won.stage, won.probability, won.closed_on) == ("won", 100, TODAY)
    assert service.mark_won(db, owner, out.id, today=TODAY).stage == "won"
    with pytest.raises(ValidationFailed):
        service.move_opportunity(db, owner, out.id, "lost", today=TODAY, reason="late")
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.entity == "opportunity")
                         .order_by(AuditEntry.id)).all()
    assert actions == ["create", "update", "move", "move"]
    accounts = db.scalars(select(AuditEntry.account_id).where(
        AuditEntry.entity == "opportunity")).all()
    assert set(accounts) == {cast.acme_id}


def test_lost_needs_a_reason_and_keeps_it(db, cast) -> None:
    owner = _user(db, cast.owner)
    out = service.create_opportunity(db, owner, cast.acme_id, _in(stage="negotiation"),
                                     today=TODAY)
    assert out.probability == 75
    with pytest.raises(ValidationFailed) as caught:
        service.move_opportunity(db, owner, out.id, "lost", today=TODAY)
    assert caught.value.problems[0].field == "reason"
    assert db.get(Opportunity, out.id).stage == "negotiation"
    lost = service.move_opportunity(db, owner, out.id, "lost", today=TODAY,
                                    reason="Went with a rival")
    assert (lost.stage, lost.probability, lost.lost_reason, lost.closed_on) == (
        "lost", 0, "Went with a rival", TODAY)
    with pytest.raises(ValidationFailed):
        service.mark_won(db, owner, out.id, today=TODAY)


def test_bad_input_writes_nothing(db, cast) -> None:
    owner = _user(db, cast.owner)
    before = _count(db), _count(db, AuditEntry)
    with pytest.raises(ValidationFailed) as caught:
        opportunity_in({"title": "x", "kind": "upsell", "value": "10", "probability": "140"})
    assert caught.value.problems[0].field == "probability"
    for bad, field in (({"kind": "resale"}, "kind"), ({"stage": "won"}, "stage"),
                       ({"product_line_ids": [999]}, "product_line_ids"),
                       ({"owner_id": 99999}, "owner_id"),
                       ({"expected_close_on": "1900-01-01"}, "expected_close_on")):
        with pytest.raises(ValidationFailed) as caught:
            service.create_opportunity(db, owner, cast.acme_id, _in(**bad), today=TODAY)
        assert caught.value.problems[0].field == field
    # Globex is out of the owner's reach: like a missing account
    for account in (cast.globex_id, 999_999):
        with pytest.raises(NotFound):
            service.create_opportunity(db, owner, account, _in(), today=TODAY)
    with pytest.raises(Forbidden):
        service.create_opportunity(db, _user(db, cast.viewer), cast.acme_id, _in(), today=TODAY)
    assert (_count(db), _count(db, AuditEntry)) == before


def test_who_reads_and_who_changes(db, cast) -> None:
    out = service.create_opportunity(db, _user(db, cast.owner), cast.acme_id, _in(),
                                     today=TODAY)
    for who in (cast.admin, cast.head, cast.owner, cast.teammate, cast.viewer, cast.billing):
        assert service.get_opportunity(db, _user(db, who), out.id).id == out.id
        assert [o.id for o in service.account_opportunities(db, _user(db, who),
                                                            cast.acme_id)] == [out.id]
    for who in (cast.outsider, cast.other_head):
        with pytest.raises(NotFound):
            service.get_opportunity(db, _user(db, who), out.id)
        with pytest.raises(NotFound):
            service.move_opportunity(db, _user(db, who), out.id, "qualified", today=TODAY)
    with pytest.raises(Forbidden):
        service.move_opportunity(db, _user(db, cast.viewer), out.id, "qualified", today=TODAY)
    assert service.move_opportunity(db, _user(db, cast.teammate), out.id, "qualified",
                                    today=TODAY).stage == "qualified"


def test_product_lines_change_and_the_stages_setting(db, cast) -> None:
    owner = _user(db, cast.owner)
    a, b = _line(db, "Pumps"), _line(db, "Valves")
    out = service.create_opportunity(db, owner, cast.acme_id, _in(product_line_ids=[a]),
                                     today=TODAY)
    edited = service.update_opportunity(
        db, owner, out.id, OpportunityPatch.model_validate({"product_line_ids": [b]}),
        today=TODAY)
    assert [line.name for line in edited.product_lines] == ["Valves"]
    assert edited.version == out.version + 1
    assert _count(db, OpportunityProductLine) == 1
    service.save_stages_policy(db, _user(db, cast.admin), {"identified": 5, "qualified": 30})
    assert service.stages_policy(db).identified == 5
    again = service.create_opportunity(db, owner, cast.acme_id, _in(), today=TODAY)
    assert again.probability == 5
    with pytest.raises(Forbidden):
        service.save_stages_policy(db, owner, {"identified": 1})
    with pytest.raises(ValidationFailed):
        service.save_stages_policy(db, _user(db, cast.admin), {"proposed": 140})


# ---------------------------------------------------------------- objectives of the plan


def test_an_objective_counts_the_won_value_of_its_opportunities(db, cast) -> None:
    from accord.app.wiring import connect
    from accord.growth.opportunities import objectives
    from accord.plans import service as plans
    from accord.plans.headline import plan_headline
    from accord.plans.schemas import ObjectiveIn, PlanStart

    connect()
    owner = _user(db, cast.owner)
    plan = plans.start_plan(db, owner, cast.acme_id, PlanStart(horizon_months=12), today=TODAY)
    goal = plans.add_objective(db, owner, plan.id, ObjectiveIn(
        title="Win 100k of cross-sell", metric="manual", baseline=Decimal(0),
        target=Decimal(100000)), today=TODAY)
    tied = plans.add_objective(db, owner, plan.id, ObjectiveIn(
        title="Revenue", metric="revenue_12m", target=Decimal(5)), today=TODAY)
    first = service.create_opportunity(db, owner, cast.acme_id, _in(value="40000"), today=TODAY)
    second = service.create_opportunity(db, owner, cast.acme_id, _in(value="25000"),
                                        today=TODAY)
    assert objectives.link_objective(db, owner, first.id, goal.id)
    assert not objectives.link_objective(db, owner, first.id, goal.id)
    assert objectives.link_objective(db, owner, second.id, goal.id)
    for bad in (tied.id, 999_999):
        with pytest.raises(ValidationFailed) as caught:
            objectives.link_objective(db, owner, first.id, bad)
        assert caught.value.problems[0].field == "objective_id"

    def shown() -> tuple[Decimal | None, Decimal | None]:
        out = plans.get_plan(db, owner, plan.id, today=TODAY)
        o = next(o for o in out.objectives if o.id == goal.id)
        return o.current, o.progress

    assert shown() == (Decimal(0), Decimal(0))  # listed, none won yet
    service.move_opportunity(db, owner, first.id, "proposed", today=TODAY)
    service.mark_won(db, owner, first.id, today=TODAY)
    assert shown() == (Decimal("40000"), Decimal("0.4"))
    headline = plan_headline(db, cast.acme_id, today=TODAY)
    assert headline is not None
    assert next(o for o in headline.objectives if o.id == goal.id).current == Decimal("40000")
    assert [t for _, t, on in objectives.objective_choices(db, owner, first.id) if on] == [
        "Win 100k of cross-sell"]
    objectives.unlink_objective(db, owner, first.id, goal.id)
    assert shown() == (Decimal(0), Decimal(0))
    with pytest.raises(NotFound):
        objectives.unlink_objective(db, owner, first.id, goal.id)
    with pytest.raises(NotFound):
        objectives.link_objective(db, _user(db, cast.outsider), second.id, goal.id)


def test_the_plans_contributions_registry(db) -> None:
    from accord.plans import contributions

    assert contributions.current(None, None) is None
    assert contributions.current(Decimal(3), None) == Decimal(3)
    assert contributions.current(None, Decimal(2)) == Decimal(2)
    assert contributions.current(Decimal(3), Decimal(2)) == Decimal(5)

    def fake(session, ids):
        return {i: Decimal(i) for i in ids if i % 2}

    contributions.connect(fake)
    contributions.connect(fake)  # idempotent
    try:
        got = contributions.added(db, [1, 2, 3])
        assert {k: v for k, v in got.items() if k in (1, 2, 3)} == {1: Decimal(1), 3: Decimal(3)}
        assert contributions.added(db, []) == {}
    finally:
        contributions.disconnect(fake)
