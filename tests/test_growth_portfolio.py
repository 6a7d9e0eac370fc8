"""The portfolio view and needs: key accounts buying each line, the whitespace value from
peers of the same segment and size band (lower median, only from 5 buyers), the product
gaps; visibility as everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.database import utcnow
from accord.growth import needs, portfolio, summary
from accord.growth.models import ProductLine, ProductLineRevenue, WhitespaceFlag
from accord.growth.schemas import NeedIn
from accord.selection.models import Scoring
from accord.selection.queries import update_current
from conftest import api_client

TODAY = date(2026, 3, 15)
AS_OF = 2026 * 12 + 1  # 2026-02


def _account(s: Session, name: str, manager_id: int | None, segment: str = "Retail") -> int:
    now = utcnow()
    a = Account(name=name, name_key=name.lower(), kind="company", status="active",
                segment=segment, size_band="large", manager_id=manager_id,
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


def _spend(s: Session, account_id: int, line_id: int, cents: int) -> None:
    s.add(ProductLineRevenue(account_id=account_id, product_line_id=line_id, month=AS_OF,
                             amount_cents=cents, line_count=1))


def test_the_whitespace_value_is_the_peers_lower_median(db, cast) -> None:
    owner = db.merge(cast.owner)
    widgets, rare = ProductLine(name="Widgets"), ProductLine(name="Rare")
    db.add_all([widgets, rare])
    db.flush()
    key = [_account(db, f"Key {i}", owner.id) for i in range(3)]
    for a in key:
        _key(db, a)
    buyers = [_account(db, f"Peer {i}", None) for i in range(5)]
    for a, cents, few in zip(buyers, [500, 100, 400, 200, 300], [0, 7, 7, 7, 7], strict=True):
        _spend(db, a, widgets.id, cents)
        _spend(db, a, rare.id, few)  # four buyers of Rare only: 0 is not buying
    _spend(db, key[0], widgets.id, 1000)
    db.add(WhitespaceFlag(account_id=key[2], product_line_id=widgets.id, reason="no"))
    db.flush()
    summary.refresh_peers(db, summary.revenue_window(db, TODAY))
    view = portfolio.portfolio(db, owner, today=TODAY)
    lines = {p.name: p for p in view.lines}
    assert view.key_accounts == 3
    assert lines["Widgets"].key_accounts_buying == 1
    assert lines["Widgets"].key_accounts_whitespace == 1  # key[1]; key[2] is not relevant
    # peers of Retail/large buying Widgets: 100..500 and key[0]'s 1000: lower median 300
    assert str(lines["Widgets"].whitespace_value) == "3.00"
    assert lines["Rare"].whitespace_value is None  # fewer than 5 buyers
    # someone who sees none of the key accounts sees none of them here
    outsider = db.merge(cast.outsider)
    assert portfolio.portfolio(db, outsider, today=TODAY).key_accounts == 0


def test_needs_and_gaps_follow_visibility(app, sessions, cast) -> None:
    with sessions.begin() as s:
        line = ProductLine(name="Services")
        s.add(line)
        s.flush()
        lid = line.id
        owner = s.merge(cast.owner)
        needs.add_need(s, owner, cast.acme_id, NeedIn(text="Remote support", category="cost",
                                                      product_line_ids=[lid]))
        needs.add_need(s, owner, cast.acme_id, NeedIn(text="Space travel", category="growth"))
    api = api_client(app, cast.token(sessions, "owner"))
    listed = api.get(f"/api/v1/accounts/{cast.acme_id}/needs").json()
    assert [(n["text"], n["gap"]) for n in listed] == [("Remote support", False),
                                                       ("Space travel", True)]
    assert [n["text"] for n in api.get("/api/v1/needs/gaps").json()] == ["Space travel"]
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert outsider.get("/api/v1/needs/gaps").json() == []
    assert outsider.get(f"/api/v1/accounts/{cast.acme_id}/needs").status_code == 404
    bad = api.post(f"/api/v1/accounts/{cast.acme_id}/needs",
                   json={"text": "x", "category": "astrology"})
    assert bad.status_code == 422 and "category" in bad.text
    assert api.post(f"/api/v1/accounts/{cast.acme_id}/needs",
                    json={"text": "x", "product_line_ids": [99999]}).status_code == 422
    made = api.post(f"/api/v1/accounts/{cast.acme_id}/needs", json={"text": "Later"})
    assert made.status_code == 201
    assert api.delete(f"/api/v1/accounts/{cast.acme_id}/needs/{made.json()['id']}"
                      ).status_code == 204
    assert api.get("/api/v1/whitespace").status_code == 200


def test_a_reader_brings_peer_medians_of_another_window_up_to_date(sessions, cast) -> None:
    from sqlalchemy import select

    from accord.core.database import reading_session
    from accord.growth.models import PeerMedian
    from accord.plans.metrics import Window

    with sessions.begin() as s:
        line = ProductLine(name="Widgets")
        s.add(line)
        s.flush()
        for i, cents in enumerate([10, 20, 30, 40, 50]):
            _spend(s, _account(s, f"Peer {i}", None), line.id, cents)
        s.flush()
        summary.refresh_peers(s, Window(AS_OF + 1, 3))  # computed for another month
    reader = reading_session(sessions)
    try:
        admin = reader.merge(cast.admin)
        assert summary.stored_window(reader) == (AS_OF + 1, 3)
        portfolio.portfolio(reader, admin, today=TODAY)
        reader.rollback()
        stored = reader.execute(select(PeerMedian.as_of, PeerMedian.median_cents)).all()
        assert stored == [(AS_OF, 30)]
    finally:
        reader.close()
