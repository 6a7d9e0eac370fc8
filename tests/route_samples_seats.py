"""The route table's seats samples (tests/route_samples.py): Acme's licence user Rita
Route holding a seat of ROUTE-E3 (route_samples_licences' ``sku``) from 2027-01-01, the
start of Acme's subscription; Acme's domain ``route-acme.test``; the product name
"Route E3" mapped to ROUTE-E3."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.licences.models import AccountDomain, LicenceUser, ProductName, SeatAssignment


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    person = LicenceUser(account_id=ids["acme"], principal="rita.route@acme.test",
                         display_name="Rita Route", department="Routing")
    session.add(person)
    session.flush()
    seat = SeatAssignment(account_id=ids["acme"], licence_user_id=person.id, sku_id=ids["sku"],
                          from_on=date(2027, 1, 1), source="manual")
    name = ProductName(name="Route E3", key="ROUTE E3", sku_id=ids["sku"])
    session.add_all([seat, name, AccountDomain(domain="route-acme.test", account_id=ids["acme"])])
    session.flush()
    return {"licence_user": int(person.id), "assignment": int(seat.id),
            "product_name": int(name.id)}
