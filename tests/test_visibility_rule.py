"""The visibility rule is one rule in several forms (``accord.accounts.visibility``): the
plain-Python ``sees_account`` and every SQL rendering select the same accounts, on SQLite and
PostgreSQL, for any users, teams, accounts and account teams."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from accord.accounts import visibility
from accord.accounts.contacts import contact_in_reach
from accord.accounts.models import Account, AccountContact, AccountMember, Contact
from accord.accounts.visibility import (
    sees_account,
    sees_everything,
    visible_accounts,
    visible_filter,
    visible_row,
)
from accord.core.database import utcnow
from accord.core.models import Role, Team, User

ROLES = [r.value for r in Role]


@dataclass(frozen=True)
class World:
    """Users (role, active, team index), teams (head index), accounts (manager index,
    member indexes); indexes into the lists, None for none."""

    users: list[tuple[str, bool, int | None]]
    heads: list[int | None]
    accounts: list[tuple[int | None, frozenset[int]]]


@st.composite
def worlds(draw: Any) -> World:
    n_users = draw(st.integers(1, 7))
    n_teams = draw(st.integers(0, 3))
    user = st.integers(0, n_users - 1)
    team = st.none() | st.integers(0, n_teams - 1) if n_teams else st.none()
    users = [
        (draw(st.sampled_from(ROLES)), draw(st.booleans()), draw(team)) for _ in range(n_users)
    ]
    heads = [draw(st.none() | user) for _ in range(n_teams)]
    accounts = draw(
        st.lists(st.tuples(st.none() | user, st.frozensets(user, max_size=3)), max_size=8)
    )
    return World(users, heads, accounts)


def _build(s: Any, world: World) -> tuple[list[User], list[int]]:
    now = utcnow()
    teams = [Team(name=f"team {i}") for i in range(len(world.heads))]
    s.add_all(teams)
    s.flush()
    users = [
        User(email=f"u{i}@rule.test", name=f"U{i}", role=role, is_active=active,
             team_id=None if t is None else teams[t].id, capacity=100, created_at=now)
        for i, (role, active, t) in enumerate(world.users)
    ]
    s.add_all(users)
    s.flush()
    for t, head in zip(teams, world.heads, strict=True):
        t.head_id = None if head is None else users[head].id
    accounts = [
        Account(name=f"A{i}", name_key=f"a{i}", kind="company", status="active",
                manager_id=None if m is None else users[m].id, created_at=now, updated_at=now)
        for i, (m, _) in enumerate(world.accounts)
    ]
    s.add_all(accounts)
    s.flush()
    for account, (_, members) in zip(accounts, world.accounts, strict=True):
        s.add_all(AccountMember(account_id=account.id, user_id=users[u].id, role="member")
                  for u in members)
    s.flush()
    return users, [a.id for a in accounts]


def _by_the_rule(world: World, users: list[User], ids: list[int], who: int) -> set[int]:
    """What the plain-Python rule shows ``users[who]``, from the world as drawn."""
    seen = set()
    for account_id, (manager, members) in zip(ids, world.accounts, strict=True):
        team = None if manager is None else world.users[manager][2]
        head = None if team is None else world.heads[team]
        if sees_account(
            users[who],
            manager_id=None if manager is None else users[manager].id,
            member_ids={users[m].id for m in members},
            manager_team_head_id=None if head is None else users[head].id,
        ):
            seen.add(account_id)
    return seen


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds(), inline=st.sampled_from([0, 1, visibility.MEMBER_IDS_INLINE]))
def test_every_form_of_the_rule_selects_the_same_accounts(sessions, world, inline) -> None:
    with sessions() as s:
        users, ids = _build(s, world)
        mine = Account.id.in_(ids)  # the database may hold other accounts
        saved = visibility.MEMBER_IDS_INLINE
        visibility.MEMBER_IDS_INLINE = inline
        try:
            for who, user in enumerate(users):
                expected = _by_the_rule(world, users, ids, who)
                role, active, _ = world.users[who]
                assert sees_everything(user) == (active and role in {"admin", "billing",
                                                                    "viewer"})
                if sees_everything(user):
                    assert expected == set(ids)
                forms = {
                    "visible_accounts": visible_accounts(user),
                    "visible_filter": visible_filter(s, user),
                    "visible_row": visible_row(user, Account.id),
                }
                for name, condition in forms.items():
                    got = set(s.scalars(select(Account.id).where(mine, condition)))
                    assert got == expected, (name, world.users[who])
                # driven by another row (as the decisions are): the membership rows
                driven = set(s.scalars(
                    select(AccountMember.account_id)
                    .join(Account, Account.id == AccountMember.account_id)
                    .where(mine, visible_row(user, AccountMember.account_id))
                ))
                with_members = {i for i, (_, m) in zip(ids, world.accounts, strict=True) if m}
                assert driven == expected & with_members
        finally:
            visibility.MEMBER_IDS_INLINE = saved
            s.rollback()


def test_a_deactivated_admin_reaches_no_contact(db, cast) -> None:
    """The contacts import asked "sees everything?" without ``is_active``: a deactivated
    admin reached every contact (the reach rule is now ``sees_everything``)."""
    now = utcnow()
    person = Contact(name="Pat Buyer", email="pat@acme.test", created_at=now, updated_at=now)
    db.add(person)
    db.flush()
    db.add(AccountContact(account_id=cast.acme_id, contact_id=person.id))
    db.flush()
    admin = db.merge(cast.admin)
    assert contact_in_reach(db, admin, person.id)
    admin.is_active = False
    assert not sees_everything(admin)
    assert not contact_in_reach(db, admin, person.id)
