"""Re-importing syncs by external_id: the preview's counts are what happens."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from accord.org.importing import plan_org_import
from accord.org.models import Person, Unit
from accord.org.services import apply_org_import
from tests.cast import NH, ROSTER, Cast, roster_csv
from tests.org.paths import assert_reporting_paths_consistent, assert_unit_paths_consistent
from tests.org.roster_files import import_file, table_sizes


def edited(external_id: str, **changes: str) -> tuple[str, ...]:
    """The cast's roster row for ``external_id`` with some fields changed."""
    fields = ("external_id", "name", "unit_path", "kinds", "manager", "group", "profession",
              "leader")  # fmt: skip
    row = dict(zip(fields, next(r for r in ROSTER if r[0] == external_id), strict=True))
    row.update(changes)
    return tuple(row.values())


def roster_with(*replacements: tuple[str, ...], dropped: tuple[str, ...] = ()) -> bytes:
    by_id = {r[0]: r for r in replacements}
    rows = [by_id.pop(r[0], r) for r in ROSTER if r[0] not in dropped]
    return roster_csv(rows + list(by_id.values()))


def stamps(cast: Cast) -> dict[str, object]:
    return dict(
        Person.objects.filter(organisation=cast.riverside).values_list("external_id", "updated_at")
    )


def test_reimporting_the_identical_file_changes_nothing(cast: Cast) -> None:
    before = stamps(cast)
    paths_before = list(Person.objects.values_list("pk", "manager_id", "reporting_path"))
    sizes_before = table_sizes()

    summary = import_file(cast.riverside, roster_csv(), deactivate_missing=True)

    assert (summary["create"], summary["update"], summary["deactivate"]) == (0, 0, 0)
    assert summary["unchanged"] == len(ROSTER)
    assert summary["new_units"] == 0
    assert stamps(cast) == before
    assert list(Person.objects.values_list("pk", "manager_id", "reporting_path")) == paths_before
    assert table_sizes() == sizes_before


def test_counts_in_the_plan_match_what_the_import_does(cast: Cast) -> None:
    before = stamps(cast)
    content = roster_with(
        edited("sam", name="Samantha Nurse"),  # renamed
        edited("nina", unit_path=f"{NH}/Emergency/ED Physicians"),  # moved unit
        edited("peter", manager="nora"),  # new manager
        ("newa", "New A", f"{NH}/Surgery", "", "sue", "clinician", "Nurse", "no"),
        ("newb", "New B", f"{NH}/Surgery", "", "newa", "clinician", "Nurse", "no"),
        dropped=("pat",),
    )

    plan = plan_org_import(
        organisation=cast.riverside, filename="r.csv", content=content, deactivate_missing=True
    )
    summary = plan.summary()
    apply_org_import(plan=plan)

    assert (summary["create"], summary["update"], summary["deactivate"]) == (2, 3, 1)
    assert summary["unchanged"] == len(ROSTER) - 1 - 3
    after = stamps(cast)
    assert {e for e in before if after[e] != before[e]} == {"sam", "nina", "peter", "pat"}
    assert set(after) - set(before) == {"newa", "newb"}
    assert cast.person("sam").name == "Samantha Nurse"
    assert cast.person("nina").unit.name == "ED Physicians"
    assert cast.person("peter").manager == cast.person("nora")
    assert cast.person("newb").manager == cast.person("newa")
    assert not cast.person("pat").is_active
    assert_reporting_paths_consistent(cast.riverside)


