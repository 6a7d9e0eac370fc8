"""Who should take an account, moves and the rebalance (issue 17), on both databases:
the suggestions' ranking and reasons, a move opening the hand-over and changing both loads,
a move to another segment without a reason, an account out of reach (a clear error and
nothing written), the rebalance applying only the moves accepted; and the doors (API,
pages, ``accord team``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from accord.accounts.models import Account
from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.handoffs.models import Handoff
from accord.selection.models import Scoring
from accord.selection.queries import update_current
from accord.team import moves, rules, suggest, workload
from conftest import api_client
from page_helpers import sign_in

TODAY = date(2026, 3, 16)
runner = CliRunner()


@dataclass
class World:
    acme: int
    group: int  # Acme's parent, the teammate's
    parts: int  # Acme's sibling, the teammate's
    person: int  # an individual client of the owner's (Consumer)
    small: list[int]  # the owner's not-key companies
    carol: int  # a North manager serving Consumer
    dave: int  # a North manager serving Manufacturing, busier than the teammate


def _account(s: Session, name: str, manager_id: int, *, segment: str = "Manufacturing",
             kind: str = "company", parent_id: int | None = None,
             industry: str | None = None) -> int:
    now = datetime.now(UTC)
    a = Account(name=name, name_key=name.lower(), kind=kind, status="active", segment=segment,
                manager_id=manager_id, parent_id=parent_id, industry=industry,
                created_at=now, updated_at=now)
    s.add(a)
    s.flush()
    return a.id


def _key(s: Session, account_id: int) -> None:
    s.add(Scoring(account_id=account_id, scored_on=date(2026, 1, 5), scored_by="t@accord.test",
                  competitor_name="Rival", attractiveness_milli=8000, us_weighted=800,
                  competitor_weighted=400, detail={}, created_at=datetime.now(UTC)))
    s.flush()
    update_current(s, account_id)


@pytest.fixture
def world(sessions, cast, password_hash) -> World:
    """North (head): the owner (Manufacturing, capacity 20) holds Acme (key) and twelve small
    companies: over capacity. The teammate (Manufacturing) manages Acme's parent and sibling;
    Dave (Manufacturing) holds more; Carol serves Consumer. South: the outsider (Globex)."""
    with sessions.begin() as s:
        owner, teammate = s.get(User, cast.owner.id), s.get(User, cast.teammate.id)
        owner.segment, owner.capacity = "Manufacturing", 20
        teammate.segment = "Manufacturing"
        s.get(User, cast.outsider.id).segment = "Manufacturing"

        def manager(email: str, name: str, segment: str) -> int:
            u = User(email=email, role="manager", name=name, password_hash=password_hash,
                     capacity=100, is_active=True, created_at=datetime.now(UTC),
                     team_id=owner.team_id, segment=segment)
            s.add(u)
            s.flush()
            return u.id

        carol = manager("carol@accord.test", "Carol Consumer", "Consumer")
        dave = manager("dave@accord.test", "Dave Busy", "Manufacturing")
        group = _account(s, "Acme Group", teammate.id)
        parts = _account(s, "Acme Parts", teammate.id, parent_id=group, industry="Machinery")
        acme = s.get(Account, cast.acme_id)
        acme.parent_id, acme.industry = group, "Machinery"
        _key(s, acme.id)
        small = [_account(s, f"Small {i:02d}", owner.id) for i in range(12)]
        for i in range(6):
            _account(s, f"Dave {i}", dave, industry="Machinery" if i == 0 else None)
        person = _account(s, "Pat Person", owner.id, segment="Consumer", kind="person")
    return World(cast.acme_id, group, parts, person, small, carol, dave)


def _audits(db) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _handoffs(db) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(Handoff)) or 0)


def _loads(db, user, ids) -> dict[int, Decimal]:
    return {load.manager_id: load.points for load in workload.loads(db, user, TODAY)
            if load.manager_id in ids}


def test_suggestions_rank_by_spare_capacity_with_the_reasons(db, cast, world) -> None:
    head = db.merge(cast.head)
    out = suggest.suggestions(db, head, TODAY, world.acme)
    assert out.key and out.segment == "Manufacturing" and out.manager_id == cast.owner.id
    assert out.arrival == Decimal("2")  # the hand-over its move opens
    ranked = [s.manager_id for s in out.suggestions]
    # Manufacturing managers of North: the teammate (2 points) before Dave (6); Carol serves
    # Consumer, the outsider is in South, the owner holds it already
    assert ranked == [cast.teammate.id, world.dave]
    assert out.other_segments == 1
    best, second = out.suggestions
    assert best.points_after == best.points + out.points + out.arrival
    assert best.spare_after == best.capacity - best.points_after and best.fits
    assert {(r.relation, r.count) for r in best.related} == {("parent", 1), ("sibling", 1)}
    assert best.same_industry == 1 and second.same_industry == 1
    words = " ".join(best.reasons)
    assert "Acme Group" in words and "spare" in words and "key account" in words
    assert best.key_accounts_after == best.key_accounts + 1
    # an admin may give it to South's Manufacturing manager too
    admin = db.merge(cast.admin)
    assert cast.outsider.id in [s.manager_id for s in suggest.suggest(db, admin, TODAY,
                                                                      world.acme)]
    # an individual client goes to the Consumer manager
    assert [s.manager_id for s in suggest.suggest(db, head, TODAY, world.person)] == [
        world.carol]


def test_suggestions_out_of_reach_are_refused_and_write_nothing(db, cast, world) -> None:
    before = _audits(db)
    with pytest.raises(NotFound):
        suggest.suggestions(db, db.merge(cast.head), TODAY, cast.globex_id)
    with pytest.raises(NotFound):
        suggest.suggestions(db, db.merge(cast.head), TODAY, 2**40)
    with pytest.raises(Forbidden):  # a manager sees Acme but does not re-assign
        suggest.suggestions(db, db.merge(cast.owner), TODAY, world.acme)
    assert _audits(db) == before


def test_a_move_opens_the_hand_over_and_changes_both_loads(sessions, db, cast, world) -> None:
    head = db.merge(cast.head)
    ids = {cast.owner.id, cast.teammate.id}
    before = _loads(db, head, ids)
    weighed = suggest.suggestions(db, head, TODAY, world.acme)
    db.rollback()
    with sessions.begin() as s:
        out = moves.move(s, s.merge(cast.head), TODAY, world.acme, cast.teammate.id, None)
    assert out.from_manager_id == cast.owner.id and not out.cross_segment
    handoff = db.get(Handoff, out.handoff_id)
    assert handoff is not None and handoff.kind == "manager" and handoff.state == "draft"
    assert (handoff.author_id, handoff.receiver_id) == (cast.owner.id, cast.teammate.id)
    assert db.get(Account, world.acme).manager_id == cast.teammate.id
    after = _loads(db, db.merge(cast.head), ids)
    assert after[cast.owner.id] == before[cast.owner.id] - weighed.points
    assert after[cast.teammate.id] == (before[cast.teammate.id] + weighed.points
                                       + weighed.arrival)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity == "account",
                                               AuditEntry.action == "update")
                      .order_by(AuditEntry.id.desc()).limit(1))
    assert entry is not None and entry.after == {"manager_id": cast.teammate.id}
    assert entry.note == "team move"


def test_bad_moves_are_refused_and_write_nothing(sessions, db, cast, world) -> None:
    audits, handoffs = _audits(db), _handoffs(db)

    def refused(account_id: int, to: int, reason: str | None = None, who: str = "head") -> str:
        with pytest.raises((ValidationFailed, NotFound, Forbidden)) as caught:
            with sessions.begin() as s:
                moves.move(s, s.merge(getattr(cast, who)), TODAY, account_id, to, reason)
        error = caught.value
        return ",".join(p.field for p in error.problems) if isinstance(
            error, ValidationFailed) else type(error).__name__

    assert refused(world.acme, world.carol) == "reason"  # Consumer, no reason
    assert refused(world.acme, world.carol, "   ") == "reason"
    assert refused(world.acme, cast.outsider.id) == "to_manager_id"  # South
    assert refused(world.acme, cast.owner.id) == "to_manager_id"  # its own
    for bad in (0, -5, 2**31, 2**63):
        assert refused(world.acme, bad) == "to_manager_id"
    assert refused(world.acme, cast.teammate.id, "x" * 501) == "reason"
    assert refused(world.acme, cast.teammate.id, "bad\x00") == "reason"
    assert refused(cast.globex_id, cast.teammate.id) == "NotFound"
    assert refused(-1, cast.teammate.id) == "NotFound"
    assert refused(world.acme, cast.teammate.id, who="owner") == "Forbidden"
    assert _audits(db) == audits and _handoffs(db) == handoffs
    assert db.get(Account, world.acme).manager_id == cast.owner.id
    # with a reason, a move to another segment is made and says so
    with sessions.begin() as s:
        out = moves.move(s, s.merge(cast.head), TODAY, world.acme, world.carol, "she knows them")
    assert out.cross_segment and out.reason == "she knows them"


def test_the_rebalance_proposes_non_key_moves_and_applies_only_those_accepted(
    sessions, db, cast, world
) -> None:
    head = db.merge(cast.head)
    proposal = moves.rebalance(db, head, TODAY)
    assert proposal.over_before == 1 and proposal.still_over == []
    assert proposal.moves and proposal.key_moves == 0
    serving = {"Manufacturing": {cast.teammate.id, world.dave}, "Consumer": {world.carol}}
    for m in proposal.moves:  # to North's managers of the account's segment
        assert m.from_manager_id == cast.owner.id
        assert m.to_manager_id in serving[m.segment or ""]
    balance = {b.manager_id: b for b in proposal.managers}
    assert balance[cast.owner.id].over_before and not balance[cast.owner.id].over_after
    assert cast.outsider.id not in balance  # South is not the head's
    accepted = next(m for m in proposal.moves if m.kind == "company")
    db.rollback()
    with sessions.begin() as s:
        applied = moves.apply(s, s.merge(cast.head), TODAY,
                              [(accepted.account_id, accepted.to_manager_id, None)])
    assert [m.account_id for m in applied.moves] == [accepted.account_id]
    held = dict(db.execute(select(Account.id, Account.manager_id)
                           .where(Account.id.in_([m.account_id for m in proposal.moves]))).all())
    assert held[accepted.account_id] == accepted.to_manager_id
    others = [m for m in proposal.moves if m.account_id != accepted.account_id]
    assert others and all(held[m.account_id] == cast.owner.id for m in others)
    # one refused move refuses them all: nothing written
    audits = _audits(db)
    second = others[0]
    with pytest.raises(ValidationFailed) as caught, sessions.begin() as s:
        moves.apply(s, s.merge(cast.head), TODAY, [
            (second.account_id, second.to_manager_id, None), (world.acme, world.carol, None)])
    assert [p.field for p in caught.value.problems] == ["moves.1.reason"]
    assert _audits(db) == audits
    assert db.get(Account, second.account_id).manager_id == cast.owner.id


def _client(app, sessions, email: str) -> TestClient:
    """An API client of the user as the world left them (``cast.token`` would merge the cast's
    own copy back, undoing the world's capacities and segments)."""
    from accord.users.service import issue_token

    with sessions.begin() as s:
        user = s.scalar(select(User).where(User.email == email))
        assert user is not None
        return api_client(app, issue_token(s, None, user.id, "test").token)


def test_the_api(app, sessions, db, cast, world) -> None:
    head = _client(app, sessions, "head@accord.test")
    got = head.get(f"/api/v1/team/suggestions?account_id={world.acme}")
    assert got.status_code == 200, got.text
    assert got.json()["suggestions"][0]["manager_id"] == cast.teammate.id
    assert head.get(f"/api/v1/team/suggestions?account_id={cast.globex_id}").status_code == 404
    owner = _client(app, sessions, "owner@accord.test")
    assert owner.get(f"/api/v1/team/suggestions?account_id={world.acme}").status_code == 403
    audits = _audits(db)
    for body, field in (({"account_id": world.acme, "to_manager_id": world.carol}, "reason"),
                        ({"account_id": world.acme, "to_manager_id": -1}, "to_manager_id"),
                        ({"account_id": world.acme, "to_manager_id": 0, "extra": 1}, None)):
        bad = head.post("/api/v1/team/moves", json=body)
        assert bad.status_code == 422, bad.text
        if field:
            assert field in {e["field"].split(".")[-1] for e in bad.json()["errors"]}
    hidden = head.post("/api/v1/team/moves",
                       json={"account_id": cast.globex_id, "to_manager_id": cast.teammate.id})
    assert hidden.status_code == 404
    assert _audits(db) == audits
    proposal = head.get("/api/v1/team/rebalance")
    assert proposal.status_code == 200, proposal.text
    assert proposal.json()["moves"], proposal.text
    first = proposal.json()["moves"][0]
    applied = head.post("/api/v1/team/rebalance", json={"moves": [
        {"account_id": first["account_id"], "to_manager_id": first["to_manager_id"]}]})
    assert applied.status_code == 200, applied.text
    assert [m["account_id"] for m in applied.json()["moves"]] == [first["account_id"]]
    assert head.get(f"/api/v1/team/rebalance?team_id={2**40}").status_code == 422
    made = head.post("/api/v1/team/moves",
                     json={"account_id": world.acme, "to_manager_id": cast.teammate.id})
    assert made.status_code == 200, made.text
    assert made.json()["handoff_id"] is not None


def test_the_pages(app, db, cast, world) -> None:
    client = TestClient(app)
    csrf = sign_in(client, cast.head.email)
    page = client.get(f"/team/suggest?account_id={world.acme}")
    assert page.status_code == 200 and 'id="suggestion-' in page.text
    assert f'id="move-to-{cast.teammate.id}"' in page.text and "Acme Group" in page.text
    assert client.get(f"/team/suggest?account_id={cast.globex_id}").status_code == 404
    refused = client.post("/team/moves", data={
        "csrf_token": csrf, "account_id": str(world.acme), "to_manager_id": str(world.carol)},
        follow_redirects=False)
    assert refused.status_code == 422 and 'data-field="reason"' in refused.text
    assert db.get(Account, world.acme).manager_id == cast.owner.id
    proposal = client.get("/team/rebalance")
    assert proposal.status_code == 200 and 'id="apply-form"' in proposal.text
    none = client.post("/team/rebalance", data={"csrf_token": csrf}, follow_redirects=False)
    assert none.status_code == 422 and 'id="apply-errors"' in none.text
    tick = f"{world.small[0]}:{world.dave}"
    done = client.post("/team/rebalance", data={"csrf_token": csrf, "move": tick},
                       follow_redirects=False)
    assert done.status_code == 303
    moved = client.post("/team/moves", data={
        "csrf_token": csrf, "account_id": str(world.acme),
        "to_manager_id": str(cast.teammate.id)}, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/team"
    db.rollback()
    assert db.get(Account, world.small[0]).manager_id == world.dave
    assert db.get(Account, world.acme).manager_id == cast.teammate.id


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def test_the_cli(db, cast, world, database_url) -> None:
    shown = _cli(database_url, "team", "suggest", "--account", "ACME", "--format", "json",
                 "--as", "head@accord.test")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["suggestions"][0]["email"] == "teammate@accord.test"
    hidden = _cli(database_url, "team", "suggest", "--account", "GLOBEX",
                  "--as", "head@accord.test")
    assert hidden.exit_code != 0 and "no account" in hidden.output
    across = _cli(database_url, "team", "move", "--account", "ACME", "--to", "carol@accord.test")
    assert across.exit_code == 2 and "reason" in across.output
    proposal = _cli(database_url, "team", "rebalance", "--team", "North")
    assert proposal.exit_code == 0 and "add --apply" in proposal.output
    db.rollback()
    assert db.get(Account, world.small[0]).manager_id == cast.owner.id
    applied = _cli(database_url, "team", "rebalance", "--apply", "--format", "json")
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.output)["applied"]["moves"]
    db.rollback()
    assert [load for load in workload.loads(db, db.merge(cast.admin), TODAY)
            if load.points > load.capacity] == []
    moved = _cli(database_url, "team", "move", "--account", str(world.acme), "--to",
                 "teammate@accord.test")
    assert moved.exit_code == 0 and "hand-off #" in moved.output, moved.output


def test_a_head_is_proposed_accounts_only_while_holding_some(sessions, db, cast, world) -> None:
    """A head who manages no account is a team's lead, not spare capacity: never suggested,
    never a rebalance's receiver; once holding an account of their own, proposed like any
    manager (``rules.proposed_to``)."""
    assert rules.proposed_to("manager", 0) and rules.proposed_to("head", 1)
    assert not rules.proposed_to("head", 0)
    with sessions.begin() as s:  # the head a member of North, as in the demo: on its page
        s.get(User, cast.head.id).team_id = s.get(User, cast.owner.id).team_id
    db.rollback()
    head = db.merge(cast.head)
    assert cast.head.id in {load.manager_id for load in workload.loads(db, head, TODAY)}
    suggested = [s.manager_id for s in suggest.suggest(db, head, TODAY, world.acme)]
    assert cast.head.id not in suggested
    proposal = moves.rebalance(db, head, TODAY)
    assert cast.head.id not in {m.to_manager_id for m in proposal.moves}
    db.rollback()
    with sessions.begin() as s:
        _account(s, "Head's Own Ltd", cast.head.id)
    db.rollback()
    suggested = [s.manager_id for s in suggest.suggest(db, db.merge(cast.head), TODAY,
                                                        world.acme)]
    assert cast.head.id in suggested


def test_bad_rebalance_applications_are_refused_and_write_nothing(app, sessions, db, cast,
                                                                  world) -> None:
    """An account listed twice, a move that is not ``account:manager``, a missing account:
    each a 422 (or the page again naming the problem) with nothing moved or audited."""
    head = _client(app, sessions, "head@accord.test")
    audits = _audits(db)
    twice = {"moves": [{"account_id": world.acme, "to_manager_id": cast.teammate.id},
                       {"account_id": world.acme, "to_manager_id": world.dave}]}
    bad = head.post("/api/v1/team/rebalance", json=twice)
    assert bad.status_code == 422 and "twice" in bad.text, bad.text
    assert _audits(db) == audits
    client = TestClient(app)
    csrf = sign_in(client, cast.head.email)
    audits = _audits(db)  # the sign-in's own entry counted
    for move in ("abc", "1:x", f"{world.acme}:", ":5"):
        page = client.post("/team/rebalance", data={"csrf_token": csrf, "move": move},
                           follow_redirects=False)
        assert page.status_code == 422, (move, page.status_code)
    for data in ({}, {"account_id": "x", "to_manager_id": str(cast.teammate.id)}):
        page = client.post("/team/moves", data={"csrf_token": csrf, **data},
                           follow_redirects=False)
        assert page.status_code in (404, 422), (data, page.status_code)
    db.rollback()
    assert db.get(Account, world.acme).manager_id == cast.owner.id
    assert _audits(db) == audits
