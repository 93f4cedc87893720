"""A client that calls the API with a personal access token, as one of the cast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accord.access.models import User
from accord.access.services import issue_api_token
from tests.cast import Cast


class TokenClient:
    """Calls the API as a token's owner; ``plaintext`` is the token a script would hold."""

    def __init__(self, plaintext: str) -> None:
        self.plaintext = plaintext
        self.client = Client(headers={"Authorization": f"Bearer {plaintext}"})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params)

    def items(self, path: str, **params: Any) -> list[dict[str, Any]]:
        response = self.get(path, limit=500, **params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"]), "more than one page"
        return body["items"]

    def unit_names(self, **params: Any) -> set[str]:
        return {item["name"] for item in self.items("/api/units", **params)}

    def people(self, **params: Any) -> set[str]:
        """The external ids (the cast's short names) of the people listed."""
        return {item["external_id"] for item in self.items("/api/people", **params)}


@pytest.fixture
def token_client(cast: Cast) -> Callable[[User], TokenClient]:
    def for_user(user: User) -> TokenClient:
        _, plaintext = issue_api_token(membership=cast.membership(user), name="test script")
        return TokenClient(plaintext)

    return for_user
