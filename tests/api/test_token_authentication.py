"""Personal access tokens: only a valid, current token of an active login opens the API."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accord.access.models import ApiToken
from accord.access.services import issue_api_token, revoke_api_token
from tests.api.conftest import TokenClient
from tests.cast import Cast

TokenFor = Callable[..., TokenClient]


def test_a_bearer_token_opens_the_api(cast: Cast, token_client: TokenFor) -> None:
    assert token_client(cast.staff_nurse).get("/api/me").status_code == 200


def test_no_token_is_a_401_that_says_how_to_authenticate(cast: Cast) -> None:
    response = Client().get("/api/units")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["detail"]


def test_a_signed_in_browser_session_is_not_an_api_credential(cast: Cast) -> None:
    assert cast.client_for(cast.admin).get("/api/units").status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-an-accord-token",
        "Bearer acc_",
        "Bearer acc_" + "x" * 200,
        "Token {token}",
        "Basic {token}",
        "{token}",
        "Bearer {token}x",
        "Bearer {token_upper}",
    ],
)
def test_a_malformed_or_unknown_token_is_a_401(
    cast: Cast, token_client: TokenFor, authorization: str
) -> None:
    token = token_client(cast.admin).plaintext
    header = authorization.format(token=token, token_upper=token.upper())
    response = Client(headers={"Authorization": header}).get("/api/me")
    assert response.status_code == 401


def test_a_revoked_token_is_a_401(cast: Cast, token_client: TokenFor) -> None:
    api = token_client(cast.admin)
    assert api.get("/api/me").status_code == 200
    revoke_api_token(token=ApiToken.objects.get())
    assert api.get("/api/me").status_code == 401


def test_an_expired_token_is_a_401(cast: Cast) -> None:
    token, plaintext = issue_api_token(
        membership=cast.membership(cast.admin), name="short-lived", expires_in_days=1
    )
    api = TokenClient(plaintext)
    assert api.get("/api/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/api/me").status_code == 401


def test_a_deactivated_login_loses_its_tokens(cast: Cast, token_client: TokenFor) -> None:
    api = token_client(cast.chair)
    cast.chair.is_active = False
    cast.chair.save()
    assert api.get("/api/me").status_code == 401


def test_a_removed_membership_takes_its_tokens_with_it(cast: Cast, token_client: TokenFor) -> None:
    api = token_client(cast.chair)
    cast.membership(cast.chair).delete()
    assert api.get("/api/me").status_code == 401


def test_only_a_digest_is_stored_and_the_plaintext_appears_nowhere_in_the_database(
    cast: Cast, token_client: TokenFor
) -> None:
    api = token_client(cast.admin)
    api.get("/api/me")
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(api.plaintext.encode()).hexdigest()
    assert token.prefix == api.plaintext[: len(token.prefix)]
    secret_part = api.plaintext[len(token.prefix) :]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 — names from introspection
            for row in cursor.fetchall():
                text = " ".join(
                    bytes(value).decode("latin-1") if isinstance(value, bytes | memoryview)
                    else str(value) for value in row
                )  # fmt: skip
                assert secret_part not in text, f"the token's secret is stored in {table}"


def test_last_used_is_recorded_at_most_once_a_minute(cast: Cast, token_client: TokenFor) -> None:
    api = token_client(cast.admin)
    assert ApiToken.objects.get().last_used_at is None

    api.get("/api/me")
    first_use = ApiToken.objects.get().last_used_at
    assert first_use is not None

    api.get("/api/me")
    assert ApiToken.objects.get().last_used_at == first_use

    two_minutes_ago = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.update(last_used_at=two_minutes_ago)
    api.get("/api/me")
    assert ApiToken.objects.get().last_used_at > two_minutes_ago


def test_a_failed_call_does_not_count_as_use(cast: Cast, token_client: TokenFor) -> None:
    api = token_client(cast.admin)
    revoke_api_token(token=ApiToken.objects.get())
    api.get("/api/me")
    assert ApiToken.objects.get().last_used_at is None
