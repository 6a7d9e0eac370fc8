"""The qualifying touch (issue 13): what counts as touching a client for the cadence.

A qualifying touch is a call, a meeting, an e-mail or a business review with at least one
client contact taking part. Notes, internal items (no client contact) and chases of client
inputs do not count. ``Account.last_qualifying_touch_on`` holds the date of the latest one,
kept by the interaction service (``accounts.contacts``) like ``last_touch_on``; the cadence
(``calendar.cadence``), contact freshness (health) and coverage (KPI) read it.

Pure: the standard library only.
"""

from __future__ import annotations

#: the interaction kinds that may qualify (with a client contact)
QUALIFYING_KINDS: frozenset[str] = frozenset({"call", "meeting", "email", "business_review"})


def is_qualifying(kind: str, has_client_contact: bool) -> bool:
    """Whether an interaction of ``kind`` is a qualifying touch."""
    return has_client_contact and kind in QUALIFYING_KINDS
