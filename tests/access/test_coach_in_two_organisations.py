"""A coach working for two organisations sees each one separately, never mixed."""

from __future__ import annotations

from django.urls import reverse

from accord.access.models import Role, User
from accord.access.scopes import scope_for
from accord.access.services import grant_membership, issue_api_token
from accord.org.importing import plan_org_import
from accord.org.models import Unit
from accord.org.services import apply_org_import
from tests.access.seen import people_seen, units_seen
from tests.api.conftest import TokenClient
from tests.cast import Cast, roster_csv


def make_coach(cast: Cast) -> User:
    apply_org_import(
        plan=plan_org_import(
            organisation=cast.lakeview,
            filename="lakeview.csv",
            content=roster_csv([
                ("lee", "Lee Lakeview", "Lakeview Clinics/Family Medicine", "system/department",
                 "", "clinician", "Physician", "yes"),
            ]),
        )
    )  # fmt: skip
    email = "coach@example.org"
    grant_membership(organisation=cast.riverside, email=email, role=Role.EXECUTIVE)
    return grant_membership(organisation=cast.lakeview, email=email, role=Role.ADMIN).user


def test_coach_gets_the_organisation_picker_at_the_start_page(cast: Cast) -> None:
    coach = make_coach(cast)
    response = cast.client_for(coach).get("/")
    assert response.status_code == 200
    assert [m.organisation.slug for m in response.context["memberships"]] == [
        "lakeview", "riverside",
    ]  # fmt: skip
    html = response.content.decode()
    assert reverse("org-home", args=["riverside"]) in html
    assert reverse("org-home", args=["lakeview"]) in html


def test_each_organisation_shows_only_its_own_units_and_people(cast: Cast) -> None:
    coach = make_coach(cast)
    riverside, lakeview = scope_for(coach, "riverside"), scope_for(coach, "lakeview")
    assert "lee" not in people_seen(riverside)
    assert people_seen(lakeview) == {"lee"}
    assert units_seen(lakeview) == {"Lakeview Clinics", "Family Medicine"}
    client = cast.client_for(coach)
    lee_unit = Unit.objects.get(organisation=cast.lakeview, name="Family Medicine")
    assert client.get(reverse("unit-detail", args=["lakeview", lee_unit.pk])).status_code == 200
    assert client.get(reverse("unit-detail", args=["riverside", lee_unit.pk])).status_code == 404


def test_coachs_role_in_one_organisation_does_not_carry_into_the_other(cast: Cast) -> None:
    coach = make_coach(cast)
    client = cast.client_for(coach)
    assert client.get(reverse("import-upload", args=["lakeview"])).status_code == 200
    assert client.get(reverse("import-upload", args=["riverside"])).status_code == 403


def test_a_token_for_one_organisation_never_returns_the_others_data(cast: Cast) -> None:
    coach = make_coach(cast)
    lakeview_membership = coach.memberships.get(organisation=cast.lakeview)
    _, secret = issue_api_token(membership=lakeview_membership, name="lakeview reports")
    api = TokenClient(secret)
    assert api.get("/api/me").json()["organisation_slug"] == "lakeview"
    assert {u["name"] for u in api.get("/api/units").json()["items"]} == {
        "Lakeview Clinics", "Family Medicine",
    }  # fmt: skip
    assert {p["external_id"] for p in api.get("/api/people").json()["items"]} == {"lee"}
    sam = cast.person("sam")
    assert api.get(f"/api/people/{sam.pk}").status_code == 404
    assert api.get(f"/api/units/{sam.unit_id}").status_code == 404


def test_the_token_page_lists_only_the_tokens_of_that_organisation(cast: Cast) -> None:
    coach = make_coach(cast)
    for membership in coach.memberships.all():
        issue_api_token(membership=membership, name=f"{membership.organisation.slug} script")
    page = cast.client_for(coach).get(reverse("token-list", args=["riverside"]))
    assert [token.name for token in page.context["tokens"]] == ["riverside script"]
