"""The product-name mapping: the product display names a vendor's exports use, each mapped
to a service (a SKU of the growth catalogue). The Microsoft 365 imports read it through
``lookup`` and match the longest key first (some names contain ``+``, the separator of an
export's licence list).

Who may: everybody signed in reads it; billing and admins add and delete names (audited,
``product_name``). A name whose key (``rules.product_key``) the table holds already is a
409 naming the service it maps to; an unknown service a 422 on ``sku_id``.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID
from accord.growth.models import Sku
from accord.licences.models import ProductName
from accord.licences.names.rules import MAX_NAME, name_problem, product_key
from accord.licences.names.schemas import ProductNameOut

ENTITY = "product_name"
PAGE_SIZE = 100
MAX_PAGE_SIZE = 200


def lookup(session: Session) -> list[tuple[str, int]]:
    """Every (key, sku_id), the longest key first (then alphabetical): what an import
    matches an export's product names against. One statement; no visibility (the mapping
    is the installation's, not an account's)."""
    rows = session.execute(select(ProductName.key, ProductName.sku_id)).all()
    return sorted(((k, s) for k, s in rows), key=lambda r: (-len(r[0]), r[0]))


def names(session: Session, user: User, *, search: str | None = None, page: int = 1,
          size: int = PAGE_SIZE) -> tuple[list[ProductNameOut], int]:
    """One page of the mapping by key, and how many match ``search`` (part of the key).
    Everybody signed in reads it (it names services, no account)."""
    if not 1 <= size <= MAX_PAGE_SIZE or not 1 <= page <= MAX_ID // MAX_PAGE_SIZE:
        raise ValidationFailed([FieldProblem("page", f"pages of 1 to {MAX_PAGE_SIZE}")])
    query = select(ProductName.id, ProductName.name, ProductName.key, ProductName.sku_id,
                   Sku.code, Sku.name).join(Sku, Sku.id == ProductName.sku_id)
    counting = select(func.count()).select_from(ProductName)
    needle = product_key(search or "")
    if needle:
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(ProductName.key.like(pattern, escape="\\"))
        counting = counting.where(ProductName.key.like(pattern, escape="\\"))
    total = int(session.scalar(counting) or 0)
    rows = session.execute(query.order_by(ProductName.key).limit(size)
                           .offset((page - 1) * size)).all()
    return [ProductNameOut(id=i, name=n, key=k, sku_id=s, sku_code=c, service=sn)
            for i, n, k, s, c, sn in rows], total


def out(session: Session, row: ProductName) -> ProductNameOut:
    sku = session.get(Sku, row.sku_id)
    assert sku is not None
    return ProductNameOut(id=row.id, name=row.name, key=row.key, sku_id=sku.id,
                          sku_code=sku.code, service=sku.name)


def _writer(user: User) -> None:
    require_role(user, Role.ADMIN, Role.BILLING)


def add(session: Session, user: User, name: str, sku_id: int) -> ProductName:
    """Map ``name`` to the service ``sku_id``; audited."""
    _writer(user)
    problem = name_problem(name)
    if problem:
        raise ValidationFailed([FieldProblem("name", problem)])
    sku = session.get(Sku, sku_id) if 1 <= sku_id <= MAX_ID else None
    if sku is None:
        raise ValidationFailed([FieldProblem("sku_id", f"no service {sku_id}")])
    key = product_key(name)
    taken = session.execute(select(ProductName.name, Sku.name).join(
        Sku, Sku.id == ProductName.sku_id).where(ProductName.key == key)).first()
    if taken is not None:
        raise Conflict(f"the product name {taken[0]!r} maps to {taken[1]} already "
                       f"(names match by {key!r}): delete it first to map it elsewhere")
    row = ProductName(name=" ".join(name.split()), key=key, sku_id=sku_id)
    session.add(row)
    session.flush()
    audit.record(session, user, "create", ENTITY, row.id,
                 after={"name": row.name, "key": key, "sku_id": sku_id})
    return row


def remove(session: Session, user: User, product_name_id: int) -> None:
    """Delete a mapping (an import then reports the name as unknown); audited."""
    _writer(user)
    row = session.get(ProductName, product_name_id) if 1 <= product_name_id <= MAX_ID \
        else None
    if row is None:
        raise NotFound(f"no product name {product_name_id}")
    before = {"name": row.name, "key": row.key, "sku_id": row.sku_id}
    session.execute(delete(ProductName).where(ProductName.id == product_name_id))
    audit.record(session, user, "delete", ENTITY, product_name_id, before=before)


def find(session: Session, text: str) -> ProductName:
    """The mapping whose key is ``text``'s (the command line names a mapping by name)."""
    row = session.scalar(select(ProductName).where(
        ProductName.key == product_key(text)[:MAX_NAME]))
    if row is None:
        raise NotFound(f"no product name {text[:60]!r}")
    return row
