"""The catalogue: admins build product lines → offerings → SKUs (API, page, CLI), everybody
reads it; bad input is refused with the field named and writes nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.growth.models import Offering, ProductLine, Sku
from conftest import api_client
from page_helpers import sign_in


def test_admins_build_the_catalogue_and_everybody_reads_it(app, sessions, cast, db):
    admin = api_client(app, cast.token(sessions, "admin"))
    line = admin.post("/api/v1/catalogue/lines", json={
        "name": "Maintenance", "owner_email": "owner@accord.test", "list_price": "1200.50"})
    assert line.status_code == 201, line.text
    assert line.json()["owner"]["email"] == "owner@accord.test"
    lid = line.json()["id"]
    off = admin.post(f"/api/v1/catalogue/lines/{lid}/offerings", json={"name": "Premium"})
    assert off.status_code == 201, off.text
    sku = admin.post(f"/api/v1/catalogue/offerings/{off.json()['id']}/skus",
                     json={"code": "MNT-PREM-1", "name": "Premium year", "unit": "year",
                           "list_price": "999.00"})
    assert sku.status_code == 201, sku.text
    renamed = admin.patch(f"/api/v1/catalogue/lines/{lid}", json={"name": "Maintenance+"})
    assert renamed.status_code == 200 and renamed.json()["version"] == 2
    viewer = api_client(app, cast.token(sessions, "viewer"))
    cat = viewer.get("/api/v1/catalogue").json()
    assert cat["currency"] == "EUR"
    assert cat["lines"][0]["offerings"][0]["skus"][0]["code"] == "MNT-PREM-1"
    manager = api_client(app, cast.token(sessions, "owner"))
    assert manager.post("/api/v1/catalogue/lines", json={"name": "X"}).status_code == 403


def test_bad_input_is_refused_and_writes_nothing(app, sessions, cast, db):
    admin = api_client(app, cast.token(sessions, "admin"))
    cases = [
        ({"name": ""}, "name"),
        ({"name": "A", "list_price": "-1"}, "list_price"),
        ({"name": "A", "list_price": "1.234"}, "list_price"),
        ({"name": "A", "owner_email": "nobody@x.test"}, "owner_email"),
        ({"name": "A", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        r = admin.post("/api/v1/catalogue/lines", json=body)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text
    assert admin.post("/api/v1/catalogue/lines/99999/offerings",
                      json={"name": "x"}).status_code == 404
    assert admin.post("/api/v1/catalogue/aliases",
                      json={"alias": "x", "product_line_id": "1"}).status_code == 422
    ok = admin.post("/api/v1/catalogue/lines", json={"name": "Dup"})
    assert ok.status_code == 201
    assert admin.post("/api/v1/catalogue/lines", json={"name": "Dup"}).status_code == 422
    assert admin.post("/api/v1/catalogue/aliases", json={
        "alias": "Dup", "product_line_id": ok.json()["id"]}).status_code == 409
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ProductLine)) == 1
    assert db.scalar(select(func.count()).select_from(Offering)) == 0


def test_the_admin_page_adds_a_line_and_shows_errors_inline(client, cast, db):
    csrf = sign_in(client, "admin@accord.test")
    assert client.get("/admin/catalogue").status_code == 200
    bad = client.post("/admin/catalogue/lines", data={"csrf_token": csrf, "name": "",
                                                      "list_price": "abc"})
    assert bad.status_code == 422 and "field-error" in bad.text
    ok = client.post("/admin/catalogue/lines", data={"csrf_token": csrf, "name": "Consulting",
                                                     "list_price": "10.00"},
                     follow_redirects=False)
    assert ok.status_code == 303
    page = client.get("/admin/catalogue").text
    assert "Consulting" in page
    db.rollback()
    line_id = db.scalar(select(ProductLine.id))
    r = client.post(f"/admin/catalogue/lines/{line_id}/offerings",
                    data={"csrf_token": csrf, "name": "Audit"}, follow_redirects=False)
    assert r.status_code == 303
    db.rollback()
    off_id = db.scalar(select(Offering.id))
    r = client.post(f"/admin/catalogue/offerings/{off_id}/skus",
                    data={"csrf_token": csrf, "code": "bad code!", "name": "x"})
    assert r.status_code == 422
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Sku)) == 0


def test_the_command_adds_and_lists(cast, database_url):
    def run(*args: str):
        return CliRunner().invoke(cli, ["--database-url", database_url, "--as",
                                        "admin@accord.test", *args])

    assert run("catalogue", "add-line", "Training", "--price", "50.00").exit_code == 0
    bad = run("catalogue", "add-line", "Other", "--price", "cheap")
    assert bad.exit_code != 0 and "list_price" in bad.output
    listed = run("catalogue", "list")
    assert listed.exit_code == 0 and "Training" in listed.stdout
    assert run("catalogue", "unmapped").exit_code == 0
