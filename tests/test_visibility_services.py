"""The visibility rule in the services themselves, where every front door gets it from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from accord.accounts import contacts, service
from accord.accounts.models import InteractionKind
from accord.accounts.schemas import AccountIn, AccountPatch, ContactIn, InteractionIn
from accord.core.errors import Forbidden, NotFound
from accord.revenue.service import monthly_revenue

CAST = ["admin", "head", "owner", "teammate", "outsider", "other_head", "viewer", "billing"]
SEES_ACME = {"admin", "head", "owner", "teammate", "viewer", "billing"}
SEES_GLOBEX = {"admin", "other_head", "outsider", "viewer", "billing"}
READ_ONLY = {"viewer", "billing"}


def as_(db, cast, who):
    return db.merge(getattr(cast, who))


READS = {
    "get_account": lambda s, u, a: service.get_account(s, u, a),
    "list_members": lambda s, u, a: service.list_members(s, u, a),
    "list_contacts": lambda s, u, a: contacts.list_contacts(s, u, a),
    "timeline": lambda s, u, a: contacts.timeline(s, u, a),
    "count_interactions": lambda s, u, a: contacts.count_interactions(s, u, a),
    "monthly_revenue": lambda s, u, a: monthly_revenue(s, u, a),
}
WRITES: dict[str, Callable[[Any, Any, int], Any]] = {
    "update_account": lambda s, u, a: service.update_account(s, u, a, AccountPatch(notes="x")),
    "set_members": lambda s, u, a: service.set_members(s, u, a, [u.id] if u.id else []),
    "add_contact": lambda s, u, a: contacts.add_contact(s, u, a, ContactIn(name="Pat New")),
    "log_interaction": lambda s, u, a: contacts.log_interaction(
        s,
        u,
        a,
        InteractionIn(kind=InteractionKind.NOTE, occurred_on=date(2024, 1, 1), summary="noted"),
        today=date(2024, 1, 2),
    ),
}


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize("who", CAST)
def test_reads_of_acme_succeed_only_for_those_who_see_it(db, cast, who, read) -> None:
    user = as_(db, cast, who)
    if who in SEES_ACME:
        READS[read](db, user, cast.acme_id)
    else:
        with pytest.raises(NotFound) as caught:
            READS[read](db, user, cast.acme_id)
        assert "Acme" not in caught.value.detail


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("who", CAST)
def test_writes_to_acme_follow_the_rule(db, cast, who, write) -> None:
    user = as_(db, cast, who)
    if who not in SEES_ACME:
        with pytest.raises(NotFound):
            WRITES[write](db, user, cast.acme_id)
    elif who in READ_ONLY:
        with pytest.raises(Forbidden):
            WRITES[write](db, user, cast.acme_id)
    else:
        WRITES[write](db, user, cast.acme_id)


@pytest.mark.parametrize("who", CAST)
def test_the_list_and_the_external_id_lookup_agree_with_the_rule(db, cast, who) -> None:
    user = as_(db, cast, who)
    listed = {a.external_id for a in service.list_accounts(db, user).items}
    streamed = {a.external_id for a in service.iter_visible_accounts(db, user)}
    wanted = {e for e, seers in (("ACME", SEES_ACME), ("GLOBEX", SEES_GLOBEX)) if who in seers}
    assert listed == streamed == wanted
    for ext, seers in (("ACME", SEES_ACME), ("GLOBEX", SEES_GLOBEX)):
        if who in seers:
            assert service.find_account_by_external_id(db, user, ext).external_id == ext
        else:
            with pytest.raises(NotFound):
                service.find_account_by_external_id(db, user, ext)


@pytest.mark.parametrize("who", CAST)
def test_only_an_admin_deletes_and_an_outsider_learns_nothing(db, cast, who) -> None:
    user = as_(db, cast, who)
    if who == "admin":
        service.delete_account(db, user, cast.acme_id)
        with pytest.raises(NotFound):
            service.get_account(db, user, cast.acme_id)
    elif who in SEES_ACME:
        with pytest.raises(Forbidden):
            service.delete_account(db, user, cast.acme_id)
    else:
        with pytest.raises(NotFound):
            service.delete_account(db, user, cast.acme_id)


@pytest.mark.parametrize("who", CAST)
def test_a_contact_is_visible_through_its_accounts_only(db, cast, who) -> None:
    admin = as_(db, cast, "admin")
    person = contacts.add_contact(db, admin, cast.acme_id, ContactIn(name="Ann Acmeson"))
    user = as_(db, cast, who)
    if who in SEES_ACME:
        assert contacts.get_contact(db, user, person.id).account_ids == [cast.acme_id]
    else:
        with pytest.raises(NotFound):
            contacts.get_contact(db, user, person.id)


def test_a_manager_creates_accounts_of_their_own_and_a_viewer_none(db, cast) -> None:
    owner = as_(db, cast, "owner")
    made = service.create_account(db, owner, AccountIn(name="Initech"))
    assert made.manager_id == cast.owner.id
    with pytest.raises(Forbidden):
        service.create_account(db, as_(db, cast, "viewer"), AccountIn(name="Umbrella"))
    with pytest.raises(Forbidden):
        service.create_account(db, as_(db, cast, "billing"), AccountIn(name="Umbrella"))
    outsider = as_(db, cast, "outsider")
    assert "Initech" not in {a.name for a in service.list_accounts(db, outsider).items}


def test_a_disabled_user_sees_nothing(db, cast) -> None:
    owner = as_(db, cast, "owner")
    owner.is_active = False
    assert service.list_accounts(db, owner).total == 0
    with pytest.raises(NotFound):
        service.get_account(db, owner, cast.acme_id)


def test_the_head_sees_an_account_moved_into_their_team(db, cast) -> None:
    head = as_(db, cast, "head")
    with pytest.raises(NotFound):
        service.get_account(db, head, cast.globex_id)
    service.update_account(
        db, as_(db, cast, "admin"), cast.globex_id, AccountPatch(manager_id=cast.owner.id)
    )
    assert service.get_account(db, head, cast.globex_id).name == "Globex Corporation"
    with pytest.raises(NotFound):
        service.get_account(db, as_(db, cast, "other_head"), cast.globex_id)


# ------------------------------------------------------------------ the rule shaped for lists


def _varied_portfolio(db, cast) -> None:
    """Accounts of every kind of reach: each manager's, nobody's, and some team memberships
    (for the head too), in several segments."""
    from accord.accounts.models import Account, AccountMember
    from accord.core.database import utcnow

    now = utcnow()
    owners = [cast.owner.id, cast.teammate.id, cast.outsider.id, cast.head.id, None]
    made = [
        Account(
            name=f"Reach {i:02d}",
            name_key=f"reach {i:02d}",
            kind="company",
            status="active",
            segment=(None, "Retail", "Energy", "Public")[i % 4],
            manager_id=owners[i % len(owners)],
            created_at=now,
            updated_at=now,
        )
        for i in range(40)
    ]
    db.add_all(made)
    db.flush()
    for account in made[::3]:
        db.add(AccountMember(account_id=account.id, user_id=cast.teammate.id, role="member"))
    for account in made[2::7]:
        db.add(AccountMember(account_id=account.id, user_id=cast.head.id, role="member"))
    db.flush()


@pytest.mark.parametrize("inline", [True, False])
@pytest.mark.parametrize("who", CAST)
def test_the_list_rule_selects_what_the_rule_shows(db, cast, who, inline, monkeypatch) -> None:
    from sqlalchemy import select

    from accord.accounts import visibility
    from accord.accounts.models import Account

    if not inline:  # memberships tested by subquery, as for someone on very many accounts
        monkeypatch.setattr(visibility, "MEMBER_IDS_INLINE", 0)
    _varied_portfolio(db, cast)
    user = as_(db, cast, who)
    ruled = set(db.scalars(select(Account.id).where(visibility.visible_accounts(user))))
    listed = set(db.scalars(select(Account.id).where(visibility.visible_filter(db, user))))
    assert listed == ruled and ruled
    page = service.list_accounts(db, user, page_size=200)
    assert {a.id for a in page.items} == ruled and page.total == len(ruled)
    segments = db.scalars(
        select(Account.segment).where(Account.id.in_(ruled), Account.segment.is_not(None))
    )
    assert service.distinct_segments(db, user) == sorted(set(segments))


def test_a_disabled_user_has_no_segments_to_choose(db, cast) -> None:
    _varied_portfolio(db, cast)
    owner = as_(db, cast, "owner")
    owner.is_active = False
    assert service.distinct_segments(db, owner) == []
    assert service.list_accounts(db, owner, service.AccountFilter(q="reach")).total == 0


@pytest.mark.parametrize("sort", list(service.SORTS))
@pytest.mark.parametrize("who", ["admin", "head", "teammate"])
def test_pages_in_every_order_cover_what_the_user_sees_once(db, cast, who, sort) -> None:
    _varied_portfolio(db, cast)
    user = as_(db, cast, who)
    whole = service.list_accounts(db, user, sort=sort, page_size=200)
    paged: list[int] = []
    for number in range(1, whole.total // 7 + 3):  # one page past the end too
        chunk = service.list_accounts(db, user, sort=sort, page=number, page_size=7)
        assert chunk.total == whole.total
        paged += [a.id for a in chunk.items]
    assert paged == [a.id for a in whole.items]
    assert len(set(paged)) == whole.total
