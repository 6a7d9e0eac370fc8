"""Reading the individual clients' scores (issue 16, ``clients.reading``) on both databases:
the lists' membership and order (win-back, at risk, best, all), their filters, sorts and
pages, the overview (tiles, the RFM grid, the R × FM counts, the P(alive) distribution)
recomputed here in Python from the rows inserted, who sees whom (a manager only their
clients), one person account's figures, and bad filters refused naming the field.

The scores are inserted directly (a fit's rows, as ``clients.fitting`` stores them): these
tests are about reading them."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountMember
from accord.clients import reading
from accord.clients.models import ClientFit, ClientProfile, ClientScore
from accord.core.database import utcnow
from accord.core.errors import NotFound, ValidationFailed
from accord.core.models import User
from accord.core.policy_store import KamSetting

CALIBRATION_END = date(2026, 6, 30)
#: the setting the tests read (stored, so that the thresholds are the tests' own)
SEGMENTS = [("champions", (4, 5), (4, 5)), ("loyal", (3, 5), (3, 5)), ("new", (4, 5), (1, 2)),
            ("at risk", (1, 2), (3, 5)), ("lost", (1, 1), (1, 2)), ("others", (1, 5), (1, 5))]
POLICY = {"lapsed_below": "0.30", "winback_p_alive_below": "0.50",
          "winback_min_past_cents": 1000, "at_risk_drop": "0.15", "best_p_alive_above": "0.70",
          "segments": [{"name": n, "r": list(r), "fm": list(fm)} for n, r, fm in SEGMENTS]}
#: P(alive) values on the bins' and the lists' edges, used before random ones
EDGES = [0.0, 0.1, 0.3, 0.5, 0.7, 1.0, 0.2999, 0.7001]


def segment_of(r: int | None, f: int | None, m: int | None) -> str | None:
    if r is None or f is None or m is None:
        return None
    fm = int(Decimal(f + m) / 2 + Decimal("0.5"))  # round half up
    return next(n for n, (r0, r1), (f0, f1) in SEGMENTS if r0 <= r <= r1 and f0 <= fm <= f1)


@dataclass
class Client:
    account_id: int
    name: str
    manager_id: int
    r: int | None
    f: int | None
    m: int | None
    segment: str | None
    p: float
    previous: float | None
    total: int
    value: int
    expected: float
    last: date


@dataclass
class World:
    clients: list[Client] = field(default_factory=list)
    unscored: int = 0  # a person account without a score
    fit_id: int = 0
    seen_by: dict[str, set[int]] = field(default_factory=dict)


def add_fit(s: Session, *, kind: str = "scores", validation: Any = None) -> int:
    fit = ClientFit(kind=kind, unit="week", first_purchase_on=date(2023, 1, 2),
                    calibration_end=CALIBRATION_END, clients=10, triples=8, model="mbgnbd",
                    bg_r=0.243, bg_alpha=4.414, bg_a=0.793, bg_b=2.426,
                    bg_log_likelihood=-9582.4, bg_converged=True, mbg_r=0.525,
                    mbg_alpha=6.183, mbg_a=0.891, mbg_b=1.614, mbg_log_likelihood=-9560.1,
                    mbg_converged=True, gg_p=6.25, gg_q=3.74, gg_v=15.44, gg_converged=True,
                    horizon=52, discount_rate_e4=1000,
                    holdout_end=date(2026, 12, 31) if kind == "validation" else None,
                    validation=None if validation is None else json.dumps(validation))
    s.add(fit)
    s.flush()
    return int(fit.id)


def add_score(s: Session, account_id: int, fit_id: int, *, p: float, previous: float | None,
              total: int, value: int, r: int | None = 3, f: int | None = 3, m: int | None = 3,
              expected: float = 1.5, last: date = date(2026, 5, 1),
              purchases: int = 3) -> None:
    s.add(ClientScore(
        account_id=account_id, fit_id=fit_id, first_purchase_on=date(2024, 1, 5),
        last_purchase_on=last, purchases=purchases, x=purchases - 1, t_x=40.0, t=129.0,
        total_cents=total, repeat_mean_cents=total // max(purchases, 1),
        recency_days=(CALIBRATION_END - last).days, r_score=r, f_score=f, m_score=m,
        rfm_segment=segment_of(r, f, m), p_alive_bg=min(1.0, p + 0.1), p_alive_mbg=p,
        p_alive=p, p_alive_previous=previous, expected_purchases=expected,
        expected_spend_cents=2500, value_cents=value))


def person(s: Session, name: str, manager_id: int, external_id: str | None = None) -> int:
    now = utcnow()
    account = Account(name=name, name_key=name.lower(), kind="person", status="active",
                      manager_id=manager_id, external_id=external_id, created_at=now,
                      updated_at=now)
    s.add(account)
    s.flush()
    return int(account.id)


def arrange(sessions: Any, cast: Any, *, seed: int = 16) -> World:
    """Person accounts: 24 of the owner's, 10 of the teammate's (both North), 12 of the
    outsider's (South), two of which the owner is on the account team of; each scored with
    random figures (P(alive) on the edges first, totals with ties); one of the owner's
    clients has no score. The stored setting is ``POLICY``."""
    rng = random.Random(seed)
    world = World()
    with sessions.begin() as s:
        s.add(KamSetting(name="clients", value=POLICY, updated_by="test"))
        world.fit_id = add_fit(s)
        people = [(cast.owner.id, 24), (cast.teammate.id, 10), (cast.outsider.id, 12)]
        n = 0
        for manager_id, count in people:
            for i in range(count):
                name = f"Client {n:02d} of {manager_id}"
                account_id = person(s, name, manager_id, external_id=f"P-{n:03d}")
                scored = rng.random() > 0.12
                r, f, m = ((rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5))
                           if scored else (None, None, None))
                p = EDGES[n] if n < len(EDGES) else round(rng.random(), 4)
                previous = None if rng.random() < 0.3 else round(min(1.0, max(
                    0.0, p + rng.choice([-0.2, 0.0, 0.15, 0.1499, 0.3, 0.5]))), 4)
                if n == 9:
                    p, previous = 0.6, 0.75  # 0.75 − 0.6 is 0.1499999… in binary: at risk
                total = rng.choice([0, 999, 1000, 25_000, 25_000, rng.randrange(0, 900_000)])
                c = Client(account_id, name, manager_id, r, f, m, segment_of(r, f, m), p,
                           previous, total, rng.randrange(0, 400_000),
                           round(rng.random() * 4, 3),
                           CALIBRATION_END - timedelta(days=rng.randint(0, 700)))
                add_score(s, account_id, world.fit_id, p=c.p, previous=c.previous,
                          total=c.total, value=c.value, r=r, f=f, m=m, expected=c.expected,
                          last=c.last)
                world.clients.append(c)
                if manager_id == cast.outsider.id and i < 2:
                    s.add(AccountMember(account_id=account_id, user_id=cast.owner.id,
                                        role="member"))
                n += 1
        world.unscored = person(s, "Nobody Scored", cast.owner.id, external_id="P-NONE")
    owner, teammate, outsider = cast.owner.id, cast.teammate.id, cast.outsider.id
    members = {c.account_id for c in world.clients if c.manager_id == outsider}
    members = set(sorted(members)[:2])
    every = {c.account_id for c in world.clients}
    world.seen_by = {
        "admin": every, "viewer": every,
        "owner": {c.account_id for c in world.clients if c.manager_id == owner} | members,
        "head": {c.account_id for c in world.clients if c.manager_id in (owner, teammate)},
        "outsider": {c.account_id for c in world.clients if c.manager_id == outsider},
    }
    return world


def user(db: Session, cast: Any, who: str) -> User:
    found = db.get(User, getattr(cast, who).id)
    assert found is not None
    return found


# ---------------------------------------------------------------- the lists, recomputed


def on_list(name: str, c: Client) -> bool:
    if name == "winback":
        return c.p < 0.5 and c.total >= 1000
    if name == "at_risk":
        return c.previous is not None and c.previous - c.p >= 0.15 - 1e-9
    if name == "best":
        return c.p > 0.7
    return True


ORDER = {"winback": lambda c: (-c.total, c.account_id),
         "at_risk": lambda c: (-((c.previous or 0) - c.p), c.account_id),
         "best": lambda c: (-c.value, c.account_id), "all": lambda c: (-c.value, c.account_id)}


def expected(world: World, who: str, name: str, keep: Any = lambda c: True) -> list[int]:
    chosen = [c for c in world.clients
              if c.account_id in world.seen_by[who] and on_list(name, c) and keep(c)]
    return [c.account_id for c in sorted(chosen, key=ORDER[name])]


def listed(db: Session, u: User, per_page: int = 200, page: int = 1, **kw: Any
           ) -> reading.ClientList:
    return reading.client_list(db, u, reading.filters(**kw), page=page, per_page=per_page)


@pytest.mark.parametrize("who", ["admin", "owner", "head", "outsider"])
def test_each_list_holds_its_clients_in_its_order(sessions, cast, db, who) -> None:
    world = arrange(sessions, cast)
    u = user(db, cast, who)
    for name in reading.LISTS:
        got = listed(db, u, list_name=name)
        assert [r.account_id for r in got.rows] == expected(world, who, name), (who, name)
        assert got.total == len(got.rows)
    at_risk = listed(db, user(db, cast, "admin"), list_name="at_risk")
    assert world.clients[9].account_id in [r.account_id for r in at_risk.rows]  # 0.1499999…


def test_filters_sorts_and_pages(sessions, cast, db) -> None:
    world = arrange(sessions, cast)
    admin = user(db, cast, "admin")
    got = listed(db, admin, list_name="all", segment="loyal")
    assert [r.account_id for r in got.rows] == expected(world, "admin", "all",
                                                       lambda c: c.segment == "loyal")
    got = listed(db, admin, list_name="all", manager_id=str(cast.teammate.id),
                 min_value="250.00", p_alive_min="0.2", p_alive_max="0.9")
    assert [r.account_id for r in got.rows] == expected(
        world, "admin", "all", lambda c: c.manager_id == cast.teammate.id
        and c.total >= 25_000 and 0.2 <= c.p <= 0.9)
    got = listed(db, admin, list_name="all", q="client 1")  # Client 1x: ten of them
    assert sorted(r.account_id for r in got.rows) == sorted(
        c.account_id for c in world.clients if c.name.lower().startswith("client 1"))
    assert [r.account_id for r in listed(db, admin, list_name="all", q="P-007").rows] == [
        world.clients[7].account_id]  # an exact external id
    by_name = listed(db, admin, list_name="winback", sort="name")
    assert [r.name for r in by_name.rows] == sorted(r.name for r in by_name.rows)
    by_p = listed(db, admin, list_name="best", sort="p_alive")
    assert [(r.p_alive, r.account_id) for r in by_p.rows] == sorted(
        (r.p_alive, r.account_id) for r in by_p.rows)
    whole = expected(world, "admin", "all")
    pages = [listed(db, admin, list_name="all", per_page=7, page=k) for k in (1, 2, 8)]
    assert [r.account_id for r in pages[0].rows] == whole[:7]
    assert [r.account_id for r in pages[1].rows] == whole[7:14]
    assert pages[2].rows == [] and pages[2].total == len(whole) and pages[0].pages == 7
    row = next(r for r in listed(db, admin, list_name="all").rows
               if r.account_id == world.clients[0].account_id)
    c = world.clients[0]
    assert (row.past_value, row.value, row.p_alive) == (Decimal(c.total) / 100,
                                                         Decimal(c.value) / 100, c.p)


def test_bad_filters_name_their_field() -> None:
    with pytest.raises(ValidationFailed) as exc:
        reading.filters(list_name="everyone", min_value="-1", p_alive_min="2",
                        p_alive_max="x", sort="height", manager_id="0", q="a\x00b")
    assert {p.field for p in exc.value.problems} == {
        "list", "min_value", "p_alive_min", "p_alive_max", "sort", "manager_id", "q"}
    with pytest.raises(ValidationFailed) as exc:
        reading.filters(p_alive_min="0.8", p_alive_max="0.2")
    assert [p.field for p in exc.value.problems] == ["p_alive_min"]
    f = reading.filters(list_name="best", min_value="12.50", p_alive_max="0.95")
    assert (f.sort, f.min_value_cents, f.params()["min_value"]) == ("-value", 1250, "12.50")


# ---------------------------------------------------------------- the overview, recomputed


def recomputed(world: World, who: str) -> dict[str, Any]:
    seen = [c for c in world.clients if c.account_id in world.seen_by[who]]
    segments: dict[str | None, list[Any]] = {}
    grid = [[0] * 5 for _ in range(5)]
    bins = [0] * 10
    for c in seen:
        acc = segments.setdefault(c.segment, [0, 0, 0.0])
        acc[0], acc[1], acc[2] = acc[0] + 1, acc[1] + c.total, acc[2] + c.p
        if c.r is not None and c.f is not None and c.m is not None:
            fm = int(Decimal(c.f + c.m) / 2 + Decimal("0.5"))
            grid[c.r - 1][fm - 1] += 1
        bins[min(int(Decimal(str(c.p)) * 10), 9)] += 1
    return {"clients": len(seen), "grid": grid, "bins": bins,
            "segments": {k: (n, Decimal(t) / 100, p / n) for k, (n, t, p) in segments.items()},
            "lapsed": sum(c.p < 0.3 for c in seen),
            "value": Decimal(sum(c.value for c in seen)) / 100,
            "purchases": sum(c.expected for c in seen),
            "counts": {name: sum(on_list(name, c) for c in seen) for name in reading.LISTS}}


@pytest.mark.parametrize("who", ["admin", "owner", "head"])
def test_the_overview_agrees_with_the_rows(sessions, cast, db, who) -> None:
    world = arrange(sessions, cast)
    over = reading.overview(db, user(db, cast, who))
    want = recomputed(world, who)
    assert over.clients == want["clients"] and over.grid == want["grid"]
    assert over.histogram == want["bins"] and over.lapsed == want["lapsed"]
    assert over.expected_value == want["value"] and over.counts == want["counts"]
    assert over.expected_purchases == pytest.approx(want["purchases"])
    got = {s.segment: (s.clients, s.past_value, s.mean_p_alive) for s in over.segments}
    assert got.keys() == want["segments"].keys()
    for key, (n, past, mean) in want["segments"].items():
        assert got[key][:2] == (n, past) and got[key][2] == pytest.approx(mean)
    named = [s.segment for s in over.segments if s.segment]
    assert named == [n for n, _, _ in SEGMENTS if n in named]  # the setting's order
    assert over.segments[-1].segment is None or None not in got  # "no purchase" last
    assert over.fit is not None and over.fit.mbgnbd.r == 0.525 and over.validation is None
    assert over.fit.yearly_discount == Decimal("0.1")


def test_a_manager_sees_only_their_clients_and_a_specialist_none(sessions, cast, db) -> None:
    world = arrange(sessions, cast)
    owner = user(db, cast, "owner")
    ids = {r.account_id for r in listed(db, owner, list_name="all").rows}
    assert ids == world.seen_by["owner"] and len(ids) < len(world.clients)
    board = reading.dashboard(db, owner, reading.filters(list_name="all"), per_page=5)
    assert board.listing is not None and board.listing.total == len(ids)
    assert board.managers == []  # a manager narrows to nobody else
    head = reading.dashboard(db, user(db, cast, "head"), reading.filters(list_name="all"))
    assert {m for m, _ in head.managers} >= {cast.owner.id, cast.teammate.id}
    specialist = User(id=None, email="s@x.test", name="S", role="specialist", is_active=True)
    assert reading.overview(db, specialist).clients == 0
    assert listed(db, specialist, list_name="all").rows == []


def test_latest_validation_rows(sessions, cast, db) -> None:
    rows = {"by_purchases": [{"purchases": 0, "clients": 5, "actual": 0.2, "predicted": 0.25}],
            "cumulative": [{"week": 1, "actual": 3, "predicted": 2.5}], "errors": {"mae": 0.05}}
    with sessions.begin() as s:
        add_fit(s, kind="validation", validation={"old": True})
        add_fit(s, kind="validation", validation=rows)
    over = reading.overview(db, user(db, cast, "admin"))
    assert over.fit is None and over.validation is not None
    assert over.validation.validation == rows and over.clients == 0


# ---------------------------------------------------------------- one person account


def test_one_person_accounts_figures(sessions, cast, db) -> None:
    world = arrange(sessions, cast)
    c = world.clients[0]
    with sessions.begin() as s:
        s.add(ClientProfile(account_id=c.account_id, model_status="lapsed",
                            model_status_on=date(2026, 7, 1),
                            reason="P(alive) 0.00 below 0.30"))
    owner = user(db, cast, "owner")
    figures = reading.client_figures(db, owner, c.account_id)
    assert figures.scored and figures.p_alive == c.p and figures.value == Decimal(c.value) / 100
    assert (figures.status, figures.status_set_by, figures.horizon) == ("lapsed", "model", 52)
    assert figures.rfm == {"r": c.r, "f": c.f, "m": c.m, "segment": c.segment}
    assert reading.client_by_ref(db, owner, "P-000").account_id == c.account_id
    assert reading.client_by_ref(db, owner, str(c.account_id)).account_id == c.account_id
    assert reading.account_client(db, owner, c.account_id) == figures
    unscored = reading.client_figures(db, owner, world.unscored)
    assert not unscored.scored and unscored.p_alive is None
    assert reading.account_client(db, owner, world.unscored) is None
    assert reading.account_client(db, owner, cast.acme_id) is None
    with pytest.raises(ValidationFailed) as exc:
        reading.client_figures(db, owner, cast.acme_id)
    assert exc.value.problems[0].field == "account_id"
    hidden = next(x for x in world.clients if x.account_id not in world.seen_by["owner"])
    for missing in (hidden.account_id, 987654321):
        with pytest.raises(NotFound):
            reading.client_figures(db, owner, missing)
    with pytest.raises(NotFound):
        reading.client_by_ref(db, owner, "NO-SUCH-REF")
