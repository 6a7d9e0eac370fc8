"""Demo data of the selection matrix: scorings for a few hundred accounts, some re-scored.

Called by the demo generator after accounts, interactions and revenue exist:
``seed_demo(session, seed=…, today=…)``. Deterministic for a seed. Attractiveness leans on
revenue rank (big clients tend to matter) with plenty of exceptions, so every quadrant,
"large but not key" and "key but not large" appear.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core import audit
from accord.core.database import utcnow
from accord.core.models import User
from accord.selection import kam_revenue, rules
from accord.selection.models import Scoring
from accord.selection.queries import rebuild_current
from accord.selection.rules import CriterionKind
from accord.selection.service import active_criteria
from accord.selection.settings import selection_policy

COMPETITORS = (
    "Northwind Supply",
    "Contoso",
    "Fabrikam",
    "Tailspin Partners",
    "Adatum",
    "Litware",
    "Proseware",
    "Wingtip Group",
)


def _pick(session: Session, rng: random.Random, today: date, count: int) -> list[tuple[int, int]]:
    """(account_id, rank) of the largest companies plus a random sample of the others."""
    kam_revenue.ensure_fresh(session, today, selection_policy(session))
    kr = kam_revenue.revenue_table()
    ranked = (
        session.execute(
            select(Account.id)
            .join(kr, kr.account_id == Account.id)
            .where(Account.kind == "company", Account.status.in_(("active", "onboarding")))
            .order_by(kr.current_cents.desc(), Account.id)
        )
        .scalars()
        .all()
    )
    top = list(ranked[: count // 2])
    rest = list(ranked[count // 2 :])
    sample = rng.sample(rest, min(len(rest), count - len(top)))
    rank = {a: i for i, a in enumerate(ranked)}
    return sorted(((a, rank[a]) for a in top + sample), key=lambda t: t[0])


def _scores(rng: random.Random, n: int, centre: float) -> list[int]:
    return [int(max(0, min(100, round(rng.gauss(centre, 1.6) * 10)))) for _ in range(n)]


def seed_demo(session: Session, *, seed: int, today: date, count: int = 300) -> int:
    """Score ``count`` accounts (a third of them twice, a year apart). Returns scorings made."""
    if session.scalar(select(Scoring.id).limit(1)) is not None:
        return 0  # already seeded (or scored by hand): leave it alone
    rng = random.Random(f"selection-{seed}")
    attr = active_criteria(session, CriterionKind.ATTRACTIVENESS)
    buying = active_criteria(session, CriterionKind.BUYING)
    aw, bw = [c.weight for c in attr], [c.weight for c in buying]
    managers = dict(session.execute(select(Account.id, Account.manager_id)).all())
    emails: dict[int, str] = {}
    for uid, email in session.execute(select(User.id, User.email)):
        emails[uid] = email
    rows = []
    picked = _pick(session, rng, today, count)
    total = max(len(picked), 1)
    for account_id, rank in picked:
        size_bias = 7.5 - 4.5 * rank / max(total * 4, 1)
        centre = min(9.5, max(1.5, rng.gauss(size_bias, 1.8)))
        strength = rng.uniform(0.6, 1.5)
        times = 2 if rng.random() < 0.33 else 1
        for k in range(times):
            earlier = k == 0 and times == 2
            c = centre + (rng.gauss(-0.8, 1.2) if earlier else 0)
            a_scores = _scores(rng, len(attr), c)
            them = _scores(rng, len(buying), 6.5)
            us = [int(max(0, min(100, t * strength + rng.gauss(0, 5)))) for t in them]
            if rules.weighted(bw, them) <= 0:
                them = [50] * len(buying)
            day = today - timedelta(days=rng.randint(380, 520) if earlier else rng.randint(5, 420))
            manager = managers.get(account_id)
            rows.append(
                {
                    "account_id": account_id,
                    "scored_on": day,
                    "scored_by_id": manager,
                    "scored_by": emails.get(manager, "demo") if manager else "demo",
                    "comment": "annual key-account review" if not earlier else "first scoring",
                    "competitor_name": rng.choice(COMPETITORS),
                    "attractiveness_milli": rules.weighted(aw, a_scores),
                    "us_weighted": rules.weighted(bw, us),
                    "competitor_weighted": rules.weighted(bw, them),
                    "potential_override": None,
                    "detail": {
                        "attractiveness": [
                            {
                                "criterion_id": cr.id,
                                "name": cr.name,
                                "weight": cr.weight,
                                "score": str(s / 10),
                            }
                            for cr, s in zip(attr, a_scores, strict=True)
                        ],
                        "buying": [
                            {
                                "criterion_id": cr.id,
                                "name": cr.name,
                                "weight": cr.weight,
                                "us": str(u / 10),
                                "competitor": str(t / 10),
                            }
                            for cr, u, t in zip(buying, us, them, strict=True)
                        ],
                    },
                    "created_at": utcnow(),
                }
            )
    if rows:
        session.execute(insert(Scoring), rows)
    rebuild_current(session)
    audit.record(
        session,
        None,
        "demo_seeded",
        "selection",
        None,
        after={"scorings": len(rows), "accounts": len(picked)},
    )
    return len(rows)
