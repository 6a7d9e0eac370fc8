"""What the growth pages show, each gathered by one call: an account's Growth tab (its
whitespace matrix, needs and the choices of the forms) and the portfolio view with the
product gaps. The use cases themselves are ``catalogue``, ``whitespace``, ``needs`` and
``portfolio``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import can_write, get_visible_account
from accord.core.models import User
from accord.growth import needs, portfolio, rules, whitespace
from accord.growth.schemas import Matrix, NeedOut, Portfolio


@dataclass
class GrowthTab:
    account: Account
    matrix: Matrix
    needs: list[NeedOut]
    can_write: bool
    categories: tuple[str, ...] = rules.NEED_CATEGORIES


def growth_tab(session: Session, user: User, account_id: int, *, today: date) -> GrowthTab:
    account = get_visible_account(session, user, account_id)
    return GrowthTab(account=account, matrix=whitespace.matrix(session, user, account_id,
                                                               today=today),
                     needs=needs.list_needs(session, user, account_id),
                     can_write=can_write(user))


@dataclass
class PortfolioPage:
    portfolio: Portfolio
    gaps: list[NeedOut]


def portfolio_page(session: Session, user: User, *, today: date) -> PortfolioPage:
    return PortfolioPage(portfolio=portfolio.portfolio(session, user, today=today),
                         gaps=needs.gaps(session, user))
