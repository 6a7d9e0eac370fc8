"""The route table's sample fit (tests/route_samples.py): a validation stored with its rows,
whose id is ``{fit_id}``. No purchases are added: a fit run in the route table's world is a
422 (nothing to fit), so the other samples' scores stay as they are.

``people_buying`` also makes individual clients with purchases for the fits' tests and
contract rows: person accounts buying as BG/NBD says (each at a rate of their own, dropping
out after a purchase with a probability of their own) over the two years before ``today``,
written in bulk."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.clients.models import ClientFit
from accord.core.database import utcnow
from accord.revenue.models import RevenueLine

_LINES = itertools.count(1)


def person(session: Session, name: str, *, status: str = "active", kind: str = "person",
           manager_id: int | None = None) -> int:
    now = utcnow()
    account = Account(name=name, name_key=name.lower(), kind=kind, status=status,
                      manager_id=manager_id, created_at=now, updated_at=now)
    session.add(account)
    session.flush()
    return int(account.id)


def lines(session: Session, rows: list[tuple[int, date, int]]) -> None:
    """Revenue lines (account, day, cents), each with a line id of its own."""
    if rows:
        session.execute(insert(RevenueLine), [
            {"account_id": a, "line_key": f"#fits-{n}", "date": d,
             "month": d.year * 12 + d.month - 1, "amount_cents": c, "line_id": f"fits-{n}"}
            for (a, d, c), n in zip(rows, _LINES, strict=False)])


def people_buying(session: Session, clients: int, today: date, seed: int = 7,
                  manager_id: int | None = None) -> list[int]:
    """``clients`` person accounts with purchases up to ``today``; their ids."""
    rng = np.random.default_rng(seed)
    ids, rows = [], []
    for i in range(clients):
        account_id = person(session, f"Client {seed}-{i:03d}", manager_id=manager_id)
        ids.append(account_id)
        day = today - timedelta(days=int(rng.integers(60, 700)))
        rate, drop = rng.gamma(2.0, 1 / 40), rng.beta(1.0, 4.0)
        bought = 0
        while day <= today:
            rows.append((account_id, day, int(rng.integers(500, 9000))))
            bought += 1
            if bought > 1 and rng.random() < drop:
                break
            day += timedelta(days=1 + int(rng.exponential(1 / rate)))
    lines(session, rows)
    return ids


VALIDATION = {"model": "mbgnbd", "unit": "week", "start": "2025-01-01", "calibration_weeks": 2,
              "holdout_length": 1.0,
              "by_purchases": [{"purchases": 0, "clients": 3, "actual": 0.3, "predicted": 0.4}],
              "cumulative": [{"week": 1, "actual": 0.0, "predicted": 0.1, "holdout": False},
                             {"week": 2, "actual": 1.0, "predicted": 0.9, "holdout": False},
                             {"week": 3, "actual": 2.0, "predicted": 1.8, "holdout": True}],
              "errors": {"mean_absolute_error": 0.1, "holdout_percent_error": 33.3}}


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    fit = ClientFit(kind="validation", fitted_at=utcnow(), unit="week",
                    first_purchase_on=date(2025, 1, 1), calibration_end=date(2025, 1, 14),
                    holdout_end=date(2025, 1, 21), clients=3, triples=3, model="mbgnbd",
                    horizon=52, discount_rate_e4=1000, bg_r=0.24, bg_alpha=4.4, bg_a=0.79,
                    bg_b=2.4, bg_log_likelihood=-12.5, bg_converged=True, mbg_r=0.5,
                    mbg_alpha=5.0, mbg_a=1.2, mbg_b=3.0, mbg_log_likelihood=-12.0,
                    mbg_converged=True, validation=json.dumps(VALIDATION))
    session.add(fit)
    session.flush()
    return {"fit": int(fit.id)}
