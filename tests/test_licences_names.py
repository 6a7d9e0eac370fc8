"""The product-name mapping: the key rule (pure, hypothesis), the lookup an import reads
(longest key first), and its doors on both databases — billing and admins add and delete
names through the API, the admin page and ``accord seats names``; a name whose key is
mapped already is a 409 naming the service, an unknown service or a control character a
422, a manager a 403; nothing written on a refusal."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.models import AuditEntry
from accord.licences.models import ProductName
from accord.licences.names import service
from accord.licences.names.rules import name_problem, product_key
from conftest import api_client
from licence_helpers import make_sku
from page_helpers import sign_in

API = "/api/v1/product-names"
EMS = "Enterprise Mobility + Security E5"


@given(st.text(alphabet=st.sampled_from("ab E+\t  5")))
def test_the_key_is_upper_case_with_spaces_collapsed(name: str) -> None:
    key = product_key(name)
    assert key == key.upper() and "  " not in key and key == key.strip()
    assert product_key(key) == key and product_key(name.lower()) == key


def test_name_problems() -> None:
    assert product_key("  Microsoft   365 e3 ") == "MICROSOFT 365 E3"
    assert name_problem("Microsoft 365 E3") is None
    assert name_problem("   ") and name_problem("x" * 201) and name_problem("a\tb")
    assert name_problem("a\x00b") and name_problem("a\x85b")


def _counts(db: Any) -> tuple[int, int]:
    db.rollback()
    return (int(db.scalar(select(func.count()).select_from(ProductName)) or 0),
            int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0))


def test_the_api_and_the_lookup(app, cast, sessions, db) -> None:
    with sessions.begin() as s:
        e3, e5 = make_sku(s), make_sku(s, "EMS-E5", "EMS E5", line="Security")
    billing = api_client(app, cast.token(sessions, "billing"))
    manager = api_client(app, cast.token(sessions, "owner"))  # before counting: audited
    for name, sku in (("Microsoft 365 E3", e3), (EMS, e5), ("Security E5", e5)):
        made = billing.post(API, json={"name": name, "sku_id": sku})
        assert made.status_code == 201, made.text
    assert made.json()["key"] == "SECURITY E5" and made.json()["service"] == "EMS E5"
    with sessions() as s:
        assert service.lookup(s) == [("ENTERPRISE MOBILITY + SECURITY E5", e5),
                                     ("MICROSOFT 365 E3", e3), ("SECURITY E5", e5)]
    before = _counts(db)
    twin = billing.post(API, json={"name": " microsoft  365 E3", "sku_id": e5})
    assert twin.status_code == 409 and "maps to Microsoft 365 E3" in twin.json()["detail"]
    for body, field in (({"name": "X", "sku_id": 999_999}, "sku_id"),
                        ({"name": "X", "sku_id": 2**31}, "sku_id"),
                        ({"name": "A\x07B", "sku_id": e3}, None),
                        ({"name": "", "sku_id": e3}, "name")):
        bad = billing.post(API, json=body)
        assert bad.status_code == 422, (body, bad.text)
        assert field is None or field in [e["field"] for e in bad.json()["errors"]]
    assert manager.post(API, json={"name": "Y", "sku_id": e3}).status_code == 403
    assert manager.delete(f"{API}/{made.json()['id']}").status_code == 403
    assert _counts(db) == before
    listed = manager.get(f"{API}?q=e5")
    assert listed.status_code == 200 and listed.json()["total"] == 2
    assert billing.delete(f"{API}/{made.json()['id']}").status_code == 204
    assert billing.delete(f"{API}/{made.json()['id']}").status_code == 404
    assert billing.get(f"{API}?page_size=500").status_code == 422


def test_the_admin_page(app, cast, sessions, db) -> None:
    with sessions.begin() as s:
        e3 = make_sku(s)
    admin = TestClient(app)
    csrf = sign_in(admin, "admin@accord.test")
    page = admin.get("/admin/product-names")
    assert page.status_code == 200 and 'id="no-names"' in page.text
    added = admin.post("/admin/product-names", data={
        "csrf_token": csrf, "name": "Microsoft 365 E3", "sku_id": str(e3)},
        follow_redirects=False)
    assert added.status_code == 303
    before = _counts(db)
    twin = admin.post("/admin/product-names", data={
        "csrf_token": csrf, "name": "MICROSOFT 365 E3", "sku_id": str(e3)})
    assert twin.status_code == 409 and 'id="name-refusal"' in twin.text
    bad = admin.post("/admin/product-names", data={"csrf_token": csrf, "name": "Z",
                                                   "sku_id": "abc"})
    assert bad.status_code == 422 and 'id="pn-sku_id-error"' in bad.text
    assert _counts(db) == before
    manager = TestClient(app)
    m_csrf = sign_in(manager, "owner@accord.test")
    assert manager.get("/admin/product-names").status_code == 403
    name_id = db.scalar(select(ProductName.id))
    assert manager.post(f"/admin/product-names/{name_id}/delete",
                        data={"csrf_token": m_csrf}).status_code == 403
    assert admin.post(f"/admin/product-names/{name_id}/delete", data={"csrf_token": csrf},
                      follow_redirects=False).status_code == 303
    assert _counts(db)[0] == 0


def test_the_command_line(sessions, cast, database_url, db) -> None:
    runner = CliRunner()
    with sessions.begin() as s:
        e3 = str(make_sku(s))

    def cli(*args: str) -> Any:
        return runner.invoke(cli_app, hoist_global_options(
            [*args, "--database-url", database_url]))

    denied = cli("--as", "owner@accord.test", "seats", "names", "add", "Microsoft 365 E3",
                 "--sku", e3)
    assert denied.exit_code != 0 and _counts(db)[0] == 0
    assert cli("--as", "billing@accord.test", "seats", "names", "add", "Microsoft 365 E3",
               "--sku", e3).exit_code == 0
    twin = cli("--as", "billing@accord.test", "seats", "names", "add", "microsoft 365 e3",
               "--sku", e3)
    assert twin.exit_code != 0 and "already" in twin.output
    listed = cli("seats", "names", "list", "--format", "json")
    assert listed.exit_code == 0 and '"MICROSOFT 365 E3"' in listed.output
    assert cli("--as", "billing@accord.test", "seats", "names", "remove",
               "MICROSOFT  365 E3").exit_code == 0
    assert _counts(db)[0] == 0
