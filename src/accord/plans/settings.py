"""The plans policy (``plans`` in ``core.policy_store``): review interval, share-link life."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.core import policy_store, versions
from accord.core.models import User
from accord.plans.rules import PlansPolicy

NAME = "plans"


def plans_policy(session: Session) -> PlansPolicy:
    """The stored policy, or its defaults (review every 90 days, links for 30 days)."""
    return policy_store.load(session, NAME, PlansPolicy)


def save_plans_policy(
    session: Session,
    user: User,
    value: dict[str, Any],
    expected: versions.Expected | None = None,
) -> PlansPolicy:
    """Change the fields given (the others keep their value); admins and heads; audited."""
    merged = {**plans_policy(session).to_dict(), **value}
    return policy_store.save(session, user, NAME, merged, PlansPolicy.from_dict, expected)
