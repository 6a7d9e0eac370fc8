"""The KPI registry: every published figure with its slug, label, unit, description, formula.

The API (``/api/v1/kpis/registry``), the pages, the CLI (``accord kpi-registry``) and the
docs (docs/kpis.md, checked by a test) all enumerate this one list.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Kpi:
    slug: str
    label: str
    unit: str  # "count", "money" or "ratio"
    group: str  # "retention", "concentration"; "rhythm", "agency" (not the monthly engine's)
    description: str
    formula: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _r(slug: str, label: str, unit: str, description: str, formula: str) -> Kpi:
    return Kpi(slug, label, unit, "retention", description, formula)


def _c(slug: str, label: str, unit: str, description: str, formula: str) -> Kpi:
    return Kpi(slug, label, unit, "concentration", description, formula)


REGISTRY: tuple[Kpi, ...] = (
    _r("accounts_at_start", "Accounts at start", "count",
       "Accounts with revenue in the previous window (the base cohort B).", "|B|"),
    _r("starting_revenue", "Starting revenue", "money",
       "Previous-window revenue of the base cohort.", "S = Σ_{i∈B} R_i(P)"),
    _r("churned_accounts", "Churned accounts", "count",
       "Base-cohort accounts with no revenue in the current window.", "|K|"),
    _r("churned_revenue", "Churned revenue", "money",
       "Previous-window revenue of the churned accounts.", "Σ_{i∈K} R_i(P)"),
    _r("contraction_revenue", "Contraction", "money",
       "Revenue lost by base-cohort accounts that stayed but bought less.",
       "Σ_{i∈B∖K} max(R_i(P) − R_i(C), 0)"),
    _r("expansion_revenue", "Expansion", "money",
       "Revenue gained from base-cohort accounts that bought more.",
       "Σ_{i∈B} max(R_i(C) − R_i(P), 0)"),
    _r("grr", "Gross revenue retention", "ratio",
       "Share of starting revenue kept, ignoring expansion.", "Σ_{i∈B} min(R_i(C), R_i(P)) ÷ S"),
    _r("nrr", "Net revenue retention", "ratio",
       "Current revenue of the base cohort against its starting revenue.", "Σ_{i∈B} R_i(C) ÷ S"),
    _r("logo_churn_rate", "Logo churn", "ratio",
       "Share of base-cohort accounts that churned.", "|K| ÷ |B|"),
    _r("revenue_churn_rate", "Revenue churn", "ratio",
       "Share of starting revenue lost to churned accounts.", "churned_revenue ÷ S"),
    _r("expansion_rate", "Expansion rate", "ratio",
       "Expansion against starting revenue.", "expansion_revenue ÷ S"),
    _r("contraction_rate", "Contraction rate", "ratio",
       "Contraction against starting revenue.", "contraction_revenue ÷ S"),
    _r("new_revenue", "New revenue", "money",
       "Current revenue of accounts with nothing in the previous window and never before it.",
       "Σ R_i(C) over R_i(P) = 0 and no revenue before P"),
    _r("reactivated_revenue", "Reactivated revenue", "money",
       "Current revenue of accounts that came back after a gap covering the previous window.",
       "Σ R_i(C) over R_i(P) = 0 and some revenue before P"),
    _r("ending_revenue", "Ending revenue", "money",
       "Current-window revenue of all accounts.", "Σ_i R_i(C)"),
    _c("accounts", "Paying accounts", "count",
       "Accounts with revenue in the current window.", "n = |{i : R_i(C) > 0}|"),
    _c("top20_share", "Top-20 % share", "ratio",
       "Share of current revenue from the largest fifth of the paying accounts.",
       "revenue of the first ⌈0.2·n⌉ ranked accounts ÷ T"),
    _c("hhi", "Herfindahl index", "ratio",
       "Concentration of current revenue (1 ÷ hhi is the effective number of clients).",
       "Σ s_i², s_i = R_i(C) ÷ T"),
    _c("abc", "ABC classes", "count",
       "Accounts per class from the cumulative share of the accounts ranked before them.",
       "A while that share < cut-off A, B while < cut-off B, else C"),
    # computed by the account rhythm, not by the monthly engine (``calendar.cadence``:
    # /api/v1/kpis/coverage, accord cadence coverage, /cadence/coverage)
    Kpi("coverage", "Coverage", "ratio", "rhythm",
        "Share of key accounts (individual clients excluded) whose last qualifying touch is "
        "within their touch interval; accounts with no touch cadence are left out.",
        "|{i ∈ K : today − t_i ≤ c_i}| ÷ |K|"),
    # computed by agency work, not by the monthly engine (``agency.scorecard``:
    # /api/v1/agency/on-time, accord departments scorecard, /briefs/scorecard)
    Kpi("brief_on_time_rate", "Brief on-time rate", "ratio", "agency",
        "Briefs whose first delivery came on or before the agreed due date (the date approved "
        "by the manager, extended by the working days the brief was blocked waiting for a "
        "client input) ÷ briefs delivered; rounds of changes counted apart.",
        "briefs first delivered ≤ agreed due + blocked working days ÷ briefs delivered"),
    Kpi("brief_on_time_rate_original", "Brief on-time rate (original date)", "ratio", "agency",
        "The on-time rate against the due date the brief was written with, before any later "
        "date was agreed (extended by the same blocked working days).",
        "briefs first delivered ≤ original due + blocked working days ÷ briefs delivered"),
    Kpi("brief_median_turnaround", "Median turnaround", "count", "agency",
        "Median of the working days (the department's calendar) from sending a brief to its "
        "first delivery, over the briefs delivered.",
        "median of working days (sent, first delivered]"),
    Kpi("brief_rounds", "Rounds per brief", "count", "agency",
        "Rounds of changes (a delivered brief sent back for changes) per brief delivered.",
        "Σ rounds ÷ briefs delivered"),
    Kpi("brief_effort", "Effort, estimated vs actual", "count", "agency",
        "Hours estimated against hours spent on the briefs delivered, per account and month of "
        "first delivery (briefs without hours count as none).",
        "Σ actual hours − Σ estimated hours"),
)

BY_SLUG = {k.slug: k for k in REGISTRY}
RETENTION = tuple(k for k in REGISTRY if k.group == "retention")
