"""Person.manager_ids and Unit.ancestor_ids read the materialised paths the import writes."""

from __future__ import annotations

from django.db.models import Model

from accord.org.models import Person, Unit, ids_on_path
from tests.cast import Cast


def ids_above(row: Model, link: str) -> tuple[int, ...]:
    """The ids met following ``link`` (manager, parent) up from ``row``, from the top down."""
    chain = []
    above = getattr(row, link)
    while above is not None:
        chain.append(above.pk)
        above = getattr(above, link)
    return tuple(reversed(chain))


def test_ids_on_path_reads_from_the_top_down() -> None:
    assert ids_on_path("/1/5/23/") == (1, 5, 23)
    assert ids_on_path("/") == ()
    assert ids_on_path("") == ()


def test_manager_ids_are_everyone_above_from_the_top(cast: Cast) -> None:
    ceo, chad, nora, sam = (cast.person(x) for x in ("ceo", "chad", "nora", "sam"))

    assert sam.manager_ids == (ceo.pk, chad.pk, nora.pk)
    assert chad.manager_ids == (ceo.pk,)


def test_the_top_of_the_organisation_has_no_managers(cast: Cast) -> None:
    assert cast.person("ceo").manager_ids == ()


def test_manager_ids_follow_the_manager_links(cast: Cast) -> None:
    for person in Person.objects.filter(organisation=cast.riverside):
        assert person.manager_ids == ids_above(person, "manager"), person


def test_ancestor_ids_are_the_units_above_not_the_unit_itself(cast: Cast) -> None:
    nursing = cast.person("sam").unit
    emergency = nursing.parent
    assert emergency is not None and emergency.parent is not None
    hospital, system = emergency.parent, emergency.parent.parent
    assert system is not None

    assert nursing.ancestor_ids == (system.pk, hospital.pk, emergency.pk)
    assert system.ancestor_ids == ()


def test_ancestor_ids_follow_the_parent_links(cast: Cast) -> None:
    for unit in Unit.objects.filter(organisation=cast.riverside):
        assert unit.ancestor_ids == ids_above(unit, "parent"), unit
