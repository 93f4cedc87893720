"""Deactivating a login ends its access everywhere, including sessions already open."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accord.access.services import issue_api_token
from tests.api.conftest import TokenClient
from tests.cast import PASSWORD, Cast


def test_a_deactivated_login_is_sent_back_to_sign_in_and_cannot(cast: Cast) -> None:
    client = cast.client_for(cast.chair)
    home = reverse("org-home", args=["riverside"])
    assert client.get(home).status_code == 200
    _, secret = issue_api_token(membership=cast.membership(cast.chair), name="script")

    cast.chair.is_active = False
    cast.chair.save()

    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    sign_in = Client().post(reverse("login"), {"username": cast.chair.email, "password": PASSWORD})
    assert sign_in.status_code == 200
    assert sign_in.context["form"].non_field_errors()
    assert TokenClient(secret).get("/api/me").status_code == 401
