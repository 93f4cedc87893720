"""The API tokens page: a new token's secret is shown once; each login manages only its own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.access.models import ApiToken
from accord.access.services import issue_api_token
from tests.api.conftest import TokenClient
from tests.cast import Cast

TOKENS = reverse("token-list", args=["riverside"])


def revoke_url(token: ApiToken) -> str:
    return reverse("token-revoke", args=["riverside", token.pk])


def test_a_new_tokens_secret_is_shown_once_and_never_again(cast: Cast) -> None:
    client = cast.client_for(cast.chair)
    created = client.post(TOKENS, {"name": "rota sync", "expires_in_days": "30"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(membership=cast.membership(cast.chair))
    secret = created.context["new_secret"]
    assert secret.startswith(token.prefix)
    assert secret in created.content.decode()
    assert TokenClient(secret).get("/api/me").status_code == 200

    again = client.get(TOKENS)
    assert "rota sync" in again.content.decode()
    assert secret not in again.content.decode()
    assert secret[len(token.prefix) :] not in again.content.decode()


def test_the_list_shows_only_the_viewers_own_tokens(cast: Cast) -> None:
    issue_api_token(membership=cast.membership(cast.nurse_manager), name="nora's script")
    issue_api_token(membership=cast.membership(cast.chair), name="chad's script")
    page = cast.client_for(cast.chair).get(TOKENS)
    assert [token.name for token in page.context["tokens"]] == ["chad's script"]
    assert "nora's script" not in page.content.decode()


def test_revoking_a_token_stops_it_working(cast: Cast) -> None:
    token, secret = issue_api_token(membership=cast.membership(cast.chair), name="old script")
    client = cast.client_for(cast.chair)
    response = client.post(revoke_url(token), follow=True)
    assert response.redirect_chain == [(TOKENS, 302)]
    assert "Token “old script” revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert TokenClient(secret).get("/api/me").status_code == 401
    assert "revoked" in client.get(TOKENS).content.decode()


def test_revoking_someone_elses_token_is_a_404_and_leaves_it_working(cast: Cast) -> None:
    token, secret = issue_api_token(membership=cast.membership(cast.staff_nurse), name="sam's")
    for intruder in (cast.admin, cast.chair, cast.nurse_manager, cast.outsider):
        assert cast.client_for(intruder).post(revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert TokenClient(secret).get("/api/me").status_code == 200


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "x" * 101}, "name", "at most 100 characters"),
        ({"name": "script", "expires_in_days": "0"}, "expires_in_days", "greater than or equal to 1"),
        ({"name": "script", "expires_in_days": "5000"}, "expires_in_days", "less than or equal to 3650"),
        ({"name": "script", "expires_in_days": "soon"}, "expires_in_days", "Enter a whole number."),
    ],
)  # fmt: skip
def test_bad_input_shows_a_form_error_and_creates_nothing(
    cast: Cast, form: dict[str, str], field: str, message: str
) -> None:
    response = cast.client_for(cast.chair).post(TOKENS, form)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert response.context["new_secret"] is None
    assert not ApiToken.objects.exists()
