"""Every route that uses the database commits before its response is sent.

FastAPI runs the code after a dependency's ``yield`` once the response has been sent unless
the dependency is declared with ``scope="function"``; ``get_db`` commits there, so with the
default a browser following a redirect could read before the commit, and a failed commit
would follow a success answer. This walks every route of the real app."""

from __future__ import annotations

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from accord.web.deps import get_db


def _db_dependencies(dependant: Dependant) -> list[Dependant]:
    found = [d for d in dependant.dependencies if d.call is get_db]
    for sub in dependant.dependencies:
        found.extend(_db_dependencies(sub))
    return found


def _routes(routes: list) -> list[APIRoute]:
    """Every API route, through included routers (kept as they were declared)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_routes(route.original_router.routes))
        elif hasattr(route, "routes"):
            found.extend(_routes(route.routes))
    return found


def test_every_route_commits_before_it_answers(app) -> None:
    routes = _routes(app.routes)
    using_db = {r.path: _db_dependencies(r.dependant) for r in routes}
    using_db = {path: deps for path, deps in using_db.items() if deps}
    assert len(using_db) > 50  # the pages and the API, not a handful
    late = sorted(path for path, deps in using_db.items()
                  if any(d.scope != "function" for d in deps))
    assert late == []


def test_the_answer_leaves_only_after_the_commit(live_server, cast, monkeypatch) -> None:
    """Over a real server: a slow commit holds the response back (with FastAPI's default the
    response would be on the wire 0.4 s before the commit ends)."""
    import time

    import httpx
    from sqlalchemy.orm import Session

    from page_helpers import PASSWORD, csrf_from

    committed: list[float] = []
    real_commit = Session.commit

    def slow_commit(self: Session) -> None:
        time.sleep(0.4)
        real_commit(self)
        committed.append(time.monotonic())

    with httpx.Client(base_url=live_server) as browser:
        login = browser.get("/login")
        browser.post("/login", data={"email": "owner@accord.test", "password": PASSWORD,
                                     "csrf_token": csrf_from(login.text)})
        page = browser.get(f"/accounts/{cast.acme_id}")
        monkeypatch.setattr(Session, "commit", slow_commit)
        response = browser.post(
            f"/accounts/{cast.acme_id}/interactions",
            data={"kind": "note", "occurred_on": "2024-05-02", "summary": "Seen right after",
                  "csrf_token": csrf_from(page.text)},
        )
        answered = time.monotonic()
        monkeypatch.setattr(Session, "commit", real_commit)
        assert response.status_code == 303 and committed
        assert committed[0] <= answered
        assert "Seen right after" in browser.get(response.headers["location"]).text
