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


def _routes(routes: list) -> list[APIRoute]:  # type: ignore[type-arg]
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


def test_a_form_post_is_visible_to_the_very_next_request(client, cast) -> None:
    from tests.page_helpers import csrf_from, sign_in

    sign_in(client, "owner@accord.test")
    page = client.get(f"/accounts/{cast.acme_id}")
    response = client.post(
        f"/accounts/{cast.acme_id}/interactions",
        data={"kind": "note", "occurred_on": "2024-05-02", "summary": "Seen right after",
              "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Seen right after" in client.get(response.headers["location"]).text
