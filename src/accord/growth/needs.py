"""The client's needs: free text and a category, each linked to the product lines that answer
it; a need no line answers is a product gap, listed for the portfolio. Read by whoever sees
the account, written by whoever may change it; audited (``growth_need``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import (
    get_visible_account,
    get_writable_account,
    visible_filter,
)
from accord.core import audit
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.core.text import refused_character
from accord.growth import rules
from accord.growth.models import Need, NeedProductLine, ProductLine
from accord.growth.schemas import LineRef, NeedIn, NeedOut

ENTITY = "growth_need"
MAX_GAPS = 500


def _out(session: Session, needs: list[tuple[Need, str]]) -> list[NeedOut]:
    ids = [n.id for n, _ in needs]
    linked: dict[int, list[LineRef]] = {}
    if ids:
        for need_id, line_id, name in session.execute(
                select(NeedProductLine.need_id, ProductLine.id, ProductLine.name)
                .join(ProductLine, ProductLine.id == NeedProductLine.product_line_id)
                .where(NeedProductLine.need_id.in_(ids)).order_by(ProductLine.name)):
            linked.setdefault(need_id, []).append(LineRef(id=line_id, name=name))
    return [NeedOut(id=n.id, account_id=n.account_id, account_name=name, text=n.text,
                    category=n.category, product_lines=linked.get(n.id, []),
                    gap=not linked.get(n.id)) for n, name in needs]


def list_needs(session: Session, user: User, account_id: int) -> list[NeedOut]:
    account = get_visible_account(session, user, account_id)
    needs = session.scalars(select(Need).where(Need.account_id == account.id)
                            .order_by(Need.id)).all()
    return _out(session, [(n, account.name) for n in needs])


def add_need(session: Session, user: User, account_id: int, data: NeedIn) -> NeedOut:
    account = get_writable_account(session, user, account_id)
    problems = []
    if data.category not in rules.NEED_CATEGORIES:
        problems.append(FieldProblem("category", "one of " + ", ".join(rules.NEED_CATEGORIES)))
    if refused_character(data.text):
        problems.append(FieldProblem("text", "control characters are not allowed"))
    line_ids = sorted(set(data.product_line_ids))
    if line_ids:
        known = set(session.scalars(select(ProductLine.id).where(ProductLine.id.in_(line_ids))))
        if known != set(line_ids):
            problems.append(FieldProblem("product_line_ids", "unknown product line"))
    if problems:
        raise ValidationFailed(problems)
    need = Need(account_id=account.id, text=data.text, category=data.category,
                created_by_id=user.id)
    session.add(need)
    session.flush()
    session.add_all([NeedProductLine(need_id=need.id, product_line_id=i) for i in line_ids])
    session.flush()
    audit.record(session, user, "create", ENTITY, need.id, account_id=account.id,
                 after={"text": data.text, "category": data.category,
                        "product_line_ids": line_ids})
    return _out(session, [(need, account.name)])[0]


def delete_need(session: Session, user: User, account_id: int, need_id: int) -> None:
    account = get_writable_account(session, user, account_id)
    need = session.get(Need, need_id)
    if need is None or need.account_id != account.id:
        raise NotFound(f"no need {need_id}")
    audit.record(session, user, "delete", ENTITY, need.id, account_id=account.id,
                 before={"text": need.text, "category": need.category})
    session.delete(need)
    session.flush()


def gaps(session: Session, user: User) -> list[NeedOut]:
    """Needs no product line answers, at the accounts the user sees (newest first)."""
    answered = select(NeedProductLine.need_id).where(NeedProductLine.need_id == Need.id)
    rows = session.execute(
        select(Need, Account.name).join(Account, Account.id == Need.account_id)
        .where(~answered.exists(), visible_filter(session, user))
        .order_by(Need.id.desc()).limit(MAX_GAPS)).all()
    return _out(session, [(n, name) for n, name in rows])
