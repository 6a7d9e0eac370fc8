"""The demo's growth data: a catalogue of the product lines its revenue carries (each with an
offering and a SKU, an owner and a list price) plus two lines not sold yet, the summary built
from the revenue lines, and, on some key accounts, needs (a few of them product gaps) and
cells marked not relevant. Runs again without duplicating (it skips what exists)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.core.models import Role, User
from accord.growth import rules, summary
from accord.growth.models import (
    Need,
    NeedProductLine,
    Offering,
    ProductLine,
    Sku,
    WhitespaceFlag,
)
from accord.selection.queries import tier_select
from accord.selection.rules import KEY_TIERS

#: lines the demo's clients do not buy yet: whitespace everywhere
NOT_SOLD = ("Field Robotics", "Energy Advisory")
NEEDS = (
    ("Cut the cost of unplanned downtime", "operations", 1),
    ("Reports the board can read without an analyst", "technology", 1),
    ("Train new staff in weeks, not months", "people", 1),
    ("Meet the new supply-chain reporting rules", "compliance", 0),
    ("Drones to inspect remote sites", "technology", 0),
    ("Grow into two new countries next year", "growth", 2),
)
NOT_RELEVANT = ("Buys this from a sister company", "No plants of that kind",
                "Ruled out by their group procurement")
KEY_SAMPLE = 40


def seed_demo(session: Session, *, seed: int, today: date,
              product_lines: Sequence[str]) -> int:
    """Returns how many product lines the catalogue holds."""
    rng = random.Random(f"growth:{seed}")
    owners = list(session.scalars(select(User.id).where(
        User.role.in_((Role.HEAD.value, Role.ADMIN.value)), User.is_active.is_(True))
        .order_by(User.id)))
    existing = set(session.scalars(select(ProductLine.name)))
    position = len(existing)
    for name in [*product_lines, *NOT_SOLD]:
        if name in existing:
            continue
        position += 1
        price = Decimal(rng.randrange(20, 400) * 100)
        line = ProductLine(name=name, description=f"{name}: the demo's catalogue",
                           owner_id=rng.choice(owners) if owners else None,
                           list_price=price, position=position)
        session.add(line)
        session.flush()
        offering = Offering(product_line_id=line.id, name=f"{name} Standard", description="",
                            owner_id=line.owner_id, list_price=price)
        session.add(offering)
        session.flush()
        code = "".join(w[0] for w in name.split()).upper()
        session.add(Sku(offering_id=offering.id, code=f"{code}-{line.id:02d}-STD",
                        name=f"{name} Standard, one year", unit="year",
                        owner_id=line.owner_id, list_price=price))
    session.flush()
    summary.rebuild(session, today)
    _needs_and_flags(session, rng)
    return position


def _needs_and_flags(session: Session, rng: random.Random) -> None:
    if session.scalar(select(Need.id).limit(1)) is not None:
        return
    tiers = tier_select(session)
    key = list(session.scalars(select(tiers.c.account_id).where(tiers.c.tier.in_(KEY_TIERS))
                               .order_by(tiers.c.account_id).limit(KEY_SAMPLE)))
    lines = list(session.scalars(select(ProductLine.id).order_by(ProductLine.position)))
    if not key or not lines:
        return
    for account_id in key:
        for text, category, answers in rng.sample(NEEDS, 2):
            assert category in rules.NEED_CATEGORIES
            need = Need(account_id=account_id, text=text, category=category)
            session.add(need)
            session.flush()
            session.add_all([NeedProductLine(need_id=need.id, product_line_id=p)
                             for p in rng.sample(lines, answers)])
        if rng.random() < 0.5:
            session.add(WhitespaceFlag(account_id=account_id, product_line_id=rng.choice(lines),
                                       reason=rng.choice(NOT_RELEVANT)))
    session.flush()
