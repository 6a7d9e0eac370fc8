"""Test helpers of the licences tests: a service (SKU) in a catalogue of its own."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.growth.models import Offering, ProductLine, Sku


def make_sku(s: Session, code: str = "M365-E3", name: str = "Microsoft 365 E3",
             period: str = "year", line: str = "Workplace") -> int:
    """A product line, an offering and the SKU ``code`` billed per ``period``; its id."""
    product_line = ProductLine(name=line)
    s.add(product_line)
    s.flush()
    offering = Offering(product_line_id=product_line.id, name=f"{line} offering")
    s.add(offering)
    s.flush()
    sku = Sku(offering_id=offering.id, code=code, name=name, unit="seat",
              billing_period=period)
    s.add(sku)
    s.flush()
    return int(sku.id)
