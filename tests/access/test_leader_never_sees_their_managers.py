"""A leader who shares a unit with their boss leads that unit, but not the boss.

Found in review: a deputy flagged as leader in the chair's own unit saw the chair's person
page, and the chair's boss's if they shared a unit too.
"""

from __future__ import annotations

from django.urls import reverse

from accord.access.models import Role
from accord.access.services import grant_membership
from accord.org.models import Person
from tests.access.seen import people_seen, riverside_scope
from tests.cast import Cast


def make_deputy(cast: Cast) -> Person:
    chad = cast.person("chad")
    return Person.objects.create(
        organisation=cast.riverside,
        external_id="dina",
        name="Dina Deputy",
        unit=chad.unit,
        manager=chad,
        reporting_path=f"{chad.reporting_path}{chad.pk}/",
        role_group=chad.role_group,
        profession=chad.profession,
        is_leader=True,
    )


def test_deputy_in_the_chairs_unit_sees_the_department_but_not_the_chair(cast: Cast) -> None:
    deputy = make_deputy(cast)
    user = grant_membership(
        organisation=cast.riverside, email="dina@riverside.example", role=Role.LEADER, person=deputy
    ).user
    seen = people_seen(riverside_scope(user))
    assert seen == {"dina", "nora", "sam", "nina", "ned", "paula", "peter"}
    client = cast.client_for(user)
    chad = cast.person("chad")
    assert client.get(reverse("person-detail", args=["riverside", chad.pk])).status_code == 404
    assert client.get(reverse("unit-detail", args=["riverside", chad.unit_id])).status_code == 200
