"""What happens to a job run that fails or whose process stopped (pure; no database).

A run is attempted at most ``MAX_ATTEMPTS`` times. After a failed attempt it waits
``BACKOFF[attempts - 1]`` from that attempt's start before the next one; after the last one
it is ``failed`` (kept and reported, never dropped). A run claimed longer than ``STALE_AFTER``
ago that never finished (its process stopped) may be claimed again; that counts as an
attempt too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_ATTEMPTS = 5
#: wait after the 1st, 2nd, 3rd and 4th failed attempt
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(minutes=30))
STALE_AFTER = timedelta(minutes=30)
MAX_ERROR = 2000


def after_failure(attempts: int) -> str:
    """The status of a run whose attempt number ``attempts`` failed: due again, or failed."""
    return "failed" if attempts >= MAX_ATTEMPTS else "due"


def retry_at(attempts: int, claimed_at: datetime) -> datetime:
    """When a run that failed ``attempts`` times (its last attempt began at ``claimed_at``)
    may be tried again."""
    return claimed_at + BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def error_text(exc: BaseException) -> str:
    """The error as stored: its class and message, cut to ``MAX_ERROR`` characters."""
    text = f"{exc.__class__.__name__}: {exc}".replace("\x00", "")
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
