"""The route table's sample growth objects (tests/route_samples.py): a product line with an
offering and an alias, and a need of Acme answered by no line."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.growth.models import Need, Offering, ProductLine, ProductLineAlias


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    line = session.scalar(select(ProductLine).order_by(ProductLine.id).limit(1))
    if line is None:
        line = ProductLine(name="Sample line", description="")
        session.add(line)
        session.flush()
    offering = Offering(product_line_id=line.id, name="Sample offering", description="")
    alias = ProductLineAlias(alias="Sample alias", product_line_id=line.id)
    need = Need(account_id=ids["acme"], text="A sample need", category="other")
    session.add_all([offering, alias, need])
    session.flush()
    return {"line": line.id, "product_line": line.id, "offering": offering.id,
            "alias": alias.id, "need": need.id}
