"""Assembly of the REST API: each capability contributes its router."""

from fastapi import APIRouter, Depends

from accord.accounts.api import router as accounts_router
from accord.api.common import document_problems
from accord.audit.api import router as audit_router
from accord.calendar.api import router as calendar_router
from accord.exchange.api import router as exchange_router
from accord.glance.api import router as glance_router
from accord.growth.api import router as growth_router
from accord.growth.opportunities.api import router as opportunities_router
from accord.handoffs.api import router as handoffs_router
from accord.health.api import router as health_router
from accord.kpis.api import router as kpis_router
from accord.plans.api import router as plans_router
from accord.plans.list_api import router as plans_list_router
from accord.plans.targets.api import router as targets_router
from accord.proposals.api import router as proposals_router
from accord.relationships.api import router as relationships_router
from accord.revenue.api import router as revenue_router
from accord.selection.api import router as selection_router
from accord.users.api import router as users_router
from accord.web.page_deps import clean_multipart

api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(clean_multipart)])  # B2
for router in (users_router, accounts_router, exchange_router, revenue_router, kpis_router,
               selection_router, relationships_router, health_router, glance_router, audit_router):
    api_router.include_router(router)
api_router.include_router(plans_router)
api_router.include_router(plans_list_router)
api_router.include_router(handoffs_router)
api_router.include_router(calendar_router)
api_router.include_router(targets_router)
api_router.include_router(opportunities_router)
api_router.include_router(growth_router)
api_router.include_router(proposals_router)
document_problems(api_router)  # every operation declares the problems it may answer
