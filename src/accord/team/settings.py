"""The team setting (policy ``team`` in ``core.policy_store``): workload points per tier and
per open item, the cadence adjustment's cap, and the thresholds of the warnings.
docs/team.md lists it (``tests/test_settings_docs.py`` holds the table equal to the model).

The model itself, ``TeamPolicy``, is pure (``accord.team.rules`` receives it); this module
only reads and writes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.core import policy_store, versions
from accord.core.models import User
from accord.team.rules import TeamPolicy

__all__ = ["POLICY_NAME", "TeamPolicy", "policy", "save_policy", "version"]

POLICY_NAME = "team"


def policy(session: Session) -> TeamPolicy:
    """The stored policy or its defaults (reads only; once per reader's transaction)."""
    return policy_store.load(session, POLICY_NAME, TeamPolicy)


def version(session: Session) -> int:
    """The stored policy's version (0 while the defaults apply): the ETag and the form's."""
    return policy_store.setting_version(session, POLICY_NAME)


def save_policy(session: Session, user: User, value: dict[str, Any],
                expected: versions.Expected | None = None) -> TeamPolicy:
    """Change the fields given (the others keep theirs); admins and heads; audited; a stale
    ``expected`` version is a 409 and a refused value a 422 naming it: nothing is written."""
    merged = {**policy(session).to_dict(), **value}
    return policy_store.save(session, user, POLICY_NAME, merged, TeamPolicy.from_dict,
                             expected)
