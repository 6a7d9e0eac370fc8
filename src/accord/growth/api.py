"""REST API of the growth package: the catalogue (and its aliases and unmapped values), an
account's whitespace matrix and needs, the portfolio view and the product gaps."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from accord.api.common import Caller, Db, IdPath, problems
from accord.growth import catalogue, needs, portfolio, whitespace
from accord.growth.schemas import (
    AliasIn,
    AliasOut,
    Catalogue,
    FlagIn,
    LineIn,
    LineOut,
    LinePatch,
    Matrix,
    NeedIn,
    NeedOut,
    OfferingIn,
    OfferingOut,
    Portfolio,
    SkuIn,
    SkuOut,
    Unmapped,
)
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["growth"]
Today = Annotated[date, Depends(today)]


def _line(db: Db, user: Caller, line_id: int) -> LineOut:
    return next(x for x in catalogue.catalogue(db, user).lines if x.id == line_id)


@router.get("/catalogue", tags=TAGS, response_model=Catalogue,
            summary="The catalogue: product lines, their offerings and SKUs, and aliases")
def get_catalogue(db: Db, user: Caller) -> Catalogue:
    return catalogue.catalogue(db, user)


@router.post("/catalogue/lines", tags=TAGS, status_code=201, response_model=LineOut,
             responses=problems(403), summary="Add a product line (admins)")
def post_line(body: LineIn, db: Db, user: Caller, day: Today) -> LineOut:
    line = catalogue.add_line(db, user, body, today=day)
    return _line(db, user, line.id)


@router.patch("/catalogue/lines/{line_id}", tags=TAGS, response_model=LineOut,
              responses=problems(403, 404), summary="Change a product line (admins)")
def patch_line(line_id: IdPath, body: LinePatch, db: Db, user: Caller, day: Today) -> LineOut:
    line = catalogue.update_line(db, user, line_id, body, today=day)
    return _line(db, user, line.id)


@router.post("/catalogue/lines/{line_id}/offerings", tags=TAGS, status_code=201,
             response_model=OfferingOut, responses=problems(403, 404),
             summary="Add an offering to a product line (admins)")
def post_offering(line_id: IdPath, body: OfferingIn, db: Db, user: Caller) -> OfferingOut:
    o = catalogue.add_offering(db, user, line_id, body)
    return next(x for x in _line(db, user, line_id).offerings if x.id == o.id)


@router.post("/catalogue/offerings/{offering_id}/skus", tags=TAGS, status_code=201,
             response_model=SkuOut, responses=problems(403, 404),
             summary="Add a SKU to an offering (admins)")
def post_sku(offering_id: IdPath, body: SkuIn, db: Db, user: Caller) -> SkuOut:
    s = catalogue.add_sku(db, user, offering_id, body)
    return next(k for line in catalogue.catalogue(db, user).lines for o in line.offerings
                for k in o.skus if k.id == s.id)


@router.get("/catalogue/aliases", tags=TAGS, response_model=list[AliasOut],
            summary="Revenue product-line values mapped to catalogue lines")
def get_aliases(db: Db, user: Caller) -> list[AliasOut]:
    return catalogue.aliases(db)


@router.post("/catalogue/aliases", tags=TAGS, status_code=201, response_model=AliasOut,
             responses=problems(403, 409),
             summary="Map a revenue product-line value to a line (admins; rebuilds the summary)")
def post_alias(body: AliasIn, db: Db, user: Caller, day: Today) -> AliasOut:
    return catalogue.add_alias(db, user, body, today=day)


@router.delete("/catalogue/aliases/{alias_id}", tags=TAGS, status_code=204,
               responses=problems(403, 404), summary="Remove an alias (admins)")
def delete_alias(alias_id: IdPath, db: Db, user: Caller, day: Today) -> Response:
    catalogue.delete_alias(db, user, alias_id, today=day)
    return Response(status_code=204)


@router.get("/catalogue/unmapped", tags=TAGS, response_model=list[Unmapped],
            summary="Product-line values of revenue lines that map to no catalogue line")
def get_unmapped(db: Db, user: Caller) -> list[Unmapped]:
    return catalogue.unmapped(db, user)


@router.get("/accounts/{account_id}/whitespace", tags=TAGS, response_model=Matrix,
            responses=problems(404),
            summary="The account's whitespace matrix: units × product lines")
def get_whitespace(account_id: IdPath, db: Db, user: Caller, day: Today) -> Matrix:
    return whitespace.matrix(db, user, account_id, today=day)


@router.put("/accounts/{account_id}/whitespace/{product_line_id}", tags=TAGS,
            status_code=204, responses=problems(403, 404),
            summary="Mark the account's cell of a product line not relevant (with a reason)")
def put_flag(account_id: IdPath, product_line_id: IdPath, body: FlagIn, db: Db,
             user: Caller) -> Response:
    whitespace.mark_not_relevant(db, user, account_id, product_line_id, body.reason)
    return Response(status_code=204)


@router.delete("/accounts/{account_id}/whitespace/{product_line_id}", tags=TAGS,
               status_code=204, responses=problems(403, 404),
               summary="Clear the not-relevant mark of the account's cell")
def delete_flag(account_id: IdPath, product_line_id: IdPath, db: Db, user: Caller) -> Response:
    whitespace.clear_not_relevant(db, user, account_id, product_line_id)
    return Response(status_code=204)


@router.get("/whitespace", tags=TAGS, response_model=Portfolio,
            summary="The portfolio view: per product line, key accounts buying it and the "
            "whitespace value estimated from similar accounts")
def get_portfolio(db: Db, user: Caller, day: Today) -> Portfolio:
    return portfolio.portfolio(db, user, today=day)


@router.get("/accounts/{account_id}/needs", tags=TAGS, response_model=list[NeedOut],
            responses=problems(404), summary="The client's needs")
def get_needs(account_id: IdPath, db: Db, user: Caller) -> list[NeedOut]:
    return needs.list_needs(db, user, account_id)


@router.post("/accounts/{account_id}/needs", tags=TAGS, status_code=201,
             response_model=NeedOut, responses=problems(403, 404),
             summary="Add a need, linked to the product lines that answer it")
def post_need(account_id: IdPath, body: NeedIn, db: Db, user: Caller) -> NeedOut:
    return needs.add_need(db, user, account_id, body)


@router.delete("/accounts/{account_id}/needs/{need_id}", tags=TAGS, status_code=204,
               responses=problems(403, 404), summary="Remove a need")
def delete_need(account_id: IdPath, need_id: IdPath, db: Db, user: Caller) -> Response:
    needs.delete_need(db, user, account_id, need_id)
    return Response(status_code=204)


@router.get("/needs/gaps", tags=TAGS, response_model=list[NeedOut],
            summary="Product gaps: needs no product line answers (accounts you see)")
def get_gaps(db: Db, user: Caller) -> list[NeedOut]:
    return needs.gaps(db, user)
