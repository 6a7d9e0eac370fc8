"""Which characters text from outside may hold (standard library only).

PostgreSQL refuses the NUL character (a crash, once it reaches the database), SQLite stores
it, and spreadsheets and XML cannot hold most control characters: an export then fails for
everyone who sees the row. So text from a request is refused at the edge when it holds a
control character of the C0 block, a lone surrogate (not encodable as UTF-8) or U+FFFE/U+FFFF
(not characters). Tab, line feed and carriage return are text in a field of several lines,
so they pass in bodies and forms; a path or query value is one line and may hold none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_NEVER = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_REFUSED_IN_TEXT = re.compile(f"[{_NEVER}]")
_REFUSED_IN_LINE = re.compile(f"[{_NEVER}\t\n\r]")

MESSAGE = "must not contain control characters"
LINE_MESSAGE = "must be one line without control characters"


def refused_character(value: str, *, one_line: bool = False) -> str | None:
    """The first character ``value`` may not hold (None when it is clean)."""
    match = (_REFUSED_IN_LINE if one_line else _REFUSED_IN_TEXT).search(value)
    return match.group() if match else None



def unclean_fields(value: Any, path: str = "") -> Iterator[str]:
    """Dotted paths of the strings (and object keys) in a decoded JSON document that hold a
    refused character; ``""`` for the document itself."""
    if isinstance(value, str):
        if refused_character(value) is not None:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and refused_character(key) is not None:
                yield path or "body"
            else:
                yield from unclean_fields(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unclean_fields(item, f"{path}.{index}" if path else str(index))
