"""The KPI API: the document, the drill-down, the registry and policy, with visibility."""

from __future__ import annotations

from sqlalchemy import text

from accord.kpis import service
from accord.kpis.formulas import RETENTION_FIELDS
from conftest import api_client
from import_helpers import write_monthly

B = 2024 * 12


def _arrange(sessions, cast) -> None:
    service.clear_cache()
    with sessions.begin() as db:
        # Acme (owner's): 100.00 a month in 2024, 150.00 a month in 2025 -> expanded
        write_monthly(db, cast.acme_id, {**{B + m: 10_000 for m in range(12)},
                                    **{B + 12 + m: 15_000 for m in range(12)}})
        # Globex (outsider's): 200.00 a month in 2024, nothing in 2025 -> churned
        write_monthly(db, cast.globex_id, {**{B + m: 20_000 for m in range(12)}, B + 23: 0})
        service.rebuild(db)


def test_it_returns_the_kpi_document_with_numbers_and_nulls(sessions, cast, app):
    _arrange(sessions, cast)
    client = api_client(app, cast.token(sessions, "admin"))
    r = client.get("/api/v1/kpis", params={"as_of": "2025-12"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["as_of"], doc["window_months"], doc["basis"]) == ("2025-12", 12, "trailing")
    assert list(doc["portfolio"]) == list(RETENTION_FIELDS)
    p = doc["portfolio"]
    assert p["starting_revenue"] == 3600.0 and p["ending_revenue"] == 1800.0
    assert p["churned_revenue"] == 2400.0 and p["expansion_revenue"] == 600.0
    assert p["nrr"] == 0.5 and p["grr"] == 0.333333 and p["logo_churn_rate"] == 0.5
    assert doc["concentration"] == {"accounts": 1, "top20_share": 1.0, "hhi": 1.0,
                                    "abc": {"A": 1, "B": 0, "C": 0}}
    managers = {row["manager"]: row for row in doc["by_manager"]}
    assert managers["owner@accord.test"]["nrr"] == 1.5
    assert managers["outsider@accord.test"]["nrr"] == 0.0
    assert {row["tier"] for row in doc["by_tier"]} == {"not key"}


def test_a_manager_sees_only_the_kpis_of_their_own_accounts(sessions, cast, app):
    _arrange(sessions, cast)
    owner = api_client(app, cast.token(sessions, "owner")).get("/api/v1/kpis?as_of=2025-12")
    assert owner.json()["portfolio"]["starting_revenue"] == 1200.0
    assert [r["manager"] for r in owner.json()["by_manager"]] == ["owner@accord.test"]
    outsider = api_client(app, cast.token(sessions, "outsider"))
    churned = outsider.get("/api/v1/kpis/accounts?movement=churned&as_of=2025-12").json()
    assert [a["name"] for a in churned["accounts"]] == ["Globex Corporation"]
    expanded = outsider.get("/api/v1/kpis/accounts?movement=expanded&as_of=2025-12").json()
    assert expanded["total"] == 0 and expanded["accounts"] == []


def test_the_drill_down_gives_both_window_revenues(sessions, cast, app):
    _arrange(sessions, cast)
    client = api_client(app, cast.token(sessions, "head"))
    r = client.get("/api/v1/kpis/accounts", params={"movement": "expanded", "as_of": "2025-12"})
    assert r.status_code == 200
    [acme] = r.json()["accounts"]
    assert (acme["account_id"], acme["previous_revenue"], acme["current_revenue"],
            acme["change"]) == (cast.acme_id, 1200.0, 1800.0, 600.0)


def test_it_answers_bad_parameters_with_a_problem(sessions, cast, app):
    _arrange(sessions, cast)
    client = api_client(app, cast.token(sessions, "admin"))
    for query in ("as_of=2025-13", "basis=monthly", "window=0", "by=region", "as_of=2031-01"):
        r = client.get(f"/api/v1/kpis?{query}")
        assert r.status_code == 422, query
        assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/kpis/accounts?movement=lost").status_code == 422


def test_the_registry_lists_every_kpi(sessions, cast, app):
    client = api_client(app, cast.token(sessions, "viewer"))
    slugs = [k["slug"] for k in client.get("/api/v1/kpis/registry").json()]
    assert slugs[: len(RETENTION_FIELDS)] == list(RETENTION_FIELDS)
    assert {"top20_share", "hhi", "abc"} <= set(slugs)


def test_an_admin_changes_the_policy_and_the_figures_follow(sessions, cast, app):
    _arrange(sessions, cast)
    client = api_client(app, cast.token(sessions, "admin"))
    r = client.put("/api/v1/kpis/policy", json={"window_months": 6, "basis": "point",
                                                "as_of": "2025-12"})
    assert r.status_code == 200, r.text
    assert r.json() == {"window_months": 6, "basis": "point", "abc_a": 0.8, "abc_b": 0.95,
                        "as_of": "2025-12", "source": "invoices"}
    doc = client.get("/api/v1/kpis").json()
    assert (doc["as_of"], doc["window_months"], doc["basis"]) == ("2025-12", 6, "point")
    assert doc["portfolio"]["starting_revenue"] == 150.0  # Acme in 2025-06; Globex had 0
    with sessions() as db:
        actions = db.execute(text("SELECT action, entity FROM audit_log")).all()
    assert ("update", "kpi_policy") in actions


def test_managers_and_viewers_may_not_change_the_policy(sessions, cast, app):
    for who in ("owner", "viewer"):
        client = api_client(app, cast.token(sessions, who))
        assert client.put("/api/v1/kpis/policy", json={"window_months": 3}).status_code == 403
    admin = api_client(app, cast.token(sessions, "admin"))
    bad = admin.put("/api/v1/kpis/policy", json={"abc_a": "0.97", "abc_b": "0.95"})
    assert bad.status_code == 422


def test_it_needs_a_token(app, client):
    assert client.get("/api/v1/kpis").status_code == 401
