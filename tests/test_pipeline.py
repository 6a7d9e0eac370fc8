"""The weighted pipeline (issue 12) against an independent recomputation in Python: per
account, manager, segment and tier, the forecast by month with the managers' targets, only the
accounts the user sees; a hypothesis property for the weighted sums; the list behind it
(filters, sort, pages) and its formula-safe CSV; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from accord.core.database import utcnow
from accord.core.errors import ValidationFailed
from accord.core.models import User
from accord.growth.opportunities import pipeline, rules
from accord.growth.opportunities.models import Opportunity
from accord.plans.targets.models import ManagerTarget
from accord.relationships.models import KamDecision
from kam_helpers import make_account

PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
MONTHS = [None, date(2026, 12, 5), date(2027, 1, 31), date(2027, 1, 1), date(2027, 3, 15)]


def _tier(s: Session, account_id: int, tier: str) -> None:
    s.add(KamDecision(account_id=account_id, tier=tier, tier_order=1, revenue_cents=0))


def _world(s: Session, cast) -> list[int]:
    """Acme (owner, Manufacturing, tier key), Globex (outsider, Energy, tier strategic) and
    Initech (teammate, Retail, no tier)."""
    initech = make_account(s, "Initech", cast.teammate.id, segment="Retail")
    _tier(s, cast.acme_id, "key")
    _tier(s, cast.globex_id, "strategic")
    s.flush()
    return [cast.acme_id, cast.globex_id, initech]


def _add(s: Session, account_id: int, cents: int, probability: int, stage: str,
         close: date | None, kind: str = "upsell", title: str = "Deal") -> Opportunity:
    row = Opportunity(account_id=account_id, title=title, kind=kind, stage=stage,
                      value=Decimal(cents) / 100, probability=probability,
                      expected_close_on=close, next_step="", created_at=utcnow(),
                      updated_at=utcnow())
    s.add(row)
    s.flush()
    return row


def _expected(rows: list[tuple[int, int, int, str, date | None]], seen: set[int],
              key_of: dict[int, object]) -> tuple[tuple, dict, dict]:
    """(count, value, weighted) in total, per group key and per month, recomputed."""
    kept = [r for r in rows if r[0] in seen and r[3] in rules.OPEN_STAGES]

    def figures(items: list) -> tuple[int, Decimal, Decimal]:
        return (len(items), sum((Decimal(c) / 100 for _, c, *_ in items), Decimal("0.00")),
                rules.weighted_sum([(Decimal(c) / 100, p) for _, c, p, *_ in items]))

    groups: dict[object, list] = defaultdict(list)
    months: dict[object, list] = defaultdict(list)
    for r in kept:
        groups[key_of[r[0]]].append(r)
        months[None if r[4] is None else f"{r[4]:%Y-%m}"].append(r)
    return (figures(kept), {k: figures(v) for k, v in groups.items()},
            {k: figures(v) for k, v in months.items()})


opportunity = st.tuples(st.integers(0, 2), st.integers(0, 10**11), st.integers(0, 100),
                        st.sampled_from(rules.STAGES), st.sampled_from(MONTHS))


@PROPERTY
@given(rows=st.lists(opportunity, max_size=14), by=st.sampled_from(pipeline.BY),
       who=st.sampled_from(["admin", "head", "owner"]))
def test_the_pipeline_equals_a_recomputation(engine, cast, rows, by, who) -> None:
    with Session(engine) as s:
        accounts = _world(s, cast)
        stored = [(accounts[a], c, p, st_, m) for a, c, p, st_, m in rows]
        for a, c, p, st_, m in stored:
            _add(s, a, c, p, st_, m)
        user = s.get(User, getattr(cast, who).id)
        assert user is not None
        got = pipeline.pipeline(s, user, pipeline.Filters(), by=by)
        s.rollback()
    seen = {"admin": set(accounts), "head": {accounts[0], accounts[2]},
            "owner": {accounts[0]}}[who]
    managers = {accounts[0]: cast.owner.id, accounts[1]: cast.outsider.id,
                accounts[2]: cast.teammate.id}
    key_of = {"account": {a: a for a in accounts}, "manager": managers,
              "segment": dict(zip(accounts, ("Manufacturing", "Energy", "Retail"),
                                  strict=True)),
              "tier": dict(zip(accounts, ("key", "strategic", None), strict=True))}[by]
    total, groups, months = _expected(stored, seen, key_of)
    assert (got.count, got.value, got.weighted_value) == total
    assert {(None if g.key is None else g.key): (g.count, g.value, g.weighted_value)
            for g in got.groups} == {(None if k is None else str(k)): v
                                     for k, v in groups.items()}
    assert {m.month: (m.count, m.value, m.weighted_value) for m in got.forecast} == months


@PROPERTY
@given(items=st.lists(st.tuples(st.integers(0, 10**11), st.integers(0, 100)), max_size=20))
def test_the_weighted_sum_in_sql_equals_its_pure_twin(engine, cast, items) -> None:
    with Session(engine) as s:
        for cents, p in items:
            _add(s, cast.acme_id, cents, p, "qualified", None)
        admin = s.get(User, cast.admin.id)
        assert admin is not None
        got = pipeline.pipeline(s, admin, pipeline.Filters())
        s.rollback()
    expected = rules.weighted_sum([(Decimal(c) / 100, p) for c, p in items])
    assert got.weighted_value == expected
    # the sum of the rounded weighted values differs from it by at most half a cent each
    rounded = sum((rules.weighted(Decimal(c) / 100, p) for c, p in items), Decimal(0))
    assert abs(rounded - expected) <= Decimal("0.005") * len(items) + Decimal("0.01")


def test_forecast_beside_the_targets_and_filters(db, cast) -> None:
    accounts = _world(db, cast)
    _add(db, accounts[0], 1_000_000, 50, "proposed", date(2027, 1, 10), kind="cross_sell")
    _add(db, accounts[0], 500_000, 10, "identified", date(2027, 2, 1))
    _add(db, accounts[2], 300_000, 25, "qualified", date(2027, 1, 20))
    _add(db, accounts[0], 900_000, 100, "won", date(2027, 1, 5))
    for start, end, target in ((date(2027, 1, 1), date(2027, 1, 31), "20000"),
                               (date(2027, 1, 1), date(2027, 3, 31), "30000")):
        db.add(ManagerTarget(manager_id=cast.owner.id, period_start=start, period_end=end,
                             metric="book_revenue", target=Decimal(target),
                             set_by_id=cast.head.id, created_at=utcnow(), updated_at=utcnow()))
    db.flush()
    head = db.get(User, cast.head.id)
    got = pipeline.pipeline(db, head, pipeline.Filters(manager_id=cast.owner.id), by="account")
    assert (got.count, got.value, got.weighted_value) == (2, Decimal("15000.00"),
                                                          Decimal("5500.00"))
    assert [(m.month, m.count, m.weighted_value, m.target) for m in got.forecast] == [
        ("2027-01", 1, Decimal("5000.00"), Decimal("30000.00")),
        ("2027-02", 1, Decimal("500.00"), Decimal("10000.00"))]
    jan = pipeline.pipeline(db, head, pipeline.parse_filters(close_month="2027-01",
                                                             kind="cross_sell"))
    assert (jan.count, jan.weighted_value) == (1, Decimal("5000.00"))
    tier = pipeline.pipeline(db, head, pipeline.parse_filters(tier="key", segment="Manufacturing"))
    assert tier.count == 2
    cases: list[tuple[dict[str, Any], str]] = [
        ({"close_month": "2027-13"}, "close_month"), ({"stage": "x"}, "stage"),
        ({"kind": "resale"}, "kind")]
    for bad, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            pipeline.parse_filters(**bad)
        assert caught.value.problems[0].field == field
    with pytest.raises(ValidationFailed):
        pipeline.pipeline(db, head, pipeline.Filters(), by="colour")


def test_the_list_sorts_pages_and_exports_safely(db, cast) -> None:
    accounts = _world(db, cast)
    for i in range(5):
        _add(db, accounts[0], (i + 1) * 100_000, 10 * i, "qualified", date(2027, 1, i + 1),
             title=f"Deal {i}")
    _add(db, accounts[0], 1, 0, "lost", None, title="=HYPERLINK(\"x\")")
    _add(db, accounts[1], 1, 0, "qualified", None, title="Globex deal")
    owner = db.get(User, cast.owner.id)
    page = pipeline.opportunities(db, owner, pipeline.Filters(), sort="-weighted", page=1,
                                  page_size=2)
    assert page.total == 5 and [o.title for o in page.items] == ["Deal 4", "Deal 3"]
    second = pipeline.opportunities(db, owner, pipeline.Filters(), sort="-weighted", page=3,
                                    page_size=2)
    assert [o.title for o in second.items] == ["Deal 0"]
    every = pipeline.opportunities(db, owner, pipeline.parse_filters(stage="all"),
                                   sort="close")
    assert every.total == 6 and every.items[-1].stage == "lost"
    with pytest.raises(ValidationFailed):
        pipeline.opportunities(db, owner, pipeline.Filters(), sort="colour")
    rows = list(csv.reader(io.StringIO(pipeline.export_csv(
        db, owner, pipeline.parse_filters(stage="all")))))
    assert rows[0][:3] == ["id", "account", "title"] and len(rows) == 7
    assert "'=HYPERLINK(\"x\")" in [r[2] for r in rows]
    assert "Globex deal" not in {r[2] for r in rows}
