"""An account's e-mail domains: how a Microsoft 365 tenant's export is tied to its account
(the sign-in names' domains), and a domain names one account only.

Who may: whoever may change the account, billing and admins add and remove its domains;
whoever sees it reads them. Audited (``account_domain``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accord.accounts.visibility import get_visible_account
from accord.core import audit
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.licences.models import AccountDomain
from accord.licences.seats.service import require_seat_writer

#: a host name of labels (letters, digits, hyphens) with a dot, at most 253 characters
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normal_domain(text: str) -> str:
    """``text`` as a stored domain (lower case, no leading ``@``), or a 422 on ``domain``."""
    domain = text.strip().lower().removeprefix("@")
    if not DOMAIN.match(domain):
        raise ValidationFailed([FieldProblem("domain", f"not a domain name: {text[:60]!r}")])
    return domain


def domains_of(session: Session, user: User, account_id: int) -> list[str]:
    get_visible_account(session, user, account_id)
    return list(session.scalars(select(AccountDomain.domain).where(
        AccountDomain.account_id == account_id).order_by(AccountDomain.domain)))


def add_domain(session: Session, user: User, account_id: int, text: str) -> str:
    require_seat_writer(session, user, account_id)
    domain = normal_domain(text)
    owner = session.scalar(select(AccountDomain.account_id).where(
        AccountDomain.domain == domain))
    if owner == account_id:
        raise Conflict(f"{domain} is this account's already")
    if owner is not None:
        raise Conflict(f"{domain} belongs to another account")
    session.add(AccountDomain(domain=domain, account_id=account_id))
    session.flush()
    audit.record(session, user, "create", "account_domain", domain, account_id=account_id,
                 after={"domain": domain})
    return domain


def remove_domain(session: Session, user: User, account_id: int, text: str) -> None:
    require_seat_writer(session, user, account_id)
    domain = normal_domain(text)
    if session.get(AccountDomain, domain) is None or session.scalar(select(
            AccountDomain.account_id).where(AccountDomain.domain == domain)) != account_id:
        raise NotFound(f"{domain} is not a domain of account {account_id}")
    session.execute(delete(AccountDomain).where(AccountDomain.domain == domain))
    audit.record(session, user, "delete", "account_domain", domain, account_id=account_id,
                 before={"domain": domain})


def tenant_account(session: Session, principals: Iterable[str]) -> int | None:
    """The account whose domains the sign-in names use most (None: no domain known)."""
    counts = Counter(p.rsplit("@", 1)[-1].lower() for p in principals if "@" in p)
    if not counts:
        return None
    owners = dict(session.execute(select(AccountDomain.domain, AccountDomain.account_id)
                                  .where(AccountDomain.domain.in_(list(counts)))).all())
    votes: Counter[int] = Counter()
    for domain, n in counts.items():
        if domain in owners:
            votes[owners[domain]] += n
    return votes.most_common(1)[0][0] if votes else None
