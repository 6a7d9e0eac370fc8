"""Account search: ``q`` is a substring of the name in any case, or the exact external id.

The name is matched on ``name_key`` (the name lowered by Python, kept by every writer) with
``LIKE '%needle%'``, the needle lowered the same way, so both databases agree on case,
accents and odd characters:

- ``%``, ``_`` and ``/`` in the needle are escaped (``ESCAPE '/'``): they match themselves;
- PostgreSQL answers from a trigram GIN index on ``name_key`` (pg_trgm, migration 0004) for
  needles of 3 characters or more, and scans for shorter ones;
- SQLite has no trigram index: it scans a narrow index holding ``name_key`` (about 10 ms for
  100,000 accounts), never the wide table rows, because the condition reads only
  ``name_key`` and ``id``: the external id is looked up once, as a scalar subquery on its
  unique index, rather than compared row by row.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import aliased

from accord.accounts.models import Account

#: the LIKE escape character (not backslash: PostgreSQL and SQLite treat it differently)
ESCAPE = "/"


def name_key(name: str) -> str:
    """What ``Account.name_key`` holds for ``name`` (and what a search needle is lowered to)."""
    return name.lower()


def _clean(q: str) -> str:
    # NUL can be in no stored text (PostgreSQL refuses it) and would fail the query there
    return q.replace("\x00", "").strip()


def like_pattern(q: str) -> str:
    """``%needle%`` for ``LIKE ... ESCAPE '/'``: the needle's wildcards match themselves."""
    needle = name_key(_clean(q))
    for char in (ESCAPE, "%", "_"):
        needle = needle.replace(char, ESCAPE + char)
    return f"%{needle}%"


def search_condition(q: str) -> ColumnElement[bool]:
    """WHERE condition over ``Account``: the name contains ``q`` (any case) or the external
    id is exactly ``q`` (both stripped of surrounding blanks)."""
    other = aliased(Account, name="by_external_id")
    by_external_id = select(other.id).where(other.external_id == _clean(q)).scalar_subquery()
    return or_(
        Account.name_key.like(like_pattern(q), escape=ESCAPE),
        Account.id == by_external_id,
    )
