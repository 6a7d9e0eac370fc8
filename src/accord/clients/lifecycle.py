"""The lifecycle status of person accounts follows the model, unless set by hand.

After a scores fit (``clients.fitting.run_fit``, the calibration ending today), each client
with a purchase gets the status ``lifecycle_rules.status_for`` gives (``active``, ``lapsed``
below ``lapsed_below`` P(alive), ``churned`` after ``churned_after_days`` without a
purchase), with the reason in words. A status set by hand wins until the client buys again
or someone changes it:

- ``client_profiles.model_status`` is what the model last set. When the account's status
  differs from it, someone set it by hand: that status is kept and noted as
  ``manual_status`` since ``manual_since`` (the day a fit found it), and the model leaves
  it alone;
- when the client has a purchase after ``manual_since`` the hand-set status ends: the
  model's applies again (likewise when someone sets the status back to the model's);
- prospects and onboarding accounts are left alone.

Written in bulk, in the caller's transaction, whatever the number of clients: the changes
go into a TEMP table (``executemany`` on SQLite, ``COPY`` on PostgreSQL) and four set-based
statements apply them — the accounts whose status changes (their version raised, so a form
opened before is refused as stale), the new profiles, the changed ones — and one
``executemany`` writes an audit entry per changed account (``update`` of ``account``, the
status before and after, the reason as its note).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountKind
from accord.clients.lifecycle_rules import status_for
from accord.clients.models import LIFECYCLE, ClientProfile
from accord.core.database import utcnow
from accord.core.models import AuditEntry, User
from accord.revenue.load.raw_db import RawDb

ACCOUNTS: Table = Account.__table__  # type: ignore[assignment]
PROFILES: Table = ClientProfile.__table__  # type: ignore[assignment]
#: statuses the model never touches
LEFT_ALONE = frozenset({"prospect", "onboarding"})


class State(NamedTuple):
    """A person account's status and what its profile says (None: no profile yet)."""

    status: str
    has_profile: bool
    model_status: str | None
    manual_status: str | None
    manual_since: date | None


def states(session: Session) -> dict[int, State]:
    """Every person account's status and profile (one statement)."""
    p = ClientProfile
    rows = session.execute(
        select(Account.id, Account.status, p.account_id, p.model_status, p.manual_status,
               p.manual_since)
        .outerjoin(p, p.account_id == Account.id)
        .where(Account.kind == AccountKind.PERSON.value))
    return {a: State(status, pid is not None, model, manual, since)
            for a, status, pid, model, manual, since in rows}


#: the changes of one application, written in bulk into a TEMP table and applied from it
#: by a few set-based statements (``UPDATE … FROM``, ``INSERT … SELECT``)
CHANGES = Table(
    "client_lifecycle_changes", MetaData(),
    Column("account_id", Integer, primary_key=True),
    Column("new_status", String(12)),  # the account's new status, or NULL
    Column("has_profile", Boolean),
    Column("model_changed", Boolean),  # the model's fields change (else the manual ones)
    Column("model_status", String(12)), Column("model_status_on", Date),
    Column("reason", Text), Column("manual_status", String(12)), Column("manual_since", Date),
    prefixes=["TEMPORARY"])
COLUMNS = ", ".join(c.name for c in CHANGES.columns)


@dataclass(frozen=True)
class Decision:
    """What to do with one account: the status to set (None: leave it), the profile's new
    lifecycle fields (None: unchanged), and whether a status set by hand is kept."""

    status: str | None
    fields: dict[str, Any] | None
    manual: bool = False


def decide(state: State, model: str, reason: str, last_purchase: date,
           today: date) -> Decision:
    """The rule of this module's docstring, for one account whose model status is
    ``model`` (for ``reason``) and whose last purchase was on ``last_purchase``."""
    if state.status in LEFT_ALONE:
        return Decision(None, None)
    if state.model_status is not None and state.status != state.model_status:  # by hand
        since = state.manual_since
        if state.manual_status != state.status or since is None:
            since = today  # found now (or changed again by hand)
        if not last_purchase > since:
            if (state.manual_status, state.manual_since) == (state.status, since):
                return Decision(None, None, manual=True)
            return Decision(None, {"manual_status": state.status, "manual_since": since},
                            manual=True)
    fields: dict[str, Any] = {}
    if state.manual_status is not None or state.manual_since is not None:
        fields.update(manual_status=None, manual_since=None)
    if state.model_status != model or state.status != model:
        fields.update(model_status=model, model_status_on=today, reason=reason)
    return Decision(model if state.status != model else None, fields or None)


