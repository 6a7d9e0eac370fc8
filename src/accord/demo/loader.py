"""Writing the demo portfolio fast: Core executemany in batches, revenue through the fast path.

One transaction (the caller's session): the whole portfolio or nothing. One audit entry
summarises the load. The ORM stays out: rows go in as dicts, ids are assigned by the
generator from the first free id of each table (PostgreSQL sequences are moved on after).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from accord.accounts.models import (
    Account,
    AccountContact,
    AccountMember,
    Contact,
    Interaction,
    InteractionContact,
    InteractionUser,
)
from accord.agency.demo import seed_demo as seed_agency
from accord.calendar.demo import seed_demo as seed_rhythm
from accord.clients.demo import seed_demo as seed_clients
from accord.core import audit
from accord.core.database import is_sqlite
from accord.core.errors import Conflict
from accord.core.models import Team, User
from accord.core.security import hash_password
from accord.demo.generator import DEMO_PASSWORD, AccountStream, Bundle, FirstIds, build_staff
from accord.demo.names import CONSUMER_PRODUCT_LINES, PRODUCT_LINES
from accord.demo.plan import DemoSpec
from accord.demo.revenue import RevenueRow, revenue_rows
from accord.growth.demo import seed_demo as seed_growth
from accord.growth.opportunities.demo import seed_demo as seed_opportunities
from accord.handoffs.demo import seed_demo as seed_handoffs
from accord.health.demo import seed_demo as seed_health
from accord.kpis.derived import refresh_after_import
from accord.licences.demo import seed_demo as seed_licences
from accord.plans.demo import seed_demo as seed_plans
from accord.plans.targets.demo import seed_demo as seed_targets
from accord.proposals.demo import seed_demo as seed_proposals
from accord.relationships.demo import seed_demo as seed_stages
from accord.revenue.load.bulk import DEFAULT_BATCH, batched, load_new, prepare
from accord.revenue.models import RevenueLine
from accord.selection.demo import seed_demo as seed_scorings
from accord.team.demo import seed_demo as seed_team

#: accounts per executemany round (their contacts and interactions go with them)
BATCH_ACCOUNTS = 2000
PROGRESS_EVERY = 500

Progress = Callable[[str, int, int], None]

_BUNDLE_TABLES: tuple[tuple[str, Any], ...] = (
    ("account", Account.__table__),
    ("contacts", Contact.__table__),
    ("account_contacts", AccountContact.__table__),
    ("members", AccountMember.__table__),
    ("interactions", Interaction.__table__),
    ("interaction_contacts", InteractionContact.__table__),
    ("interaction_users", InteractionUser.__table__),
)


@dataclass
class DemoSummary:
    reused: bool = False
    accounts: int = 0
    contacts: int = 0
    account_contacts: int = 0
    interactions: int = 0
    users: int = 0
    teams: int = 0
    revenue_lines: int = 0
    months: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    password: str = DEMO_PASSWORD

    def counts(self) -> dict[str, int]:
        return {
            "accounts": self.accounts, "contacts": self.contacts,
            "account_contacts": self.account_contacts, "interactions": self.interactions,
            "users": self.users, "teams": self.teams, "revenue_lines": self.revenue_lines,
            "months": self.months,
        }


def count_accounts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Account)) or 0


def demo_logins(session: Session) -> list[tuple[str, str]]:
    """The demo users already in the database (admin first, then by role and number)."""
    rows = session.execute(
        select(User.email, User.role).where(User.email.like("%@accord.demo"))
    ).all()
    order = {"admin": 0, "head": 1, "manager": 2, "sales": 3, "billing": 4, "viewer": 5}

    def key(row: Any) -> tuple[int, int, str]:
        digits = "".join(ch for ch in row[0].split("@")[0] if ch.isdigit())
        return (order.get(row[1], 9), int(digits or 0), row[0])

    return [(e, r) for e, r in sorted(rows, key=key)]


def _first_ids(session: Session) -> FirstIds:
    def next_id(column: Any) -> int:
        return int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1

    return FirstIds(user=next_id(User.id), team=next_id(Team.id), account=next_id(Account.id),
                    contact=next_id(Contact.id), interaction=next_id(Interaction.id))


def _advance_sequences(session: Session) -> None:
    if is_sqlite(session):
        return
    for table in ("users", "teams", "accounts", "contacts", "interactions"):
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        ))


def load_demo(
    session: Session,
    spec: DemoSpec,
    *,
    if_empty: bool = False,
    on_progress: Progress | None = None,
) -> DemoSummary:
    """Load the demo portfolio into an empty database, or report that one is reused."""
    existing = count_accounts(session)
    if existing:
        if if_empty:
            return DemoSummary(reused=True, accounts=existing, logins=demo_logins(session))
        raise Conflict(
            f"the database already holds {existing} accounts; the demo loads into an empty "
            "database (use --if-empty to reuse it)"
        )
    progress = on_progress or (lambda stage, done, total: None)
    first = _first_ids(session)
    staff = build_staff(spec, first)
    emails = [u["email"] for u in staff.users]
    taken = session.scalars(select(User.email).where(User.email.in_(emails))).all()
    if taken:
        raise Conflict(f"demo users already exist: {', '.join(sorted(taken))}")

    password_hash = hash_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose
    summary = DemoSummary(months=spec.months, logins=list(staff.logins))
    teams = [{**t, "head_id": None} for t in staff.teams]
    session.execute(insert(Team), teams)
    session.execute(insert(User), [{**u, "password_hash": password_hash} for u in staff.users])
    for team in staff.teams:
        session.execute(update(Team).where(Team.id == team["id"]).values(head_id=team["head_id"]))
    summary.users, summary.teams = len(staff.users), len(staff.teams)

    _write_accounts(session, AccountStream(spec, staff, first), spec, summary, progress)
    summary.revenue_lines = _write_revenue(session, spec, first.account, progress)
    _advance_sequences(session)
    _write_key_account_models(session, spec, progress, password_hash)
    # the agency's specialists (agency.demo), created with the departments
    summary.logins += [(e, r) for e, r in demo_logins(session) if r == "specialist"]
    audit.record(session, None, "demo_loaded", "demo", None, after=summary.counts(),
                 note=f"demo loaded: seed {spec.seed}, today {spec.today.isoformat()}")
    return summary


def _write_key_account_models(session: Session, spec: DemoSpec, progress: Progress,
                              password_hash: str | None = None) -> None:
    """KPI data, selection-matrix scorings, relationship stages and health for the demo."""
    steps = 4
    progress("key account models", 0, steps)
    refresh_after_import(session, None)
    progress("key account models", 1, steps)
    seed_scorings(session, seed=spec.seed, today=spec.today, count=min(300, spec.accounts // 5))
    progress("key account models", 2, steps)
    seed_stages(session, seed=spec.seed, today=spec.today)
    progress("key account models", 3, steps)
    seed_health(session, seed=spec.seed, today=spec.today)
    progress("key account models", 4, steps)
    seed_plans(session, seed=spec.seed, today=spec.today, accounts=spec.accounts)
    seed_targets(session, seed=spec.seed, today=spec.today)
    seed_growth(session, seed=spec.seed, today=spec.today,  # catalogue before opportunities
                product_lines=(*PRODUCT_LINES, *CONSUMER_PRODUCT_LINES))
    seed_opportunities(session, seed=spec.seed, today=spec.today, accounts=spec.accounts)
    seed_handoffs(session, seed=spec.seed, today=spec.today)
    seed_proposals(session, seed=spec.seed, today=spec.today)  # after the opportunities'
    seed_rhythm(session, seed=spec.seed, today=spec.today, accounts=spec.accounts)
    seed_agency(session, seed=spec.seed, today=spec.today, accounts=spec.accounts,
                password_hash=password_hash)
    seed_licences(session, seed=spec.seed, today=spec.today, accounts=spec.accounts)
    seed_clients(session, seed=spec.seed, today=spec.today)  # consent, scores, validation
    seed_team(session, seed=spec.seed, today=spec.today)  # last: loads count the rest
    progress("account plans", 1, 1)


def _write_accounts(session: Session, stream: AccountStream, spec: DemoSpec,
                    summary: DemoSummary, progress: Progress) -> None:
    pending: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in _BUNDLE_TABLES}

    def flush() -> None:
        for name, table in _BUNDLE_TABLES:
            rows = pending[name]
            if rows:
                session.execute(insert(table), rows)
                rows.clear()

    done = 0
    bundle: Bundle
    for bundle in stream:
        pending["account"].append(bundle.account)
        for name, _ in _BUNDLE_TABLES[1:]:
            pending[name].extend(getattr(bundle, name))
        summary.contacts += len(bundle.contacts)
        summary.account_contacts += len(bundle.account_contacts)
        summary.interactions += len(bundle.interactions)
        done += 1
        if done % BATCH_ACCOUNTS == 0:
            flush()
        if done % PROGRESS_EVERY == 0:
            progress("accounts", done, spec.accounts)
    flush()
    summary.accounts = done
    progress("accounts", done, spec.accounts)


def _write_revenue(session: Session, spec: DemoSpec, first_account: int,
                   progress: Progress) -> int:
    def done(accounts: int) -> None:
        if accounts % PROGRESS_EVERY == 0:
            progress("revenue", accounts, spec.accounts)

    def rows() -> Iterator[RevenueRow]:
        yield from revenue_rows(spec, first_account, done)
        progress("revenue", spec.accounts, spec.accounts)

    # new accounts: every key is new, so the lines go straight in
    stats = load_new(session, batched(prepare(rows()), DEFAULT_BATCH))
    lines = getattr(stats, "lines", None)
    if lines is None:
        lines = session.scalar(select(func.count()).select_from(RevenueLine)) or 0
    return int(lines)
