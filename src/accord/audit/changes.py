"""An audit entry's before and after as a readable list of changes (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the field was not recorded before (a creation)
    after: str | None  # None: not recorded after (a deletion)


def show(value: Any) -> str:
    """A stored value as a person reads it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """One row per field, in the order the entry recorded them (after's first)."""
    old, new = before or {}, after or {}
    fields = list(dict.fromkeys([*new, *old]))
    return [
        Change(
            field,
            show(old[field]) if field in old else None,
            show(new[field]) if field in new else None,
        )
        for field in fields
    ]
