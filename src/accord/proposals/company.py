"""The company settings' use cases for their front doors (``/admin/company``,
``/api/v1/company``, ``accord company``): the policy itself and its rules live in
``core.company``; changing it is for admins and heads, audited, versioned."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.core import policy_store, versions
from accord.core.company import NAME, CompanyPolicy, company_policy, save_company_policy
from accord.core.models import User

FIELDS = ("name", "currency", "logo")


def show(session: Session) -> CompanyPolicy:
    return company_policy(session)


def version(session: Session) -> int:
    return policy_store.setting_version(session, NAME)


def change(session: Session, user: User, values: dict[str, Any],
           expected: versions.Expected | None = None) -> CompanyPolicy:
    """Change the fields given (the others keep theirs); admins and heads; audited."""
    given = {k: v for k, v in values.items() if k in FIELDS}
    if "currency" in given and isinstance(given["currency"], str):
        given["currency"] = given["currency"].strip().upper()
    return save_company_policy(session, user, given, expected)
