"""Product names' pure rules: the key an import matches a name by.

A vendor's export writes a product's display name ("Microsoft 365 E3", "ENTERPRISE
MOBILITY + SECURITY E5"); its **key** is the name upper-cased with every run of white space
collapsed to one space and the ends trimmed. Two names with the same key are the same
product: the table keeps one of them.
"""

from __future__ import annotations

from accord.core.text import refused_character

MAX_NAME = 200


def product_key(name: str) -> str:
    """``name`` upper-cased, its white space collapsed: what an import matches."""
    return " ".join(name.upper().split())


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a product name, or None."""
    if refused_character(name, one_line=True) or any(
            ord(c) == 127 or 0x80 <= ord(c) < 0xA0 for c in name):
        return "must be one line without control characters"
    key = product_key(name)
    if not key:
        return "a product name is required"
    if len(key) > MAX_NAME:
        return f"at most {MAX_NAME} characters"
    return None
