"""What a higher capability does when a follow-up it created is closed.

A follow-up may come from something above the calendar (a client input's chase:
``source_kind`` ``input_request``). When such a follow-up is completed (done) — on its own
or by logging an interaction (``service.log_and_close``) — the follow-ups service calls the
functions registered here for its ``source_kind``, in the same transaction:
``fn(session, user, follow_up, interaction_id or None, today)``. ``app.wiring`` connects
them; nothing here imports upwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.calendar.models import FollowUp
from accord.core.models import User

ClosedHook = Callable[[Session, User, FollowUp, "int | None", date], Any]

_HOOKS: dict[str, list[ClosedHook]] = {}


def on_closed(source_kind: str, fn: ClosedHook) -> None:
    """Call ``fn`` whenever a follow-up from ``source_kind`` is completed (once per fn)."""
    hooks = _HOOKS.setdefault(source_kind, [])
    if fn not in hooks:
        hooks.append(fn)


def closed(session: Session, user: User, follow_up: FollowUp, interaction_id: int | None,
           today: date) -> None:
    """Tell the listeners of the follow-up's ``source_kind`` that it was completed."""
    if follow_up.source_kind is None:
        return
    for fn in list(_HOOKS.get(follow_up.source_kind, ())):
        fn(session, user, follow_up, interaction_id, today)


def forget(source_kind: str | None = None) -> None:
    """Drop the registered functions (all, or one kind's) — for tests."""
    if source_kind is None:
        _HOOKS.clear()
    else:
        _HOOKS.pop(source_kind, None)
