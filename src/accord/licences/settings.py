"""Licences' setting (policy ``licences`` in ``core.policy_store``): when a seat counts as
active and the thresholds of the seat signals. docs/licences.md lists it.

The one currency of every subscription is the company's (``core.company``, set on
``/admin/company``): ``currency`` below reads it, so that it is defined once."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import Field
from sqlalchemy.orm import Session

from accord.core import policy_store, versions
from accord.core.company import company_policy
from accord.core.models import User
from accord.core.policy import Policy

POLICY_NAME = "licences"
Share = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]


class LicencesPolicy(Policy):
    """When a seat counts as active; the up-sell and risk signals."""

    KIND: ClassVar[str] = "licences"

    #: a seat is active when a service of its product was used in the last N days
    active_days: Annotated[int, Field(strict=True, ge=1, le=365)] = 30
    #: allocation and adoption at or above which a subscription suggests an up-sell
    upsell_allocation: Share = Decimal("0.90")
    upsell_adoption: Share = Decimal("0.80")
    #: adoption at or below which a subscription is a risk
    risk_adoption: Share = Decimal("0.40")


def policy(session: Session) -> LicencesPolicy:
    """The stored policy or its defaults (reads only)."""
    return policy_store.load(session, POLICY_NAME, LicencesPolicy)


def currency(session: Session) -> str:
    """The company's one currency: every subscription is in it (another is refused)."""
    return company_policy(session).currency


def version(session: Session) -> int:
    """The stored policy's version (0 while the defaults apply): the ETag and the form's."""
    return policy_store.setting_version(session, POLICY_NAME)


def save_policy(session: Session, user: User, value: dict[str, Any],
                expected: versions.Expected | None = None) -> LicencesPolicy:
    """Change the fields given (the others keep theirs); admins and heads; audited; a stale
    ``expected`` version is a 409. The doors call ``signals.service.change_settings``, which
    also re-evaluates the signals under the new thresholds."""
    merged = {**policy(session).to_dict(), **value}
    return policy_store.save(session, user, POLICY_NAME, merged, LicencesPolicy.from_dict,
                             expected)
