"""REST API of the product-name mapping: the product display names a vendor's exports use,
each mapped to a service of the catalogue (what the Microsoft 365 imports match, longest
key first). Everybody signed in reads it; billing and admins add and delete names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from accord.api.common import Caller, Db, IdPath, problems
from accord.core.schemas import PageNumber, SearchText
from accord.licences.names import service
from accord.licences.names.schemas import ProductNameIn, ProductNameOut, ProductNamePage

router = APIRouter(tags=["licences"])
PageSize = Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)]
WRITERS = "Billing administrators and admins; anyone else 403."


@router.get("/product-names", response_model=ProductNamePage, responses=problems(),
            summary="The product names of vendors' exports and the services they map to",
            description="By key (the name upper-cased, spaces collapsed); `q`: part of it.")
def list_names(db: Db, user: Caller, q: SearchText = "", page: PageNumber = 1,
               page_size: PageSize = service.PAGE_SIZE) -> ProductNamePage:
    items, total = service.names(db, user, search=q or None, page=page, size=page_size)
    return ProductNamePage(items=items, total=total, page=page, page_size=page_size)


@router.post("/product-names", status_code=201, response_model=ProductNameOut,
             responses=problems(403, 409),
             summary="Map a product name to a service",
             description="A name whose key is mapped already (\"Microsoft 365 E3\" and "
             "\"MICROSOFT  365 E3\" are one): 409 naming the service it maps to; an unknown "
             "service: 422 on `sku_id`. " + WRITERS)
def add_name(body: ProductNameIn, db: Db, user: Caller) -> ProductNameOut:
    return service.out(db, service.add(db, user, body.name, body.sku_id))


@router.delete("/product-names/{product_name_id}", status_code=204,
               responses=problems(403, 404),
               summary="Delete a product name (an import then reports it as unknown)",
               description=WRITERS)
def delete_name(product_name_id: IdPath, db: Db, user: Caller) -> Response:
    service.remove(db, user, product_name_id)
    return Response(status_code=204)
