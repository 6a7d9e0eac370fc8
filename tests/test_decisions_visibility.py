"""The decisions list applies the same visibility rule as every other list."""

from __future__ import annotations

from sqlalchemy import select

from accord.accounts.models import Account, AccountMember
from accord.accounts.visibility import visible_accounts, visible_row
from accord.core.models import User
from kam_helpers import make_account


def test_the_per_row_rule_equals_the_core_rule_for_every_member_of_the_cast(sessions, cast) -> None:
    with sessions.begin() as s:
        extra = make_account(s, "Member Only", cast.outsider.id)
        s.add(AccountMember(account_id=extra, user_id=cast.teammate.id, role="member"))
        make_account(s, "Nobody's", None)
    with sessions.begin() as s:
        for who in (
            "admin",
            "head",
            "owner",
            "teammate",
            "outsider",
            "other_head",
            "viewer",
            "billing",
        ):
            user = s.get(User, getattr(cast, who).id)
            core = set(s.scalars(select(Account.id).where(visible_accounts(user))))
            mine = set(s.scalars(select(Account.id).where(visible_row(user, Account.id))))
            assert mine == core, who
        inactive = s.get(User, cast.owner.id)
        inactive.is_active = False
        assert not s.scalars(select(Account.id).where(visible_row(inactive, Account.id))).all()
