"""Importing accounts: rows already read from a file (Accord, Salesforce or HubSpot columns).

``accord.exchange`` reads the file through its column map and calls :func:`import_accounts`
with the rows; it owns the savepoint, the report status and the summary audit entry.
Account files are small: every row is read and checked first (so a parent defined further
down the file works), then written with the ORM, each created or changed account audited
like an edit in the app. Only admins and heads import accounts. The owner column may hold
an e-mail, a user's name or a mapped CRM user id (``owners.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts import lifecycle
from accord.accounts.models import Account, AccountExternalId, AccountKind, AccountStatus, SizeBand
from accord.accounts.owners import Owners
from accord.accounts.search import unseen_parents
from accord.accounts.service import announce_changes, snapshot
from accord.accounts.visibility import visible_accounts
from accord.core import audit
from accord.core.database import utcnow
from accord.core.models import Role, User
from accord.core.roles import require_role

ENUMS: dict[str, tuple[str, ...]] = {
    "kind": tuple(k.value for k in AccountKind),
    "status": tuple(s.value for s in AccountStatus),
    "size_band": tuple(b.value for b in SizeBand),
}
LIMITS = {"external_id": 100, "name": 200, "segment": 60, "business_line": 60, "country": 60,
          "industry": 100, "parent_external_id": 100}
#: fields of Account set straight from the file (the others are looked up)
PLAIN = ("name", "kind", "segment", "business_line", "status", "country", "industry", "size_band")
NOT_NULL_DEFAULTS = {"kind": AccountKind.COMPANY.value, "status": AccountStatus.ACTIVE.value}
#: the contract's fields (renewals): read from text, checked like the API checks them
CONTRACT = ("contract_end_on", "notice_days")
FIRST_CONTRACT_DAY, LAST_CONTRACT_DAY = date(2000, 1, 1), date(2100, 12, 31)
MAX_NOTICE_DAYS = 3650


def contract_value(name: str, text: str | None) -> date | int | None:
    """A contract cell's value (blank: None, which clears it); ValueError with the reason."""
    if text is None or not text.strip():
        return None
    raw = text.strip()
    if name == "contract_end_on":
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD): {raw!r}") from None
        if not FIRST_CONTRACT_DAY <= day <= LAST_CONTRACT_DAY:
            raise ValueError(f"a contract end date from {FIRST_CONTRACT_DAY} to "
                             f"{LAST_CONTRACT_DAY}")
        return day
    if not raw.isdigit() or len(raw) > 6:
        raise ValueError(f"not a whole number of days from 0 to {MAX_NOTICE_DAYS}: {raw!r}")
    days = int(raw)
    if days > MAX_NOTICE_DAYS:
        raise ValueError(f"at most {MAX_NOTICE_DAYS} days, got {days}")
    return days


#: (file line, column as named in the file or field, reason)
Problem = tuple[int, str, str]


@dataclass
class FileRows:
    """Rows already read from a file through a column map (``accord.exchange`` reads them):
    each (file line, {field: text or None}); ``header``: field -> the header as written in
    the file, for every field the file has a column for; ``problems``: cells the column
    map's conversion refused (file line, field, reason)."""

    rows: list[tuple[int, dict[str, str | None]]]
    header: dict[str, str]
    source: str = "accord"
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Outcome:
    """What an import of rows did: the counts of its report and each problem, in order."""

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid_rows: int = 0
    owners_unassigned: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Row:
    line: int
    values: dict[str, str | None]
    ok: bool = True
    account: Account | None = None
    before: dict[str, Any] | None = None
    manager_id: int | None = None
    unassigned: bool = False  # its owner matched nobody: imported without a manager


@dataclass
class Context:
    session: Session
    user: User
    file: FileRows
    outcome: Outcome
    unassign_unknown_owners: bool = False
    owners: Owners = field(default_factory=Owners)

    @property
    def source(self) -> str:
        return self.file.source

    def has(self, name: str) -> bool:
        """The file has a column for this field."""
        return name in self.file.header

    def problem(self, row: Row, column: str, reason: str) -> None:
        self.outcome.problems.append((row.line, self.file.header.get(column, column), reason))
        if row.ok:
            row.ok = False
            self.outcome.invalid_rows += 1


def rows_of(ctx: Context) -> list[Row]:
    """The file's rows, with the problems its reading found on them."""
    rows = [Row(line, dict(values)) for line, values in ctx.file.rows]
    by_line = {r.line: r for r in rows}
    for line, col, why in ctx.file.problems:
        ctx.problem(by_line[line], col, why)
    ctx.outcome.rows = len(rows)
    return rows


def check_may_import(user: User) -> None:
    """Only admins and heads import accounts (checked before the file is read, too)."""
    require_role(user, Role.ADMIN, Role.HEAD)


