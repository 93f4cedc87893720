"""The OpenAPI document states what the server answers and enforces, and the server reads a
request no more loosely than the document says: errors listed per operation, the export's
file types, one value per query parameter, booleans that are booleans, amounts that fit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.test import Client

from accord.access.models import User
from accord.goals.models import Goal, Team
from tests.api.conftest import TokenClient
from tests.cast import Cast
from tests.goals.world import goal

TokenFor = Callable[[User], TokenClient]


def test_every_operation_lists_the_errors_it_can_answer(db: None) -> None:
    document = Client().get("/api/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = set(operation["responses"])
            where = f"{method.upper()} {path}"
            assert {"401", "403"} <= answers, where
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in answers, where
                refusal = operation["responses"]["422"]["content"]["application/json"]
                assert refusal["schema"] == {"$ref": "#/components/schemas/Refusal"}, where
            if "requestBody" in operation:
                assert "400" in answers, where
            if "{" in path:
                assert "404" in answers, where
    problem = document["components"]["schemas"]["Problem"]
    assert problem["properties"]["kind"]["enum"] == ["invalid", "refused"]


def test_the_report_export_lists_its_three_file_types(db: None) -> None:
    document = Client().get("/api/openapi.json").json()
    export = document["paths"]["/api/results/cycles/{cycle_id}/report"]["get"]
    assert set(export["responses"]["200"]["content"]) == {
        "application/json", "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }  # fmt: skip
    release = next(p for p in export["parameters"] if p["name"] == "release")
    assert release["schema"]["anyOf"][0]["minimum"] == 1


def test_text_fields_state_their_control_character_rule(db: None) -> None:
    schemas = Client().get("/api/openapi.json").json()["components"]["schemas"]
    title = schemas["GoalIn"]["properties"]["title"]
    why = schemas["GoalIn"]["properties"]["why"]
    assert "\\u001f" in title["pattern"] and title["maxLength"] == 200
    assert "\\u000b" in why["pattern"]  # a paragraph keeps tab (0009) and line breaks (000a)
    baseline = schemas["GoalIn"]["properties"]["baseline"]["anyOf"]
    assert baseline[0]["maximum"] == 9999999999.9999


def test_a_query_parameter_given_twice_is_refused_by_name(
    cast: Cast, token_client: TokenFor
) -> None:
    response = token_client(cast.admin).get("/api/units", offset=["1", "2"])
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["errors"]] == ["offset"]
    assert response.json()["errors"][0]["kind"] == "invalid"


def test_a_boolean_must_be_true_or_false_not_a_number(cast: Cast, token_client: TokenFor) -> None:
    response = token_client(cast.chair).client.post(
        "/api/teams", {"name": "Flow", "share_incentive_weights": 0},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "share_incentive_weights"
    assert not Team.objects.filter(name="Flow").exists()


def test_an_amount_as_a_number_is_rounded_and_as_text_taken_exactly(
    cast: Cast, token_client: TokenFor
) -> None:
    chads = goal(cast, "chad", "Chad throughput")
    client = token_client(cast.chair).client
    patched = client.patch(
        f"/api/goals/{chads.pk}", {"target": 7.123456}, content_type="application/json"
    )
    assert patched.status_code == 200, patched.content
    assert Goal.objects.get(pk=chads.pk).target == Decimal("7.1235")
    for written in ("1e3", "7.12345", "12345678901"):
        refused = client.patch(
            f"/api/goals/{chads.pk}", {"target": written}, content_type="application/json"
        )
        assert refused.status_code == 422, written
        assert refused.json()["errors"][0]["field"] == "target"
    assert Goal.objects.get(pk=chads.pk).target == Decimal("7.1235")


def test_no_two_routers_share_a_schema_name() -> None:
    """The OpenAPI document keys schemas by class name: a second class of the same name in
    another router would silently take the first one's place."""
    import ast
    from pathlib import Path

    names: dict[str, str] = {}
    for path in Path(__file__).resolve().parents[2].joinpath("src/accord").rglob("*.py"):
        if path.name != "api.py" and path.parent.name != "api":
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                assert node.name not in names, f"{node.name} in {path} and in {names[node.name]}"
                names[node.name] = str(path)
