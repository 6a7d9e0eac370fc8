"""``/readyz``: may this process take traffic? (``/healthz``, in asgi.py, only says it runs.)

Ready means the database answers and its schema is at the revision this code was written
for (``accord db upgrade`` has run). Otherwise a 503 problem says why, so a load balancer
or an orchestrator keeps traffic away until it is fixed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from accord.core.migrate import current_revision, head_revision
from accord.web.problems import problem

router = APIRouter(include_in_schema=False)

#: longer than this, the database counts as not answering
READY_TIMEOUT_SECONDS = 5.0


@lru_cache(maxsize=1)
def code_head() -> str | None:
    """The newest migration this code knows (read once: it cannot change while running)."""
    return head_revision()


def schema_status(engine: Any) -> tuple[bool, str]:
    """(ready, why): the database answers and its schema is at the code's head revision."""
    try:
        current = current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - any failure to answer means "not ready"
        return False, f"the database does not answer ({exc.__class__.__name__})"
    head = code_head()
    if current != head:
        return False, (
            f"the database schema is at revision {current or 'none'}, this code needs "
            f"{head}: run 'accord db upgrade'"
        )
    return True, f"schema at revision {head}"


def _not_ready(detail: str) -> JSONResponse:
    response = problem(503, "Not ready", detail)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Retry-After"] = "5"
    return response


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        with anyio.fail_after(READY_TIMEOUT_SECONDS):
            ready, why = await anyio.to_thread.run_sync(
                schema_status, engine, abandon_on_cancel=True
            )
    except TimeoutError:
        return _not_ready(f"the database did not answer within {READY_TIMEOUT_SECONDS:g} s")
    if not ready:
        return _not_ready(why)
    return JSONResponse({"status": "ready", "detail": why}, headers={"Cache-Control": "no-store"})
