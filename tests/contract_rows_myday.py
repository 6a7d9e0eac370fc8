"""My day's resources of the API contract table; see ``contract_rows.py``.

Read-only: Acme's manager reads the overdue list (JSON and CSV), My day and the calendar
window; North's head reads the owner's day; the head choosing another team's manager, a
window that ends before it starts and an unknown kind are refused naming the field."""

from __future__ import annotations

from contract_rows import Call, Resource

MYDAY = [
    Resource(
        name="my day",
        actor="owner",
        collection=lambda c: "/api/v1/overdue",
        also=[
            Call("GET", lambda c, made: "/api/v1/today"),
            Call("GET", lambda c, made: f"/api/v1/today?manager_id={c.owner.id}", who="head"),
            Call("GET", lambda c, made: "/api/v1/calendar/items?start=2026-03-01&end=2026-03-31"),
            Call("GET", lambda c, made: "/api/v1/overdue?format=csv"),
            Call("GET", lambda c, made: "/api/v1/overdue?kind=handoff&page_size=10"),
        ],
        denied=[
            ("head", "GET", lambda c: f"/api/v1/today?manager_id={c.outsider.id}", None, 422),
            ("owner", "GET", lambda c: f"/api/v1/overdue?manager_id={c.teammate.id}", None,
             422),
            ("owner", "GET", lambda c: "/api/v1/calendar/items?start=2026-03-31&end=2026-03-01",
             None, 422),
            ("owner", "GET", lambda c: "/api/v1/overdue?kind=opportunity", None, 422),
        ],
    ),
]
