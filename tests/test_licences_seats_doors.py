"""Seats' front doors on both databases: the API (licence users, assigning until the
purchased quantity then a 409 with nothing written, ending a seat, the usage figures,
domains; who may; an outsider's 404; bad input) and the account's Licences tab (the seat
grid's form: within the quantity it saves, beyond it the tab again with the refusal and
nothing written; read-only roles; the people's search). And the usage counted in SQL is
the service's grid, seat for seat."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.accounts.models import AccountContact, Contact
from accord.core.database import utcnow
from accord.core.models import AuditEntry, User
from accord.licences.models import (
    AccountDomain,
    LicenceUser,
    SeatActivity,
    SeatAssignment,
    SkuService,
    Subscription,
    SubscriptionTerm,
)
from accord.licences.seats import reading, service
from conftest import api_client
from licence_helpers import make_sku
from page_helpers import sign_in

API = "/api/v1"


def _subscription(s: Session, account_id: int, sku_id: int, seats: int) -> int:
    """Bought in 2020 and renewing itself: it provides ``seats`` today, whatever today is."""
    now = utcnow()
    row = Subscription(account_id=account_id, sku_id=sku_id, status="active",
                       start_on=date(2020, 1, 1), term_months=12, end_on=date(2020, 12, 31),
                       auto_renew=True, notice_days=0, currency="EUR", created_at=now,
                       updated_at=now)
    s.add(row)
    s.flush()
    s.add(SubscriptionTerm(subscription_id=row.id, effective_on=date(2020, 1, 1),
                           quantity=seats, unit_price=Decimal("100"), changed_at=now))
    return int(row.id)


@pytest.fixture
def world(sessions: sessionmaker[Session], cast: Any) -> dict[str, Any]:
    """Acme bought 2 seats of E3; three people; a contact of Acme and one of Globex."""
    with sessions.begin() as s:
        sku = make_sku(s)
        _subscription(s, cast.acme_id, sku, 2)
        people = []
        for n in range(3):
            person = LicenceUser(account_id=cast.acme_id, principal=f"p{n}@acme.test",
                                 display_name=f"Person {n}")
            s.add(person)
            s.flush()
            people.append(person.id)
        contacts = []
        for account in (cast.acme_id, cast.globex_id):
            c = Contact(name=f"Contact {account}")
            s.add(c)
            s.flush()
            s.add(AccountContact(account_id=account, contact_id=c.id))
            contacts.append(c.id)
        return {"sku": sku, "people": people, "contact": contacts[0], "foreign": contacts[1]}


def _counts(db: Session) -> tuple[int, ...]:
    db.rollback()
    return tuple(int(db.scalar(select(func.count()).select_from(m)) or 0) for m in (
        LicenceUser, SeatAssignment, AccountDomain, AuditEntry))


def _fields(response: Any) -> list[str]:
    return [e.get("field") for e in response.json().get("errors") or []]


def test_the_api(app, cast, sessions, world, db) -> None:
    clients = {who: api_client(app, cast.token(sessions, who))
               for who in ("owner", "viewer", "billing", "outsider")}  # tokens are audited

    def as_(who: str) -> TestClient:
        return clients[who]

    acme = f"{API}/accounts/{cast.acme_id}"
    sku, (p0, p1, p2) = world["sku"], world["people"]
    # a licence user linked to Acme's contact; another's contact, a copy, bad input: refused
    made = as_("owner").post(f"{acme}/licence-users", json={
        "principal": "Zoe@Acme.test", "display_name": "Zoe", "contact_id": world["contact"]})
    assert made.status_code == 201 and made.json()["principal"] == "zoe@acme.test", made.text
    before = _counts(db)
    for body, field in (({"principal": "x@acme.test", "contact_id": world["foreign"]},
                         "contact_id"),
                        ({"principal": "no-at-sign"}, "principal"),
                        ({"principal": "y@acme.test", "display_name": "a\x07b"}, None),
                        ({"principal": "y@acme.test", "contact_id": 2**31}, "contact_id")):
        bad = as_("owner").post(f"{acme}/licence-users", json=body)
        assert bad.status_code == 422, (body, bad.text)
        assert field is None or field in _fields(bad), bad.text
    assert as_("owner").post(f"{acme}/licence-users",
                             json={"principal": "ZOE@acme.test"}).status_code == 409
    assert as_("viewer").post(f"{acme}/licence-users",
                              json={"principal": "v@acme.test"}).status_code == 403
    assert _counts(db) == before

    # assign until the two seats are taken, then a 409 naming the limit; nothing written
    for person in (p0, p1):
        seat = as_("owner").post(f"{acme}/seats", json={"licence_user_id": person,
                                                        "sku_id": sku})
        assert seat.status_code == 201 and seat.json()["service"] == "Microsoft 365 E3"
    before = _counts(db)
    full = as_("owner").post(f"{acme}/seats", json={"licence_user_id": p2, "sku_id": sku})
    assert full.status_code == 409 and "all 2 seats of Microsoft 365 E3" in full.json()["detail"]
    assert as_("owner").post(f"{acme}/seats", json={"licence_user_id": p0,
                                                    "sku_id": sku}).status_code == 409
    for body, field in (({"licence_user_id": p2, "sku_id": 999_999}, "sku_id"),
                        ({"licence_user_id": 999_999, "sku_id": sku}, "licence_user_id"),
                        ({"licence_user_id": p2, "sku_id": 2**31}, "sku_id"),
                        ({"licence_user_id": p2, "sku_id": sku, "from_on": "1999-12-31"},
                         "from_on"),
                        ({"licence_user_id": p2, "sku_id": sku, "from_on": "2026-02-30"},
                         "from_on"),
                        ({"licence_user_id": "1", "sku_id": sku}, "licence_user_id")):
        bad = as_("owner").post(f"{acme}/seats", json=body)
        assert bad.status_code == 422 and field in _fields(bad), (body, bad.text)
    assert as_("viewer").post(f"{acme}/seats", json={"licence_user_id": p2,
                                                     "sku_id": sku}).status_code == 403
    assert as_("outsider").post(f"{acme}/seats", json={"licence_user_id": p2,
                                                       "sku_id": sku}).status_code == 404
    assert _counts(db) == before

    # the list (searched, paged) and the usage; an outsider finds nothing, a viewer reads
    listed = as_("viewer").get(f"{acme}/licence-users?q=person&page_size=2")
    assert listed.status_code == 200 and listed.json()["total"] == 3
    assert [len(p["seats"]) for p in listed.json()["items"]] == [1, 1]
    assert as_("viewer").get(f"{acme}/licence-users?q=P2%40").json()["total"] == 1
    usage = as_("billing").get(f"{acme}/seat-usage").json()
    assert usage["account"]["purchased"] == 2 and usage["account"]["assigned"] == 2
    assert usage["services"][0]["allocation"] in ("1.0000", 1.0)
    assert usage["services"][0]["adoption"] is None  # no usage report yet
    assert usage["subscriptions"][0]["provides_seats"] is True
    for path in ("/licence-users", "/seat-usage", "/domains"):
        assert as_("outsider").get(acme + path).status_code == 404
    assert as_("owner").get(f"{API}/accounts/{2**31}/seat-usage").status_code == 422
    assert as_("owner").get(f"{acme}/licence-users?page_size=201").status_code == 422

    # billing frees a seat today (deleted: it began today) and gives it to the third person
    seat_id = listed.json()["items"][0]["seats"][0]["id"]
    assert as_("viewer").post(f"{acme}/seats/{seat_id}/end").status_code == 403
    assert as_("billing").post(f"{acme}/seats/{seat_id}/end").status_code == 204
    assert as_("billing").post(f"{acme}/seats/{seat_id}/end").status_code == 404
    again = as_("billing").post(f"{acme}/seats", json={"licence_user_id": p2, "sku_id": sku})
    assert again.status_code == 201
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    ended = as_("owner").post(f"{acme}/seats/{again.json()['id']}/end", json={"on": tomorrow})
    assert ended.status_code == 200 and ended.json()["to_on"] is not None

    # domains
    assert as_("owner").post(f"{acme}/domains", json={"domain": "@Acme.TEST"}).json() == [
        "acme.test"]
    assert as_("owner").post(f"{acme}/domains", json={"domain": "acme.test"}).status_code == 409
    assert as_("owner").post(f"{API}/accounts/{cast.globex_id}/domains",
                             json={"domain": "globex.test"}).status_code in (403, 404)
    assert "domain" in _fields(as_("owner").post(f"{acme}/domains", json={"domain": "a b"}))
    assert as_("viewer").delete(f"{acme}/domains/acme.test").status_code == 403
    assert as_("viewer").get(f"{acme}/domains").json() == ["acme.test"]
    assert as_("billing").delete(f"{acme}/domains/acme.test").status_code == 204
    assert as_("billing").delete(f"{acme}/domains/acme.test").status_code == 404


def test_the_usage_sql_is_the_grid(sessions, cast, world) -> None:
    """Activity known for some people, of the product's workloads or another's, recent or
    old: the SQL's counts and shares are the service's grid, today and on a past day."""
    today = date.today()
    sku, (p0, p1, p2) = world["sku"], world["people"]
    with sessions.begin() as s:
        other = make_sku(s, "M365-E5", "Microsoft 365 E5", line="Other")
        _subscription(s, cast.acme_id, other, 1)
        s.add_all([SkuService(sku_id=sku, service="exchange"),
                   SkuService(sku_id=sku, service="teams")])
        for person in (p0, p1, p2):
            s.add(SeatAssignment(account_id=cast.acme_id, licence_user_id=person, sku_id=sku,
                                 from_on=today - timedelta(days=90)))
        s.add(SeatAssignment(account_id=cast.acme_id, licence_user_id=p0, sku_id=other,
                             from_on=today - timedelta(days=90)))
        s.add_all([
            SeatActivity(licence_user_id=p0, service="teams", reported_on=today,
                         last_active_on=today - timedelta(days=3)),
            SeatActivity(licence_user_id=p1, service="yammer", reported_on=today,
                         last_active_on=today - timedelta(days=1)),  # not E3's workload
            SeatActivity(licence_user_id=p1, service="exchange", reported_on=today,
                         last_active_on=today - timedelta(days=45)),
        ])
    with sessions() as s:
        viewer = s.get(User, cast.viewer.id)
        assert viewer is not None
        for day in (today, today - timedelta(days=20)):
            sql = reading.usage(s, viewer, cast.acme_id, day)
            grid = service.seat_grid(s, viewer, cast.acme_id, day)
            by_sku = {x.sku_id: x for x in sql.services}
            for g in grid.services:
                u = by_sku[g.sku_id]
                assert (u.purchased, u.assigned, u.reported, u.active, u.allocation,
                        u.adoption, u.utilisation, u.signal) == (
                    g.usage.purchased, g.usage.assigned, g.usage.reported, g.usage.active,
                    g.usage.allocation, g.usage.adoption, g.usage.utilisation, g.signal), day
        e3 = {x.sku_id: x for x in reading.usage(s, viewer, cast.acme_id, today).services}[sku]
        assert (e3.purchased, e3.assigned, e3.reported, e3.active) == (2, 3, 2, 1)


def _tab(client: TestClient, account_id: int, query: str = "") -> Any:
    return client.get(f"/accounts/{account_id}/licences{query}")


def test_the_seat_grid(app, cast, world, db) -> None:
    sku, (p0, p1, p2) = world["sku"], world["people"]
    owner = TestClient(app)
    csrf = sign_in(owner, "owner@accord.test")
    tab = _tab(owner, cast.acme_id)
    assert tab.status_code == 200 and 'id="seat-table"' in tab.text
    assert f'value="{p0}:{sku}"' in tab.text and 'id="usage-account"' in tab.text

    def post(*ticked: int, shown: tuple[int, ...] = (p0, p1, p2)) -> Any:
        return owner.post(f"/accounts/{cast.acme_id}/seats", data={
            "csrf_token": csrf, "person": [str(p) for p in shown],
            "seat": [f"{p}:{sku}" for p in ticked]}, follow_redirects=False)

    before = _counts(db)
    refused = post(p0, p1, p2)
    assert refused.status_code == 409 and 'id="seat-refusal"' in refused.text
    assert "Nothing was changed" in refused.text and "all 2 seats" in refused.text
    assert _counts(db) == before
    saved = post(p0, p1)
    assert saved.status_code == 303, saved.text
    assert _counts(db)[1] == 2
    # swapping a seat within the quantity: p1's is freed first, then p2's assigned
    assert post(p0, p2).status_code == 303
    assert post(p0, p1, p2).status_code == 409  # still two
    tab = _tab(owner, cast.acme_id, "?q=Person%202")
    assert f'id="person-{p2}"' in tab.text and f'id="person-{p0}"' not in tab.text
    assert f'id="seat-{p2}-{sku}" checked' in tab.text
    assert _tab(owner, cast.acme_id, f"?page={2**31}").status_code == 422
    # a licence user and a domain through the forms; a contact of another account refused
    added = owner.post(f"/accounts/{cast.acme_id}/licence-users", data={
        "csrf_token": csrf, "principal": "new@acme.test", "contact_id": str(world["contact"])},
        follow_redirects=False)
    assert added.status_code == 303
    foreign = owner.post(f"/accounts/{cast.acme_id}/licence-users", data={
        "csrf_token": csrf, "principal": "x@acme.test", "contact_id": str(world["foreign"])})
    assert foreign.status_code == 422 and 'id="lu-contact_id-error"' in foreign.text
    assert owner.post(f"/accounts/{cast.acme_id}/domains", data={
        "csrf_token": csrf, "domain": "acme.test"}, follow_redirects=False).status_code == 303
    assert "acme.test" in _tab(owner, cast.acme_id).text

    viewer = TestClient(app)
    v_csrf = sign_in(viewer, "viewer@accord.test")
    seen = _tab(viewer, cast.acme_id)
    assert seen.status_code == 200 and "disabled" in seen.text
    assert 'id="save-seats"' not in seen.text
    assert viewer.post(f"/accounts/{cast.acme_id}/seats", data={
        "csrf_token": v_csrf, "person": str(p0)}).status_code == 403
    outsider = TestClient(app)
    o_csrf = sign_in(outsider, "outsider@accord.test")
    assert _tab(outsider, cast.acme_id).status_code == 404
    assert outsider.post(f"/accounts/{cast.acme_id}/seats", data={
        "csrf_token": o_csrf, "person": str(p0)}).status_code == 404
    assert _counts(db)[1] == 2


def test_an_empty_tab(app, cast) -> None:
    billing = TestClient(app)
    sign_in(billing, "billing@accord.test")
    tab = _tab(billing, cast.globex_id)
    assert tab.status_code == 200
    assert 'id="no-seats"' in tab.text and 'id="no-people"' in tab.text
    assert 'id="no-domains"' in tab.text
