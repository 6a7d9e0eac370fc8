"""The route table's licences samples (tests/route_samples.py).

- ``sku``: the service ROUTE-E3 (a year's price per seat) in a catalogue of its own.
- ``subscription``: Acme's subscription to it since 2027-01-01, 100 seats at 120.00 a year;
  Globex has one too, that no North person may see (the route-table world only).
- ``request``: the owner's pending request to go to 120 seats from 2027-06-01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from accord.core.database import utcnow
from accord.growth.models import Offering, ProductLine, Sku
from accord.licences.models import QuantityRequest, Subscription, SubscriptionTerm


def _subscription(session: Session, account: int, sku: int, seats: int) -> int:
    now = utcnow()
    row = Subscription(account_id=account, sku_id=sku, status="active",
                       start_on=date(2027, 1, 1), term_months=12, end_on=date(2027, 12, 31),
                       auto_renew=True, notice_days=60, currency="EUR", created_at=now,
                       updated_at=now)
    session.add(row)
    session.flush()
    session.add(SubscriptionTerm(subscription_id=row.id, effective_on=date(2027, 1, 1),
                                 quantity=seats, unit_price=Decimal("120"),
                                 reason="new subscription", changed_at=now))
    return int(row.id)


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    line = ProductLine(name="Route Workplace")
    session.add(line)
    session.flush()
    offering = Offering(product_line_id=line.id, name="Route Microsoft 365")
    session.add(offering)
    session.flush()
    sku = Sku(offering_id=offering.id, code="ROUTE-E3", name="Route E3", unit="seat",
              billing_period="year")
    session.add(sku)
    session.flush()
    subscription = _subscription(session, ids["acme"], sku.id, 100)
    if "globex" in ids:  # the route-table world (the query budgets' has no Globex)
        _subscription(session, ids["globex"], sku.id, 40)
    request = QuantityRequest(subscription_id=subscription, quantity=120,
                              effective_on=date(2027, 6, 1), reason="new hires",
                              requested_by_id=cast.owner.id, requested_at=utcnow())
    session.add(request)
    session.flush()
    return {"sku": int(sku.id), "subscription": subscription, "request": int(request.id)}
