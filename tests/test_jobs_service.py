"""Jobs: each slot runs once; a failure is retried with backoff, then kept as failed; a claim
whose process stopped is taken over; a run whose claim was taken over undoes its work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from accord.calendar.jobs import registry, rules, service
from accord.calendar.models import Job
from accord.core.database import reading, transaction
from accord.core.errors import ValidationFailed
from accord.core.settings import Settings
from jobs_helpers import PROBE, hold_job_clock, probe_body, probe_runs, register_probe

T0 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # after the daily hour (6:00 UTC)
SETTINGS = Settings(mode="test", job_daily_hour=6)


@pytest.fixture(autouse=True)
def _no_probe() -> Iterator[None]:
    yield
    registry.unregister(PROBE)


@pytest.fixture(autouse=True)
def _clock_before_t0(monkeypatch: pytest.MonkeyPatch) -> None:
    hold_job_clock(monkeypatch, T0 - timedelta(hours=1))  # the runs are as of T0 and later


def run(sessions, now, **kw):
    return service.run_due(sessions, now, only=PROBE, settings=SETTINGS, **kw)


def rows(sessions) -> list[Job]:
    with reading(sessions) as s:
        found = list(s.scalars(select(Job).where(Job.name == PROBE).order_by(Job.due_at)))
        s.expunge_all()  # kept as read (the rollback ending the read would expire them)
        return found


# ---------------------------------------------------------------- slots (pure)


def test_a_daily_slot_starts_at_the_hour_and_before_it_is_yesterdays() -> None:
    assert registry.slot_start("daily", T0, 6) == datetime(2026, 12, 7, 6, tzinfo=UTC)
    early = datetime(2026, 12, 7, 5, 59, tzinfo=UTC)
    assert registry.slot_start("daily", early, 6) == datetime(2026, 12, 6, 6, tzinfo=UTC)
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    assert registry.slot_start("daily", new_year, 6) == datetime(2026, 12, 31, 6, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC)),
       st.integers(min_value=1, max_value=24 * 60))
def test_a_slot_holds_the_moment_and_is_a_whole_number_of_steps(now: datetime,
                                                                minutes: int) -> None:
    every = timedelta(minutes=minutes)
    start = registry.slot_start(every, now, 6)
    assert start <= now < start + every
    assert (start - registry.EPOCH) % every == timedelta(0)


def test_backoff_grows_and_the_fifth_failure_is_final() -> None:
    assert [rules.after_failure(n) for n in range(1, 6)] == ["due"] * 4 + ["failed"]
    waits = [rules.retry_at(n, T0) - T0 for n in range(1, 5)]
    assert waits == sorted(waits) and waits[0] == timedelta(minutes=1)


def test_registering_refuses_bad_names_and_periods() -> None:
    with pytest.raises(ValueError):
        registry.register("Bad Name", "daily", probe_body())
    with pytest.raises(ValueError):
        registry.register("fine", timedelta(seconds=5), probe_body())
    assert registry.get("fine") is None


# ---------------------------------------------------------------- once per slot


def test_a_job_runs_once_per_slot(sessions, db) -> None:
    register_probe()
    first = run(sessions, T0)
    assert [(r.name, r.status, r.attempts) for r in first] == [(PROBE, "done", 1)]
    assert first[0].result == {"day": "2026-12-07", "ok": True}
    assert run(sessions, T0 + timedelta(hours=3)) == []  # the same slot: done already
    assert probe_runs(db) == 1
    assert [r.status for r in run(sessions, T0 + timedelta(days=1))] == ["done"]
    db.rollback()
    assert probe_runs(db) == 2
    assert [(j.due_at, j.status) for j in rows(sessions)] == [
        (datetime(2026, 12, 7, 6, tzinfo=UTC), "done"),
        (datetime(2026, 12, 8, 6, tzinfo=UTC), "done")]


def test_an_interval_job_runs_in_each_slot_it_is_asked_in(sessions, db) -> None:
    register_probe(every=timedelta(minutes=5))
    for minute in (0, 1, 4, 5, 7, 20):
        run(sessions, T0 + timedelta(minutes=minute))
    assert [j.due_at.minute for j in rows(sessions)] == [0, 5, 20]
    assert probe_runs(db) == 3


def test_an_unknown_job_is_refused(sessions) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.run_due(sessions, T0, only="no_such_job", settings=SETTINGS)
    assert caught.value.errors[0]["field"] == "job"


def test_now_must_carry_its_zone(sessions) -> None:
    register_probe()
    with pytest.raises(ValueError):
        run(sessions, T0.replace(tzinfo=None))


# ---------------------------------------------------------------- failures


def test_a_failed_job_is_retried_with_backoff_then_kept_as_failed(sessions, db) -> None:
    register_probe(fail=lambda: True)
    now = T0
    statuses = []
    for wait in (timedelta(0), *rules.BACKOFF):
        now += wait
        if wait:
            assert run(sessions, now - timedelta(seconds=1)) == []  # still waiting
        runs = run(sessions, now)
        assert len(runs) == 1
        statuses.append((runs[0].status, runs[0].attempts))
        assert "the probe failed on purpose" in (runs[0].error or "")
    assert statuses == [("due", 1), ("due", 2), ("due", 3), ("due", 4), ("failed", 5)]
    assert run(sessions, now + timedelta(days=0, hours=5)) == []  # failed: not tried again
    (job,) = rows(sessions)
    assert (job.status, job.attempts) == ("failed", 5)
    assert job.last_error == "RuntimeError: the probe failed on purpose"
    assert probe_runs(db) == 0  # every attempt's work was rolled back
    with reading(sessions) as s:
        (listed,) = [j for j in service.list_jobs(s, None, now, SETTINGS) if j.name == PROBE]
    assert (listed.status, listed.attempts, listed.last_error) == (
        "failed", 5, "RuntimeError: the probe failed on purpose")


def test_a_job_that_fails_once_succeeds_on_its_retry(sessions, db) -> None:
    calls: list[int] = []

    def first_call_fails() -> bool:
        calls.append(1)
        return len(calls) == 1

    register_probe(fail=first_call_fails)
    assert [r.status for r in run(sessions, T0)] == ["due"]
    with reading(sessions) as s:
        (listed,) = [j for j in service.list_jobs(s, None, T0, SETTINGS) if j.name == PROBE]
    assert listed.next_at == T0 + timedelta(minutes=1)
    assert [r.status for r in run(sessions, T0 + timedelta(minutes=1))] == ["done"]
    (job,) = rows(sessions)
    assert (job.status, job.attempts, job.last_error) == ("done", 2, None)
    assert probe_runs(db) == 1


# ---------------------------------------------------------------- stale claims


def _claim_by_a_dead_process(sessions, claimed_at: datetime, attempts: int = 1) -> None:
    with transaction(sessions) as s:
        s.add(Job(name=PROBE, due_at=datetime(2026, 12, 7, 6, tzinfo=UTC), status="running",
                  attempts=attempts, claimed_by="gone:42", claimed_at=claimed_at))


def test_a_claim_whose_process_stopped_is_taken_over_after_the_timeout(sessions, db) -> None:
    register_probe()
    _claim_by_a_dead_process(sessions, T0 - timedelta(minutes=10))
    assert run(sessions, T0) == []  # 10 minutes: it may still be running
    runs = run(sessions, T0 - timedelta(minutes=10) + rules.STALE_AFTER)
    assert [(r.status, r.attempts) for r in runs] == [("done", 2)]
    (job,) = rows(sessions)
    assert job.claimed_by == service.worker_id()
    assert probe_runs(db) == 1


def test_a_stale_claim_without_attempts_left_becomes_failed(sessions, db) -> None:
    register_probe()
    _claim_by_a_dead_process(sessions, T0 - timedelta(hours=1), attempts=rules.MAX_ATTEMPTS)
    runs = run(sessions, T0)
    assert [(r.status, r.attempts) for r in runs] == [("failed", rules.MAX_ATTEMPTS)]
    assert "gone:42" in (runs[0].error or "")
    assert rows(sessions)[0].status == "failed"
    assert probe_runs(db) == 0


def test_a_run_whose_claim_was_taken_over_undoes_its_work(sessions, db) -> None:
    """The slow first process finishes after another took its stale claim over: its work
    rolls back, so the job's effect happens once (the other's)."""

    def slow(session, today):
        with transaction(sessions) as other:  # meanwhile, another process takes it over
            other.execute(update(Job).where(Job.name == PROBE).values(
                attempts=Job.attempts + 1, claimed_by="other:7"))
        return probe_body()(session, today)

    registry.register(PROBE, registry.DAILY, slow)
    runs = run(sessions, T0)
    assert [r.status for r in runs] == ["lost"]
    assert probe_runs(db) == 0
    (job,) = rows(sessions)
    assert (job.status, job.claimed_by) == ("running", "other:7")


def test_the_daily_slot_row_is_made_once_even_when_asked_twice(sessions) -> None:
    register_probe()
    spec = registry.get(PROBE)
    assert spec is not None
    with transaction(sessions) as s:
        assert service.ensure(s, [spec], T0, 6) == 1
        assert service.ensure(s, [spec], T0, 6) == 0
    assert len(rows(sessions)) == 1
    assert date(2026, 12, 7) == rows(sessions)[0].due_at.date()
