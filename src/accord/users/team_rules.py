"""The rules of a team's name and head (standard library only)."""

from __future__ import annotations

import unicodedata

from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.text import LINE_MESSAGE, refused_character

MAX_NAME = 120
#: roles that may head a team
HEAD_ROLES = frozenset({"head", "admin"})
#: besides what ``accord.core.text`` refuses in one line: DEL, C1 controls, line separators
_ALSO_REFUSED = frozenset({"Cc", "Zl", "Zp"})


def clean_name(name: object) -> str:
    """A team name trimmed and checked: 1 to 120 characters, one line, no control characters."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed([FieldProblem("name", "give the team a name")])
    name = name.strip()
    if len(name) > MAX_NAME:
        raise ValidationFailed([FieldProblem("name", f"at most {MAX_NAME} characters")])
    if refused_character(name, one_line=True) is not None or any(
        unicodedata.category(ch) in _ALSO_REFUSED for ch in name
    ):
        raise ValidationFailed([FieldProblem("name", LINE_MESSAGE)])
    return name


def head_problem(email: str, role: str, is_active: bool) -> str | None:
    """Why this user cannot head a team (None: they can)."""
    if not is_active:
        return f"{email} is deactivated"
    if role not in HEAD_ROLES:
        return f"{email} is a {role}; a head needs the role head or admin"
    return None
