"""The one guard on a user's role, for rules that depend on the role alone (who may administer
users, teams, settings). Which accounts a role sees is ``accord.accounts.visibility``."""

from __future__ import annotations

from accord.core.errors import Forbidden
from accord.core.models import Role, User


def require_role(user: User, *roles: Role) -> None:
    if Role(user.role) not in roles:
        raise Forbidden("this needs the role " + " or ".join(r.value for r in roles))
