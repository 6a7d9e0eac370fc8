"""Assembly of the REST API: each capability contributes its router."""

from fastapi import APIRouter

from accord.accounts.api import router as accounts_router
from accord.core.api import router as core_router
from accord.revenue.api import router as revenue_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(core_router)
api_router.include_router(accounts_router)
api_router.include_router(revenue_router)
