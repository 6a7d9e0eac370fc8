"""The catalogue: product lines → offerings → SKUs, each with an owner and an optional list
price; the aliases that map revenue's ``product_line`` values to lines; the values that map
to none (listed for mapping, never dropped).

Everybody signed in reads the catalogue; admins change it (audited, ``catalogue``). A change
that alters how revenue maps (a line's name, an alias, a new line) sums again, in the same
transaction, the accounts whose revenue carries the values concerned (``summary.remap``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.company import company_policy
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.money import from_cents
from accord.core.roles import require_role
from accord.core.schemas import UserRef
from accord.core.text import refused_character
from accord.growth import summary
from accord.growth.models import Offering, ProductLine, ProductLineAlias, Sku
from accord.growth.schemas import (
    AliasIn,
    AliasOut,
    Catalogue,
    LineIn,
    LineOut,
    LinePatch,
    OfferingIn,
    OfferingOut,
    SkuIn,
    SkuOut,
    Unmapped,
)
from accord.revenue.models import RevenueLine

ENTITY = "catalogue"


def _admin(user: User) -> None:
    require_role(user, Role.ADMIN)


def _clean(**fields: str | None) -> None:
    bad = [FieldProblem(k, "control characters are not allowed")
           for k, v in fields.items() if v and refused_character(v, one_line=k != "description")]
    if bad:
        raise ValidationFailed(bad)


def _owner(session: Session, email: str | None) -> int | None:
    if not email:
        return None
    found = session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
    if found is None:
        raise ValidationFailed([FieldProblem("owner_email", f"no user {email}")])
    return found


def _ref(users: dict[int, User], uid: int | None) -> UserRef | None:
    u = users.get(uid) if uid is not None else None
    return None if u is None else UserRef(id=u.id, email=u.email, name=u.name, role=u.role)


def lines(session: Session) -> list[ProductLine]:
    return list(session.scalars(select(ProductLine).order_by(ProductLine.position,
                                                              ProductLine.name)))


def catalogue(session: Session, user: User) -> Catalogue:
    """The whole catalogue (five statements)."""
    all_lines = lines(session)
    offerings = list(session.scalars(select(Offering).order_by(Offering.name)))
    skus = list(session.scalars(select(Sku).order_by(Sku.code)))
    aliases = list(session.scalars(select(ProductLineAlias).order_by(ProductLineAlias.alias)))
    owner_ids: set[int] = {x for x in [*(p.owner_id for p in all_lines),
        *(o.owner_id for o in offerings), *(s.owner_id for s in skus)] if x}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(owner_ids)))} \
        if owner_ids else {}
    sku_out: dict[int, list[SkuOut]] = {}
    for s in skus:
        sku_out.setdefault(s.offering_id, []).append(SkuOut(
            id=s.id, code=s.code, name=s.name, unit=s.unit, owner=_ref(users, s.owner_id),
            list_price=s.list_price))
    off_out: dict[int, list[OfferingOut]] = {}
    for o in offerings:
        off_out.setdefault(o.product_line_id, []).append(OfferingOut(
            id=o.id, name=o.name, description=o.description, owner=_ref(users, o.owner_id),
            list_price=o.list_price, skus=sku_out.get(o.id, [])))
    alias_of: dict[int, list[str]] = {}
    for a in aliases:
        alias_of.setdefault(a.product_line_id, []).append(a.alias)
    return Catalogue(currency=company_policy(session).currency, lines=[LineOut(
        id=p.id, name=p.name, description=p.description, owner=_ref(users, p.owner_id),
        list_price=p.list_price, aliases=alias_of.get(p.id, []),
        offerings=off_out.get(p.id, []), version=p.version) for p in all_lines])


def _name_taken(session: Session, name: str, line_id: int | None = None) -> None:
    clash = session.scalar(select(ProductLine.id).where(ProductLine.name == name))
    alias = session.scalar(select(ProductLineAlias.id).where(ProductLineAlias.alias == name))
    if (clash is not None and clash != line_id) or alias is not None:
        raise ValidationFailed([FieldProblem("name", f"{name!r} is already a line or alias")])


def add_line(session: Session, user: User, data: LineIn, *, today: date) -> ProductLine:
    _admin(user)
    _clean(name=data.name, description=data.description)
    _name_taken(session, data.name)
    position = session.scalar(select(func.coalesce(func.max(ProductLine.position), 0))) or 0
    line = ProductLine(name=data.name, description=data.description,
                       owner_id=_owner(session, data.owner_email), list_price=data.list_price,
                       position=position + 1)
    session.add(line)
    session.flush()
    audit.record(session, user, "create", ENTITY, line.id, after=_facts(line))
    summary.remap(session, [line.name], today)
    return line


def update_line(session: Session, user: User, line_id: int, data: LinePatch,
                *, today: date) -> ProductLine:
    _admin(user)
    line = session.get(ProductLine, line_id)
    if line is None:
        raise NotFound(f"no product line {line_id}")
    _clean(name=data.name, description=data.description)
    before = _facts(line)
    given = data.model_fields_set
    if data.name is not None and data.name != line.name:
        _name_taken(session, data.name, line.id)
        line.name = data.name
    if data.description is not None:
        line.description = data.description
    if "owner_email" in given:
        line.owner_id = _owner(session, data.owner_email)
    if "list_price" in given:
        line.list_price = data.list_price
    line.version += 1
    session.flush()
    audit.record(session, user, "update", ENTITY, line.id, before=before, after=_facts(line))
    if before["name"] != line.name:
        summary.remap(session, [before["name"], line.name], today)
    return line


def add_offering(session: Session, user: User, line_id: int, data: OfferingIn) -> Offering:
    _admin(user)
    if session.get(ProductLine, line_id) is None:
        raise NotFound(f"no product line {line_id}")
    _clean(name=data.name, description=data.description)
    if session.scalar(select(Offering.id).where(Offering.product_line_id == line_id,
                                                Offering.name == data.name)):
        raise ValidationFailed([FieldProblem("name", "this line already has that offering")])
    offering = Offering(product_line_id=line_id, name=data.name, description=data.description,
                        owner_id=_owner(session, data.owner_email), list_price=data.list_price)
    session.add(offering)
    session.flush()
    audit.record(session, user, "create", "offering", offering.id,
                 after={"product_line_id": line_id, "name": data.name})
    return offering


def add_sku(session: Session, user: User, offering_id: int, data: SkuIn) -> Sku:
    _admin(user)
    if session.get(Offering, offering_id) is None:
        raise NotFound(f"no offering {offering_id}")
    _clean(name=data.name, unit=data.unit)
    if session.scalar(select(Sku.id).where(Sku.code == data.code)):
        raise ValidationFailed([FieldProblem("code", f"SKU {data.code} exists")])
    sku = Sku(offering_id=offering_id, code=data.code, name=data.name, unit=data.unit,
              owner_id=_owner(session, data.owner_email), list_price=data.list_price)
    session.add(sku)
    session.flush()
    audit.record(session, user, "create", "sku", sku.id,
                 after={"offering_id": offering_id, "code": data.code, "name": data.name})
    return sku


def add_alias(session: Session, user: User, data: AliasIn, *, today: date) -> AliasOut:
    """Map a revenue ``product_line`` value to a line; the summary is rebuilt."""
    _admin(user)
    _clean(alias=data.alias)
    if session.get(ProductLine, data.product_line_id) is None:
        raise ValidationFailed([FieldProblem("product_line_id", "no such product line")])
    if session.scalar(select(ProductLine.id).where(ProductLine.name == data.alias)) or \
            session.scalar(select(ProductLineAlias.id).where(
                ProductLineAlias.alias == data.alias)):
        raise Conflict(f"{data.alias!r} already maps to a line")
    alias = ProductLineAlias(alias=data.alias, product_line_id=data.product_line_id)
    session.add(alias)
    session.flush()
    audit.record(session, user, "create", "product_line_alias", alias.id,
                 after={"alias": data.alias, "product_line_id": data.product_line_id})
    summary.remap(session, [alias.alias], today)
    return AliasOut(id=alias.id, alias=alias.alias, product_line_id=alias.product_line_id)


def delete_alias(session: Session, user: User, alias_id: int, *, today: date) -> None:
    _admin(user)
    alias = session.get(ProductLineAlias, alias_id)
    if alias is None:
        raise NotFound(f"no alias {alias_id}")
    audit.record(session, user, "delete", "product_line_alias", alias.id,
                 before={"alias": alias.alias, "product_line_id": alias.product_line_id})
    value = alias.alias
    session.delete(alias)
    session.flush()
    summary.remap(session, [value], today)


def aliases(session: Session) -> list[AliasOut]:
    return [AliasOut(id=a.id, alias=a.alias, product_line_id=a.product_line_id)
            for a in session.scalars(select(ProductLineAlias).order_by(ProductLineAlias.alias))]


def unmapped(session: Session, user: User, limit: int = 500) -> list[Unmapped]:
    """The ``product_line`` values of revenue lines that map to no line, most revenue first."""
    m = summary.line_map()
    rows = session.execute(
        select(RevenueLine.product_line, func.count(), func.sum(RevenueLine.amount_cents))
        .outerjoin(m, m.c.value == RevenueLine.product_line)
        .where(RevenueLine.product_line.is_not(None), m.c.value.is_(None))
        .group_by(RevenueLine.product_line)
        .order_by(func.sum(RevenueLine.amount_cents).desc(), RevenueLine.product_line)
        .limit(limit))
    return [Unmapped(value=str(v), lines=n, amount=from_cents(int(c or 0))) for v, n, c in rows]


def _facts(line: ProductLine) -> dict[str, Any]:
    return {"name": line.name, "description": line.description, "owner_id": line.owner_id,
            "list_price": None if line.list_price is None else str(line.list_price)}


@dataclass
class CataloguePage:
    catalogue: Catalogue
    aliases: list[AliasOut]
    unmapped: list[Unmapped]


def catalogue_page(session: Session, user: User) -> CataloguePage:
    """The admin page's content (admins only)."""
    _admin(user)
    return CataloguePage(catalogue(session, user), aliases(session), unmapped(session, user))
