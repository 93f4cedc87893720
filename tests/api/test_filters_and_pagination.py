"""Filters narrow what the token may see; they never widen it or reveal what lies outside."""

from __future__ import annotations

from collections.abc import Callable

from accord.org.models import Unit
from tests.api.conftest import TokenClient
from tests.cast import Cast

TokenFor = Callable[..., TokenClient]


def unit_id(cast: Cast, name: str) -> int:
    return Unit.objects.get(organisation=cast.riverside, name=name).pk


def test_parent_id_lists_the_direct_children_the_viewer_may_see(
    cast: Cast, token_client: TokenFor
) -> None:
    admin, chair = token_client(cast.admin), token_client(cast.chair)
    north = unit_id(cast, "North Hospital")
    assert admin.unit_names(parent_id=north) == {"Emergency", "Surgery"}
    assert chair.unit_names(parent_id=north) == {"Emergency"}
    assert chair.unit_names(parent_id=unit_id(cast, "Surgery")) == {"Perioperative"}


def test_within_lists_a_visible_units_subtree(cast: Cast, token_client: TokenFor) -> None:
    chair = token_client(cast.chair)
    assert chair.unit_names(within=unit_id(cast, "Emergency")) == {
        "Emergency", "ED Nursing", "ED Physicians",
    }  # fmt: skip


def test_within_a_unit_outside_scope_is_a_404_like_one_that_does_not_exist(
    cast: Cast, token_client: TokenFor
) -> None:
    chair = token_client(cast.chair)
    outside = chair.get("/api/units", within=unit_id(cast, "Pediatrics"))
    missing = chair.get("/api/units", within=999_999)
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_unit_id_lists_visible_people_in_that_subtree(cast: Cast, token_client: TokenFor) -> None:
    chair = token_client(cast.chair)
    assert chair.people(unit_id=unit_id(cast, "ED Nursing")) == {"nora", "sam", "nina", "ned"}
    # Perioperative is visible through oscar_r; his colleagues stay out of sight.
    assert chair.people(unit_id=unit_id(cast, "Perioperative")) == {"oscar_r"}
    assert chair.people(unit_id=unit_id(cast, "Emergency")) == {
        "chad", "nora", "sam", "nina", "ned", "paula", "peter",
    }  # fmt: skip


def test_unit_id_outside_scope_is_a_404(cast: Cast, token_client: TokenFor) -> None:
    nurse_manager = token_client(cast.nurse_manager)
    response = nurse_manager.get("/api/people", unit_id=unit_id(cast, "Emergency"))
    assert response.status_code == 404


def test_another_organisations_ids_are_404_for_every_filter(
    cast: Cast, token_client: TokenFor
) -> None:
    outsider = token_client(cast.outsider)
    emergency = unit_id(cast, "Emergency")
    assert outsider.get("/api/units", within=emergency).status_code == 404
    assert outsider.get("/api/people", unit_id=emergency).status_code == 404
    assert outsider.unit_names(parent_id=emergency) == set()


def test_search_matches_part_of_a_name_or_a_whole_email_or_id(
    cast: Cast, token_client: TokenFor
) -> None:
    admin = token_client(cast.admin)
    assert admin.people(search="nurse") == {"sam", "nina", "ned"}
    assert admin.people(search="PAT@riverside.example") == {"pat"}
    assert admin.people(search="oscar_r") == {"oscar_r"}
    assert admin.people(search="pat@riverside") == set()


def test_search_finds_nobody_outside_scope(cast: Cast, token_client: TokenFor) -> None:
    chair = token_client(cast.chair)
    assert chair.people(search="Pat Peds") == set()
    assert chair.people(search="pat@riverside.example") == set()
    assert chair.people(search="Periop") == set()  # Olga and Omar Periop are not his
    assert chair.people(search="Oscar") == {"oscar_r"}


def test_inactive_people_are_listed_only_when_asked_for(cast: Cast, token_client: TokenFor) -> None:
    nina = cast.person("nina")
    nina.is_active = False
    nina.save()
    nurse_manager = token_client(cast.nurse_manager)
    assert "nina" not in nurse_manager.people()
    assert "nina" in nurse_manager.people(include_inactive=True)


def test_limit_and_offset_page_through_the_list_in_a_stable_order(
    cast: Cast, token_client: TokenFor
) -> None:
    admin = token_client(cast.admin)
    everyone = [item["external_id"] for item in admin.items("/api/people")]
    first = admin.get("/api/people", limit=5, offset=0).json()
    second = admin.get("/api/people", limit=5, offset=5).json()
    assert first["count"] == second["count"] == len(everyone) == 16
    pages = [item["external_id"] for item in first["items"] + second["items"]]
    assert pages == everyone[:10]
    beyond = admin.get("/api/people", limit=5, offset=100).json()
    assert beyond == {"items": [], "count": 16}


def test_the_count_is_of_what_the_viewer_may_see(cast: Cast, token_client: TokenFor) -> None:
    chair = token_client(cast.chair)
    assert chair.get("/api/people", limit=1).json()["count"] == 8
    assert chair.get("/api/units", limit=1).json()["count"] == 4
