"""Policies as typed data: one base, typed settings endpoints, structured problems."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from accord.core.errors import ValidationFailed
from accord.core.policy import Policy
from accord.health.formulas import HealthPolicy
from accord.health.schemas import HealthSettingsIn
from accord.kpis.formulas import Policy as KpiPolicy
from accord.kpis.schemas import PolicyIn
from accord.relationships.rubric import StagePolicy
from accord.relationships.schemas import StageSettingsIn
from accord.selection.rules import SelectionPolicy
from accord.selection.schemas import SelectionSettingsIn
from conftest import api_client

CHANGES: list[tuple[type[BaseModel], type[Policy]]] = [
    (SelectionSettingsIn, SelectionPolicy),
    (StageSettingsIn, StagePolicy),
    (HealthSettingsIn, HealthPolicy),
    (PolicyIn, KpiPolicy),
]


@pytest.mark.parametrize(("change", "policy"), CHANGES)
def test_every_policy_derives_from_the_base_and_its_request_names_its_fields(
    change: type[BaseModel], policy: type[Policy]
) -> None:
    assert issubclass(policy, Policy)
    extra = {"as_of"} if policy is KpiPolicy else set()  # the KPI endpoint also pins a month
    assert set(change.model_fields) == set(policy.model_fields) | extra


@pytest.mark.parametrize(("change", "policy"), CHANGES)
def test_a_policy_round_trips_through_its_document(
    change: type[BaseModel], policy: type[Policy]
) -> None:
    assert policy.from_dict(policy().to_dict()) == policy()


def test_every_problem_is_listed_with_its_field_not_only_the_first() -> None:
    with pytest.raises(ValidationFailed) as refused:
        StagePolicy.from_dict({"contacts_for_2": 9, "cooperative_from": 30, "decisions": {}})
    fields = [p.field for p in refused.value.problems]
    assert "contacts_for_2/3/4" in fields
    assert "cooperative_from/interdependent_from/strategic_from" in fields
    assert "decisions.Tactical" in fields and "decisions.Strategic" in fields


@pytest.mark.parametrize(
    ("method", "path", "schema"),
    [
        ("get", "/api/v1/selection/settings", "SelectionPolicy"),
        ("put", "/api/v1/selection/settings", "SelectionPolicy"),
        ("get", "/api/v1/stages/settings", "StagePolicy"),
        ("put", "/api/v1/stages/settings", "StagePolicy"),
        ("get", "/api/v1/health/settings", "HealthSettingsOut"),
        ("put", "/api/v1/health/settings", "HealthPolicy"),
        ("put", "/api/v1/health/settings/segments/{segment}", "HealthPolicy"),
        ("get", "/api/v1/kpis/policy", "PolicyOut"),
    ],
)
def test_the_settings_endpoints_are_typed_in_the_openapi_document(
    app: Any, method: str, path: str, schema: str
) -> None:
    document = app.openapi()
    answer = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"$ref": f"#/components/schemas/{schema}"}
    assert document["components"]["schemas"][schema]["properties"]


def test_a_broken_rule_is_the_problem_bodys_errors(app: Any, sessions: Any, cast: Any) -> None:
    head = api_client(app, cast.token(sessions, "head"))
    r = head.put("/api/v1/selection/settings", json={"abc_a": "0.95", "abc_b": "0.95"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "abc_a/abc_b", "message": "0 < A < B ≤ 1"}]
    r = head.put("/api/v1/stages/settings", json={"lines_for_2": 9, "strategic_from": 5})
    assert {e["field"] for e in r.json()["errors"]} == {
        "lines_for_2/3/4", "cooperative_from/interdependent_from/strategic_from"
    }


def test_the_kpi_policy_and_the_selection_settings_share_the_abc_setting(
    app: Any, sessions: Any, cast: Any
) -> None:
    admin = api_client(app, cast.token(sessions, "admin"))
    r = admin.put("/api/v1/kpis/policy", json={"abc_a": "0.7", "abc_b": "0.9"})
    assert r.status_code == 200, r.text
    settings = admin.get("/api/v1/selection/settings").json()
    assert (settings["abc_a"], settings["abc_b"]) == ("0.7", "0.9")
    assert admin.put("/api/v1/selection/settings", json={"abc_b": "0.925"}).status_code == 200
    assert admin.get("/api/v1/kpis/policy").json()["abc_b"] == 0.925
