"""Headcounts are of people the viewer may see, so a number never reveals anyone else.

Found in review: a chair who sees Perioperative only because one report works there was
shown its full headcount, and so learned how many others work there.
"""

from __future__ import annotations

from django.urls import reverse

from accord.org.models import Unit
from accord.org.selectors import unit_tree
from tests.access.seen import riverside_scope
from tests.cast import Cast


def headcounts(rows: list) -> dict[str, tuple[int, int]]:
    return {row.unit.name: (row.headcount, row.direct_headcount) for row in rows}


def test_chair_sees_headcounts_of_the_people_he_may_see(cast: Cast) -> None:
    assert headcounts(unit_tree(riverside_scope(cast.chair))) == {
        "Emergency": (7, 1),
        "ED Nursing": (4, 4),
        "ED Physicians": (2, 2),
        "Perioperative": (1, 1),
    }


def test_admin_sees_the_whole_organisations_headcounts(cast: Cast) -> None:
    counts = headcounts(unit_tree(riverside_scope(cast.admin)))
    assert counts["Riverside Health"] == (16, 1)
    assert counts["Perioperative"] == (3, 3)
    assert counts["North Hospital"] == (11, 0)


def test_the_unit_page_shows_the_viewers_headcount(cast: Cast) -> None:
    perioperative = Unit.objects.get(organisation=cast.riverside, name="Perioperative")
    page = cast.client_for(cast.chair).get(
        reverse("unit-detail", args=["riverside", perioperative.pk])
    )
    assert page.context["this_row"].headcount == 1
    assert [person.external_id for person in page.context["page"]] == ["oscar_r"]


def test_a_leaders_home_lists_the_units_they_lead_not_those_of_a_report(cast: Cast) -> None:
    page = cast.client_for(cast.chair).get(reverse("org-home", args=["riverside"]))
    assert headcounts(page.context["top_units"]) == {
        "Emergency": (7, 1),
        "ED Nursing": (4, 4),
        "ED Physicians": (2, 2),
    }
    assert page.context["counts"] == {"units": 4, "people": 8, "leaders": 2}
