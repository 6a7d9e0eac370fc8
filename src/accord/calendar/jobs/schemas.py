"""What the jobs and their runs look like from outside (API, page, ``accord jobs list``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class JobOut(BaseModel):
    name: str = Field(description="The job's name")
    schedule: str = Field(description="How often it runs: `daily at 06:00 UTC`, `every 15 min`")
    next_at: datetime | None = Field(
        description="When it runs next (UTC): the next slot, or the retry of a failed attempt")
    due_at: datetime | None = Field(description="The latest run's slot (UTC); null: never")
    status: str | None = Field(description="The latest run: `due`, `running`, `done`, `failed`")
    attempts: int = Field(description="Attempts of the latest run")
    claimed_by: str | None = Field(description="The process (host:pid) of its latest attempt")
    claimed_at: datetime | None
    finished_at: datetime | None
    last_error: str | None = Field(description="Its last error (a failed attempt)")
    result: dict[str, Any] | None = Field(description="What the job answered when done")


class JobRunOut(BaseModel):
    name: str
    due_at: datetime
    status: str
    attempts: int
    result: dict[str, Any] | None = None
    error: str | None = None
