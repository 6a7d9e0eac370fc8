"""The company using Accord: its name, its one currency and its logo (``company`` in
``core.policy_store``). Proposals print the name and logo; every amount of the catalogue,
the opportunities and the proposals is in the currency (one currency per installation: an
amount in another is refused, see the licences issue).

The front doors (``/admin/company``, ``/api/v1/company``, ``accord company``) are the
proposals package's; the policy sits here because every capability that shows money reads it.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from accord.core import policy_store, versions
from accord.core.errors import FieldProblem
from accord.core.models import User
from accord.core.policy import Policy

NAME = "company"
#: a logo is an image given inline (a data: URL of PNG, JPEG or SVG), at most this long
MAX_LOGO_CHARS = 200_000
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_LOGO = re.compile(r"^data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/=]+$")


class CompanyPolicy(Policy):
    KIND = "company"

    name: str = Field(default="Accord demo company", min_length=1, max_length=120)
    #: ISO 4217 code
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    #: a data: URL (PNG, JPEG or SVG, base64), or empty for none
    logo: str = Field(default="", max_length=MAX_LOGO_CHARS)

    def problems(self) -> list[FieldProblem]:
        found = []
        if not _CURRENCY.match(self.currency):
            found.append(FieldProblem("currency", "an ISO 4217 code: three capital letters"))
        if self.logo and not _LOGO.match(self.logo):
            found.append(FieldProblem(
                "logo", "a data: URL of a PNG, JPEG or SVG image in base64, or empty"))
        if any(ord(c) < 32 or ord(c) == 127 for c in self.name):
            found.append(FieldProblem("name", "control characters are not allowed"))
        return found


def company_policy(session: Session) -> CompanyPolicy:
    return policy_store.load(session, NAME, CompanyPolicy)


def save_company_policy(
    session: Session, user: User, value: dict[str, Any],
    expected: versions.Expected | None = None,
) -> CompanyPolicy:
    """Change the fields given (the others keep their value); admins and heads; audited."""
    merged = {**company_policy(session).to_dict(), **value}
    return policy_store.save(session, user, NAME, merged, CompanyPolicy.from_dict, expected)
