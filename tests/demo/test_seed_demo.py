"""`seed_demo` builds the demo through the real import and gives six people logins, and an
external coach a seventh."""

from __future__ import annotations

from django.test import Client

from accord.access.models import Membership, Role
from accord.access.scopes import Scope
from accord.demo.services import DEMO_PASSWORD, demo_logins, seed_demo
from accord.org.models import Person, Unit


def test_smallest_demo_signs_in_every_role(db: None) -> None:
    logins = seed_demo(people=50, seed=11)
    assert Person.objects.count() == 50
    assert [login.role_label for login in logins] == [
        "Program admin", "Executive", "Chief executive", "Department chair", "Unit nurse manager",
        "Staff nurse", "External coach",
    ]  # fmt: skip
    for login in logins:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": login.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, login
        assert client.get("/", follow=True).status_code == 200


def test_demo_roles_have_nested_scopes(db: None) -> None:
    seed_demo(people=600, seed=5)
    scopes = {m.role + (m.person.attributes.get("job_title", "") if m.person else ""): Scope(m)
              for m in Membership.objects.select_related("person__unit", "organisation")}  # fmt: skip
    sizes = {key: scope.people().count() for key, scope in scopes.items()}
    assert sizes[Role.ADMIN + "Director, Organizational Development"] == 600
    assert sizes[Role.EXECUTIVE + "Chief Nursing Officer"] == 600
    chair = sizes[Role.LEADER + "Chair of Emergency"]
    manager = sizes[Role.LEADER + "Nurse Manager"]
    assert 600 > chair > manager > 1
    assert sizes[Role.MEMBER + "Registered nurse"] == 1
    assert Unit.objects.filter(depth__gte=3).exists()


def test_demo_logins_are_listed_again_when_the_demo_exists(db: None) -> None:
    first = seed_demo(people=50, seed=2)
    again = demo_logins()
    assert [(login.role_label, login.email) for login in again] == [
        (login.role_label, login.email) for login in first
    ]
