"""The account-plan API: a manager writes a plan through /api/v1; bad input is a 422
naming the field and writes nothing; stale writes a 409; outsiders a 404."""

from __future__ import annotations

from sqlalchemy import func, select

from accord.core.models import AuditEntry
from conftest import api_client
from plan_helpers import contact


def _audit(db) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_manager_writes_a_plan_through_the_api(app, cast, sessions, db) -> None:
    with sessions.begin() as s:
        carla = contact(s, cast.acme_id, "Carla Acme", "champion")
    api = api_client(app, cast.token(sessions, "owner"))
    base = f"/api/v1/accounts/{cast.acme_id}"
    assert api.get(f"{base}/plan").json() is None
    made = api.post(f"{base}/plan", json={"horizon_months": 6})
    assert made.status_code == 201, made.text
    plan = made.json()
    assert made.headers["location"] == f"/api/v1/plans/{plan['id']}"
    url = f"/api/v1/plans/{plan['id']}"
    etag = api.get(url).headers["etag"]
    patched = api.patch(url, json={"goals": ["Second plant"], "shared_sections": ["goals"]},
                        headers={"If-Match": etag})
    assert patched.status_code == 200 and patched.json()["goals"] == ["Second plant"]
    stale = api.patch(url, json={"business": "late"}, headers={"If-Match": etag})
    assert stale.status_code == 409
    person = api.post(f"{url}/key-people", json={"contact_id": carla})
    assert person.status_code == 201 and person.json()["key_people"][0]["buying_role"] == "champion"
    objective = api.post(f"{url}/objectives", json={
        "title": "Grow revenue", "metric": "revenue_12m", "baseline": "1000", "target": "2000",
        "due_on": "2099-12-31"})
    assert objective.status_code == 201, objective.text
    assert objective.json()["tied"] is True
    action = api.post(f"/api/v1/objectives/{objective.json()['id']}/actions",
                      json={"title": "Quarterly review", "due_on": "2099-06-30"})
    assert action.status_code == 201 and action.json()["status"] == "open"
    reviewed = api.post(f"{url}/review")
    assert reviewed.status_code == 200 and reviewed.json()["last_reviewed_on"] is not None
    link = api.post(f"{url}/share-links")
    assert link.status_code == 201 and link.json()["token"]
    assert api.delete(f"/api/v1/share-links/{link.json()['id']}").json()["active"] is False
    assert [p["id"] for p in api.get(f"{base}/plans").json()] == [plan["id"]]


def test_bad_input_names_the_field_and_writes_nothing(app, cast, sessions, db) -> None:
    with sessions.begin() as s:
        gina = contact(s, cast.globex_id, "Gina Globex")
    api = api_client(app, cast.token(sessions, "owner"))
    plan = api.post(f"/api/v1/accounts/{cast.acme_id}/plan", json={}).json()
    url = f"/api/v1/plans/{plan['id']}"
    before = _audit(db)
    cases = [
        (f"{url}/key-people", {"contact_id": gina}, "contact_id"),
        (f"{url}/key-people", {"contact_id": 987654}, "contact_id"),
        (f"{url}/objectives", {"title": "Grow", "target": "10"}, "metric"),
        (f"{url}/objectives", {"title": "Grow", "metric": "manual", "due_on": "2000-01-01"},
         "due_on"),
        (f"{url}/objectives", {"title": "Grow", "metric": "likes"}, "metric"),
    ]
    for path, body, field in cases:
        answer = api.post(path, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert field in [e["field"] for e in answer.json()["errors"]], answer.text
    assert _audit(db) == before
    assert api.get(url).json()["key_people"] == [] and api.get(url).json()["objectives"] == []


def test_outsiders_get_404_and_readers_cannot_write(app, cast, sessions) -> None:
    owner = api_client(app, cast.token(sessions, "owner"))
    plan = owner.post(f"/api/v1/accounts/{cast.acme_id}/plan", json={}).json()
    outsider = api_client(app, cast.token(sessions, "outsider"))
    assert outsider.get(f"/api/v1/accounts/{cast.acme_id}/plan").status_code == 404
    assert outsider.get(f"/api/v1/plans/{plan['id']}").status_code == 404
    assert outsider.post(f"/api/v1/plans/{plan['id']}/share-links").status_code == 404
    viewer = api_client(app, cast.token(sessions, "viewer"))
    assert viewer.get(f"/api/v1/plans/{plan['id']}").json()["read_only"] is True
    assert viewer.patch(f"/api/v1/plans/{plan['id']}", json={"business": "x"}).status_code == 403
