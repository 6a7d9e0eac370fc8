"""The whitespace matrix of one account: its units (the account and those of its child
accounts the user may see) × the catalogue's product lines. A cell holds what applies of the
amount bought in the KPI window ending at the KPI as-of month (``product_line_revenue``),
the open opportunities (count and value), the won ones, and a not-relevant flag with its
reason; a cell with none of these is whitespace (``rules.Cell``).

Marking a cell not relevant (or clearing it) is for whoever may change the unit's account;
audited (``whitespace_flag``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import (
    get_visible_account,
    get_writable_account,
    visible_accounts,
)
from accord.core import audit
from accord.core.company import company_policy
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.core.money import from_cents, to_cents
from accord.core.periods import format_month
from accord.core.text import refused_character
from accord.growth import catalogue, rules
from accord.growth.models import ProductLine, WhitespaceFlag
from accord.growth.opportunities.models import (
    OPEN_STAGES,
    Opportunity,
    OpportunityProductLine,
)
from accord.growth.schemas import CellOut, LineRef, Matrix, UnitOut
from accord.growth.summary import spend_select
from accord.plans.metrics import Window, revenue_window

ENTITY = "whitespace_flag"


def cells(session: Session, unit_ids: list[int], as_of: int, window: int
          ) -> dict[tuple[int, int], rules.Cell]:
    """{(unit id, line id): cell} for the cells where anything applies (three statements)."""
    found: dict[tuple[int, int], dict[str, object]] = {}
    for a, line, spend in session.execute(spend_select(Window(as_of, window), unit_ids)):
        found.setdefault((a, line), {})["bought_cents"] = int(spend or 0)
    is_open = Opportunity.stage.in_(OPEN_STAGES)
    rows = session.execute(
        select(Opportunity.account_id, OpportunityProductLine.product_line_id,
               func.sum(case((is_open, 1), else_=0)),
               func.sum(case((is_open, Opportunity.value), else_=0)),
               func.sum(case((Opportunity.stage == "won", 1), else_=0)))
        .join(OpportunityProductLine, OpportunityProductLine.opportunity_id == Opportunity.id)
        .where(Opportunity.account_id.in_(unit_ids))
        .group_by(Opportunity.account_id, OpportunityProductLine.product_line_id))
    for a, line, n_open, value, won in rows:
        cell = found.setdefault((a, line), {})
        cell.update(open_count=int(n_open or 0), won_count=int(won or 0),
                    open_value_cents=to_cents(Decimal(value or 0)))
    for a, line, reason in session.execute(
            select(WhitespaceFlag.account_id, WhitespaceFlag.product_line_id,
                   WhitespaceFlag.reason).where(WhitespaceFlag.account_id.in_(unit_ids))):
        found.setdefault((a, line), {})["not_relevant"] = reason
    return {k: rules.Cell(**v) for k, v in found.items()}  # type: ignore[arg-type]


def units(session: Session, user: User, account: Account) -> list[tuple[int, str]]:
    """The account, then its child accounts the user may see, by name."""
    children = session.execute(
        select(Account.id, Account.name)
        .where(Account.parent_id == account.id, visible_accounts(user))
        .order_by(Account.name, Account.id)).all()
    return [(account.id, account.name), *((i, n) for i, n in children)]


def matrix(session: Session, user: User, account_id: int, *, today: date) -> Matrix:
    account = get_visible_account(session, user, account_id)
    unit_rows = units(session, user, account)
    lines = catalogue.lines(session)
    w = revenue_window(session, today)
    found = cells(session, [u for u, _ in unit_rows], w.as_of, w.window)
    empty = rules.Cell()
    return Matrix(
        account_id=account.id, currency=company_policy(session).currency,
        as_of=format_month(w.as_of), window_months=w.window,
        lines=[LineRef(id=p.id, name=p.name) for p in lines],
        units=[UnitOut(account_id=u, name=name, cells=[
            _cell_out(p.id, found.get((u, p.id), empty)) for p in lines])
            for u, name in unit_rows])


def _cell_out(line_id: int, c: rules.Cell) -> CellOut:
    return CellOut(product_line_id=line_id, state=c.state, bought=from_cents(c.bought_cents),
                   open_opportunities=c.open_count, open_value=from_cents(c.open_value_cents),
                   won=c.won_count, not_relevant=c.not_relevant, whitespace=c.whitespace)


def _line(session: Session, line_id: int) -> ProductLine:
    line = session.get(ProductLine, line_id)
    if line is None:
        raise NotFound(f"no product line {line_id}")
    return line


def mark_not_relevant(session: Session, user: User, account_id: int, line_id: int,
                      reason: str) -> WhitespaceFlag:
    """Mark the cell (account, line) not relevant, or change its reason."""
    get_writable_account(session, user, account_id)
    _line(session, line_id)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed([FieldProblem("reason", "say why it is not relevant")])
    if len(reason) > rules.MAX_REASON or refused_character(reason):
        raise ValidationFailed([FieldProblem(
            "reason", f"at most {rules.MAX_REASON} characters, no control characters")])
    flag = session.get(WhitespaceFlag, (account_id, line_id))
    before = None if flag is None else {"reason": flag.reason}
    if flag is None:
        flag = WhitespaceFlag(account_id=account_id, product_line_id=line_id, reason=reason,
                              set_by_id=user.id)
        session.add(flag)
    else:
        flag.reason, flag.set_by_id = reason, user.id
    session.flush()
    audit.record(session, user, "update" if before else "create", ENTITY,
                 f"{account_id}:{line_id}", before=before,
                 after={"product_line_id": line_id, "reason": reason}, account_id=account_id)
    return flag


def clear_not_relevant(session: Session, user: User, account_id: int, line_id: int) -> None:
    get_writable_account(session, user, account_id)
    _line(session, line_id)
    flag = session.get(WhitespaceFlag, (account_id, line_id))
    if flag is None:
        return
    audit.record(session, user, "delete", ENTITY, f"{account_id}:{line_id}",
                 before={"product_line_id": line_id, "reason": flag.reason},
                 account_id=account_id)
    session.delete(flag)
    session.flush()
