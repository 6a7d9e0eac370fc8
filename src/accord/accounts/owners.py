"""Who an accounts file names as an account's owner (B12).

CRM exports name the owner in different ways: an e-mail (Accord, Salesforce's
``Owner Email``), a display name (HubSpot's ``Company owner``: "Ada Lovelace"), or a CRM
user id (Salesforce's ``OwnerId``: ``005...``). An owner cell is matched, in this order:

1. holding an ``@``: the active user with that e-mail (any case);
2. a CRM user id mapped for the file's source (table ``crm_user_map``, imported with
   ``accord import user-map``);
3. a user's name, any case and spacing, when exactly one active user has it (two or more:
   *ambiguous*, naming their e-mails).

Anything else is an unknown owner: a row problem like any other, unless the import was asked
to import such accounts without a manager (``unassign_unknown_owners``), which the report
counts. The user found must be able to manage accounts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.core.models import CrmUserMap, Role, User

MANAGING_ROLES = {Role.MANAGER.value, Role.HEAD.value, Role.ADMIN.value, Role.SALES.value}


def name_key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class Match:
    user_id: int | None = None
    problem: str | None = None
    unknown: bool = False  # matched nobody (the import may leave the account unassigned)


@dataclass
class Owners:
    """The users an import's owner cells may name, loaded in three queries."""

    by_email: dict[str, tuple[int, str, bool]] = field(default_factory=dict)
    by_crm_id: dict[str, tuple[int, str, bool, str]] = field(default_factory=dict)
    by_name: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, source: str, cells: set[str]) -> Owners:
        owners = cls()
        emails = sorted({c.lower() for c in cells if "@" in c})
        others = sorted({c for c in cells if "@" not in c})
        for i in range(0, len(emails), 500):
            for uid, email, role, active in session.execute(
                select(User.id, User.email, User.role, User.is_active)
                .where(func.lower(User.email).in_(emails[i : i + 500]))
            ):
                owners.by_email[email.lower()] = (uid, role, active)
        for i in range(0, len(others), 500):
            chunk = others[i : i + 500]
            for crm_id, uid, role, active, email in session.execute(
                select(CrmUserMap.crm_user_id, User.id, User.role, User.is_active, User.email)
                .join(User, User.id == CrmUserMap.user_id)
                .where(CrmUserMap.source == source, CrmUserMap.crm_user_id.in_(chunk))
            ):
                owners.by_crm_id[crm_id] = (uid, role, active, email)
        names = sorted({name_key(c) for c in others} - {""})
        if names:
            found: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
            for uid, name, role, email in session.execute(
                select(User.id, User.name, User.role, User.email)
                .where(User.is_active.is_(True), func.lower(User.name).in_(
                    sorted({n.lower() for n in names} | {c.strip().lower() for c in others})))
                .order_by(User.email)
            ):
                found[name_key(name)].append((uid, role, email))
            owners.by_name = dict(found)
        return owners

    def match(self, cell: str) -> Match:
        if "@" in cell:
            known = self.by_email.get(cell.lower())
            if known is None or not known[2]:
                return Match(problem=f"unknown manager e-mail {cell!r}", unknown=True)
            return _may_manage(known[0], known[1], cell)
        mapped = self.by_crm_id.get(cell)
        if mapped is not None:
            uid, role, active, email = mapped
            if not active:
                return Match(problem=f"CRM user {cell!r} is mapped to {email}, who is inactive")
            return _may_manage(uid, role, email)
        named = self.by_name.get(name_key(cell), [])
        if len(named) > 1:
            emails = ", ".join(email for _, _, email in named)
            return Match(problem=f"ambiguous owner {cell!r}: {len(named)} users have this name "
                                 f"({emails}); give an e-mail")
        if named:
            uid, role, email = named[0]
            return _may_manage(uid, role, email)
        return Match(problem=f"unknown owner {cell!r}: no user has this e-mail, name or mapped "
                             "CRM user id (accord import user-map)", unknown=True)


def _may_manage(uid: int, role: str, who: str) -> Match:
    if role not in MANAGING_ROLES:
        return Match(problem=f"{who} cannot manage accounts ({role})")
    return Match(user_id=uid)
