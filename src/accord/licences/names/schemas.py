"""Shapes of the product-name mapping (API, admin page, command line)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from accord.core.schemas import StrictId
from accord.licences.names.rules import MAX_NAME


class ProductNameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME, description=(
        "As a vendor's export writes it (\"ENTERPRISE MOBILITY + SECURITY E5\"); matched "
        "by its key: upper case, spaces collapsed"))]
    sku_id: StrictId


class ProductNameOut(BaseModel):
    id: int
    name: str
    #: what an import matches: the name upper-cased, its spaces collapsed
    key: str
    sku_id: int
    sku_code: str
    service: str


class ProductNamePage(BaseModel):
    items: list[ProductNameOut]
    total: int
    page: int
    page_size: int
