"""A member sees their own record and unit; a member with no person record, only their home."""

from __future__ import annotations

from django.urls import reverse

from accord.access.models import Role
from accord.access.services import grant_membership, issue_api_token
from tests.access.seen import people_seen, riverside_scope, units_seen
from tests.api.conftest import TokenClient
from tests.cast import Cast


def test_staff_nurse_sees_herself_and_her_unit(cast: Cast) -> None:
    scope = riverside_scope(cast.staff_nurse)
    assert people_seen(scope) == {"sam"}
    assert units_seen(scope) == {"ED Nursing"}


def test_staff_nurse_cannot_open_a_colleagues_page(cast: Cast) -> None:
    nina = cast.person("nina")
    response = cast.client_for(cast.staff_nurse).get(
        reverse("person-detail", args=["riverside", nina.pk])
    )
    assert response.status_code == 404


def test_a_member_without_a_person_record_sees_nothing_but_their_home(cast: Cast) -> None:
    membership = grant_membership(
        organisation=cast.riverside, email="vol@riverside.example", role=Role.MEMBER
    )
    scope = riverside_scope(membership.user)
    assert people_seen(scope) == set()
    assert units_seen(scope) == set()

    client = cast.client_for(membership.user)
    assert client.get(reverse("org-home", args=["riverside"])).status_code == 200
    assert client.get(reverse("unit-list", args=["riverside"])).context["rows"] == []
    people = client.get(reverse("person-list", args=["riverside"])).context["page"]
    assert list(people) == []
    sam = cast.person("sam")
    assert client.get(reverse("person-detail", args=["riverside", sam.pk])).status_code == 404
    assert client.get(reverse("unit-detail", args=["riverside", sam.unit_id])).status_code == 404

    _, secret = issue_api_token(membership=membership, name="script")
    api = TokenClient(secret)
    assert api.get("/api/units").json() == {"items": [], "count": 0}
    assert api.get("/api/people").json() == {"items": [], "count": 0}
