"""The demo's opportunities: on the demo's key accounts (``plans.demo.key_accounts``, at most
``MAX_ACCOUNTS``), two to four each, together in every stage — identified, qualified,
proposed, negotiation, won (closed in the last months) and lost (with a reason) — of every
kind, each about one or two product lines of the catalogue, owned by the account's manager,
expected to close over the coming months.

Needs the catalogue: when the growth demo has not filled it, the product lines are made from
the ``product_line`` values the revenue carries (as the growth demo does). Writes nothing
when opportunities exist already. Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.database import utcnow
from accord.growth.models import ProductLine
from accord.growth.opportunities import rules
from accord.growth.opportunities.models import Opportunity, OpportunityProductLine
from accord.plans.demo import key_accounts
from accord.revenue.models import RevenueLine

MAX_ACCOUNTS = 400
TITLES = {
    "upsell": ("More seats for {line}", "{line}: the premium tier", "{line} for a second site"),
    "cross_sell": ("{line} for the plants", "Add {line} to the contract", "{line} pilot"),
    "renewal": ("{line} renewal", "Three-year {line} renewal"),
    "new_vertical": ("{line} for their new division", "{line} in a new country"),
}
LOST = ("A rival was 15 % cheaper", "Budget moved to next year", "Bought from a sister company",
        "The project was cancelled", "No decision maker reached")
NEXT = ("Send the offer", "Meet the buyer", "Demo for the plant managers", "Agree the terms",
        "Reference call")


def _lines(session: Session) -> list[int]:
    """The catalogue's product lines; made from the revenue's values when it is empty."""
    ids = list(session.scalars(select(ProductLine.id).order_by(ProductLine.position,
                                                               ProductLine.id)))
    if ids:
        return ids
    names = sorted(n for n in session.scalars(
        select(RevenueLine.product_line).where(RevenueLine.product_line.is_not(None))
        .distinct().limit(50)) if n)
    for position, name in enumerate(names, start=1):
        session.add(ProductLine(name=name, description=f"{name}: the demo's catalogue",
                                position=position))
    session.flush()
    return list(session.scalars(select(ProductLine.id).order_by(ProductLine.position)))


def seed_demo(session: Session, *, seed: int, today: date, accounts: int) -> int:
    """Returns how many opportunities were written."""
    if session.scalar(select(func.count()).select_from(Opportunity)):
        return 0
    lines = _lines(session)
    chosen = key_accounts(session, accounts)[:MAX_ACCOUNTS]
    if not chosen or not lines:
        return 0
    managers = dict(session.execute(
        select(Account.id, Account.manager_id).where(Account.id.in_(chosen))).all())
    names = dict(session.execute(select(ProductLine.id, ProductLine.name)).all())
    rng = random.Random(f"opportunities:{seed}")
    policy = rules.StagesPolicy()
    written = 0
    for n, account_id in enumerate(chosen):
        for k in range(2 + rng.randrange(3)):
            stage = rules.STAGES[(n + k) % len(rules.STAGES)]
            kind = rules.KINDS[(n + 2 * k) % len(rules.KINDS)]
            about = rng.sample(lines, min(len(lines), 1 + rng.randrange(2)))
            title = rng.choice(TITLES[kind]).format(line=names.get(about[0], "Service"))
            closed = stage in rules.CLOSED_STAGES
            close = today - timedelta(days=rng.randrange(5, 150)) if closed else \
                today + timedelta(days=rng.randrange(10, 270))
            row = Opportunity(
                account_id=account_id, title=title[:200], kind=kind, stage=stage,
                value=Decimal(rng.randrange(5, 400) * 1000),
                probability=policy.probability(stage), expected_close_on=close,
                owner_id=managers.get(account_id), lost_reason=rng.choice(LOST)
                if stage == "lost" else None, closed_on=close if closed else None,
                next_step="" if closed else rng.choice(NEXT),
                next_step_on=None if closed else today + timedelta(days=rng.randrange(1, 30)),
                created_at=utcnow(), updated_at=utcnow())
            session.add(row)
            session.flush()
            session.add_all([OpportunityProductLine(opportunity_id=row.id, product_line_id=i)
                             for i in about])
            written += 1
    session.flush()
    return written
