"""Spreadsheet cells that cannot start a formula (CSV/formula injection), and back.

Pure (standard library only). A spreadsheet program treats a cell whose text starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula. Every export writes
numbers as numbers (a credit note stays ``-120.00``) and passes every *text* cell through
:func:`neutralise`, which puts a ``'`` in front of such a text; every import reader passes
each cell through :func:`restore`, which takes exactly that ``'`` off again, so an export
re-imports unchanged.

A text already starting with ``'`` followed (after more ``'``) by one of those characters
gets one more ``'`` on export, so that the round trip stays exact: ``'=x`` is exported as
``''=x`` and read back as ``'=x``. Any other text starting with ``'`` is left as it is both
ways.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

#: characters that make a spreadsheet read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
#: bytes that may hold a neutralised cell (a ``'`` before a formula start): a file without
#: them needs no :func:`restore` at all (the revenue fast paths read bytes, not cells)
QUOTED_BYTES = re.compile(rb"'[=+\-@\t\r]")


def _starts_a_formula(text: str) -> bool:
    return text.lstrip(QUOTE)[:1] in FORMULA_STARTS and text.lstrip(QUOTE) != ""


def neutralise(value: Any) -> Any:
    """A cell as an export writes it: text that would start a formula behind a ``'``;
    numbers, dates, ``None`` and other text unchanged."""
    if isinstance(value, str) and value and _starts_a_formula(value):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """A cell as read from a file: the ``'`` that :func:`neutralise` added taken off."""
    if text[:1] == QUOTE and _starts_a_formula(text):
        return text[1:]
    return text


def restore_row(row: list[str]) -> list[str]:
    """Each cell of a row through :func:`restore` (rows with no ``'`` are returned as is)."""
    for cell in row:
        if cell[:1] == QUOTE:
            return [restore(c) for c in row]
    return row


def text_cell(value: Any) -> str:
    """A value as a CSV cell: numbers as written (``-120.00``), ``None`` empty, text
    neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return str(neutralise(value))
    return str(value)


def number_or_text(value: Decimal) -> Decimal | str:
    """An amount for an Excel cell: a number when a spreadsheet's double holds it exactly
    (15 significant digits), else its exact text (which re-imports unchanged)."""
    if Decimal(repr(float(value))) == value:
        return value
    return str(neutralise(str(value)))
