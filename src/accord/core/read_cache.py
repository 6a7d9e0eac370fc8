"""What one reader's session has already read, read once: the policies and the visible
accounts that every panel of a page asks for again (the account page: nine reads of the
settings and ten of the account before this cache).

Only a reader's session (``core.database.is_read_only``: a GET request's) keeps anything:
it never writes, so nothing it has read can change under it — except by ending its
transaction (``core.database.new_snapshot``, a commit or a rollback), which empties the
cache. A writer's session computes every time, as before: a write in the middle of its
transaction would leave a cached value stale.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from accord.core.database import is_read_only

T = TypeVar("T")
KEY = "accord.read_cache"
_MISSING = object()


def remembered(session: Session, key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, once per reader's transaction for ``key``; always called for a writer."""
    if not is_read_only(session):
        return read()
    cache: dict[Hashable, Any] = session.info.setdefault(KEY, {})
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = cache[key] = read()
    return found


def forget(session: Session) -> None:
    session.info.pop(KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, *_: Any) -> None:
    forget(session)
