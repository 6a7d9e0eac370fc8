"""What the plan pages share: the current plan of an account as the pages find it, how a
figure reads, the choices of the forms, and the plan page rendered with a failed form's
errors and values (each form on it keyed by its own name)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import Request
from markupsafe import Markup

from accord.accounts import contacts as contact_service
from accord.accounts import service as account_service
from accord.accounts.models import BuyingRole
from accord.accounts.visibility import can_write
from accord.core import versions
from accord.core.errors import NotFound
from accord.core.money import format_money
from accord.plans import rules, service
from accord.plans.relmap import Person, relationship_map, role_words
from accord.plans.schemas import PlanOut
from accord.web.page_deps import enum_choices
from accord.web.templating import render

#: the parts of a plan edited on their own form (``/plan/edit/{section}``) and their fields
EDIT_PARTS: dict[str, tuple[str, ...]] = {
    "business": ("business", "strategy", "budgets"),
    "value_to_us": ("value_to_us",),
    "goals": ("goals",),
    "pain_points": ("pain_points",),
    "swot": rules.SWOT,
    "risks": ("risks",),
}
LIST_FIELDS = frozenset(rules.ENTRY_SECTIONS)
FIELD_LABELS = {
    "business": "What they do",
    "strategy": "Their strategy",
    "budgets": "Budgets known",
    "value_to_us": "Their value to us",
    "goals": "Goals (the client's)",
    "pain_points": "Pain points",
    "strengths": "Strengths",
    "weaknesses": "Weaknesses",
    "opportunities": "Opportunities",
    "threats": "Threats",
    "risks": "Risks",
    "shared_sections": "Shared sections",
    "title": "Title",
    "metric": "Metric",
    "baseline": "Baseline",
    "target": "Target",
    "owner_id": "Owner",
    "due_on": "Due date",
}


def current_or_404(db: Any, user: Any, account_id: int, day: date) -> PlanOut:
    """The account's current plan; a 404 when it has none (a form of a plan that is gone)."""
    plan = service.current_plan(db, user, account_id, today=day)
    if plan is None:
        raise NotFound(f"account {account_id} has no plan yet")
    return plan


def figure(value: Decimal | None, metric: str) -> str:
    """A metric's value as people read it: money, a percentage, a score or a count."""
    if value is None:
        return "—"
    if metric == "revenue_12m":
        return format_money(value)
    if metric in ("nrr", "share_of_wallet"):
        return f"{value * 100:.1f} %"
    if metric == "health":
        return f"{value:.1f}"
    if metric == "key_people_touched":
        return f"{value:.0f}"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text or "0"


def plain(value: Decimal | None) -> str:
    """A stored figure as a form field shows it (no grouping, no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def relmap_of(plan: PlanOut) -> Markup:
    """The key people's relationship map (``plans.relmap``: every text escaped there)."""
    people = [
        Person(p.contact_id, p.name, p.buying_role, p.reports_to_contact_id)
        for p in plan.key_people
    ]
    return Markup(relationship_map(people, label=f"Key people of {plan.account_name}"))


def owner_choices(db: Any, user: Any, account_id: int) -> list[tuple[str, str]]:
    """Who may own an objective or an action: the account's manager, its team, the user."""
    account = account_service.get_account(db, user, account_id)
    people: dict[int, str] = {}
    if account.manager_id is not None:
        people[account.manager_id] = account.manager_name or f"user {account.manager_id}"
    for member in account_service.list_members(db, user, account_id):
        if can_write(member) and member.is_active:
            people.setdefault(member.id, member.name)
    if can_write(user):
        people.setdefault(user.id, user.name)
    return [(str(i), name) for i, name in sorted(people.items(), key=lambda kv: kv[1])]


def contact_choices(db: Any, user: Any, account_id: int) -> list[tuple[str, str]]:
    return [
        (str(c.id), c.name + (f" ({c.title})" if c.title else ""))
        for c in contact_service.list_contacts(db, user, account_id)
    ]


def base_context(user: Any, account: Any, plan: PlanOut | None) -> dict[str, Any]:
    return {
        "user": user,
        "account": account,
        "plan": plan,
        "can_write": plan is not None and not plan.read_only,
        "section_labels": rules.SECTION_LABELS,
        "metric_labels": rules.METRIC_LABELS,
        "labels": FIELD_LABELS,
        "figure": figure,
        "plain": plain,
        "role_words": role_words,
        "buying_roles": enum_choices(BuyingRole),
        "edit_parts": EDIT_PARTS,
    }


def plan_page(
    request: Request,
    db: Any,
    user: Any,
    account_id: int,
    day: date,
    *,
    forms: dict[str, dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Any:
    """The account's current plan (or its empty state), with the values and errors of a
    form that failed (``forms``: form name → ``{"values": …, "errors": …}``)."""
    plan = service.current_plan(db, user, account_id, today=day)
    account = account_service.get_account(db, user, account_id)
    context = base_context(user, account, plan)
    writer = plan is not None and not plan.read_only
    context.update(
        {
            "relmap": relmap_of(plan) if plan is not None else Markup(""),
            "owners": owner_choices(db, user, account_id) if writer else [],
            "may_start": plan is None and can_write(user),
            "horizons": [(str(h), f"{h} months") for h in rules.HORIZONS],
            "forms": forms or {},
            "today": day.isoformat(),
            "read_only_view": False,
            "sharing_original": versions.form_original(
                {"shared_sections": plan.shared_sections if plan is not None else []}
            ),
        }
    )
    return render(request, "plans/plan.html", context, status_code=status_code)
