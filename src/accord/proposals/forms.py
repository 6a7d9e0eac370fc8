"""Reading the proposal forms (pages) and the choices they offer: rows of offer and benefit
fields (``offer-0-description`` …) into the service's shapes, a problem named by its row
(``offers.0.discount``) so the page shows it by the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from accord.core.errors import FieldProblem, ValidationFailed
from accord.proposals.schemas import ProposalEdit, ProposalIn

OFFER_FIELDS = ("description", "product_line_id", "quantity", "unit_price", "discount",
                "tax_rate")
BENEFIT_FIELDS = ("text", "plan_entry_id")
#: blank rows shown under the filled ones
SPARE_ROWS = 2
MAX_ROWS = 200


def _rows(values: Mapping[str, Any], prefix: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for i in range(MAX_ROWS):
        row = {f: str(values.get(f"{prefix}-{i}-{f}") or "").strip() for f in fields}
        if not any(f"{prefix}-{i}-{f}" in values for f in fields):
            break
        if any(row.values()):
            rows.append({k: (v or None) for k, v in row.items()})
    return rows


def field_name(loc: tuple[Any, ...]) -> str:
    """``("offers", 0, "discount")`` → ``offers.0.discount``."""
    return ".".join(str(part) for part in loc) or "form"


def _problems(exc: ValidationError) -> ValidationFailed:
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if p not in ("function-after", "decimal"))
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] in ("decimal_parsing", "decimal_type"):
            message = "must be a number"
        elif error["type"] == "missing":
            message = "required"
        problems.append(FieldProblem(field_name(loc), message))
    return ValidationFailed(problems)


def _offers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if v is not None or k == "description"}
            for row in rows]


def edit_from_form(values: Mapping[str, Any]) -> ProposalEdit:
    data: dict[str, Any] = {
        "title": (str(values.get("title") or "").strip() or None),
        "valid_until": values.get("valid_until") or None,
        "offers": _offers(_rows(values, "offer", OFFER_FIELDS)),
        "benefits": [{k: v for k, v in row.items() if v is not None or k == "text"}
                     for row in _rows(values, "benefit", BENEFIT_FIELDS)],
    }
    try:
        return ProposalEdit.model_validate(data)
    except ValidationError as exc:
        raise _problems(exc) from None


def new_from_form(values: Mapping[str, Any], opportunity_ids: list[str]) -> ProposalIn:
    data = {"title": str(values.get("title") or "").strip(),
            "valid_until": values.get("valid_until") or None,
            "opportunity_ids": [i for i in opportunity_ids if i]}
    try:
        return ProposalIn.model_validate(data)
    except ValidationError as exc:
        raise _problems(exc) from None


def form_rows(values: Mapping[str, Any] | None, offers: list[Any], benefits: list[Any]
              ) -> dict[str, list[dict[str, str]]]:
    """The rows the edit form shows: what was typed (after a refused save) or what is stored,
    and a few blank ones."""
    if values is not None:
        shown_offers = [{f: str(r.get(f) or "") for f in OFFER_FIELDS}
                        for r in _rows(values, "offer", OFFER_FIELDS)]
        shown_benefits = [{f: str(r.get(f) or "") for f in BENEFIT_FIELDS}
                          for r in _rows(values, "benefit", BENEFIT_FIELDS)]
    else:
        shown_offers = [{"description": o.description,
                         "product_line_id": str(o.product_line_id or ""),
                         "quantity": format(o.quantity, "f"),
                         "unit_price": format(o.unit_price, "f"),
                         "discount": format(o.discount, "f"),
                         "tax_rate": format(o.tax_rate, "f")} for o in offers]
        shown_benefits = [{"text": b.text, "plan_entry_id": str(b.plan_entry_id or "")}
                          for b in benefits]
    blank_offer = {f: "" for f in OFFER_FIELDS}
    blank_benefit = {f: "" for f in BENEFIT_FIELDS}
    return {"offers": shown_offers + [dict(blank_offer) for _ in range(SPARE_ROWS)],
            "benefits": shown_benefits + [dict(blank_benefit) for _ in range(SPARE_ROWS)]}
