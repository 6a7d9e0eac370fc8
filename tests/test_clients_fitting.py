"""Fitting the clients' models and storing their scores (issue 16, ``clients.purchases``,
``clients.fitting``, ``clients.lifecycle``) on both databases: what a purchase is (a credit
note never, a zero line yes, several lines a day one), the scores of every client and the
previous P(alive) a refit keeps, the lifecycle (a status set by hand wins until the client
buys again; prospects left alone), validations, the job, and bad input refused with
nothing written."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.accounts.models import Account
from accord.clients import fitting, purchases
from accord.clients import settings as clients_settings
from accord.clients.models import ClientFit, ClientProfile, ClientScore
from accord.core.errors import Forbidden, ValidationFailed
from accord.core.models import AuditEntry, User
from route_samples_clients_fits import lines, people_buying, person

TODAY = date(2026, 6, 30)


def _as(s: Session, who: Any) -> User:
    user = s.get(User, who.id)
    assert user is not None
    return user


def _person(s: Session, name: str, status: str = "active", kind: str = "person") -> int:
    return person(s, name, status=status, kind=kind)


def _lines(s: Session, rows: list[tuple[int, date, int]]) -> None:
    lines(s, rows)


def _portfolio(s: Session, clients: int = 120, seed: int = 7) -> list[int]:
    return people_buying(s, clients, TODAY, seed)


def _counts(s: Session) -> tuple[int, int, int, int]:
    return (s.scalar(select(func.count()).select_from(ClientFit)) or 0,
            s.scalar(select(func.count()).select_from(ClientScore)) or 0,
            s.scalar(select(func.count()).select_from(ClientProfile)) or 0,
            s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_purchase_is_a_day_of_lines_that_are_not_credit_notes(
        sessions: sessionmaker[Session], cast: Any) -> None:
    d = [TODAY - timedelta(days=n) for n in (300, 200, 100, 10, 5)]
    with sessions.begin() as s:
        ann = _person(s, "Ann")
        only_credit = _person(s, "Bob")
        company = _person(s, "Firm", kind="company")
        _lines(s, [(ann, d[0], 10_000), (ann, d[0], 5_000),  # two lines, one purchase
                   (ann, d[1], -8_000),  # a credit note alone: no purchase
                   (ann, d[2], 0),  # a zero line: a purchase
                   (ann, d[3], 3_000), (ann, d[3], -1_000),  # the credit note is not in it
                   (only_credit, d[4], -500), (company, d[4], 99_999)])
    with sessions.begin() as s:
        h = purchases.histories(s, TODAY)
        a = purchases.calibration(s, TODAY, 150).amounts
        assert h.account_ids.tolist() == [ann]  # no purchase for Bob; the company is none
        assert h.purchase_days.tolist() == [3] and h.x.tolist() == [2]
        assert (h.age_days.tolist(), h.recency_days.tolist()) == ([300], [10])
        assert h.first_purchase_on() == [d[0]] and h.last_purchase_on() == [d[3]]
        assert (a.total_cents.tolist(), a.first_cents.tolist()) == ([18_000], [15_000])
        assert purchases.repeat_mean_cents(h, a).tolist() == [1_500]  # (18000 - 15000) / 2
        assert (a.rfm_days.tolist(), a.rfm_cents.tolist()) == ([2], [3_000])  # 100 and 10
        # before the calibration end only; the holdout counts the days after it
        early = purchases.histories(s, d[2])
        assert early.purchase_days.tolist() == [2] and early.recency_days.tolist() == [0]
        assert purchases.holdout(s, d[2], TODAY) == {ann: 1}
        weekly = purchases.weekly_repeats(s, d[0], d[2], TODAY)
        assert int(weekly.sum()) == 2 and weekly[(d[2] - d[0]).days // 7] == 1
        assert purchases.first_purchase(s) == d[0]


LINE = st.tuples(st.integers(0, 3), st.integers(0, 60),
                 st.one_of(st.integers(-5_000, 5_000), st.just(0)))


@pytest.fixture
def people(sessions: sessionmaker[Session]) -> list[int]:
    """Three person accounts and a company (the last)."""
    with sessions.begin() as s:
        return [_person(s, f"P{i}") for i in range(3)] + [_person(s, "Co", kind="company")]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LINE, max_size=30))
def test_the_purchases_in_sql_are_the_rule_for_any_lines(
        sessions: sessionmaker[Session], people: list[int],
        drawn: list[tuple[int, int, int]]) -> None:
    """Any lines (credit notes, zero lines, several a day, a company's, some after the
    calibration end): the SQL's purchases are the definition's, computed here."""
    start, end, window = TODAY - timedelta(days=50), TODAY - timedelta(days=5), 20
    with sessions() as s:
        _lines(s, [(people[a], start + timedelta(days=d), c) for a, d, c in drawn])
        read = purchases.calibration(s, end, window)
        expected: dict[int, tuple[int, ...]] = {}
        for who in people[:3]:
            days: dict[date, int] = {}
            for a, d, c in drawn:
                day = start + timedelta(days=d)
                if people[a] == who and c >= 0 and day <= end:
                    days[day] = days.get(day, 0) + c
            if days:
                first, last = min(days), max(days)
                recent = [day for day in days if day > end - timedelta(days=window)]
                expected[who] = ((end - first).days, (end - last).days, len(days),
                                 sum(days.values()), days[first], len(recent),
                                 sum(days[day] for day in recent))
        h, spent = read.histories, read.amounts
        got = {int(i): tuple(int(v[k]) for v in (
            h.age_days, h.recency_days, h.purchase_days, spent.total_cents, spent.first_cents,
            spent.rfm_days, spent.rfm_cents)) for k, i in enumerate(h.account_ids.tolist())}
        assert got == expected
        assert purchases.histories(s, end).account_ids.tolist() == sorted(expected)
        s.rollback()


def test_a_fit_scores_every_client_and_a_refit_keeps_the_previous_p_alive(
        sessions: sessionmaker[Session], cast: Any) -> None:
    with sessions.begin() as s:
        ids = _portfolio(s)
    with sessions.begin() as s:
        done = fitting.run_fit(s, _as(s, cast.admin), TODAY)
        first_id = done.fit.id
        assert done.scores == len(ids) == done.fit.clients
        assert done.fit.model == "mbgnbd" and done.fit.unit == "week"
        assert done.fit.bg_r and done.fit.mbg_r and done.fit.triples <= len(ids)
    with sessions.begin() as s:
        first = {r.account_id: r for r in s.scalars(select(ClientScore))}
        assert set(first) == set(ids)
        h = purchases.histories(s, TODAY)
        for account_id, x, age in zip(h.account_ids.tolist(), h.x.tolist(),
                                      h.age_days.tolist(), strict=True):
            row = first[account_id]
            assert (row.x, row.purchases, row.fit_id) == (x, x + 1, first_id)
            assert row.t == pytest.approx(age / 7)
            assert 0 <= row.p_alive <= 1 and row.p_alive == row.p_alive_mbg
            assert row.p_alive_previous is None and row.value_cents >= 0
        assert any(r.rfm_segment for r in first.values())
        before = {a: r.p_alive for a, r in first.items()}
        clients_settings.save_policy(s, _as(s, cast.admin), {"model": "bgnbd"})
    with sessions.begin() as s:
        again = fitting.run_fit(s, _as(s, cast.head), TODAY)
        assert again.fit.id != first_id and again.fit.model == "bgnbd"
    with sessions.begin() as s:
        rows = list(s.scalars(select(ClientScore)))
        assert len(rows) == len(ids)
        for row in rows:
            assert row.fit_id == again.fit.id
            assert row.p_alive_previous == pytest.approx(before[row.account_id])
            assert row.p_alive == row.p_alive_bg
        assert s.scalar(select(func.count()).select_from(ClientFit)) == 2


def test_the_status_follows_the_model_and_a_hand_set_status_wins_until_a_purchase(
        sessions: sessionmaker[Session], cast: Any) -> None:
    with sessions.begin() as s:
        _portfolio(s, 60)
        gone = _person(s, "Gone")  # last bought 400 days ago: churned
        back = _person(s, "Back")  # buys every month: active
        lead = _person(s, "Lead", status="prospect")  # left alone
        _lines(s, [(gone, TODAY - timedelta(days=500), 4_000),
                   (gone, TODAY - timedelta(days=400), 4_000)]
               + [(b, TODAY - timedelta(days=30 * k), 2_000) for b in (back, lead)
                  for k in range(1, 12)])
        clients_settings.save_policy(s, _as(s, cast.admin), {
            "lapsed_below": "0", "churned_after_days": 180})
    with sessions.begin() as s:
        applied = fitting.run_fit(s, _as(s, cast.admin), TODAY).lifecycle
        assert applied is not None and applied["to_churned"] >= 1
        assert applied["left_alone"] == 1
    with sessions.begin() as s:
        assert [s.get(Account, a).status for a in (gone, back, lead)] == [  # type: ignore
            "churned", "active", "prospect"]
        profile = s.get(ClientProfile, gone)
        assert profile is not None and profile.model_status == "churned"
        assert profile.reason == "no purchase for 400 days (churned after 180)"
        assert s.get(ClientProfile, lead) is None
        notes = list(s.scalars(select(AuditEntry.note).where(
            AuditEntry.entity == "account", AuditEntry.entity_id == str(gone))))
        assert notes == ["lifecycle: no purchase for 400 days (churned after 180)"]
        version = s.get(Account, back).version  # type: ignore[union-attr]
        s.get(Account, back).status = "lapsed"  # type: ignore[union-attr] # by hand
    with sessions.begin() as s:  # the next day: the hand-set status is kept
        applied = fitting.run_fit(s, _as(s, cast.admin), TODAY + timedelta(days=1)).lifecycle
        assert applied is not None and applied["manual_kept"] == 1
    with sessions.begin() as s:
        assert s.get(Account, back).status == "lapsed"  # type: ignore[union-attr]
        profile = s.get(ClientProfile, back)
        assert profile is not None and (profile.manual_status, profile.manual_since,
                                        profile.model_status) == (
            "lapsed", TODAY + timedelta(days=1), "active")
        _lines(s, [(back, TODAY + timedelta(days=2), 2_500)])  # buys again
    with sessions.begin() as s:
        fitting.run_fit(s, _as(s, cast.admin), TODAY + timedelta(days=3))
    with sessions.begin() as s:
        account = s.get(Account, back)
        assert account is not None and account.status == "active"
        assert account.version > version + 1  # the hand edit and the model's
        profile = s.get(ClientProfile, back)
        assert profile is not None and profile.manual_status is None
        assert profile.model_status == "active" and profile.reason
        assert s.get(Account, lead).status == "prospect"  # type: ignore[union-attr]


def test_a_fit_of_an_earlier_calibration_end_leaves_the_statuses_alone(
        sessions: sessionmaker[Session], cast: Any) -> None:
    with sessions.begin() as s:
        _portfolio(s, 60)
    with sessions.begin() as s:
        done = fitting.run_fit(s, _as(s, cast.admin), TODAY,
                               calibration_end=TODAY - timedelta(days=30), unit="month")
        assert done.lifecycle is None and done.fit.unit == "month"
        assert s.scalar(select(func.count()).select_from(ClientProfile)) == 0


@pytest.mark.parametrize("case", ["before_first", "fortnight", "empty", "future"])
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
        sessions: sessionmaker[Session], cast: Any, case: str) -> None:
    with sessions.begin() as s:
        if case != "empty":
            _portfolio(s, 30)
            _person(s, "No purchase")
    with sessions.begin() as s:
        before = _counts(s)
        cases: dict[str, dict[str, Any]] = {
            "before_first": {"calibration_end": date(2020, 1, 1)},
            "fortnight": {"unit": "fortnight"}, "empty": {},
            "future": {"calibration_end": TODAY + timedelta(days=1)}}
        args = cases[case]
        with pytest.raises(ValidationFailed) as caught:
            fitting.run_fit(s, _as(s, cast.admin), TODAY, **args)
        field = {"before_first": "calibration_end", "fortnight": "unit", "empty": "clients",
                 "future": "calibration_end"}[case]
        assert [p.field for p in caught.value.problems] == [field]
        if case == "before_first":
            assert "before the first purchase" in caught.value.detail
        with pytest.raises(ValidationFailed):
            fitting.run_validation(s, _as(s, cast.admin), TODAY,
                                   calibration_end=args.get("calibration_end", TODAY),
                                   holdout_end=TODAY, unit=args.get("unit"))
        assert fitting.job(s, TODAY).get("skipped") if case == "empty" else True
        assert _counts(s) == before


def test_only_admins_and_heads_fit(sessions: sessionmaker[Session], cast: Any) -> None:
    with sessions.begin() as s:
        _portfolio(s, 20)
    with sessions.begin() as s:
        before = _counts(s)
        for who in (cast.owner, cast.viewer, cast.billing):
            with pytest.raises(Forbidden):
                fitting.run_fit(s, _as(s, who), TODAY)
            with pytest.raises(Forbidden):
                fitting.run_validation(s, _as(s, who), TODAY, holdout_end=TODAY,
                                       calibration_end=TODAY - timedelta(days=90))
        assert _counts(s) == before


def test_a_validation_stores_predicted_against_actual(sessions: sessionmaker[Session],
                                                      cast: Any) -> None:
    with sessions.begin() as s:
        _portfolio(s, 150)
    with sessions.begin() as s:
        end = TODAY - timedelta(days=120)
        done = fitting.run_validation(s, _as(s, cast.head), TODAY, calibration_end=end,
                                      holdout_end=TODAY, unit="week")
        fit = done.fit
        assert (fit.kind, fit.calibration_end, fit.holdout_end) == ("validation", end, TODAY)
        doc = json.loads(fit.validation or "")
        assert doc["model"] == "mbgnbd" and set(doc["models"]) == {"bgnbd", "mbgnbd"}
        assert sum(r["clients"] for r in doc["by_purchases"]) == fit.clients
        weeks = doc["cumulative"]
        assert len(weeks) == (TODAY - date.fromisoformat(doc["start"])).days // 7 + 1
        assert [w["holdout"] for w in weeks].index(True) == doc["calibration_weeks"]
        held = purchases.holdout(s, end, TODAY)  # new clients' too: not in the validation
        actual = sum(held.get(a, 0) for a in purchases.histories(s, end).account_ids.tolist())
        assert actual < sum(held.values())
        assert doc["errors"]["holdout_actual"] == pytest.approx(actual)
        assert s.scalar(select(func.count()).select_from(ClientScore)) == 0  # scores alone
        with pytest.raises(ValidationFailed) as caught:
            fitting.run_validation(s, _as(s, cast.admin), TODAY, calibration_end=end,
                                   holdout_end=end)
        assert caught.value.problems[0].field == "holdout_end"


def test_the_job_refits_when_the_latest_fit_is_old_enough(sessions: sessionmaker[Session],
                                                          cast: Any) -> None:
    with sessions.begin() as s:
        _portfolio(s, 40)
    with sessions.begin() as s:
        ran = fitting.job(s, TODAY)
        assert ran["clients"] == 40 and "fit_id" in ran
        fit = fitting.latest_fit(s)
        assert fit is not None and fit.fitted_by_id is None
        entry = s.scalar(select(AuditEntry).where(AuditEntry.entity == "client_fit"))
        assert entry is not None and entry.actor == f"job:{fitting.JOB}"
        fitted_on = fit.fitted_at.date()
    with sessions.begin() as s:
        assert "skipped" in fitting.job(s, fitted_on + timedelta(days=6))
        assert "fit_id" in fitting.job(s, fitted_on + timedelta(days=7))
        assert fitting.fits(s, _as(s, cast.viewer)).total == 2
