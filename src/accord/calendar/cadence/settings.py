"""Where the cadence policy is stored: the setting ``cadence`` (``core.policy_store``).

While no cadence policy is stored, its defaults apply — except that a health policy stored
before the cadence moved here (issue 13) may still hold ``cadence_days`` (touch days per tier):
those are read, once per reader's transaction, as the tiers' touch intervals until an admin
saves a cadence policy. Reading never writes.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.calendar.cadence.rules import CadencePolicy, from_legacy_health
from accord.core import policy_store

NAME = "cadence"
#: the health policy that held the touch intervals before (``cadence_days``)
LEGACY = "health"


def policy(session: Session) -> CadencePolicy:
    """The stored cadence policy, else the legacy health intervals, else the defaults."""
    value = policy_store.stored(session, NAME)
    if value:
        return CadencePolicy.from_dict(value)
    legacy = (policy_store.stored(session, LEGACY) or {}).get("cadence_days")
    if isinstance(legacy, dict) and legacy:
        return CadencePolicy.from_dict(from_legacy_health(legacy))
    return CadencePolicy()


def version(session: Session) -> int:
    return policy_store.setting_version(session, NAME)
