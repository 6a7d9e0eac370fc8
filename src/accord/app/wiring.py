"""What a lower capability announces and a higher one listens to, connected once.

Imports point down the layers (docs/architecture.md), so a capability never calls one
above it; where it must tell one above that something changed, it announces it through a
small registry of its own and the assembly connects the listener here. Today:

- ``revenue.load.events``: the KPI engine refreshes its derived rows for the accounts whose
  monthly revenue a load changed (``kpis.derived.refresh_after_import``), in the load's
  transaction.
- ``accounts.lifecycle``: the hand-offs gate a company's ``onboarding`` → ``active`` (only by
  accepting its hand-off), open a draft hand-off for a company entering onboarding, and a
  hand-off between managers when an account's manager changes (``handoffs.gate``).
- ``kpis.panels``: the dashboard and the monthly report show the managers' targets against
  their actuals (``plans.targets.panel``) and the briefs delivered on time per department
  (``agency.scorecard.panel``).
- ``health.rhythm``: contact freshness divides by the account's touch interval (the cadence,
  ``calendar.cadence``) and overdue commitments count its overdue follow-ups.
- ``calendar.jobs.registry``: the scheduled jobs (health recompute, business reviews, renewal
  reminders, the daily digest; ``calendar.jobs.builtin``).
- ``health.rhythm`` (agency): overdue client inputs and late briefs count among the overdue
  commitments (``agency.inputs.health_link``); ``calendar.jobs.registry``: the daily
  ``input_chases`` job; ``calendar.followups.hooks``: completing a client input's chase
  follow-up marks the chase sent (``agency.inputs.chasing.follow_up_closed``).
- ``health.utilisation`` and ``relationships.evidence`` (licences): the licence utilisation
  measure and the switching cost's active subscriptions (``licences.signals.health_link``);
  ``calendar.jobs.registry``: the daily ``licence_signals`` re-evaluation.
- ``plans.contributions``: a manual objective of an account plan counts the won value of the
  opportunities it lists (``growth.opportunities.objectives``).
"""

from __future__ import annotations

from accord.accounts import lifecycle
from accord.agency.inputs import chasing as input_chasing
from accord.agency.inputs import health_link as inputs_health
from accord.agency.inputs import jobs as input_jobs
from accord.agency.scorecard.panel import KEY as AGENCY
from accord.agency.scorecard.panel import agency_section
from accord.calendar.cadence import health_link as cadence_health
from accord.calendar.followups import hooks as follow_up_hooks
from accord.calendar.jobs import builtin as builtin_jobs
from accord.calendar.jobs import registry as job_registry
from accord.clients import fitting as client_fitting
from accord.growth.opportunities.objectives import won_value_by_objective
from accord.growth.summary import after_revenue_changed
from accord.handoffs import gate
from accord.kpis.derived import refresh_after_import
from accord.kpis.panels import register as register_panel
from accord.licences.signals import health_link as licence_signals
from accord.licences.signals import service as signals_service
from accord.licences.subscriptions import renewals as subscription_renewals
from accord.plans import contributions
from accord.plans.targets.panel import KEY as TARGETS
from accord.plans.targets.panel import targets_section
from accord.revenue.load.events import on_revenue_changed
from accord.team import scorecard_report


def connect() -> None:
    """Connect every listener (idempotent)."""
    on_revenue_changed(refresh_after_import)
    on_revenue_changed(after_revenue_changed)  # growth: product_line_revenue, peer medians
    register_panel(TARGETS, targets_section)
    register_panel(AGENCY, agency_section)  # briefs on time per department (agency)
    register_panel(scorecard_report.KEY, scorecard_report.scorecard_section)  # team scorecards
    contributions.connect(won_value_by_objective)  # an objective counts its won opportunities
    lifecycle.on_activation(gate.activation_guard)
    lifecycle.on_company_onboarding(gate.on_company_onboarding)
    lifecycle.on_manager_changed(gate.on_manager_changed)
    cadence_health.connect()  # health: touch interval (cadence), overdue follow-ups
    builtin_jobs.connect()  # the scheduled jobs (calendar.jobs; accord jobs run, the scheduler)
    inputs_health.connect()  # health: overdue client inputs and late briefs
    input_jobs.connect()  # the daily chases of client inputs (before the digest)
    follow_up_hooks.on_closed("input_request", input_chasing.follow_up_closed)  # chase sent
    # licences: renewing subscriptions into their next term, the MRR store's horizon
    job_registry.register(subscription_renewals.JOB, job_registry.DAILY,
                          subscription_renewals.roll_terms)
    licence_signals.connect()  # health: licence utilisation; rubric: active subscriptions
    job_registry.register(signals_service.JOB, job_registry.DAILY, signals_service.job)
    # individual clients: refit when the latest fit is refit_every_days old (issue 16)
    job_registry.register(client_fitting.JOB, job_registry.DAILY, client_fitting.job)

