"""The admin's checklist form, read: rows of key, label, required, hint, a position to reorder
them and a box to remove one; and the errors of a refused save, put back on their row.

Pure (no storage): the page hands the rows to ``service.save_checklist``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from accord.core.errors import FieldProblem, ValidationFailed
from accord.handoffs.rules import MAX_ITEMS

#: rows a form may carry: the template's items and a few blank ones to add
MAX_ROWS = MAX_ITEMS + 5
FIELDS = ("key", "label", "hint")


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def checklist_from_form(form: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[FieldProblem]]:
    """The rows kept (not removed, not blank), ordered by their position (then as shown), and
    the problems of positions that are not whole numbers (the rows then keep their order)."""
    kept: list[tuple[int, int, dict[str, Any]]] = []
    problems: list[FieldProblem] = []
    for i in range(MAX_ROWS):
        row = {f: _text(form, f"{f}_{i}") for f in FIELDS}
        if not any(row.values()) or _text(form, f"remove_{i}") == "on":
            continue
        row["required"] = _text(form, f"required_{i}") == "on"
        position = _text(form, f"position_{i}")
        if position and not (position.isascii() and position.isdigit() and len(position) < 4):
            problems.append(FieldProblem(f"position_{len(kept)}", "a whole number, e.g. 3"))
            position = ""
        kept.append((int(position) if position else len(kept) + 1, len(kept), row))
    if not problems:
        kept.sort(key=lambda entry: (entry[0], entry[1]))
    return [row for _, _, row in kept], problems


_ITEM_FIELD = re.compile(r"^items\.(\d+)\.(\w+)$")


def row_errors(
    exc: ValidationFailed | ValidationError, rows: list[dict[str, Any]]
) -> dict[str, str]:
    """``{"label_2": message, "items": message}``: each error on the row it concerns."""
    found: list[tuple[str, str]] = []
    if isinstance(exc, ValidationFailed):
        found = [(p.field, p.message) for p in exc.problems]
    else:
        for e in exc.errors():
            loc = [str(part) for part in e.get("loc", ())]
            message = str(e.get("msg", "invalid")).removeprefix("Value error, ")
            found.append((".".join(loc), message))
    errors: dict[str, str] = {}
    for field, message in found:
        match = _ITEM_FIELD.match(field)
        if match and int(match.group(1)) < len(rows):
            errors.setdefault(f"{match.group(2)}_{match.group(1)}", message)
        else:
            errors.setdefault(field or "items", message)
    return errors
