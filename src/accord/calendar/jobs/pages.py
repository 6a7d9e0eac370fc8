"""The jobs page for admins (``/admin/jobs``): each job, its schedule and its latest run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from accord.calendar.jobs import service
from accord.core.database import utcnow
from accord.web.page_deps import Db, PageUser
from accord.web.templating import render

router = APIRouter()


@router.get("/admin/jobs")
def jobs_page(request: Request, user: PageUser, db: Db) -> Any:
    settings = request.app.state.settings
    jobs = service.list_jobs(db, user, utcnow(), settings)
    return render(request, "calendar/jobs_admin.html", {
        "user": user, "jobs": jobs, "scheduler": settings.scheduler,
        "smtp": bool(settings.smtp_host),
    })
