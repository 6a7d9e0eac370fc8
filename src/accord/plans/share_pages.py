"""Links that show the client the plan's shareable sections: managing them (create: the link
is shown once, with a copy button; list with expiry; revoke) and the client's public page.

The public page ``/shared/plans/{token}`` needs no login and is standalone: no navigation,
no link into the app, no script, no CSRF token (so no session is started for the visitor),
``noindex``, never cached. An unknown, expired or revoked token (or a plan no longer current)
is one and the same 404 page, byte for byte."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from accord.accounts import service as account_service
from accord.accounts.visibility import require_writer
from accord.core.database import utcnow
from accord.core.errors import NotFound
from accord.core.schemas import Id
from accord.plans import rules, sharing
from accord.plans.plan_view import base_context, current_or_404, figure
from accord.plans.relmap import Person, relationship_map
from accord.plans.schemas import SharedPlanOut
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, PageUser, csrf
from accord.web.templating import render, templates

router = APIRouter()
Today = Annotated[date, Depends(today)]

#: the client's page is nobody's to index, cache or frame
PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def _links_page(
    request: Request, db: Any, user: Any, account_id: int, day: date,
    created: Any = None, status_code: int = 200,
) -> Any:
    plan = current_or_404(db, user, account_id, day)
    account = account_service.get_account(db, user, account_id)
    context = base_context(user, account, plan)
    context.update(
        {
            "links": sharing.list_share_links(db, user, plan.id),
            "created": created,
            "created_url": (str(request.base_url).rstrip("/") + created.path) if created else "",
        }
    )
    return render(request, "plans/share_links.html", context, status_code=status_code)


@router.get("/accounts/{account_id}/plan/links")
def links(request: Request, account_id: Id, db: Db, user: PageUser, day: Today) -> Any:
    return _links_page(request, db, user, account_id, day)


@router.post("/accounts/{account_id}/plan/links", dependencies=csrf)
def create_link(request: Request, account_id: Id, db: Db, user: PageUser, day: Today) -> Any:
    """A new link, shown on this answer only (the token is stored hashed)."""
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    created = sharing.create_share_link(db, user, plan.id)
    return _links_page(request, db, user, account_id, day, created=created)


@router.post("/accounts/{account_id}/plan/links/{link_id}/revoke", dependencies=csrf)
def revoke_link(
    request: Request, account_id: Id, link_id: Id, db: Db, user: PageUser, day: Today
) -> Any:
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    if link_id not in {link.id for link in sharing.list_share_links(db, user, plan.id)}:
        raise NotFound(f"no share link {link_id} of this plan")
    sharing.revoke_share_link(db, user, link_id)
    flash(request, "Link revoked: it no longer opens the plan.")
    return RedirectResponse(f"/accounts/{account_id}/plan/links", status_code=303)


# ---------------------------------------------------------------- the client's page


def _shared_map(view: SharedPlanOut) -> Markup:
    """The shared key people's map: people by their place in the list (the client's view
    carries no ids), "reports to" by name."""
    people = view.key_people or []
    index: dict[str, int] = {}
    for number, person in enumerate(people, start=1):
        index.setdefault(person.name, number)
    drawn = [
        Person(number, p.name, p.buying_role, index.get(p.reports_to or ""))
        for number, p in enumerate(people, start=1)
    ]
    return Markup(relationship_map(drawn, label=f"Key people of {view.account_name}"))


def _public(request: Request, name: str, context: dict[str, Any], status_code: int) -> Any:
    """A standalone page: rendered without the CSRF token (which would start a session)."""
    response = templates.TemplateResponse(
        request, name, {"request": request, **context}, status_code=status_code
    )
    response.headers.update(PUBLIC_HEADERS)
    return response


@router.get("/shared/plans/{token}")
def shared_plan(request: Request, token: str, db: Db) -> Any:
    """The client's read-only view of the shared sections; no login."""
    try:
        view = sharing.shared_view(db, token, now=utcnow())
    except NotFound:
        return _public(request, "plans/shared_missing.html", {}, 404)
    return _public(
        request,
        "plans/shared.html",
        {
            "view": view,
            "relmap": _shared_map(view) if view.key_people else Markup(""),
            "section_labels": rules.SECTION_LABELS,
            "figure": figure,
            "metric_of": {label: metric for metric, label in rules.METRIC_LABELS.items()},
        },
        200,
    )
