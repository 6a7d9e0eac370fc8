"""Assembly of the REST API: each capability contributes its router."""

from fastapi import APIRouter, Depends

from accord.accounts.api import router as accounts_router
from accord.agency.briefs.api import router as briefs_router
from accord.agency.departments.api import router as departments_router
from accord.agency.inputs.api import router as inputs_router
from accord.agency.scorecard.api import router as agency_scorecard_router
from accord.api.common import document_problems
from accord.audit.api import router as audit_router
from accord.calendar.api import router as calendar_router
from accord.calendar.cadence.api import router as cadence_router
from accord.calendar.digest.api import router as digest_router
from accord.calendar.events.api import router as events_router
from accord.calendar.feed.api import router as feed_router
from accord.calendar.followups.api import router as followups_router
from accord.calendar.jobs.api import router as jobs_router
from accord.calendar.myday.api import router as myday_router
from accord.calendar.renewals.api import router as renewals_router
from accord.clients.api import router as clients_router
from accord.clients.campaigns.api import router as campaigns_router
from accord.clients.list_api import router as clients_list_router
from accord.clients.privacy.api import router as clients_privacy_router
from accord.exchange.api import router as exchange_router
from accord.glance.api import router as glance_router
from accord.growth.api import router as growth_router
from accord.growth.opportunities.api import router as opportunities_router
from accord.handoffs.api import router as handoffs_router
from accord.health.api import router as health_router
from accord.kpis.api import router as kpis_router
from accord.licences.names.api import router as product_names_router
from accord.licences.reconciliation.api import router as reconciliation_router
from accord.licences.seats.api import router as seats_router
from accord.licences.settings_api import router as licences_settings_router
from accord.licences.subscriptions.api import router as subscriptions_router
from accord.plans.api import router as plans_router
from accord.plans.list_api import router as plans_list_router
from accord.plans.targets.api import router as targets_router
from accord.proposals.api import router as proposals_router
from accord.relationships.api import router as relationships_router
from accord.revenue.api import router as revenue_router
from accord.selection.api import router as selection_router
from accord.team.api import router as team_router
from accord.team.assign_api import router as team_assign_router
from accord.team.scorecard_api import router as scorecard_router
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
api_router.include_router(cadence_router)
api_router.include_router(jobs_router)
api_router.include_router(digest_router)
api_router.include_router(events_router)
api_router.include_router(feed_router)
api_router.include_router(followups_router)
api_router.include_router(myday_router)
api_router.include_router(renewals_router)
api_router.include_router(targets_router)
api_router.include_router(opportunities_router)
api_router.include_router(growth_router)
api_router.include_router(proposals_router)
api_router.include_router(departments_router)
api_router.include_router(briefs_router)
api_router.include_router(inputs_router)
api_router.include_router(agency_scorecard_router)
api_router.include_router(licences_settings_router)
api_router.include_router(reconciliation_router)
api_router.include_router(subscriptions_router)
api_router.include_router(seats_router)
api_router.include_router(product_names_router)
for router in (clients_router, clients_list_router, campaigns_router, clients_privacy_router):
    api_router.include_router(router)
for router in (team_router, team_assign_router, scorecard_router):
    api_router.include_router(router)
document_problems(api_router)  # every operation declares the problems it may answer
