"""A job runs once when several threads and several processes (cron next to app workers)
ask for the due jobs at the same moment, on SQLite (a file) and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accord.calendar.jobs import registry, service
from accord.core.database import make_engine, session_factory
from accord.core.settings import Settings
from jobs_helpers import PROBE, probe_runs, register_probe

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
TESTS = Path(__file__).resolve().parent
WORKER = """
import json, os, sys, time
sys.path.insert(0, {tests!r})
from datetime import datetime
from jobs_helpers import register_probe
from accord.calendar.jobs import service
from accord.core.database import make_engine, session_factory
from accord.core.settings import Settings
url, now, folder = sys.argv[1:]
register_probe(pause=0.3)
engine = make_engine(url)
open(os.path.join(folder, f"ready-{{os.getpid()}}"), "w").close()
while not os.path.exists(os.path.join(folder, "go")):
    time.sleep(0.002)
runs = service.run_due(session_factory(engine), datetime.fromisoformat(now), only="job_probe",
                       settings=Settings(mode="test"))
print(json.dumps([r.status for r in runs]))
"""


@pytest.fixture(autouse=True)
def _no_probe() -> Iterator[None]:
    yield
    registry.unregister(PROBE)


def test_threads_asking_at_once_run_the_job_once(database_url, db) -> None:
    register_probe(pause=0.3)
    barrier = threading.Barrier(6)
    statuses: list[str] = []
    errors: list[BaseException] = []

    def ask() -> None:
        engine = make_engine(database_url)  # each its own engine and pool, as a process
        try:
            barrier.wait()
            runs = service.run_due(session_factory(engine), NOW, only=PROBE,
                                   settings=Settings(mode="test"))
            statuses.extend(r.status for r in runs)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert statuses == ["done"]
    assert probe_runs(db) == 1


def test_processes_asking_at_once_run_the_job_once(database_url, db, tmp_path) -> None:
    script = WORKER.format(tests=str(TESTS))
    procs = [subprocess.Popen([sys.executable, "-c", script, database_url, NOW.isoformat(),
                               str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < len(procs):
        assert time.monotonic() < deadline, "the worker processes did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    (tmp_path / "go").touch()
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), outputs
    statuses = [s for out, _ in outputs for s in json.loads(out.strip().splitlines()[-1])]
    assert statuses == ["done"]
    assert probe_runs(db) == 1
