"""Browsing the unit tree: subtree headcounts, levels, breadcrumbs and people per unit."""

from __future__ import annotations

from accord.access.scopes import Scope
from accord.org.models import Person, Unit
from accord.org.selectors import unit_breadcrumbs, unit_tree
from tests.cast import Cast


def _unit(cast: Cast, full_name: str) -> Unit:
    return Unit.objects.get(organisation=cast.riverside, full_name=full_name)


def test_headcount_counts_every_active_person_in_the_subtree(cast: Cast) -> None:
    rows = {row.unit.full_name: row for row in unit_tree(Scope(cast.membership(cast.admin)))}
    assert rows["Riverside Health"].headcount == 16
    assert rows["Riverside Health"].direct_headcount == 1
    assert rows["Riverside Health/North Hospital"].headcount == 11
    assert rows["Riverside Health/North Hospital/Emergency/ED Nursing"].headcount == 4
    assert rows["Riverside Health/South Hospital/Pediatrics"].headcount == 2


def test_inactive_people_leave_the_headcount(cast: Cast) -> None:
    Person.objects.filter(external_id__in=["sam", "nina"]).update(is_active=False)
    rows = {row.unit.full_name: row for row in unit_tree(Scope(cast.membership(cast.admin)))}
    assert rows["Riverside Health/North Hospital/Emergency/ED Nursing"].headcount == 2
    assert rows["Riverside Health"].headcount == 14


def test_tree_comes_in_depth_first_order(cast: Cast) -> None:
    names = [row.unit.full_name for row in unit_tree(Scope(cast.membership(cast.admin)))]
    for position, name in enumerate(names[1:], start=1):
        parent = name.rsplit("/", 1)[0]
        assert parent in names[:position], f"{name} listed before its parent"


def test_breadcrumbs_run_from_the_root_and_link_only_what_the_viewer_may_open(
    cast: Cast,
) -> None:
    unit = _unit(cast, "Riverside Health/North Hospital/Emergency/ED Nursing")
    crumbs = unit_breadcrumbs(Scope(cast.membership(cast.chair)), unit)
    assert [(c.unit.name, c.can_open) for c in crumbs] == [
        ("Riverside Health", False), ("North Hospital", False), ("Emergency", True),
    ]  # fmt: skip
    page = cast.client_for(cast.nurse_manager).get(f"/o/riverside/units/{unit.pk}/").content
    emergency = _unit(cast, "Riverside Health/North Hospital/Emergency")
    assert f"/o/riverside/units/{emergency.pk}/".encode() not in page
    assert b"Emergency" in page


def test_unit_page_lists_children_with_headcounts_and_its_people(cast: Cast) -> None:
    emergency = _unit(cast, "Riverside Health/North Hospital/Emergency")
    response = cast.client_for(cast.chair).get(f"/o/riverside/units/{emergency.pk}/")
    assert response.status_code == 200
    children = [(row.unit.name, row.headcount) for row in response.context["children"]]
    assert children == [("ED Nursing", 4), ("ED Physicians", 2)]
    people = {p.external_id for p in response.context["page"].object_list}
    assert people == {"chad", "nora", "sam", "nina", "ned", "paula", "peter"}


def test_unit_page_people_are_limited_to_the_viewers_scope(cast: Cast) -> None:
    periop = _unit(cast, "Riverside Health/North Hospital/Surgery/Perioperative")
    response = cast.client_for(cast.chair).get(f"/o/riverside/units/{periop.pk}/")
    # The chair sees the unit of a cross-line report, and only that report in it.
    assert response.status_code == 200
    assert {p.external_id for p in response.context["page"].object_list} == {"oscar_r"}


def test_people_directory_pages_through_large_units(cast: Cast) -> None:
    nursing = _unit(cast, "Riverside Health/North Hospital/Emergency/ED Nursing")
    profession = cast.person("sam").profession
    Person.objects.bulk_create(
        Person(organisation=cast.riverside, external_id=f"x{i}", name=f"Extra {i:03d}",
               unit=nursing, role_group="clinician", profession=profession)
        for i in range(120)
    )  # fmt: skip
    client = cast.client_for(cast.admin)
    first = client.get("/o/riverside/people/")
    assert first.context["page"].paginator.count == 136
    assert len(first.context["page"].object_list) == 50
    last = client.get("/o/riverside/people/?page=3")
    assert len(last.context["page"].object_list) == 36
    assert client.get("/o/riverside/people/?page=999").context["page"].number == 3
    assert client.get("/o/riverside/people/?page=abc").status_code == 200


def test_unit_list_starts_at_the_top_of_what_the_viewer_sees(cast: Cast) -> None:
    chair_rows = cast.client_for(cast.chair).get("/o/riverside/units/").context["rows"]
    names = [row.unit.name for row in chair_rows]
    assert names[0] == "Emergency"  # the chair's tree starts at the department he leads
    assert {"ED Nursing", "ED Physicians", "Perioperative"} <= set(names)
    admin_rows = cast.client_for(cast.admin).get("/o/riverside/units/").context["rows"]
    assert max(row.unit.depth for row in admin_rows) == 2  # system, hospitals, departments
    everything = cast.client_for(cast.admin).get("/o/riverside/units/?all=1").context["rows"]
    assert max(row.unit.depth for row in everything) == 3


def test_page_links_keep_the_search_and_filters(cast: Cast) -> None:
    nursing = _unit(cast, "Riverside Health/North Hospital/Emergency/ED Nursing")
    profession = cast.person("sam").profession
    Person.objects.bulk_create(
        Person(organisation=cast.riverside, external_id=f"x{i}", name=f"Extra {i:03d}",
               unit=nursing, role_group="clinician", profession=profession, is_active=i % 2 == 0)
        for i in range(120)
    )  # fmt: skip
    page = cast.client_for(cast.admin).get("/o/riverside/people/?q=Extra&inactive=on").content
    assert b'href="?q=Extra&amp;inactive=on&amp;page=2"' in page
