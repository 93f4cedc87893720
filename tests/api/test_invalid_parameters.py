"""A bad query or path parameter is a 422 that names the field, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.api.conftest import TokenClient
from tests.cast import Cast


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/units", {"parent_id": "north"}, "parent_id"),
        ("/api/units", {"within": "1.5"}, "within"),
        ("/api/units", {"limit": "0"}, "limit"),
        ("/api/units", {"limit": "501"}, "limit"),
        ("/api/units", {"limit": "ten"}, "limit"),
        ("/api/people", {"offset": "-1"}, "offset"),
        ("/api/people", {"unit_id": "ED"}, "unit_id"),
        ("/api/people", {"search": "x" * 101}, "search"),
        ("/api/people", {"search": "gar\x00cia"}, "search"),
        ("/api/units", {"parent_id": "9" * 25}, "parent_id"),
        ("/api/units", {"within": "9" * 25}, "within"),
        ("/api/people", {"unit_id": "9" * 25}, "unit_id"),
        ("/api/people", {"offset": str(2**63)}, "offset"),
        ("/api/people", {"include_inactive": "perhaps"}, "include_inactive"),
        ("/api/units/emergency", {}, "unit_id"),
        ("/api/people/sam", {}, "person_id"),
    ],
)
def test_invalid_parameter_is_a_422_naming_the_field(
    cast: Cast,
    token_client: Callable[..., TokenClient],
    path: str,
    params: dict[str, str],
    field: str,
) -> None:
    response = token_client(cast.admin).get(path, **params)
    assert response.status_code == 422
    body = response.json()
    assert [error["field"] for error in body["errors"]] == [field]
    assert body["errors"][0]["message"]


def test_without_a_token_a_bad_parameter_is_still_a_401(cast: Cast) -> None:
    assert Client().get("/api/units", {"limit": "0"}).status_code == 401