def apply(session: Session, actor: User | None, today: date, known: dict[int, State],
          account_ids: npt.NDArray[np.int64], p_alive: npt.NDArray[np.float64],
          recency_days: npt.NDArray[np.int64], last_purchase: list[date], *,
          lapsed_below: float, churned_after_days: int) -> dict[str, int]:
    """Apply the model's status to the clients given (``known``: :func:`states`, read in
    the same transaction); counts of what changed."""
    rows: list[tuple[Any, ...]] = []
    audits: list[dict[str, Any]] = []
    counts = {f"to_{s}": 0 for s in LIFECYCLE} | {"manual_kept": 0, "left_alone": 0}
    now = utcnow()
    for account_id, p, recency, last in zip(account_ids.tolist(), p_alive.tolist(),
                                            recency_days.tolist(), last_purchase, strict=True):
        state = known.get(account_id)
        if state is None:
            continue
        if state.status in LEFT_ALONE:
            counts["left_alone"] += 1
            continue
        model, reason = status_for(min(max(p, 0.0), 1.0), recency, lapsed_below=lapsed_below,
                                   churned_after_days=churned_after_days)
        decision = decide(state, model, reason, last, today)
        status, fields = decision.status, decision.fields
        counts["manual_kept"] += decision.manual
        if status is not None:
            counts[f"to_{status}"] += 1
            audits.append(_audit(actor, account_id, state.status, status, reason, now))
        if status is not None or fields is not None:
            f = {"model_status": state.model_status, "manual_status": state.manual_status,
                 "manual_since": state.manual_since, **(fields or {})}
            rows.append((account_id, status, state.has_profile, "model_status_on" in f,
                         f["model_status"], f.get("model_status_on"), f.get("reason"),
                         f["manual_status"], f["manual_since"]))
    _write(session, rows, now)
    if audits:
        session.execute(insert(AuditEntry), audits)
    return counts


def _audit(actor: User | None, account_id: int, before: str, after: str, reason: str,
           now: Any) -> dict[str, Any]:
    return {"at": now, "actor_id": actor.id if actor else None,
            "actor": actor.email if actor else "system", "action": "update",
            "entity": "account", "entity_id": str(account_id), "before": {"status": before},
            "after": {"status": after}, "note": f"lifecycle: {reason}", "account_id": account_id}


def _write(session: Session, rows: list[tuple[Any, ...]], now: Any) -> None:
    """The changes into the TEMP table (``executemany`` on SQLite, ``COPY`` on PostgreSQL),
    then four statements: the accounts' statuses, new profiles, changed profiles."""
    if not rows:
        return
    db = RawDb(session)
    db.execute(f"DROP TABLE IF EXISTS {CHANGES.name}")
    CHANGES.create(session.connection())
    db.write_rows(CHANGES.name, COLUMNS, [
        tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in rows])
    c, a, p = CHANGES.c, ACCOUNTS.c, PROFILES.c
    session.execute(update(ACCOUNTS).values(
        status=c.new_status, version=a.version + 1, updated_at=now)
        .where(a.id == c.account_id, c.new_status.is_not(None)))
    session.execute(insert(PROFILES).from_select(
        ["account_id", "marketing_consent", "model_status", "model_status_on", "reason",
         "manual_status", "manual_since"],
        select(c.account_id, false(), c.model_status, c.model_status_on, c.reason,
               c.manual_status, c.manual_since).where(c.has_profile.is_(False))))
    session.execute(update(PROFILES).values(
        model_status=c.model_status, model_status_on=c.model_status_on, reason=c.reason,
        manual_status=c.manual_status, manual_since=c.manual_since)
        .where(p.account_id == c.account_id, c.has_profile.is_(True),
               c.model_changed.is_(True)))
    session.execute(update(PROFILES).values(
        manual_status=c.manual_status, manual_since=c.manual_since)
        .where(p.account_id == c.account_id, c.has_profile.is_(True),
               c.model_changed.is_(False)))
    db.execute(f"DROP TABLE {CHANGES.name}")
