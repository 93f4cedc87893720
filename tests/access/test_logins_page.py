"""A program admin gives people logins, changes their roles and takes access away."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings
from huey import Huey

from accord.access.models import ApiToken, Membership, Role
from accord.access.services import issue_api_token
from tests.cast import Cast

URL = "/o/riverside/logins/"


@override_settings(ACCORD_BASE_URL="http://testserver")  # the address links in email point to
def test_admin_gives_a_person_a_login_and_they_choose_a_password(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks
) -> None:
    admin = cast.client_for(cast.admin)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(URL, {"external_id": "pia", "role": Role.LEADER})
    assert response.status_code == 302
    membership = Membership.objects.get(person=cast.person("pia"))
    assert membership.role == Role.LEADER
    assert membership.user.email == "pia@riverside.example"
    assert not membership.user.has_usable_password()
    [email] = mail.outbox
    assert email.to == ["pia@riverside.example"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", email.body)
    assert link, email.body
    # Following the link lets pia choose a password and sign in.
    client = cast.client_for(None)
    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "pediatrics-on-call-2026", "new_password2": "pediatrics-on-call-2026"},
    )
    assert done.status_code == 302
    assert (
        client.post(
            "/accounts/login/",
            {"username": "pia@riverside.example", "password": "pediatrics-on-call-2026"},
        ).status_code
        == 302
    )
    assert client.get("/o/riverside/").status_code == 200


def test_someone_who_already_signs_in_elsewhere_gets_a_note_not_a_reset_link(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cast.client_for(cast.admin).post(
            URL, {"email": "olive@lakeview.example", "role": Role.EXECUTIVE}
        )
    [email] = mail.outbox
    assert "password/reset" not in email.body
    assert "Sign in as usual" in email.body
    assert Membership.objects.filter(user=cast.outsider).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"external_id": "nobody", "role": "member"}, "No one in the org chart has the HR id"),
        (
            {"external_id": "", "email": "", "role": "member"},
            "Give the person&#x27;s HR id, an email",
        ),
        ({"external_id": "sam", "role": "member"}, "Sam Nurse already has a login"),
        ({"email": "not-an-email", "role": "member"}, "Enter a valid email address"),
        ({"external_id": "pat", "role": "overlord"}, "Select a valid choice"),
        ({"email": "coach@example.org", "role": "leader"}, "scope comes from their person record"),
    ],
)
def test_bad_invitations_are_refused_with_a_reason(
    cast: Cast, data: dict[str, str], message: str
) -> None:
    before = Membership.objects.count()
    response = cast.client_for(cast.admin).post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Membership.objects.count() == before


def test_a_person_without_email_needs_one_typed_in(cast: Cast) -> None:
    pat = cast.person("pat")
    pat.email = ""
    pat.save()
    response = cast.client_for(cast.admin).post(URL, {"external_id": "pat", "role": "member"})
    assert "has no email address in the org chart" in response.content.decode()
    response = cast.client_for(cast.admin).post(
        URL, {"external_id": "pat", "email": "pat.home@example.org", "role": "member"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(person=pat).user.email == "pat.home@example.org"


def test_changing_a_role_changes_what_they_see(cast: Cast) -> None:
    membership = cast.membership(cast.staff_nurse)
    nurse = cast.client_for(cast.staff_nurse)
    assert nurse.get("/o/riverside/people/").context["page"].paginator.count == 1
    cast.client_for(cast.admin).post(f"{URL}{membership.pk}/role/", {"role": Role.EXECUTIVE})
    assert nurse.get("/o/riverside/people/").context["page"].paginator.count == 16


def test_the_last_admin_cannot_be_demoted_or_removed(cast: Cast) -> None:
    admin = cast.client_for(cast.admin)
    mine = cast.membership(cast.admin)
    response = admin.post(f"{URL}{mine.pk}/role/", {"role": Role.MEMBER}, follow=True)
    assert "last program admin" in response.content.decode()
    admin.post(f"{URL}{mine.pk}/remove/")
    assert Membership.objects.get(pk=mine.pk).role == Role.ADMIN
    # With a second admin, the first may step down.
    cast.client_for(cast.admin).post(
        f"{URL}{cast.membership(cast.executive).pk}/role/", {"role": Role.ADMIN}
    )
    admin.post(f"{URL}{mine.pk}/role/", {"role": Role.MEMBER})
    assert Membership.objects.get(pk=mine.pk).role == Role.MEMBER


def test_removing_a_login_ends_access_and_its_api_tokens(cast: Cast) -> None:
    membership = cast.membership(cast.nurse_manager)
    _, secret = issue_api_token(membership=membership, name="unit dashboard")
    cast.client_for(cast.admin).post(f"{URL}{membership.pk}/remove/")
    assert cast.client_for(cast.nurse_manager).get("/o/riverside/").status_code == 404
    assert not ApiToken.objects.filter(membership_id=membership.pk).exists()
    api = cast.client_for(None).get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


def test_logins_can_be_searched(cast: Cast) -> None:
    response = cast.client_for(cast.admin).get(URL, {"q": "nora"})
    assert [m.user.email for m in response.context["page"].object_list] == [
        "nora@riverside.example"
    ]


@pytest.mark.parametrize("query", ["no\x00ra", "n" * 101])
def test_a_search_the_database_cannot_run_lists_everyone_instead(cast: Cast, query: str) -> None:
    response = cast.client_for(cast.admin).get(URL, {"q": query})
    assert response.status_code == 200
    assert (
        response.context["page"].paginator.count
        == Membership.objects.filter(organisation=cast.riverside).count()
    )


def test_an_email_too_long_for_a_login_is_refused_with_a_reason(cast: Cast) -> None:
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"  # valid, but 308 characters
    before = Membership.objects.count()

    response = cast.client_for(cast.admin).post(URL, {"email": email, "role": Role.MEMBER})

    assert response.status_code == 200
    assert (
        "An email address can be at most 254 characters."
        in response.context["form"].errors["__all__"]
    )
    assert Membership.objects.count() == before
