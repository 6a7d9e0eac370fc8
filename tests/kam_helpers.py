"""Shared arrangements for the KAM tests (selection, relationships, health, decisions)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from accord.accounts.models import (
    Account,
    AccountContact,
    Contact,
    Interaction,
    InteractionContact,
)
from accord.accounts.touches import is_qualifying
from accord.core.database import utcnow
from accord.core.models import User
from accord.core.periods import month_index
from accord.health import models as _health_models  # noqa: F401  (metadata knows them)
from accord.relationships import models as _relationship_models  # noqa: F401
from accord.revenue.load.importing import bulk_load_revenue
from accord.selection import models as _selection_models  # noqa: F401
from accord.selection import service as selection
from accord.selection.schemas import ScoringIn
from import_helpers import month_lines

TODAY = date(2026, 1, 15)


def make_account(
    s: Session,
    name: str,
    manager_id: int | None,
    *,
    segment: str = "Manufacturing",
    spend_cents: int | None = None,
    kind: str = "company",
    last_touch: date | None = None,
) -> int:
    now = utcnow()
    a = Account(
        name=name,
        name_key=name.lower(),
        kind=kind,
        status="active",
        segment=segment,
        manager_id=manager_id,
        estimated_spend_cents=spend_cents,
        created_at=now,
        updated_at=now,
        last_touch_on=last_touch,
        last_qualifying_touch_on=last_touch,  # a touch given here counts as qualifying
    )
    s.add(a)
    s.flush()
    return a.id


def add_revenue(
    s: Session,
    account_id: int,
    monthly_cents: dict[int, int],
    product_lines: tuple[str, ...] = ("core",),
) -> None:
    """Monthly revenue as the importer keeps it, loaded through the loader: one line a month
    (the first product line), and in the latest month one line per product line (ids
    ``<account>-<i>``), the month's amount shared between them."""
    last = max(monthly_cents)
    earlier = {m: c for m, c in monthly_cents.items() if m != last}
    rows = month_lines(account_id, earlier, product_line=product_lines[0], day=10)
    year, m0 = divmod(last, 12)
    share, rest = divmod(monthly_cents[last], len(product_lines))
    rows += [(account_id, date(year, m0 + 1, 10), share + (rest if i == 0 else 0), line,
              f"{account_id}-{i}") for i, line in enumerate(product_lines)]
    bulk_load_revenue(s, rows)


def steady(cents: int, months: int = 24, *, growth: Decimal = Decimal(1)) -> dict[int, int]:
    """``months`` months up to the month before TODAY, growing by ``growth`` a month."""
    last = month_index(TODAY) - 1
    out = {}
    for i, m in enumerate(range(last - months + 1, last + 1)):
        out[m] = int(Decimal(cents) * growth**i)
    return out


def add_contacts(
    s: Session,
    account_id: int,
    people: list[tuple[str, str, str]],
    *,
    touched_on: date | None = None,
    kind: str = "meeting",
    sentiment: int | None = None,
) -> list[int]:
    """People (name, function, seniority) linked to the account, all in one interaction."""
    ids = []
    for name, function, seniority in people:
        c = Contact(
            name=name,
            function=function,
            seniority=seniority,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        s.add(c)
        s.flush()
        s.add(AccountContact(account_id=account_id, contact_id=c.id))
        ids.append(c.id)
    if touched_on is not None:
        interaction(s, account_id, touched_on, kind=kind, contact_ids=ids, sentiment=sentiment)
    return ids


def interaction(
    s: Session,
    account_id: int,
    day: date,
    *,
    kind: str = "call",
    contact_ids: list[int] | None = None,
    sentiment: int | None = None,
) -> None:
    i = Interaction(
        account_id=account_id,
        kind=kind,
        occurred_on=day,
        summary=kind,
        sentiment=sentiment,
        created_at=utcnow(),
    )
    s.add(i)
    s.flush()
    for cid in contact_ids or []:
        s.add(InteractionContact(interaction_id=i.id, contact_id=cid))
    account = s.get(Account, account_id)
    assert account is not None
    if account.last_touch_on is None or day > account.last_touch_on:
        account.last_touch_on = day
    last = account.last_qualifying_touch_on
    if is_qualifying(kind, bool(contact_ids)) and (last is None or day > last):
        account.last_qualifying_touch_on = day
    s.flush()


def reviews(s: Session, account_id: int, days_ago: list[int]) -> None:
    for d in days_ago:
        interaction(s, account_id, TODAY - timedelta(days=d), kind="business_review")


def scoring(
    s: Session,
    user: User,
    *,
    attractiveness: str,
    us: str,
    them: str = "5",
    competitor: str = "Rival Ltd",
    scored_on: date | None = None,
    potential_override: str | None = None,
) -> ScoringIn:
    """Every attractiveness criterion at one score, every buying criterion us/them alike:
    attractiveness and strength come out exactly as given."""
    criteria = selection.list_criteria(s, user)
    return ScoringIn.model_validate(
        {
            "attractiveness": [
                {"criterion_id": c.id, "score": attractiveness} for c in criteria.attractiveness
            ],
            "buying": [
                {"criterion_id": c.id, "us": us, "competitor": them} for c in criteria.buying
            ],
            "competitor_name": competitor,
            "scored_on": scored_on,
            "potential_override": potential_override,
        }
    )


def sign_in(client, email: str) -> str:
    """Log in through the login form; return the CSRF token of the session."""
    import re

    from conftest import PASSWORD

    def token(html: str) -> str:
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        assert match, "no csrf meta tag"
        return match.group(1)

    client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token(client.get("/login").text)},
    )
    return token(client.get("/matrix").text)
