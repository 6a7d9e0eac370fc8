"""One plan as a file: JSON (the API's shape) or Markdown (to read, print or mail).

Pure rendering of a ``PlanOut``: no queries, no visibility (the service did both)."""

from __future__ import annotations

import json
from decimal import Decimal

from accord.plans.rules import METRIC_LABELS, SECTION_LABELS, SWOT
from accord.plans.schemas import ObjectiveOut, PlanOut


def plan_json(plan: PlanOut) -> str:
    return json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _figure(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _escape(text: str) -> str:
    """One line of a Markdown table cell or list item."""
    return " ".join(text.split()).replace("|", "\\|")


def _bullets(lines: list[str], empty: str = "_Nothing yet._") -> list[str]:
    return [f"- {_escape(line)}" for line in lines] if lines else [empty]


def _objective(o: ObjectiveOut) -> list[str]:
    owner = o.owner.name if o.owner else "—"
    out = [
        f"### {_escape(o.title)}",
        "",
        f"- Metric: {METRIC_LABELS.get(o.metric, o.metric)}",
        f"- Baseline {_figure(o.baseline)} → target {_figure(o.target)}; "
        f"now {_figure(o.current)} (progress {_percent(o.progress)})",
        f"- Owner: {_escape(owner)}; due {o.due_on or '—'}",
    ]
    if o.actions:
        out += ["", "| Action | Owner | Due | Status |", "|---|---|---|---|"]
        for a in o.actions:
            status = a.status + (" (overdue)" if a.overdue else "")
            out.append(
                f"| {_escape(a.title)} | {_escape(a.owner.name) if a.owner else '—'} | "
                f"{a.due_on or '—'} | {status} |"
            )
    if o.updates:
        out += ["", "Updates:"]
        out += [
            f"- {u.noted_on}: {_figure(u.value)} — {_escape(u.note)}" for u in o.updates
        ]
    return [*out, ""]


def plan_markdown(plan: PlanOut) -> str:
    """The whole plan as Markdown, section by section."""
    state = "current" if plan.is_current else f"archived {plan.archived_at:%Y-%m-%d}" \
        if plan.archived_at else "archived"
    out = [
        f"# Account plan: {_escape(plan.account_name)}",
        "",
        f"{plan.starts_on} – {plan.ends_on} ({plan.horizon_months} months, {state}). "
        f"Completeness {_percent(plan.completeness)}; last reviewed "
        f"{plan.last_reviewed_on or 'never'}" + (" — review overdue." if plan.stale else "."),
        "",
        f"## {SECTION_LABELS['business']}",
        "",
        _escape(plan.business) or "_Nothing yet._",
        "",
    ]
    if plan.strategy:
        out += [f"**Strategy.** {_escape(plan.strategy)}", ""]
    if plan.budgets:
        out += [f"**Budgets known.** {_escape(plan.budgets)}", ""]
    out += [f"## {SECTION_LABELS['value_to_us']}", "", _escape(plan.value_to_us) or
            "_Nothing yet._", ""]
    for name, lines in (("goals", plan.goals), ("pain_points", plan.pain_points)):
        out += [f"## {SECTION_LABELS[name]}", "", *_bullets(lines), ""]
    out += [f"## {SECTION_LABELS['swot']}", ""]
    for name in SWOT:
        out += [f"**{name.capitalize()}**", "", *_bullets(getattr(plan, name)), ""]
    out += [f"## {SECTION_LABELS['key_people']}", ""]
    if plan.key_people:
        out += ["| Person | Title | Buying role | Reports to |", "|---|---|---|---|"]
        out += [
            f"| {_escape(p.name)} | {_escape(p.title or '—')} | "
            f"{(p.buying_role or '—').replace('_', ' ')} | {_escape(p.reports_to_name or '—')} |"
            for p in plan.key_people
        ]
    else:
        out.append("_Nothing yet._")
    out += ["", f"## {SECTION_LABELS['risks']}", "", *_bullets(plan.risks), ""]
    out += [f"## {SECTION_LABELS['objectives']}", ""]
    if not plan.objectives:
        out += ["_Nothing yet._", ""]
    for objective in plan.objectives:
        out += _objective(objective)
    return "\n".join(out).rstrip() + "\n"
