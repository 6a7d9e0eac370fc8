"""Assembly of the web pages: each capability contributes its page router."""

from fastapi import APIRouter, Depends

from accord.accounts.pages import router as accounts_pages
from accord.agency.briefs.pages import router as briefs_pages
from accord.agency.departments.pages import router as departments_pages
from accord.agency.inputs.pages import router as inputs_pages
from accord.agency.scorecard.pages import router as agency_scorecard_pages
from accord.audit.pages import router as audit_pages
from accord.calendar.cadence.pages import router as cadence_pages
from accord.calendar.events.pages import router as events_pages
from accord.calendar.feed.pages import router as feed_pages
from accord.calendar.followups.pages import router as followups_pages
from accord.calendar.jobs.pages import router as jobs_pages
from accord.calendar.myday.pages import router as myday_pages
from accord.calendar.pages import router as calendar_pages
from accord.calendar.renewals.pages import router as renewals_pages
from accord.clients.campaigns.pages import router as campaigns_pages
from accord.clients.list_pages import router as clients_list_pages
from accord.clients.pages import router as clients_pages
from accord.clients.privacy.pages import router as clients_privacy_pages
from accord.exchange.list_exports import router as list_exports
from accord.exchange.pages import router as exchange_pages
from accord.glance.pages import router as glance_pages
from accord.growth.catalogue_pages import router as catalogue_pages
from accord.growth.opportunities.pages import router as opportunities_pages
from accord.growth.opportunities.pipeline_pages import router as pipeline_pages
from accord.growth.pages import router as growth_pages
from accord.handoffs.pages import router as handoffs_pages
from accord.health.pages import router as health_pages
from accord.kpis.pages import router as kpis_pages
from accord.licences.names.pages import router as product_names_pages
from accord.licences.reconciliation.pages import router as reconciliation_pages
from accord.licences.seats.pages import router as seats_pages
from accord.licences.settings_pages import router as licences_settings_pages
from accord.licences.subscriptions.pages import router as subscriptions_pages
from accord.plans.list_pages import router as plans_list_pages
from accord.plans.pages import router as plans_pages
from accord.plans.targets.pages import router as targets_pages
from accord.proposals.company_pages import router as company_pages
from accord.proposals.pages import router as proposals_pages
from accord.relationships.pages import router as relationships_pages
from accord.selection.pages import router as selection_pages
from accord.team.assign_pages import router as team_assign_pages
from accord.team.pages import router as team_pages
from accord.team.scorecard_pages import router as scorecard_pages
from accord.users.pages import router as users_pages
from accord.web.auth_pages import router as auth_pages
from accord.web.page_deps import clean_multipart

page_router = APIRouter(include_in_schema=False, dependencies=[Depends(clean_multipart)])
for router in (auth_pages, users_pages, accounts_pages, exchange_pages, kpis_pages, selection_pages,
               relationships_pages, health_pages, glance_pages, audit_pages, handoffs_pages):
    page_router.include_router(router)
page_router.include_router(calendar_pages)
page_router.include_router(cadence_pages)
page_router.include_router(jobs_pages)
page_router.include_router(feed_pages)
page_router.include_router(events_pages)
page_router.include_router(followups_pages)
page_router.include_router(myday_pages)
page_router.include_router(renewals_pages)
page_router.include_router(plans_pages)
page_router.include_router(plans_list_pages)
page_router.include_router(list_exports)
page_router.include_router(targets_pages)
page_router.include_router(opportunities_pages)
page_router.include_router(pipeline_pages)
page_router.include_router(growth_pages)
page_router.include_router(proposals_pages)
page_router.include_router(company_pages)
page_router.include_router(catalogue_pages)
page_router.include_router(departments_pages)
page_router.include_router(agency_scorecard_pages)  # /briefs/scorecard before /briefs/{brief_id}
page_router.include_router(briefs_pages)
page_router.include_router(inputs_pages)
page_router.include_router(licences_settings_pages)
page_router.include_router(reconciliation_pages)
page_router.include_router(subscriptions_pages)
page_router.include_router(seats_pages)
page_router.include_router(product_names_pages)
for router in (clients_pages, campaigns_pages, clients_privacy_pages, clients_list_pages):
    page_router.include_router(router)
for router in (team_assign_pages, scorecard_pages, team_pages):
    page_router.include_router(router)
