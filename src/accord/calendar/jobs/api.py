"""REST API of the jobs: what runs when, and how its latest run went (admins)."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Request

from accord.api.common import Caller, Db, problems
from accord.calendar.jobs import service
from accord.calendar.jobs.schemas import JobOut
from accord.core.database import utcnow

router = APIRouter()
TAGS: list[str | Enum] = ["jobs"]


@router.get("/jobs", tags=TAGS, response_model=list[JobOut], responses=problems(403),
            summary="The scheduled jobs and their latest runs (admins)",
            description="Each registered job: its schedule, when it runs next, and its latest "
            "run (status `due`, `running`, `done` or `failed`, attempts, the process that "
            "claimed it, the last error, the result). See docs/jobs.md.")
def list_jobs(request: Request, db: Db, user: Caller) -> list[JobOut]:
    return service.list_jobs(db, user, utcnow(), request.app.state.settings)
