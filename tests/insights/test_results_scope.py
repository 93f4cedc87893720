"""Each viewer reaches only the results their scope allows, on every page, the API and the
command line; a release is shown only once published, and a queued export only to its scope.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accord.access.models import Membership, Role
from accord.access.scopes import scope_for
from accord.access.services import grant_membership, issue_api_token, revoke_api_token
from accord.insights import exporting
from accord.insights.models import Release, ReleaseExport
from accord.insights.selectors import whole_release
from accord.org.models import Person
from tests.insights.attackers import (
    FOCUS_PAGES,
    PAGES,
    api_client,
    client_for,
    csv_rows,
    fresh_release_cache,  # noqa: F401 — autouse, see there
    import_rows,
    north_and_south,
    page_urls,
    unit_names,
    workbook_cells,
)
from tests.insights.survey_world import (
    PASSWORD,
    Group,
    build_organisation,
    run_cycle,
)

pytestmark = pytest.mark.django_db


def test_a_leader_reaches_no_unit_outside_their_subtree() -> None:
    world = north_and_south("curious")
    other = build_organisation("neighbour", [Group("Org/Far Away", 9)])
    run_cycle(other)
    cycle = run_cycle(world)
    slug = world.organisation.slug
    names = unit_names(world)
    leader = client_for(world.leaders["Org/North Hospital"])
    outside = [names["Org"], names["South Clinic"], other.unit_pk("Org/Far Away")]
    for name in FOCUS_PAGES:
        url = reverse(name, args=[slug, cycle.pk])
        page = leader.get(url)
        assert page.status_code == 200, name
        assert "South Clinic" not in page.content.decode(), name
        for pk in outside:
            for params in ({"unit": pk}, {"unit": pk, "filter": "role_group:clinician"}):
                assert leader.get(url, params).status_code == 404, (name, params)
        # The links on the page only lead inside the subtree.
        assert f"unit={names['South Clinic']}" not in page.content.decode()

    # The organisation row "for comparison" is the released whole; no sibling is named.
    heatmap = leader.get(reverse("results-heatmap", args=[slug, cycle.pk]))
    assert heatmap.context["organisation"].group.released
    assert [row.name for row in heatmap.context["rows"]] == [
        "North Hospital",
        "Ward One",
        "Ward Two",
    ]

    view = whole_release(cycle)
    north_path = view.report.units[view.index_of_pk[names["North Hospital"]]].path
    for _, url in page_urls(world, cycle):
        response = leader.get(url)
        assert response.status_code == 200, url
        if url.endswith(("/json/", "/csv/")):
            assert b"South Clinic" not in response.content, url
    document = json.loads(
        leader.get(reverse("results-export-file", args=[slug, cycle.pk, "json"])).content
    )
    assert {g["unit"][: len(north_path)] for g in document["groups"]} == {north_path}
    assert all(row["unit_path"].startswith(north_path) for row in csv_rows(
        leader.get(reverse("results-export-file", args=[slug, cycle.pk, "csv"])).content
    ))  # fmt: skip
    xlsx = leader.get(reverse("results-export-file", args=[slug, cycle.pk, "xlsx"])).content
    assert not any("South Clinic" in str(cell) for _, row in workbook_cells(xlsx) for cell in row)

    # The same leader's API token, whatever release or format it asks for.
    api = api_client(world.leaders["Org/North Hospital"])
    url = f"/api/results/cycles/{cycle.pk}/report"
    document = api.get(url).json()
    assert {g["unit"][: len(north_path)] for g in document["groups"]} == {north_path}
    assert b"South Clinic" not in api.get(url, {"format": "csv"}).content
    assert api.get(f"/api/results/cycles/{other.cycle.pk}/report").status_code == 404


def test_a_leader_does_not_see_the_units_of_people_who_report_to_them_elsewhere() -> None:
    """A leader's scope of people includes their reports' units; results follow only the
    subtree they lead."""
    world = north_and_south("reports")
    import_rows(
        world,
        [
            [f"rep{n}", f"Report Person {n}", f"rep{n}@reports.example", "Org/South Clinic",
             "system/hospital", "lead1", "clinician", "Nurse", "2020-01-01", "no"]
            for n in range(3)
        ],
    )  # fmt: skip
    cycle = run_cycle(world)
    leader = world.leaders["Org/North Hospital"]
    south = unit_names(world)["South Clinic"]
    assert scope_for(leader, world.organisation.slug).units().filter(pk=south).exists()
    client = client_for(leader)
    for name in FOCUS_PAGES:
        url = reverse(name, args=[world.organisation.slug, cycle.pk])
        assert client.get(url, {"unit": south}).status_code == 404, name


def test_members_outsiders_and_lapsed_leaders_see_no_results() -> None:
    world = north_and_south("staff")
    cycle = run_cycle(world)
    slug = world.organisation.slug
    nurse = Person.objects.filter(organisation=world.organisation, is_leader=False).first()
    assert nurse is not None
    member = grant_membership(
        organisation=world.organisation, email="nurse@staff.example", role=Role.MEMBER,
        person=nurse, password=PASSWORD,
    ).user  # fmt: skip
    member_client = client_for(member)
    assert member_client.get(reverse("results", args=[slug])).status_code == 403
    for name, url in page_urls(world, cycle):
        assert member_client.get(url).status_code == 403, name
    member_api = api_client(member)
    assert member_api.get("/api/results/cycles").status_code == 403
    assert member_api.get(f"/api/results/cycles/{cycle.pk}/report").status_code == 403

    # Someone from another organisation: a 404 whatever they try, and no hint of existence.
    outsider_world = build_organisation("outsider", [Group("Org/Elsewhere", 9)])
    outsider_cycle = run_cycle(outsider_world)
    outsider = client_for(outsider_world.executive)
    assert outsider.get(reverse("results", args=[slug])).status_code == 404
    for name, url in page_urls(world, cycle):
        assert outsider.get(url).status_code == 404, name
    own = outsider_world.organisation.slug
    for name in PAGES:
        assert outsider.get(reverse(name, args=[own, cycle.pk])).status_code == 404, name
        url = reverse(name, args=[own, outsider_cycle.pk])
        if name in FOCUS_PAGES:
            unit = unit_names(world)["North Hospital"]
            assert outsider.get(url, {"unit": unit}).status_code == 404, name
    outsider_api = api_client(outsider_world.executive)
    assert outsider_api.get(f"/api/results/cycles/{cycle.pk}/report").status_code == 404
    assert [c["id"] for c in outsider_api.get("/api/results/cycles").json()] == [outsider_cycle.pk]

    # A leader no longer flagged as one, and one whose person record is inactive.
    south_leader = world.leaders["Org/South Clinic"]
    north_leader = world.leaders["Org/North Hospital"]
    Person.objects.filter(pk=Membership.objects.get(user=south_leader).person_id).update(
        is_leader=False
    )
    Person.objects.filter(pk=Membership.objects.get(user=north_leader).person_id).update(
        is_active=False
    )
    for lapsed in (south_leader, north_leader):
        client = client_for(lapsed)
        for name, url in page_urls(world, cycle):
            assert client.get(url).status_code == 403, name
    # A revoked token stops at once.
    membership = Membership.objects.get(user=world.executive)
    token, plaintext = issue_api_token(membership=membership, name="old script")
    revoke_api_token(token=token)
    revoked = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert revoked.get(f"/api/results/cycles/{cycle.pk}/report").status_code == 401


def test_nothing_is_shown_before_publishing_on_any_page_api_or_command() -> None:
    from typer.testing import CliRunner

    from accord.cli import app

    world = north_and_south("unpublished")
    cycle = run_cycle(world, publish=False)
    slug = world.organisation.slug
    for user in (world.executive, world.admin, world.leaders["Org/North Hospital"]):
        client = client_for(user)
        for name, url in page_urls(world, cycle):
            assert client.get(url).status_code == 404, (name, user)
        assert cycle.name not in client.get(reverse("results", args=[slug])).content.decode()
    assert (
        client_for(world.admin)
        .post(reverse("results-release", args=[slug, cycle.pk]), {"note": "early"})
        .status_code
        == 404
    )
    api = api_client(world.executive)
    assert api.get(f"/api/results/cycles/{cycle.pk}/report").status_code == 404
    assert api.get("/api/results/cycles").json() == []
    result = CliRunner().invoke(
        app, ["report", "export", "--org", "unpublished", "--cycle", str(cycle.pk)]
    )
    assert result.exit_code != 0 and "--cycle" in result.output
    assert not Release.objects.exists()


def test_queued_exports_are_built_per_scope_and_never_handed_to_another_viewer(
    monkeypatch: pytest.MonkeyPatch,
    immediate_queue: object,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    monkeypatch.setitem(exporting.QUEUE_ABOVE_ROWS, "json", 1)  # every export is "large"
    world = north_and_south("queued")
    cycle = run_cycle(world)
    slug = world.organisation.slug
    url = reverse("results-export-file", args=[slug, cycle.pk, "json"])
    viewers = {
        "executive": world.executive,
        "north": world.leaders["Org/North Hospital"],
        "south": world.leaders["Org/South Clinic"],
    }
    documents = {}
    for label, user in viewers.items():
        client = client_for(user)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
            waiting = client.get(url)
        assert "Preparing your export" in waiting.content.decode(), label
        fragment = client.get(url, HTTP_HX_REQUEST="true")
        assert "is ready" in fragment.content.decode(), label
        documents[label] = json.loads(client.get(url).content)
    assert ReleaseExport.objects.count() == 3
    assert len(set(ReleaseExport.objects.values_list("scope_key", flat=True))) == 3

    def names(document: dict[str, object]) -> set[str]:
        return {unit["name"] for unit in document["units"]}  # type: ignore[attr-defined]

    assert names(documents["executive"]) == {
        "Org", "North Hospital", "Ward One", "Ward Two", "South Clinic",
    }  # fmt: skip
    assert names(documents["north"]) == {"North Hospital", "Ward One", "Ward Two"}
    assert names(documents["south"]) == {"South Clinic"}

    # The queue's stored file is only ever the requester's own scope, also over the API.
    api = api_client(world.leaders["Org/South Clinic"])
    from_api = api.get(f"/api/results/cycles/{cycle.pk}/report")
    assert from_api.status_code == 200
    assert names(from_api.json()) == {"South Clinic"}
    assert ReleaseExport.objects.count() == 3


def test_the_pages_show_the_latest_release_and_the_api_scopes_earlier_ones() -> None:
    """Earlier releases stay reachable through the API and the command line (the ledger
    closed every release against the ones before), but only within the viewer's units."""
    world = north_and_south("releases")
    cycle = run_cycle(world)
    release_cycle_again = client_for(world.admin).post(
        reverse("results-release", args=[world.organisation.slug, cycle.pk]),
        {"note": "Corrected the chart"},
    )
    assert release_cycle_again.status_code == 302
    assert Release.objects.filter(cycle=cycle).count() == 2
    leader = client_for(world.leaders["Org/North Hospital"])
    for name in PAGES:
        url = reverse(name, args=[world.organisation.slug, cycle.pk])
        assert leader.get(url, {"release": "1"}).context["release"].number == 2, name
    api = api_client(world.leaders["Org/North Hospital"])
    for number in (1, 2):
        document = api.get(f"/api/results/cycles/{cycle.pk}/report", {"release": number}).json()
        assert {u["name"] for u in document["units"]} == {"North Hospital", "Ward One", "Ward Two"}


def test_releasing_again_is_a_csrf_protected_post_for_program_admins_only() -> None:
    world = north_and_south("rerelease")
    cycle = run_cycle(world)
    url = reverse("results-release", args=[world.organisation.slug, cycle.pk])
    for user in (world.executive, world.leaders["Org/North Hospital"]):
        assert client_for(user).post(url, {"note": "mine"}).status_code == 403
    assert client_for(world.admin).get(url).status_code == 405
    strict = client_for(world.admin, enforce_csrf_checks=True)
    assert strict.post(url, {"note": "forged"}).status_code == 403
    blank = client_for(world.admin).post(url, {"note": "   "})
    assert blank.status_code == 302
    assert Release.objects.filter(cycle=cycle).count() == 1