def import_accounts(session: Session, user: User, file: FileRows, *,
                    unassign_unknown_owners: bool = False) -> Outcome:
    """Check every row, then create or update the accounts of the good ones (audited)."""
    check_may_import(user)
    ctx = Context(session, user, file, Outcome(), unassign_unknown_owners)
    rows = rows_of(ctx)
    cells = {r.values.get("manager_email") or "" for r in rows} - {""}
    ctx.owners = Owners.load(session, ctx.source, cells)
    existing = _existing_accounts(ctx, [r.values.get("external_id") for r in rows])
    seen: dict[str, Row] = {}
    for row in rows:
        _check_row(ctx, row, seen, existing)
    _check_parents(ctx, rows, seen, existing)
    _write(ctx, [r for r in rows if r.ok], existing)
    return ctx.outcome


def _existing_accounts(ctx: Context, externals: list[str | None]) -> dict[str, tuple[int, bool]]:
    """external id -> (account id, visible to the user) for ids already in the database."""
    wanted = sorted({e for e in externals if e})
    found: dict[str, tuple[int, bool]] = {}
    if not wanted:
        return found
    visible = visible_accounts(ctx.user)
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        for ext, acc_id, seen in ctx.session.execute(
            select(Account.external_id, Account.id, visible).where(Account.external_id.in_(chunk))
        ):
            found[str(ext)] = (acc_id, bool(seen))
        if ctx.source != "accord":
            for ext, acc_id, seen in ctx.session.execute(
                select(AccountExternalId.value, Account.id, visible)
                .join(Account, Account.id == AccountExternalId.account_id)
                .where(AccountExternalId.source == ctx.source, AccountExternalId.value.in_(chunk))
            ):
                found[str(ext)] = (acc_id, bool(seen))
    return found


def _check_row(
    ctx: Context, row: Row, seen: dict[str, Row], existing: dict[str, tuple[int, bool]]
) -> None:
    _check_cells(ctx, row)
    _check_external_id(ctx, row, seen, existing)
    _check_owner(ctx, row)
    _check_activation(ctx, row, existing)


def _check_activation(ctx: Context, row: Row, existing: dict[str, tuple[int, bool]]) -> None:
    """A company in onboarding becomes active only by accepting its hand-off (the gate of
    ``accounts.lifecycle``), an import row included."""
    if row.values.get("status") != AccountStatus.ACTIVE:
        return
    known = existing.get(row.values.get("external_id") or "")
    if known is None:
        return  # a new company straight into active: admins and heads only, as importers are
    account = ctx.session.get(Account, known[0])
    kind = row.values.get("kind") or (account.kind if account else None)
    if account is None or account.status != AccountStatus.ONBOARDING or kind != "company":
        return
    message = lifecycle.check_activation(ctx.session, account.id)
    if message:
        ctx.problem(row, "status", message)


def _check_cells(ctx: Context, row: Row) -> None:
    """Required fields, lengths, and the values of the enumerated fields (lower-cased)."""
    v = row.values
    for name in ("external_id", "name"):
        if ctx.has(name) and not v.get(name):
            ctx.problem(row, name, "missing required field")
    for name, limit in LIMITS.items():
        text = v.get(name)
        if text and len(text) > limit:
            ctx.problem(row, name, f"longer than {limit} characters")
    for name, allowed in ENUMS.items():
        text = v.get(name)
        if text is not None:
            text = text.lower()
            v[name] = text
            if text not in allowed:
                ctx.problem(row, name, f"bad value {text!r}; one of {', '.join(allowed)}")
    for name in CONTRACT:
        try:
            contract_value(name, v.get(name))
        except ValueError as exc:
            ctx.problem(row, name, str(exc))


def _check_external_id(
    ctx: Context, row: Row, seen: dict[str, Row], existing: dict[str, tuple[int, bool]]
) -> None:
    ext = row.values.get("external_id")
    if not ext:
        return
    if ext in seen:
        ctx.problem(row, "external_id", f"duplicate of row {seen[ext].line}")
    else:
        seen[ext] = row
    known = existing.get(ext)
    if known is not None and not known[1]:
        ctx.problem(row, "external_id", "external id already in use")


def _check_owner(ctx: Context, row: Row) -> None:
    owner = row.values.get("manager_email")
    if not owner:
        return
    found = ctx.owners.match(owner)
    if found.unknown and ctx.unassign_unknown_owners:
        row.unassigned = True  # counted once the row is written
    elif found.problem:
        ctx.problem(row, "manager_email", found.problem)
    else:
        row.manager_id = found.user_id


def _check_parents(
    ctx: Context, rows: list[Row], seen: dict[str, Row], existing: dict[str, tuple[int, bool]]
) -> None:
    parents = {r.values.get("parent_external_id") for r in rows} - {None}
    outside = _existing_accounts(ctx, [p for p in parents if p not in seen])
    for row in rows:
        parent = row.values.get("parent_external_id")
        if not parent:
            continue
        if parent == row.values.get("external_id"):
            ctx.problem(row, "parent_external_id", "an account cannot be its own parent")
        elif parent not in seen and not outside.get(parent, (0, False))[1]:
            ctx.problem(row, "parent_external_id", f"unknown parent {parent!r}")
    changed = True
    while changed:  # a child of a rejected row cannot be placed either
        changed = False
        for row in rows:
            parent = row.values.get("parent_external_id")
            if row.ok and parent in seen and not seen[parent].ok:
                ctx.problem(row, "parent_external_id",
                            f"parent row {seen[parent].line} is invalid")
                changed = True
    _check_cycles(ctx, [r for r in rows if r.ok], seen)


