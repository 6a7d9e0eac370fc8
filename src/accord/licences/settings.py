"""Licences' setting (policy ``licences`` in ``core.policy_store``): the installation's one
currency (every subscription is in it; another is refused), and the thresholds of the seat
signals (used by the seats, issue 15's next part). docs/licences.md lists it."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import Field
from sqlalchemy.orm import Session

from accord.core import policy_store
from accord.core.policy import Policy

POLICY_NAME = "licences"
DEFAULT_CURRENCY = "EUR"
Share = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]


class LicencesPolicy(Policy):
    """The company's currency; when a seat counts as active; the up-sell and risk signals."""

    KIND: ClassVar[str] = "licences"

    #: ISO 4217 code of the company's currency
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = DEFAULT_CURRENCY
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
