"""A login created without a password (`accord grant`, an expired invitation) can still
get a link to choose one from "Forgotten your password?"."""

from __future__ import annotations

import re

from django.core import mail

from accord.access.models import Role
from accord.access.services import grant_membership
from tests.cast import Cast

RESET = "/accounts/password/reset/"


def test_a_login_without_a_password_gets_a_link_and_can_then_sign_in(cast: Cast) -> None:
    membership = grant_membership(
        organisation=cast.riverside, email="pia@riverside.example", role=Role.MEMBER
    )
    assert not membership.user.has_usable_password()
    client = cast.client_for(None)

    client.post(RESET, {"email": "Pia@Riverside.example"})

    [email] = mail.outbox
    assert email.to == ["pia@riverside.example"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", email.body)
    assert link, email.body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "pediatrics-on-call-2026", "new_password2": "pediatrics-on-call-2026"},
    )
    client.post(
        "/accounts/login/",
        {"username": "pia@riverside.example", "password": "pediatrics-on-call-2026"},
    )
    assert client.get("/o/riverside/").status_code == 200


def test_a_deactivated_login_gets_no_link(cast: Cast) -> None:
    cast.staff_nurse.is_active = False
    cast.staff_nurse.save()

    response = cast.client_for(None).post(RESET, {"email": cast.staff_nurse.email})

    assert response.status_code == 302  # the same answer as for any address
    assert mail.outbox == []
