"""The OpenAPI document and its Swagger UI page: complete, valid, and self-contained."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from accord.core.middleware import POLICY


def test_openapi_document_describes_every_operation_with_bearer_auth(db: None) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Accord API"
    # Each capability's routes are listed here; the scope matrix checks that none is undeclared.
    assert set(document["paths"]) >= {
        "/api/me", "/api/units", "/api/units/{unit_id}", "/api/people", "/api/people/{person_id}",
        "/api/goals", "/api/goals/{goal_id}", "/api/goals/{goal_id}/check-ins",
        "/api/goals/{goal_id}/serves", "/api/goal-links", "/api/goal-links/{link_id}/answer",
        "/api/teams", "/api/teams/{team_id}", "/api/teams/{team_id}/alignment",
    }  # fmt: skip
    schemes = document["components"]["securitySchemes"]
    assert schemes == {"PersonalAccessToken": {"type": "http", "scheme": "bearer"}}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"PersonalAccessToken": []}], f"{method} {path}"
            # 200; 201 for an operation that creates something, 204 for one that removes it.
            assert {"200", "201", "204"} & set(operation["responses"]), f"{method} {path}"


def test_every_reference_in_the_openapi_document_resolves(db: None) -> None:
    document = Client().get("/api/openapi.json").json()

    def references(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [ref for value in node.values() for ref in references(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in references(value)]
        return []

    refs = references(document)
    assert refs, "expected the schemas to be shared through components"
    for ref in refs:
        assert ref.startswith("#/"), ref
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part]


def test_docs_page_serves_swagger_ui_from_this_site_under_the_normal_policy(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert "http://" not in html and "https://" not in html
    # No inline script runs: the settings are a JSON data block read by a static file.
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attributes for attributes in inline_scripts)


def test_docs_page_turns_off_the_swagger_validator_badge(db: None) -> None:
    html = Client().get("/api/docs").content.decode()
    assert '"validatorUrl": null' in html


def test_swagger_ui_assets_are_served_locally(db: None) -> None:
    client = Client()
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        response = client.get(f"/static/ninja/{asset}")
        assert response.status_code == 200, asset
