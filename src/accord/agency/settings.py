"""Agency work's setting (policy ``agency`` in ``core.policy_store``): after how many
unanswered chases a client input is escalated to the head, and the chase interval of a
request whose account agreed none. Admins and heads change it (``/admin/agency``,
``PUT /api/v1/agency/settings``, ``accord inputs settings``); docs/inputs.md ("Agency
settings") lists it."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field
from sqlalchemy.orm import Session

from accord.agency.rules import MAX_CHASE_DAYS
from accord.core import policy_store
from accord.core.policy import Policy

POLICY_NAME = "agency"
DEFAULT_ESCALATE_AFTER = 3
DEFAULT_CHASE_DAYS = 3
MAX_ESCALATE_AFTER = 20


class AgencyPolicy(Policy):
    """Chasing client inputs: ``escalate_after`` unanswered chases, then the head."""

    KIND: ClassVar[str] = "agency"

    #: N: the (N+1)-th chase without an answer goes to the head instead
    escalate_after: Annotated[int, Field(strict=True, ge=1, le=MAX_ESCALATE_AFTER)] = (
        DEFAULT_ESCALATE_AFTER)
    #: working days between chases when neither the request nor its account gives one
    default_chase_days: Annotated[int, Field(strict=True, ge=1, le=MAX_CHASE_DAYS)] = (
        DEFAULT_CHASE_DAYS)


def policy(session: Session) -> AgencyPolicy:
    """The stored policy or its defaults (reads only)."""
    return policy_store.load(session, POLICY_NAME, AgencyPolicy)
