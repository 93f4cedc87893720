from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import TokenClient
from tests.cast import Cast


def test_me_names_the_organisation_role_and_person_the_token_acts_as(
    cast: Cast, token_client: Callable[..., TokenClient]
) -> None:
    body = token_client(cast.chair).get("/api/me").json()
    assert body == {
        "organisation": "Riverside Health",
        "organisation_slug": "riverside",
        "role": "leader",
        "person_id": cast.person("chad").pk,
    }


def test_me_for_a_login_without_a_person_record(
    cast: Cast, token_client: Callable[..., TokenClient]
) -> None:
    body = token_client(cast.outsider).get("/api/me").json()
    assert body["organisation_slug"] == "lakeview"
    assert body["role"] == "admin"
    assert body["person_id"] is None
