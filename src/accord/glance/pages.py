"""The account page: profile, revenue, contacts, the timeline, the team and the KAM panel.

Its forms (contacts, interactions, members) are in ``glance.timeline_pages``; the KAM page
and its forms in ``glance.kam_pages``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from accord.clients import reading as client_reading
from accord.clients.privacy import service as privacy
from accord.core.periods import month_index
from accord.core.schemas import Count, Id
from accord.glance import profile
from accord.glance.kam import account_kam_summary
from accord.glance.kam_pages import router as kam_router
from accord.glance.timeline_pages import account_page_context
from accord.glance.timeline_pages import router as timeline_router
from accord.handoffs.pages import account_handoffs
from accord.web.deps import today
from accord.web.page_deps import Db, PageUser
from accord.web.templating import render

router = APIRouter()
router.include_router(timeline_router)
router.include_router(kam_router)


@router.get("/accounts/{account_id}")
def account_page(
    request: Request,
    account_id: Id,
    user: PageUser,
    db: Db,
    shown: Count = profile.TIMELINE_PAGE,
) -> Any:
    shown = min(max(shown, 1), 1000)
    view = profile.account_profile(
        db, user, account_id, last_month=month_index(today()), timeline=shown, today=today()
    )
    context = account_page_context(user, view)
    context["kam"] = account_kam_summary(db, user, account_id, today())
    context["handoffs"] = account_handoffs(db, user, account_id, today())
    context["client"] = client_reading.account_client(db, user, account_id)  # a person's
    # a person's consent, suppression and erasure (clients/_privacy_panel.html)
    context["privacy"] = (privacy.panel(db, user, account_id)
                          if view.account.kind == "person" else None)
    return render(request, "accounts/detail.html", context)