def test_manager_change_rewires_reporting_paths_for_the_whole_subtree(cast: Cast) -> None:
    # nora moves from chad to sue, and brings sam, nina and ned along.
    import_file(cast.riverside, roster_with(edited("nora", manager="sue")))

    assert_reporting_paths_consistent(cast.riverside)
    sue, nora = cast.person("sue"), cast.person("nora")
    for external_id in ("sam", "nina", "ned"):
        assert cast.person(external_id).reporting_path == f"{nora.reporting_path}{nora.pk}/"
        assert cast.person(external_id).reporting_path.startswith(sue.reports_prefix)
    chad = cast.person("chad")
    under_chad = Person.objects.filter(reporting_path__startswith=chad.reports_prefix)
    assert set(under_chad.values_list("external_id", flat=True)) == {"paula", "peter", "oscar_r"}


def test_new_hire_under_a_manager_who_moves_in_the_same_file(cast: Cast) -> None:
    newbie = ("newbie", "New Nurse", f"{NH}/Emergency/ED Nursing", "", "nora", "clinician",
              "Nurse", "no")  # fmt: skip

    import_file(cast.riverside, roster_with(edited("nora", manager="sue"), newbie))

    assert_reporting_paths_consistent(cast.riverside)
    assert cast.person("newbie").reporting_path.startswith(cast.person("sue").reports_prefix)


def test_reports_listed_before_their_managers_get_full_reporting_paths(cast: Cast) -> None:
    chain = [
        (f"c{n}", f"Chain {n}", f"{NH}/Surgery", "", f"c{n + 1}" if n < 5 else "sue",
         "clinician", "Nurse", "no")
        for n in range(6)
    ]  # fmt: skip

    import_file(cast.riverside, roster_csv(chain))

    assert_reporting_paths_consistent(cast.riverside)
    chain_above_c0 = "".join(f"{cast.person(f'c{n}').pk}/" for n in (5, 4, 3, 2, 1))
    assert cast.person("c0").reporting_path == cast.person("sue").reports_prefix + chain_above_c0


def test_moving_a_person_to_a_new_unit_path_creates_the_unit(cast: Cast) -> None:
    summary = import_file(
        cast.riverside,
        roster_with(edited("sam", unit_path=f"{NH}/Emergency/ED Fast Track/Nights", kinds="")),
    )

    assert (summary["update"], summary["new_units"]) == (1, 2)
    fast_track = Unit.objects.get(organisation=cast.riverside, name="ED Fast Track")
    assert fast_track.parent is not None and fast_track.parent.name == "Emergency"
    assert fast_track.kind.name == "unit"
    assert cast.person("sam").unit.full_name == f"{NH}/Emergency/ED Fast Track/Nights"
    assert_unit_paths_consistent(cast.riverside)


def test_unit_paths_are_consistent_after_a_fresh_import(cast: Cast) -> None:
    assert_unit_paths_consistent(cast.riverside)
    assert_reporting_paths_consistent(cast.riverside)


def test_a_failed_write_leaves_nothing_behind(cast: Cast) -> None:
    content = roster_with(
        ("late", "Late Hire", f"{NH}/Radiology", "", "chad", "clinician", "Technologist", "no")
    )
    plan = plan_org_import(organisation=cast.riverside, filename="r.csv", content=content)
    # Between the preview and the write, someone else creates the same person.
    Person.objects.create(
        organisation=cast.riverside, external_id="late", name="Late Hire",
        unit=cast.person("chad").unit, role_group="clinician",
        profession=cast.person("chad").profession,
    )  # fmt: skip
    sizes = table_sizes()

    with pytest.raises(IntegrityError):
        apply_org_import(plan=plan)

    assert table_sizes() == sizes
    assert not Unit.objects.filter(name="Radiology").exists()


def test_people_added_after_an_import_get_fresh_ids(cast: Cast) -> None:
    """The import takes its ids from the table's own sequence, so later inserts never collide."""
    imported_max = Person.objects.order_by("-pk").values_list("pk", flat=True)[0]

    later = Person.objects.create(
        organisation=cast.riverside, external_id="later", name="Later Hire",
        unit=cast.person("chad").unit, role_group="clinician",
        profession=cast.person("chad").profession,
    )  # fmt: skip

    assert later.pk > imported_max
