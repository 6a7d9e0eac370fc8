"""The account plan's pages, one router: the plan and its parts (``plan_pages``), its
objectives, updates and actions (``objective_pages``), the share links and the client's
public page (``share_pages``); the plans and hand-offs settings (``settings_pages``). What
they share is in ``plan_view``."""

from __future__ import annotations

from fastapi import APIRouter

from accord.plans.objective_pages import router as objective_router
from accord.plans.plan_pages import router as plan_router
from accord.plans.settings_pages import router as settings_router
from accord.plans.share_pages import router as share_router

router = APIRouter()
# the objective routes first: "/plan/objectives/new" before any "/plan/…/{id}" of the others
router.include_router(objective_router)
router.include_router(plan_router)
router.include_router(share_router)
router.include_router(settings_router)