def _check_cycles(ctx: Context, rows: list[Row], seen: dict[str, Row]) -> None:
    parent_of = {r.values["external_id"]: r.values.get("parent_external_id") for r in rows
                 if r.values.get("external_id")}
    for row in rows:
        start = row.values.get("external_id")
        current, steps = parent_of.get(start or ""), 0
        while current and current in parent_of and steps <= len(parent_of):
            if current == start:
                ctx.problem(row, "parent_external_id", "these parents make a cycle")
                break
            current, steps = parent_of.get(current), steps + 1


def _account_for(ctx: Context, ext: str, existing: dict[str, tuple[int, bool]]) -> Account | None:
    known = existing.get(ext)
    return ctx.session.get(Account, known[0]) if known else None


def _write(ctx: Context, rows: list[Row], existing: dict[str, tuple[int, bool]]) -> None:
    now = utcnow()
    by_ext = {row.values["external_id"] or "": _place(ctx, row, existing, now) for row in rows}
    ctx.session.flush()
    _link_external_ids(ctx, rows)
    if ctx.has("parent_external_id"):
        _set_parents(ctx, rows, by_ext)
    ctx.session.flush()
    for row in rows:
        _count_and_audit(ctx, row, now)
    ctx.session.flush()


def _place(ctx: Context, row: Row, existing: dict[str, tuple[int, bool]], now: Any) -> Account:
    """The row's account, created or found, with the file's plain fields and manager set."""
    ext = row.values["external_id"] or ""
    account = _account_for(ctx, ext, existing)
    if account is None:
        account = Account(created_at=now, updated_at=now, name_key="")
        account.external_id = ext
        for name, default in NOT_NULL_DEFAULTS.items():
            setattr(account, name, default)
        ctx.session.add(account)
    else:
        row.before = snapshot(account)
    row.account = account
    for name in PLAIN:
        if ctx.has(name):
            value = row.values.get(name)
            if value is None and name in NOT_NULL_DEFAULTS:
                if row.before is not None:
                    continue  # blank kind/status leaves an existing account's as it is
                value = NOT_NULL_DEFAULTS[name]
            setattr(account, name, value)
    for name in CONTRACT:
        if ctx.has(name):
            setattr(account, name, contract_value(name, row.values.get(name)))
    if row.unassigned:
        ctx.outcome.owners_unassigned += 1  # a new account has none; a known one keeps its
    elif ctx.has("manager_email"):
        account.manager_id = row.manager_id
    account.name_key = (account.name or "").lower()
    return account


def _set_parents(ctx: Context, rows: list[Row], by_ext: dict[str, Account]) -> None:
    hidden = unseen_parents(ctx.session, ctx.user, {
        r.account.parent_id for r in rows
        if r.account is not None and r.account.parent_id is not None
        and not r.values.get("parent_external_id")
    })
    for row in rows:
        parent = row.values.get("parent_external_id")
        target = by_ext.get(parent) if parent else None
        if parent and target is None:
            target = _account_for(ctx, parent, _existing_accounts(ctx, [parent]))
        assert row.account is not None
        if not parent and row.account.parent_id in hidden:
            continue  # an export shows nothing of such a parent: a blank keeps it (V3)
        row.account.parent_id = target.id if target is not None else None


def _count_and_audit(ctx: Context, row: Row, now: Any) -> None:
    account = row.account
    assert account is not None
    after = snapshot(account)
    if row.before is None:
        ctx.outcome.inserted += 1
        audit.record(ctx.session, ctx.user, "create", "account", account.id, after=after,
                     note="import")
        if account.kind == AccountKind.COMPANY and account.status == AccountStatus.ONBOARDING:
            lifecycle.company_onboarding(ctx.session, ctx.user, account.id)
        return
    old, new = audit.changed_fields(row.before, after)
    if new:
        account.updated_at = now
        ctx.outcome.updated += 1
        audit.record(ctx.session, ctx.user, "update", "account", account.id, before=old,
                     after=new, note="import")
        announce_changes(ctx.session, ctx.user, account.id, row.before, after)
    else:
        ctx.outcome.unchanged += 1


def _link_external_ids(ctx: Context, rows: list[Row]) -> None:
    """Salesforce/HubSpot ids are kept as AccountExternalId(source=...)."""
    if ctx.source == "accord":
        return
    values = [r.values["external_id"] for r in rows if r.values.get("external_id")]
    have: set[str] = set()
    for i in range(0, len(values), 500):
        have.update(ctx.session.scalars(
            select(AccountExternalId.value).where(
                AccountExternalId.source == ctx.source,
                AccountExternalId.value.in_(values[i : i + 500]),
            )
        ))
    for row in rows:
        ext = row.values.get("external_id")
        if ext and ext not in have and row.account is not None:
            ctx.session.add(AccountExternalId(account_id=row.account.id, source=ctx.source,
                                              value=ext))
    ctx.session.flush()
