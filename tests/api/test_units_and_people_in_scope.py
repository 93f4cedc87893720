"""/api/units and /api/people list exactly what the token owner's role may see."""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import TokenClient
from tests.cast import ROSTER, Cast

ALL_UNITS = {
    "Riverside Health", "Executive Office", "People and Culture", "North Hospital",
    "Emergency", "ED Nursing", "ED Physicians", "Surgery", "Perioperative",
    "South Hospital", "Pediatrics",
}  # fmt: skip
EVERYONE = {row[0] for row in ROSTER}
CHAIRS_PEOPLE = {"chad", "nora", "sam", "nina", "ned", "paula", "peter", "oscar_r"}
ED_NURSING = {"nora", "sam", "nina", "ned"}

TokenFor = Callable[..., TokenClient]


def test_admin_and_executive_see_every_unit_and_person(cast: Cast, token_client: TokenFor) -> None:
    for user in (cast.admin, cast.executive):
        api = token_client(user)
        assert api.unit_names() == ALL_UNITS
        assert api.people() == EVERYONE


def test_chair_sees_emergency_and_the_unit_of_a_cross_line_report(
    cast: Cast, token_client: TokenFor
) -> None:
    api = token_client(cast.chair)
    assert api.unit_names() == {"Emergency", "ED Nursing", "ED Physicians", "Perioperative"}
    assert api.people() == CHAIRS_PEOPLE


def test_nurse_manager_sees_ed_nursing_only(cast: Cast, token_client: TokenFor) -> None:
    api = token_client(cast.nurse_manager)
    assert api.unit_names() == {"ED Nursing"}
    assert api.people() == ED_NURSING


def test_staff_nurse_sees_her_unit_and_herself(cast: Cast, token_client: TokenFor) -> None:
    api = token_client(cast.staff_nurse)
    assert api.unit_names() == {"ED Nursing"}
    assert api.people() == {"sam"}


def test_outsider_token_sees_nothing_of_riverside(cast: Cast, token_client: TokenFor) -> None:
    api = token_client(cast.outsider)
    assert api.unit_names() == set()
    assert api.people() == set()


def test_one_unit_and_one_person_by_id_follow_the_same_scope(
    cast: Cast, token_client: TokenFor
) -> None:
    api = token_client(cast.nurse_manager)
    sam, pat = cast.person("sam"), cast.person("pat")
    assert api.get(f"/api/people/{sam.pk}").json()["external_id"] == "sam"
    assert api.get(f"/api/units/{sam.unit_id}").json()["name"] == "ED Nursing"
    assert api.get(f"/api/people/{pat.pk}").status_code == 404
    assert api.get(f"/api/units/{pat.unit_id}").status_code == 404
