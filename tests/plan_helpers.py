"""Arranging account plans in tests: people, a contact of Acme, a plan with content."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import AccountContact, Contact
from accord.core.database import utcnow
from accord.core.models import AuditEntry, User
from accord.plans import service
from accord.plans.schemas import KeyPersonIn, ObjectiveIn, PlanPatch, PlanStart

TODAY = date(2026, 3, 2)


def person(db: Session, cast: Any, who: str) -> User:
    user = db.get(User, getattr(cast, who).id)
    assert user is not None
    return user


def contact(db: Session, account_id: int, name: str, role: str | None = None) -> int:
    now = utcnow()
    c = Contact(name=name, email=f"{name.split()[0].lower()}@example.test", created_at=now,
                updated_at=now)
    db.add(c)
    db.flush()
    db.add(AccountContact(account_id=account_id, contact_id=c.id, buying_role=role,
                          title="Head of purchasing"))
    db.flush()
    return c.id


def audit_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def full_plan(db: Session, cast: Any, *, today: date = TODAY) -> tuple[int, int]:
    """Acme's plan with every section, a key person and a manual objective; (plan, contact)."""
    owner = person(db, cast, "owner")
    carla = contact(db, cast.acme_id, "Carla Acme", "decision_maker")
    plan = service.start_plan(db, owner, cast.acme_id, PlanStart(horizon_months=12),
                              today=today)
    service.update_plan(db, owner, plan.id, PlanPatch(
        business="Pumps for breweries", strategy="Expand to Poland", budgets="2 M€ capex",
        value_to_us="Reference customer", goals=["Open a second plant"],
        pain_points=["Downtime"], strengths=["Service"], weaknesses=["Price"],
        opportunities=["Poland"], threats=["Rival Ltd"], risks=["Budget freeze"],
        shared_sections=["business", "goals", "objectives"],
    ), today=today)
    service.add_key_person(db, owner, plan.id, KeyPersonIn(contact_id=carla), today=today)
    service.add_objective(db, owner, plan.id, ObjectiveIn(
        title="Second plant on contract", metric="manual", baseline=Decimal(0),
        target=Decimal(2), due_on=date(2026, 12, 31)), today=today)
    return plan.id, carla
